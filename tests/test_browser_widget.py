"""The list browsers (crmkit.widgets._browser), driven as a user would: filters, pages, tick
boxes and mass actions, checked on the database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from traitlets import TraitError
from widget_samples import add_widget_records, owner_id

import crmkit as ck
from crmkit.widgets import AccountBrowser, ContactBrowser


@pytest.fixture
def crm_data(crm: ck.CRM) -> ck.CRM:
    """Nicole (the current user), Marc and Zoé in team Paris; three accounts; five contacts."""
    return add_widget_records(crm)


def test_browser_filters_drive_the_count(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    assert browser.count == 5
    browser.filters["search"].value = "aprool"
    assert browser.count == 2
    assert "2 contacts" in browser.count_label.value
    browser.filters["search"].value = ""
    browser.filters["owner"].value = (owner_id(crm_data, "Marc Durand"),)
    assert browser.count == 3
    browser.filters["sector"].value = ("Retail",)
    assert browser.count == 1
    browser.filters["sector"].value = ()
    browser.filters["owner"].value = ()
    browser.filters["headcount_band"].value = ("51-200",)
    assert browser.count == 2
    browser.filters["headcount_band"].value = ()
    crm_data.contacts.deactivate(crm_data.contacts.filter(search="wei").ids[0])
    browser.filters["active"].value = False
    assert browser.count == 1


def test_team_filter_includes_its_members(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    browser.filters["owner"].value = (owner_id(crm_data, "Paris"),)
    assert browser.count == 4  # Marc's three and Nicole's one


def test_browser_shows_a_page_with_a_tick_box_per_record(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data, page_size=2)
    assert (browser.count, browser.pages, browser.page) == (5, 3, 0)
    first_page = list(browser.checkboxes)
    assert len(first_page) == 2
    row = browser._rows[0]
    assert f"crmkit-row-select-{first_page[0]}" in row.checkbox._dom_classes
    browser.buttons["next"].click()
    assert browser.page == 1
    assert set(browser.checkboxes).isdisjoint(first_page)
    assert f"crmkit-row-select-{first_page[0]}" not in row.checkbox._dom_classes
    browser.page = 2
    assert len(browser.checkboxes) == 1
    assert browser.buttons["next"].disabled
    assert "Page 3 / 3" in browser.page_label.value


def test_select_rows_then_reassign_changes_owners_and_shows_the_report(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    browser.filters["search"].value = "aprool"
    ids = list(browser.checkboxes)
    for box in browser.checkboxes.values():
        box.value = True
    assert browser.selected_ids == sorted(ids)
    assert "2 selected" in browser.selected_label.value
    zoe = owner_id(crm_data, "Zoé Martin")
    browser.reassign_to.value = (zoe,)
    browser.buttons["reassign"].click()
    assert {crm_data.contacts.get(i).owner_id for i in ids} == {zoe}
    others = crm_data.contacts.filter(search="smith").ids[0]
    assert crm_data.contacts.get(others).owner_id == zoe  # was already Zoé's
    assert browser.report is not None and browser.report.changed == 2
    assert "reassign" in browser.report_view.value and "crmkit-bulk-report" in (
        browser.report_view.value
    )
    crm_data.undo(browser.report.batch_id)
    marc = owner_id(crm_data, "Marc Durand")
    assert {crm_data.contacts.get(i).owner_id for i in ids} == {marc}


def test_select_page_select_all_and_untick_one(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data, page_size=2)
    browser.select_page_box.value = True
    assert len(browser.selected_ids) == 2
    browser.buttons["select_none"].click()
    assert browser.selected_ids == []
    browser.buttons["select_all"].click()
    assert len(browser.selected_ids) == 5
    assert all(box.value for box in browser.checkboxes.values())
    first = next(iter(browser.checkboxes))
    browser.checkboxes[first].value = False
    assert len(browser.selected_ids) == 4 and first not in browser.selected_ids
    browser.filters["search"].value = "blou"  # a new search starts a new selection
    assert browser.selected_ids == []


def test_mass_tag_subscribe_deactivate_and_undo(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data, lang="fr")
    browser.filters["search"].value = "aprool"
    browser.select_all()
    browser.tag_name.value = "salon-2025"
    browser.buttons["tag"].click()
    assert crm_data.contacts.filter(tags="salon-2025").ids == browser.selected_ids
    browser.list_name.value = "Newsletter"
    crm_data.contacts.filter(search="aprool").update(email_basis="consent")  # test_consent.py
    browser.buttons["subscribe"].click()
    assert len(crm_data.contacts.filter(subscribed="Newsletter")) == 2
    browser.buttons["deactivate"].click()
    assert len(crm_data.contacts.filter(active=False)) == 2
    browser.buttons["undo"].click()
    assert len(crm_data.contacts.filter(active=False)) == 0
    assert "annulé" in browser.report_view.value


def test_nothing_ticked_means_nothing_done(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    batches = len(crm_data.batches())
    browser.buttons["deactivate"].click()
    assert "Select records first" in browser.report_view.value
    assert len(crm_data.batches()) == batches


def test_exports_write_where_the_path_box_says(crm_data: ck.CRM, tmp_path: Path) -> None:
    browser = ContactBrowser(crm_data)
    browser.select_all()
    browser.export_path.value = str(tmp_path / "out.xlsx")
    browser.buttons["export_xlsx"].click()
    assert (tmp_path / "out.xlsx").stat().st_size > 0
    browser.buttons["export_vcf"].click()
    cards = ck.read_vcf(tmp_path / "out.vcf")
    assert sorted(cards["last_name"]) == ["Blanc", "Blou", "Martin", "Smith", "Wei"]
    assert "out.vcf" in browser.report_view.value


def test_delete_asks_for_confirmation_and_reports_what_it_kept(crm_data: ck.CRM) -> None:
    browser = AccountBrowser(crm_data)
    browser.filters["search"].value = "corp"
    browser.select_all()
    browser.buttons["delete"].click()
    assert len(crm_data.accounts.filter(search="corp")) == 1  # not yet
    confirm = browser.confirm_bar.children[0]
    assert "crmkit-action-delete-confirm" in confirm._dom_classes
    confirm.click()
    assert len(crm_data.accounts.filter(search="corp")) == 0
    assert browser.count == 0
    browser.filters["search"].value = "aprool"
    browser.select_all()
    report = browser.delete()
    assert report is not None and report.changed == 0
    assert "in use" in report.skipped["reason"].iloc[0]


def test_account_browser_filters_bands_and_archive(crm_data: ck.CRM) -> None:
    browser = AccountBrowser(crm_data, lang="fr")
    assert browser.count == 3
    browser.filters["archived"].value = True
    assert browser.count == 1
    browser.filters["archived"].value = None
    browser.filters["revenue_band"].value = ("10M-50M",)
    assert browser.count == 1
    assert "Logiciel" not in browser._rows[0].cells.value  # Northwind is Retail
    browser.filters["revenue_band"].value = ()
    browser.filters["sector"].value = ("Software",)
    assert "Logiciel" in browser._rows[0].cells.value


# -- order, columns and readable filters ----------------------------------------------------


def shown_last_names(crm: ck.CRM, browser: ContactBrowser) -> list[str]:
    return [str(crm.contacts.get(i).last_name) for i in browser.checkboxes]


def test_sorting_by_name_ignores_case_and_accents(crm_file: ck.CRM) -> None:
    for name in ["MARTIN", "Barron", "Marrtin", "Barré", "Martin", "张伟", "阿明", "李娜"]:
        crm_file.contacts.add(last_name=name)
    browser = ContactBrowser(crm_file, lang="fr")
    assert shown_last_names(crm_file, browser)[:5] == [
        "Barré", "Barron", "Marrtin", "Martin", "MARTIN",
    ]  # fmt: skip
    browser.sort.value = "-last_name"
    latin = [n for n in shown_last_names(crm_file, browser) if n.isascii() or "é" in n]
    assert latin == ["MARTIN", "Martin", "Marrtin", "Barron", "Barré"]
    chinese = ContactBrowser(crm_file, lang="zh")
    names = shown_last_names(crm_file, chinese)
    assert [n for n in names if n in ("张伟", "阿明", "李娜")] == ["阿明", "李娜", "张伟"]


def test_language_follows_the_config_unless_given(crm_data: ck.CRM) -> None:
    with ck.config_context(lang="fr"):
        browser = ContactBrowser(crm_data)
        english = ContactBrowser(crm_data, lang="en")
    assert browser.lang == "fr" and "5 contacts" in browser.count_label.value
    assert browser.buttons["reassign"].description == "Réaffecter"
    assert english.buttons["reassign"].description == "Reassign"
    assert ContactBrowser(crm_data).lang == "en"


def test_column_chooser_shows_the_ticked_columns_for_the_widget_life(crm_data: ck.CRM) -> None:
    crm_data.contacts.update(crm_data.contacts.filter(search="blou").ids[0], city="Lyon")
    browser = ContactBrowser(crm_data)
    assert "Email" in browser.header.value and "City" not in browser.header.value
    assert "City" in [label for label, _ in browser.column_picker.options]
    picker = browser.column_picker
    picker.boxes[[v for _, v in picker.options].index("city")].value = True
    picker.value = tuple(c for c in picker.value if c != "email")
    assert "city" in browser.shown_columns and "email" not in browser.shown_columns
    assert "City" in browser.header.value and "Email" not in browser.header.value
    cells = " ".join(r.cells.value for r in browser._rows)
    assert "Lyon" in cells and "aprool.com" not in cells
    browser.filters["search"].value = "blou"  # filters, pages and refreshes keep the choice
    browser.refresh()
    assert "Lyon" in browser._rows[0].cells.value
    assert browser.shown_columns == [c for c in picker.value]


def test_wrap_shows_long_text_whole(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    assert "text-overflow:ellipsis" in browser._rows[0].cells.value
    browser.wrap.value = True
    assert "white-space:normal" in browser._rows[0].cells.value
    assert "text-overflow:ellipsis" not in browser._rows[0].cells.value


def test_multi_value_filters_name_what_is_picked_without_ctrl_click(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data, lang="fr")
    owners = browser.filters["owner"]
    assert "Tous" in owners.summary.value
    labels = [label for label, _ in owners.options]
    owners.boxes[labels.index("Marc Durand")].value = True  # a plain tick, no Ctrl
    owners.boxes[labels.index("Zoé Martin")].value = True
    assert browser.count == 4
    assert "2 sélectionné(s)" in owners.summary.value
    assert "Marc Durand, Zoé Martin" in owners.summary.value
    assert browser.filter_keywords()["owner"] == [
        owner_id(crm_data, "Marc Durand"),
        owner_id(crm_data, "Zoé Martin"),
    ]
    owners.clear_button.click()
    assert browser.count == 5 and owners.value == ()
    assert not any(box.value for box in owners.boxes)
    bands = browser.filters["headcount_band"]
    bands.value = tuple(v for _, v in bands.options)  # every band: "+ n autre(s)"
    assert "autre(s)" in bands.summary.value
    with pytest.raises(TraitError, match="not one of the options"):
        owners.value = (987654,)


def _col_widths(cells_html: str) -> list[float]:
    """The ``<col>`` widths (percent) of a header or row of the table."""
    return [float(w) for w in re.findall(r'<col style="width:([\d.]+)%">', cells_html)]


def test_columns_dragged_wider_stay_so_across_pages_sorts_and_filters(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data, page_size=2)
    browser.column_picker.value = ("last_name", "first_name", "email")
    before = browser.column_widths
    assert list(before) == ["last_name", "first_name", "email"]
    assert sum(before.values()) == pytest.approx(100, abs=0.05)
    # Two drag handles (between the three headers), each naming its column.
    assert browser.header.value.count('class="crmkit-col-resize"') == 2
    assert 'data-column="email"' in browser.header.value
    # What the header's handler sends when last_name's right edge is dragged 10% right.
    dragged = {"last_name": before["last_name"] + 10, "first_name": before["first_name"] - 10}
    browser.width_box.value = json.dumps({**before, **dragged})
    assert browser.column_widths["last_name"] == pytest.approx(dragged["last_name"], abs=0.05)
    widths = _col_widths(browser.header.value)
    assert widths[0] == pytest.approx(dragged["last_name"], abs=0.05)
    browser.page = 1
    assert _col_widths(browser._rows[0].cells.value) == widths
    browser.sort.value = "-first_name"
    assert _col_widths(browser._rows[0].cells.value) == widths
    browser.filters["search"].value = "blou"
    assert _col_widths(browser._rows[0].cells.value) == widths
    # A column added later gets its default share; those sized keep their proportions.
    picker = browser.column_picker
    picker.value = (*picker.value, "city")
    after = browser.column_widths
    assert after["last_name"] / after["email"] == pytest.approx(
        dragged["last_name"] / before["email"], rel=0.01
    )
    assert sum(after.values()) == pytest.approx(100, abs=0.05)


def test_column_widths_by_hand_and_refused_values(crm_data: ck.CRM) -> None:
    browser = ContactBrowser(crm_data)
    browser.column_picker.value = ("last_name", "first_name")
    browser.column_widths = {"first_name": 70}
    assert browser.column_widths == {"last_name": 30.0, "first_name": 70.0}
    with pytest.raises(ck.UnknownValueError, match="email"):
        browser.column_widths = {"email": 20}  # not shown
    with pytest.raises(ck.ValidationError, match=r"'first_name'.*-5"):
        browser.column_widths = {"first_name": -5}
    with pytest.raises(ck.ValidationError, match="wide"):
        browser.column_widths = {"first_name": "wide"}
    assert browser.column_widths == {"last_name": 30.0, "first_name": 70.0}
    # A message that is not from the handler, or about columns gone, changes nothing.
    for text in ("not json", "[1, 2]", '{"city": 50}', '{"first_name": -1}'):
        browser.width_box.value = text
        assert browser.column_widths == {"last_name": 30.0, "first_name": 70.0}
