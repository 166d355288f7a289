"""Lead conversion: the accounts of many leads found in one pass, against one lead at a time.

``crm.contacts.convert`` links each lead to the live account of its company key, else to
the account the duplicates engine finds most probably the same. That second step used to
call ``similar()`` once per lead (kept below as ``_OldPlan.link``, as it was); it now
looks all the leads left up in one pass of the accounts' duplicate index
(``DedupeIndex.similar_many``: the same probabilities as ``similar()``).

The CRM (in memory) holds ``--accounts`` generated accounts
(:func:`crmkit.samples.generate`, messiness 0.5); ``--leads`` leads name a company: half
a stored one as one of the generator's duplicates of it spells it (case, legal form,
typos, another script), half one not stored (``tests/lead_samples.py``). Both paths plan
the same conversion (``dry_run``: nothing written) after the index is built (timed
apart: both paths share it), and must give the same rows: same actions, same accounts,
same probabilities. Also timed, for the record: ``DedupeIndex.check`` of the leads (what
an import runs), which scores them with different term frequencies (see the report's
``differ`` column).

    .venv/bin/python benchmarks/convert_bench.py
    .venv/bin/python benchmarks/convert_bench.py --leads 20000 --accounts 50000 --no-old
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import pandas as pd  # noqa: E402
from lead_samples import add_leads  # noqa: E402  (tests/ is on the path)

import crmkit as ck  # noqa: E402
from crmkit._dedupe import DEFAULT_THRESHOLD  # noqa: E402
from crmkit._importing._convert import _domain, _Plan, _read  # noqa: E402
from crmkit._ops._duplicates import duplicates_of  # noqa: E402
from crmkit._util._messages import message, record_noun, short  # noqa: E402
from crmkit.schemas._labels import message_field  # noqa: E402


class _OldPlan(_Plan):
    """The plan with the per-lead ``similar()`` loop convert had before (unchanged)."""

    def link(self, leads: list[dict[str, Any]], progress: bool | None = None) -> None:
        names, keys, found = self.by_key(leads)
        similar = duplicates_of(self.session, "accounts")
        for contact, name, key in zip(leads, names, keys, strict=True):
            record = message("record_ref", noun=record_noun("contacts"), id=int(contact["id"]))
            field = message_field("contacts", "company_name")
            if name is None or not key:
                reason = message("convert_no_company", record=record, field=field)
                self.add(contact, reason=reason)
                continue
            if key in found:
                self.add(contact, action="matched", account=found[key])
                continue
            domain = _domain(contact["website"], contact["email"])
            group = self._group.get(("key", key)) or (
                domain and self._group.get(("domain", domain))
            )
            if group:
                first = self.rows[self.new[group][0]]
                self.new[group].append(len(self.rows))
                self._group.setdefault(("key", key), group)
                if domain:
                    self._group.setdefault(("domain", domain), group)
                self.add(contact, action="created", account_name=first["company_name"])
                continue
            query = {"name": name, **({"website": domain} if domain else {})}
            best = similar.similar(limit=1, **query)
            if not best.empty and float(best["probability"].iloc[0]) >= DEFAULT_THRESHOLD:
                probability = float(best["probability"].iloc[0])
                self.add(
                    contact,
                    action="similar",
                    account=int(best["id"].iloc[0]),
                    reason=f"p={probability:.2f}",
                )
            elif self.create_account:
                self.new[key] = [len(self.rows)]
                self._group[("key", key)] = key
                if domain:
                    self._group.setdefault(("domain", domain), key)
                self.add(contact, action="created", account_name=name)
            else:
                reason = message(
                    "convert_no_account", record=record, field=field, value=short(name)
                )
                self.add(contact, reason=reason)


def old_convert(crm: ck.CRM, ids: list[int]) -> pd.DataFrame:
    """The rows the old path planned (every lead here is a lead without an account)."""
    plan = _OldPlan(crm._session, True)
    plan.link(_read(crm._session, ids))
    return plan.frame()


def check_links(crm: ck.CRM, ids: list[int]) -> dict[int, int]:
    """Lead id -> account linked by ``DedupeIndex.check`` (best live pair at the threshold)."""
    leads = _read(crm._session, ids)
    frame = pd.DataFrame(
        {
            "id": [-1 - n for n in range(len(leads))],
            "name": [c["company_name"] for c in leads],
            "website": [_domain(c["website"], c["email"]) for c in leads],
        }
    ).astype(object)
    index = duplicates_of(crm._session, "accounts").index()
    pairs = index.check(frame, threshold=DEFAULT_THRESHOLD).pairs
    pairs = pairs[(pairs["probability"] >= DEFAULT_THRESHOLD)]
    lead = pairs[["id_a", "id_b"]].min(axis=1)
    account = pairs[["id_a", "id_b"]].max(axis=1)
    found = pd.DataFrame({"lead": lead, "account": account, "p": pairs["probability"]})
    found = found[(found["lead"] < 0) & (found["account"] > 0)]
    best = found.sort_values("p", ascending=False, kind="stable").drop_duplicates("lead")
    return {
        int(leads[-1 - n]["id"]): int(a) for n, a in zip(best["lead"], best["account"], strict=True)
    }


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, a missing one as ``<na>`` (so that two missing cells agree)."""
    return frame.astype(str).fillna("<na>")


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=2_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-old", action="store_true", help="skip the per-lead path")
    parser.add_argument("--no-check", action="store_true", help="skip DedupeIndex.check")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    with ck.open(user="bench") as crm:
        started = time.perf_counter()
        ids = add_leads(crm, args.accounts, args.leads, args.seed)
        print(f"{args.accounts:,} accounts, {len(ids):,} leads stored in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        started = time.perf_counter()
        duplicates_of(crm._session, "accounts").index()
        print(f"duplicate index of the accounts built in {time.perf_counter() - started:.1f} s")
        rows = []
        started = time.perf_counter()
        new = crm.contacts.convert(ids, dry_run=True, progress=False).df()
        new_s = time.perf_counter() - started
        rows.append(("one pass (similar_many)", new_s, peak_mb(), 0))
        actions = new["action"].value_counts().to_dict()
        if not args.no_old:
            started = time.perf_counter()
            old = old_convert(crm, ids)
            old_s = time.perf_counter() - started
            differ = int((_text(old) != _text(new)).any(axis=1).sum())
            rows.append(("per lead (similar)", old_s, peak_mb(), differ))
        if not args.no_check:
            started = time.perf_counter()
            checked = check_links(crm, ids)
            check_s = time.perf_counter() - started
            # The leads the engine decided: linked, or the first of a new company (the
            # others of that company join it without a look-up).
            created = new["action"] == "created"
            first = created & ~new.loc[created, "account_name"].duplicated().reindex(
                new.index, fill_value=True
            )
            asked = new[(new["action"] == "similar") | first]
            linked = {
                int(c): (int(a) if act == "similar" else None)
                for c, a, act in zip(
                    asked["contact"], asked["account"], asked["action"], strict=True
                )
            }
            differ = sum(checked.get(c) != a for c, a in linked.items())
            rows.append(("DedupeIndex.check", check_s, peak_mb(), differ))
    print(f"actions: {actions}")
    print("| path | seconds | ms a lead | peak MB so far | rows differing from one pass |")
    print("|---|---:|---:|---:|---:|")
    for name, seconds, mb, differ in rows:
        print(f"| {name} | {seconds:.2f} | {1000 * seconds / len(ids):.2f} | {mb:,} | {differ} |")
    if not args.no_old:
        print(f"per lead / one pass: {old_s / new_s:.1f}x")
        if rows[1][3]:
            raise SystemExit("the two paths planned different conversions")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
