"""An import's memory does not grow with the file: the rows it has seen are kept compactly.

The import remembers every row's match keys to find a later row that is the same record
(``FileGroups``). Kept as a Python object per row and key, that memory grew by some 500
bytes a row (1.2-1.6 GB per million rows with the rest); kept in a ``KeyIndex`` it is
about 115 bytes a row. Measured in a subprocess (how much its peak resident memory grows
over the second half of 400,000 rows routed as the import routes them, chunk by chunk).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

_ROUTE_ROWS = textwrap.dedent(
    """
    import json, resource
    from crmkit._importing._matching import FileGroups, Group

    def peak_mb():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    groups = FileGroups()
    rows, chunk_rows = {rows}, 50_000
    for start in range(0, rows, chunk_rows):
        keys = [
            [f"uid:U{{i:09d}}", f"email:contact.number.{{i}}@example-company-{{i % 997}}.fr"]
            for i in range(start, start + chunk_rows)
        ]
        groups.load(keys)
        for i, row_keys in enumerate(keys):
            if groups.group_of(row_keys, None) is None:
                group = Group(row_keys[0], start + i + 2, f"U{{start + i:09d}}", None, i)
                group.record_id = start + i + 1
                groups.join(group, row_keys, None)
        groups.flush()
        if start + chunk_rows == rows // 2:
            half = peak_mb()
    # Every row is still found by either of its keys.
    last = rows - 1
    email = f"email:contact.number.{{last}}@example-company-{{last % 997}}.fr"
    wanted = [["uid:U000000007"], [email]]
    groups.load(wanted)
    found = [groups.group_of(keys, None) for keys in wanted]
    grown = (peak_mb() - half) * 2**20 / (rows - rows // 2)
    found = [(g.line, g.record_id, g.uid) for g in found]
    print(json.dumps({{"bytes_a_row": grown, "found": found}}))
    """
)


def test_rows_seen_by_an_import_take_little_memory() -> None:
    rows = 400_000
    out = subprocess.run(
        [sys.executable, "-c", _ROUTE_ROWS.format(rows=rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["found"] == [[9, 8, "U000000007"], [rows + 1, rows, f"U{rows - 1:09d}"]]
    # The peak grows from the first half of the rows to the second by about 560 bytes a
    # row with a Python object per row and key, by about 320 with the compact index (115
    # held, the rest the copies of a merge of its runs).
    assert result["bytes_a_row"] < 450, result
