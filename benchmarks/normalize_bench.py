"""Benchmark crmkit's vectorised phone and e-mail normalisers against the scalar path.

Run from the repository root::

    .venv/bin/python benchmarks/normalize_bench.py             # 1,000,000 of each
    .venv/bin/python benchmarks/normalize_bench.py --n 200000

Values are generated with a seeded random generator, like the contacts of a French CRM
export: phones mostly French (fixed lines and mobiles) in the usual ways of writing them
(``06 12 34 56 78``, ``06.12.34.56.78``, ``0612345678``, ``+33 6 12 34 56 78``,
``+33 (0)6 ...``, ``0033 6 ...``), some foreign numbers (GB, US, DE, BE, CH, ES, IT, CN,
JP) and a few messy cells (extensions, "tel:", two numbers in one cell); e-mails in
``first.last@company.tld`` shapes with capitals, role addresses (``info@``), and a few
display names, ``mailto:``, accented or invalid addresses. Nearly every value is distinct.

- Scalar: :func:`normalize_phone` / :func:`normalize_email` (phonenumbers and
  email-validator on every value, as ``Series.apply`` does) on a sample of ``--sample``
  values, extrapolated to N.
- Vectorised: :func:`normalize_phones` / :func:`normalize_emails` on all N values, with
  one process and with ``--workers`` (every CPU, even busy ones; ``workers=None``, the
  default of the functions, leaves out the CPUs the load average says are busy). Both
  must give the scalar's results on the sample.

Each measure is the best of ``--runs``; the load average is printed first, because
other programs on the machine slow the runs with helper processes most. "cpu s" is this
process's CPU time, "helpers s" that of its helper processes.

Targets: phones at least 150,000 values/s, e-mails at least 300,000 values/s.
Not part of the test suite: it takes a few minutes and measures time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import email_validator
import phonenumbers

from crmkit._normalize._emails import _email_rules, normalize_email, normalize_emails
from crmkit._normalize._phones import _fast_phone, _phone_rules, normalize_phone, normalize_phones

FIRST = ["jean", "marie", "pierre", "helene", "nicolas", "sophie", "marc", "julie", "luc",
         "camille", "thomas", "claire", "antoine", "emma", "hugo", "lea", "paul", "chloe",
         "john", "mary", "wei", "li", "hans", "anna", "marco", "giulia", "kenji"]  # fmt: skip
LAST = ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand",
        "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "blou",
        "smith", "brown", "wang", "zhang", "muller", "rossi", "tanaka", "obrien"]  # fmt: skip
TLDS = ["fr", "com", "fr", "com", "eu", "net", "org", "co.uk", "de", "ch", "be", "io", "cn"]
FREE_MAIL = ["gmail.com", "orange.fr", "free.fr", "yahoo.fr", "hotmail.com", "outlook.fr"]
# Foreign numbers as written with their country code: (format, digits to draw).
FOREIGN = [
    ("+44 20 7946 {4}", 4), ("+44 7700 {6}", 6), ("+1 (415) 555-{4}", 4),
    ("+1 212-555-{4}", 4), ("+49 30 {8}", 8), ("+49 151 {8}", 8), ("+32 2 {3} {2} {2}", 7),
    ("+32 470 {2} {2} {2}", 6), ("+41 21 {3} {2} {2}", 7), ("+41 79 {3} {2} {2}", 7),
    ("+34 91 {3} {2} {2}", 7), ("+34 6{2} {3} {3}", 8), ("+39 06 {4} {4}", 8),
    ("+39 3{2} {3} {4}", 9), ("+86 138 {4} {4}", 8), ("+86 10 {4} {4}", 8),
    ("+81 3-{4}-{4}", 8), ("+81 90-{4}-{4}", 8),
]  # fmt: skip


def _digits(rng: random.Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def _fill(template: str, rng: random.Random) -> str:
    out = template
    while "{" in out:
        start = out.index("{")
        end = out.index("}", start)
        out = out[:start] + _digits(rng, int(out[start + 1 : end])) + out[end + 1 :]
    return out


def french_phone(rng: random.Random) -> str:
    """A French fixed line or mobile written one of the usual ways."""
    first = rng.choice("67" * 3 + "12345" + "9")
    nsn = first + _digits(rng, 8)
    pairs = " ".join(nsn[i : i + 2] for i in range(1, 9, 2))
    style = rng.random()
    if style < 0.35:
        return f"0{first} {pairs}"
    if style < 0.45:
        return f"0{first}.{pairs.replace(' ', '.')}"
    if style < 0.60:
        return f"0{nsn}"
    if style < 0.75:
        return f"+33 {first} {pairs}"
    if style < 0.80:
        return f"+33 (0){first} {pairs}"
    if style < 0.85:
        return f"0033 {first} {pairs}"
    if style < 0.90:
        return f"0{first}-{pairs.replace(' ', '-')}"
    return f"+33{nsn}"


def make_phones(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.85:
            out.append(french_phone(rng))
        elif kind < 0.985:
            template, _ = rng.choice(FOREIGN)
            out.append(_fill(template, rng))
        else:  # messy cells: left to phonenumbers
            messy = rng.choice(
                [
                    f"{french_phone(rng)} poste {rng.randrange(10, 999)}",
                    f"tel: {french_phone(rng)}",
                    f"{french_phone(rng)} / {french_phone(rng)}",
                    f"+33 1 {_digits(rng, 2)} {_digits(rng, 2)} {_digits(rng, 2)} ext. 2",
                    f"Standard {french_phone(rng)}",
                ]
            )
            out.append(messy)
    return out


def make_emails(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    companies = [f"{rng.choice(LAST)}{rng.choice(['', '-conseil', 'tech', 'group'])}{i}"
                 for i in range(20_000)]  # fmt: skip
    out: list[str] = []
    for i in range(n):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if rng.random() < 0.25:
            domain = rng.choice(FREE_MAIL)
        else:
            domain = f"{rng.choice(companies)}.{rng.choice(TLDS)}"
        local = rng.choice(
            [f"{first}.{last}", f"{first[0]}.{last}", f"{first}{last}", f"{first}_{last}"]
        )
        local = f"{local}{i}"  # distinct, as in a real contact list
        style = rng.random()
        if style < 0.70:
            out.append(f"{local}@{domain}")
        elif style < 0.85:
            out.append(f"{local.title()}@{domain.capitalize()}")
        elif style < 0.90:
            out.append(f"{rng.choice(['info', 'Contact', 'SALES', 'support'])}@{domain}")
        elif style < 0.98:
            out.append(f" {local}@{domain.upper()} ")
        else:  # messy cells: left to email-validator
            out.append(
                rng.choice(
                    [
                        f"{first.title()} {last.title()} <{local}@{domain}>",
                        f"mailto:{local}@{domain}",
                        f"{local}é@{domain}",
                        f"{local}@{domain.split('.')[0]}",
                        f"{local}..x@{domain}",
                    ]
                )
            )
    return out


def timed(func: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    """Wall-clock, CPU and helpers' CPU seconds of the fastest of ``runs`` calls, and
    the result of the last."""
    best: tuple[float, float, float] | None = None
    result = None
    for _ in range(runs):
        before = os.times()
        wall = time.perf_counter()
        result = func()
        wall = time.perf_counter() - wall
        after = os.times()
        cpu = after.user + after.system - before.user - before.system
        helpers = max(
            0.0,
            after.children_user
            + after.children_system
            - before.children_user
            - before.children_system,
        )
        if best is None or wall < best[0]:
            best = (wall, cpu, helpers)
    assert best is not None
    return (*best, result)


def fast_share(values: list[str], fast: Callable[[str], Any]) -> float:
    distinct = set(values)
    return sum(fast(v) is not None for v in distinct) / len(distinct)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="values of each kind")
    parser.add_argument("--sample", type=int, default=50_000, help="scalar sample size")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes (default: CPUs)"
    )
    parser.add_argument("--runs", type=int, default=2, help="runs per measure (best kept)")
    args = parser.parse_args()

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine : {platform.platform()}, {os.cpu_count()} CPUs, load average {load}")
    print(f"python  : {platform.python_version()}, phonenumbers {phonenumbers.__version__}, "
          f"email-validator {email_validator.__version__}")  # fmt: skip
    start = time.perf_counter()
    phones, emails = make_phones(args.n), make_emails(args.n)
    print(f"generated {args.n:,} phones ({len(set(phones)):,} distinct) and {args.n:,} e-mails "
          f"({len(set(emails)):,} distinct) in {time.perf_counter() - start:.1f} s")  # fmt: skip
    rules, email_rules = _phone_rules("FR"), _email_rules()
    assert email_rules is not None
    print(f"fast path covers {fast_share(phones, lambda v: _fast_phone(rules, v)):.1%} of "
          f"distinct phones, {fast_share(emails, email_rules.normalize):.1%} "
          f"of distinct e-mails\n")  # fmt: skip

    rows: list[tuple[str, int, float, float, float]] = []
    ok = True
    for kind, values, scalar, vectorised, target in [
        ("phones", phones, lambda v: normalize_phone(v, "FR"), normalize_phones, 150_000),
        ("e-mails", emails, normalize_email, normalize_emails, 300_000),
    ]:
        sample = values[: args.sample]
        wall, cpu, helpers, expected = timed(
            lambda: [scalar(v) for v in sample],  # noqa: B023
            args.runs,
        )
        rows.append((f"{kind}: scalar (sample, extrapolated)", len(sample), wall, cpu, helpers))
        scalar_rate = len(sample) / wall
        for workers in (1, args.workers):
            label = "1 process" if workers == 1 else f"{workers} processes"
            wall, cpu, helpers, got = timed(
                lambda: vectorised(values, workers=workers),  # noqa: B023
                args.runs,
            )
            rows.append((f"{kind}: vectorised, {label}", len(values), wall, cpu, helpers))
            if got[: len(sample)] != expected:
                print(f"MISMATCH in {kind} with {label}")
                ok = False
        best = max(len(values) / r[2] for r in rows[-2:])
        print(f"{kind}: {best:,.0f} values/s vs {scalar_rate:,.0f}/s for the scalar path "
              f"({len(values) / scalar_rate:.0f} s for all), {best / scalar_rate:.1f}x; "
              f"target {target:,}/s: {'ok' if best >= target else 'MISSED'}")  # fmt: skip
        ok = ok and best >= target

    print(f"\n{'step':<40}{'values':>10}{'wall s':>8}{'cpu s':>7}{'helpers s':>10}{'values/s':>10}")
    for label, count, wall, cpu, helpers in rows:
        print(
            f"{label:<40}{count:>10,}{wall:>8.2f}{cpu:>7.2f}{helpers:>10.2f}{count / wall:>10,.0f}"
        )
    print("all targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
