"""The records of one search as a feature table: ids checked, existing records first.

:func:`build_table` reads the frame (and the existing records, when new records are checked
against them), resolves the comparisons, and prepares one
:class:`~crmkit._dedupe._features.FeatureTable` with the :class:`~crmkit._dedupe._frames.Source`
of its values; :func:`excluded_rows` turns reviewed ``(id_a, id_b)`` pairs into row pairs.
Both engines start here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crmkit._dedupe._comparisons import default_comparisons, resolve_comparisons
from crmkit._dedupe._features import REGION_COLUMNS, FeatureTable, prepare
from crmkit._dedupe._frames import ReadBackSource, Source, StoredRecords, frame_columns
from crmkit._dedupe._job_changes import DATE_COLUMNS
from crmkit._dedupe._options import Options
from crmkit._exceptions import ValidationError

__all__ = ["build_table", "excluded_rows", "record_ids", "search_columns"]


def search_columns(kind: str) -> tuple[str, ...]:
    """The columns a search with the default comparisons of ``kind`` reads, and no other.

    Those of the comparisons, the country that tells how a phone is read, and the dates
    that tell the old job from the new one: a store reads only these of its records.

    Examples
    --------
    >>> search_columns("contacts")[:4]
    ('first_name', 'last_name', 'email', 'secondary_email')
    >>> "updated_at" in search_columns("accounts")
    True
    """
    out: dict[str, None] = {}
    for comparison in default_comparisons(kind):
        out.update(dict.fromkeys(comparison.columns))
    out.update(dict.fromkeys(REGION_COLUMNS))
    out.update(dict.fromkeys(DATE_COLUMNS))
    return tuple(out)


def record_ids(frame: Any, id_column: str, what: str) -> list[Any]:
    """The ids of the records of ``frame``, each present and distinct.

    Raises
    ------
    ValidationError
        No ``id_column``, or an id missing or repeated (``what`` names the frame).

    Examples
    --------
    >>> import pandas as pd
    >>> record_ids(pd.DataFrame({"id": [3, 1]}), "id", "frame")
    [3, 1]
    """
    if id_column not in set(frame.columns):
        raise ValidationError(
            f"{what} has no {id_column!r} column to identify records "
            f"(columns: {list(frame.columns)}); pass id_column= to name another"
        )
    ids = frame_columns(frame, [id_column])[id_column]
    seen: set[Any] = set()
    for row, value in enumerate(ids):
        if value is None:
            raise ValidationError(f"{what}: row {row} has no {id_column!r}")
        if value in seen:
            raise ValidationError(f"{what}: {id_column!r} {value!r} appears more than once")
        seen.add(value)
    return ids


def build_table(
    frame: Any, existing: Any, options: Options
) -> tuple[FeatureTable, Source, int | None]:
    """Features of existing records (first) and of the frame's; where the new ones start.

    ``frame`` may be :class:`~crmkit._dedupe._frames.StoredRecords` (without
    ``existing``): its frame is taken, its compared columns dropped from it as they are
    encoded, and the source reads the records back by id.
    """
    if isinstance(frame, StoredRecords):
        if existing is not None:
            raise ValidationError("stored records are searched on their own, not with existing")
        records = frame
        frame = records.take()
        ids = record_ids(frame, options.id_column, "frame")
        comparisons = resolve_comparisons(options.kind, options.fields, frame.columns)
        # Nothing else holds this frame: each column goes as soon as it is encoded.
        table_ = prepare(
            frame, comparisons, ids=ids, phone_region=options.phone_region, drop_columns=True
        )
        return table_, ReadBackSource(ids=table_.ids, read=records.read), None
    if existing is None:
        ids = record_ids(frame, options.id_column, "frame")
        comparisons = resolve_comparisons(options.kind, options.fields, frame.columns)
        return (
            prepare(frame, comparisons, ids=ids, phone_region=options.phone_region),
            Source([(frame, 0)]),
            None,
        )
    old_ids = record_ids(existing, options.id_column, "existing")
    new_ids = record_ids(frame, options.id_column, "frame")
    both = set(old_ids) & set(new_ids)
    if both:
        shown = sorted(both, key=str)[:5]
        raise ValidationError(f"ids in both the new and the existing records: {shown}")
    columns = [c for c in frame.columns if c in set(existing.columns)]
    comparisons = resolve_comparisons(options.kind, options.fields, columns)
    old = prepare(existing, comparisons, ids=old_ids, phone_region=options.phone_region)
    new = prepare(
        frame, comparisons, ids=new_ids, vocabs=old.vocabs, phone_region=options.phone_region
    )
    return old.extend(new), Source([(existing, 0), (frame, len(old))]), len(old)


def excluded_rows(
    exclude_pairs: Iterable[tuple[Any, Any]] | None, table_: FeatureTable
) -> set[tuple[int, int]]:
    """``(low, high)`` row pairs of the ``(id_a, id_b)`` pairs whose ids are both in the table.

    Raises
    ------
    ValidationError
        An item is not a pair.
    """
    if not exclude_pairs:
        return set()
    row_of = {record_id: row for row, record_id in enumerate(table_.ids)}
    out = set()
    for pair in exclude_pairs:
        try:
            id_a, id_b = pair
        except (TypeError, ValueError):
            raise ValidationError(
                f"exclude_pairs must hold (id_a, id_b) pairs, got {pair!r}"
            ) from None
        if id_a in row_of and id_b in row_of:
            ra, rb = row_of[id_a], row_of[id_b]
            out.add((min(ra, rb), max(ra, rb)))
    return out
