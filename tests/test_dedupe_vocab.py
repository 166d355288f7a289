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


def test_released_values_are_packed_and_read_the_same() -> None:
    # Once encoded, a vocabulary's values are one StringDType array: read by code, by
    # slice, whole or taken by codes, they are the list's; encoding again unpacks them
    # with the same codes.
    values = [f"{i:05d} rue de l'église" for i in range(600)] + ["é", "x"]
    vocab = Vocab()
    vocab.encode(values)
    vocab.release_index()
    assert type(vocab.values).__name__ == "PackedStrings"
    assert (vocab.values[3], vocab.values[-2:], list(vocab.values)) == (
        values[3],
        values[-2:],
        values,
    )
    codes = np.asarray([5, 600, 5, 0] * 100)
    assert vocab.take(codes).tolist() == [values[c] for c in codes.tolist()]
    assert vocab.take(codes[:3]).tolist() == [values[5], "é", values[5]]
    lengths = vocab.derived("length", lambda vals: [len(v) for v in vals])
    assert lengths.tolist() == [len(v) for v in values]
    assert vocab.encode(["x", "new", values[0]]).tolist() == [601, 602, 0]
    assert isinstance(vocab.values, list) and vocab.values[:2] == values[:2]


def test_a_released_vocabulary_holds_under_fifty_bytes_a_value() -> None:
    # 55,000 accounts' vocabularies held 18 MB of Python strings (an object of some 50
    # bytes and its text, a list's pointer: ~75 bytes a 20-character street) through the
    # whole search; packed, 16 bytes a value and, beyond 15 bytes, its text (~43 here).
    import tracemalloc

    n = 50_000
    tracemalloc.start()
    try:
        vocab = Vocab()
        vocab.encode(f"{i:06d} rue de la paix" for i in range(n))
        vocab.release_index()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(vocab) == n
    assert held / n < 50, f"{held / n:.0f} traced bytes a value"
