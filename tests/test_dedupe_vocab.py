"""Vocabularies of normalised values (crmkit._dedupe._vocab): codes, derived values cached."""

from __future__ import annotations

import numpy as np

from crmkit._dedupe._vocab import Vocab, Vocabs


def test_encode_gives_equal_codes_to_equal_values() -> None:
    vocab = Vocab()
    assert vocab.encode(["b", "", "a", "b"]).tolist() == [0, -1, 1, 0]
    assert vocab.encode(["a", "c"]).tolist() == [1, 2]  # the vocabulary grows
    assert len(vocab) == 3 and vocab.index == {"b": 0, "a": 1, "c": 2}
    assert vocab.encode([]).dtype == np.int32


def test_array_and_take_follow_growth() -> None:
    vocab = Vocab()
    vocab.encode(["x", "y"])
    assert vocab.array.tolist() == ["x", "y"]
    vocab.encode(["z"])
    assert vocab.array.tolist() == ["x", "y", "z"]
    assert vocab.take(np.asarray([2, 0])).tolist() == ["z", "x"]
    many = np.asarray([1, 2] * 200)  # the vectorised path
    assert vocab.take(many).tolist() == ["y", "z"] * 200
    # A value that looks like a sequence stays one string.
    assert Vocab().array.shape == (0,)


def test_derived_values_are_computed_once_per_value() -> None:
    vocab = Vocab()
    seen: list[list[str]] = []

    def lengths(values: list[str]) -> np.ndarray:
        seen.append(list(values))
        return np.asarray([len(v) for v in values])

    vocab.encode(["ab", "c"])
    assert vocab.derived("len", lengths).tolist() == [2, 1]
    assert vocab.derived("len", lengths).tolist() == [2, 1]
    vocab.encode(["def", "ab"])
    assert vocab.derived("len", lengths).tolist() == [2, 1, 3]
    assert seen == [["ab", "c"], ["def"]]


def test_sub_vocabularies_and_spaces() -> None:
    vocab = Vocab()
    assert vocab.sub("tail") is vocab.sub("tail") and vocab.sub("tail") is not vocab.sub("x")
    vocabs = Vocabs()
    assert vocabs.get("person") is vocabs.get("person")
    assert set(vocabs.spaces) == {"person"}


def test_a_released_index_is_rebuilt_with_the_same_codes() -> None:
    vocab = Vocab()
    vocab.sub("tail").encode(["x"])
    assert vocab.encode(["b", "a", "", "b"]).tolist() == [0, 1, -1, 0]
    vocabs = Vocabs({"space": vocab})
    vocabs.release_indexes()
    assert vocab._index is None and vocab.sub("tail")._index is None
    assert vocab.encode(["a", "c"]).tolist() == [1, 2]
    assert vocab.values == ["b", "a", "c"] and vocab.index == {"b": 0, "a": 1, "c": 2}
