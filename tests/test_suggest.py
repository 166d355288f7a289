"""Near-miss suggestions (crmkit._util._suggest): "did you mean ...?"."""

from __future__ import annotations

from crmkit._util._suggest import closest


def test_closest() -> None:
    assert closest("Sofware", ["Software", "Retail"]) == "Software"
    assert closest("societe generali", ["Société Générale", "BNP"]) == "Société Générale"
    assert closest("MARC DURANT", ["Marc Durand", "Zoé Martin"]) == "Marc Durand"
    assert closest("zzz", ["Software", "Retail"]) is None
    assert closest("Software", []) is None
    assert closest("Retai", ["Retail"], cutoff=99.0) is None
    assert closest("x", iter(["x", "y"])) == "x"  # any iterable
