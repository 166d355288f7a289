"""One input per catalog field: its label, its ipywidget and its message line.

:func:`build_input` picks the widget from the field: a Dropdown for a vocabulary, a
Checkbox for a flag, a Text box in the language's date format for a date, a Combobox
of country names in the form's language for a country, a TagsInput for a list, a Textarea for long
text and JSON, a Combobox for a link to an account or a contact, a Dropdown of owners,
and a Text box for everything else (numbers included, so that "4,2 M€" is read by the
same normaliser as an import). Inputs only read and show values; the form decides what to
do with them.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as ipw

from crmkit._exceptions import CRMKitError, UnknownValueError, ValidationError
from crmkit.schemas._catalog import Field
from crmkit.schemas._vocab import (
    COUNTRY_CODES,
    FIXED_VOCABULARIES,
    Vocabulary,
    country_names,
    fold,
)
from crmkit.widgets._text import ui

if TYPE_CHECKING:
    from crmkit._api._crm import CRM
    from crmkit._api._records import _Records

__all__ = [
    "DATE_FORMATS",
    "BoolInput",
    "ChoiceInput",
    "CountryInput",
    "DateInput",
    "FieldInput",
    "ListInput",
    "OwnerInput",
    "RefInput",
    "RefValue",
    "TextInput",
    "build_input",
    "message_html",
]

# Text longer than this is typed in a Textarea.
_LONG_TEXT = 1000
_COLOURS = {"error": "#b00020", "warning": "#a65e00", "info": "#0b5cad", "ok": "#1b6e20"}
_SUGGESTIONS = 20
_OFFERED = 3  # existing records offered as buttons instead of creating a new one
# "APROOL (#3)": the label given to one of several records with the same name.
_TAGGED_ID = re.compile(r"^.*\(#(?P<id>\d+)\)$")


def message_html(text: str, severity: str) -> str:
    """A message line: ``text`` coloured by ``severity`` (error, warning, info, ok).

    Examples
    --------
    >>> message_html("Required", "error")
    '<span style="color:#b00020">Required</span>'
    >>> message_html("", "error")
    ''
    """
    if not text:
        return ""
    colour = _COLOURS.get(severity, "inherit")
    return f'<span style="color:{colour}">{html.escape(text)}</span>'


def action_button(
    description: str,
    css: str,
    handler: Callable[[], Any],
    style: str = "",
    *,
    margin: str = "2px 6px 2px 0",
    make: Callable[..., ipw.Button] = ipw.Button,
) -> ipw.Button:
    """A screen's action button: its words, a CSS class the browser tests find it by, and
    the handler it calls with no arguments (``make`` builds it: a synced button on forms)."""
    button = make(description=description, button_style=style)
    button.layout = ipw.Layout(width="auto", margin=margin)
    button.add_class(css)
    button.on_click(lambda _b: handler())
    return button


def undo_batch(crm: CRM, batch: int, lang: str, say: Callable[[str, str], None]) -> bool:
    """Undo ``batch`` with ``crm.undo`` and say how it went in ``lang``: whether it did.

    The screens that undo their last action (the browser, the reviews) share the words."""
    try:
        crm.undo(batch)
    except CRMKitError as exc:
        say(ui("action_failed", lang, error=str(exc)), "error")
        return False
    say(ui("undone", lang, batch=batch), "ok")
    return True


def _choose(dropdown: ipw.Dropdown, value: Any) -> None:
    """Select ``value``; ``None`` selects the first option, whose label says "none"."""
    if value is None:
        # Going from a value to index 0 makes the value None, which ipywidgets answers
        # with index None (an empty box): clear the value first, then pick the option.
        dropdown.value = None
        dropdown.index = 0
    else:
        dropdown.value = value


class FieldInput:
    """A field on a form: label, input widget, message line, and their container.

    Attributes
    ----------
    key
        The name in ``form.inputs`` and in the CSS classes (``crmkit-input-<key>``).
    field
        The catalog field the value is stored in.
    caption
        The label, as plain text.
    widget
        The ipywidget the user types in.
    box
        The container shown on the form (class ``crmkit-field-<key>``).
    """

    def __init__(
        self,
        key: str,
        field: str,
        label: str,
        widget: ipw.DOMWidget,
        *,
        required: bool = False,
        show_label: bool = True,
    ) -> None:
        self.key = key
        self.field = field
        self.caption = label
        self.widget = widget
        self.required = required
        widget.add_class(f"crmkit-input-{key}")
        self.message = ipw.HTML("", layout=ipw.Layout(min_height="1.2em"))
        self.message.add_class(f"crmkit-error-{key}")
        star = ' <span style="color:#b00020">*</span>' if required else ""
        self.label = ipw.HTML(f"<b>{html.escape(label)}</b>{star}")
        self.label.add_class(f"crmkit-label-{key}")
        children = [self.label, widget, self.message] if show_label else [widget, self.message]
        self.box = ipw.VBox(children, layout=ipw.Layout(width="100%"))
        self.box.add_class(f"crmkit-field-{key}")
        self.box.add_class("crmkit-field")
        if required:
            self.box.add_class("crmkit-required")

    # values ------------------------------------------------------------------------

    def get(self) -> Any:
        """The value as typed, ``None`` when empty."""
        return self.widget.value

    def set(self, value: Any) -> None:
        """Show a stored value."""
        self.widget.value = value

    def display(self) -> str | None:
        """The value as the input shows it, as text; ``None`` when empty."""
        value = self.get()
        return None if value is None else str(value)

    def clear(self, default: Any = None) -> None:
        """Empty the input (or show the field's default) and its message."""
        self.set(default)
        self.show("", "")

    def show(self, text: str, severity: str) -> None:
        """Write ``text`` in the message line (``severity``: error, warning, info)."""
        self.message.value = message_html(text, severity)

    def on_change(self, callback: Callable[[FieldInput], None]) -> None:
        """Call ``callback(self)`` whenever the user changes the value."""
        self.widget.observe(lambda _change: callback(self), "value")


class TextInput(FieldInput):
    """A Text box (a Textarea for long text and JSON); numbers are typed as text too."""

    def __init__(self, f: Field, lang: str, *, required: bool = False) -> None:
        multiline = f.kind == "json" or (f.max_length or 0) > _LONG_TEXT
        layout = ipw.Layout(width="auto", height="5em" if multiline else None)
        widget = (ipw.Textarea if multiline else ipw.Text)(value="", layout=layout)
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)
        self.multiline = multiline

    def get(self) -> str | None:
        text = str(self.widget.value).strip()
        return text or None

    def set(self, value: Any) -> None:
        self.widget.value = _as_text(value)

    def display(self) -> str | None:
        return str(self.widget.value) or None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


class ChoiceInput(FieldInput):
    """A Dropdown over a vocabulary, labels in the form's language, values as stored."""

    def __init__(
        self, f: Field, lang: str, vocabulary: Vocabulary, *, required: bool = False
    ) -> None:
        options: list[tuple[str, str | None]] = [(ui("none_choice", lang), None)]
        options += [(term.label(lang), term.value) for term in vocabulary.terms]
        # index 0, not value None: a None value shows an empty box instead of "—".
        widget = ipw.Dropdown(options=options, index=0, layout=ipw.Layout(width="auto"))
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)

    def set(self, value: Any) -> None:
        known = [v for _, v in self.widget.options]
        if value is not None and value not in known:
            # A stored value outside the vocabulary (a warning, not an error) stays visible.
            self.widget.options = (*self.widget.options, (str(value), value))
        _choose(self.widget, value)

    def display(self) -> str | None:
        return None if self.widget.value is None else str(self.widget.label)


class BoolInput(FieldInput):
    """A Checkbox; ``invert=True`` shows the opposite of the stored flag ("left the company")."""

    def __init__(
        self,
        key: str,
        f: Field,
        label: str,
        *,
        invert: bool = False,
        required: bool = False,
        lang: str = "en",
    ) -> None:
        widget = ipw.Checkbox(
            value=False, description=label, indent=False, layout=ipw.Layout(width="auto")
        )
        super().__init__(key, f.name, label, widget, required=required, show_label=False)
        self.invert = invert
        self.default = bool(f.default) if f.default is not None else False
        self._lang = lang

    def get(self) -> bool:
        return bool(self.widget.value) != self.invert

    def display(self) -> str:
        """Whether the box is ticked ("yes" / "no"), as the label asks it."""
        return ui("yes" if self.widget.value else "no", self._lang)

    def set(self, value: Any) -> None:
        flag = self.default if value is None else bool(value)
        self.widget.value = flag != self.invert


# How a date is typed and shown, by language. A DatePicker follows the browser's locale,
# not the form's: a French form in an English browser showed mm/dd/yyyy.
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "en": ("%Y-%m-%d", "yyyy-mm-dd"),
    "fr": ("%d/%m/%Y", "jj/mm/aaaa"),
    "zh": ("%Y-%m-%d", "年-月-日"),
}


class DateInput(FieldInput):
    """A Text box for a date in the form's language format (``jj/mm/aaaa`` in French).

    ``get()`` is the date typed (ISO ``yyyy-mm-dd`` is read in every language), or the
    text as typed when it is no date, which the form's check then reports.
    """

    def __init__(self, f: Field, lang: str, *, required: bool = False) -> None:
        self._format, placeholder = DATE_FORMATS.get(lang, DATE_FORMATS["en"])
        widget = ipw.Text(value="", placeholder=placeholder, layout=ipw.Layout(width="auto"))
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)

    def get(self) -> dt.date | str | None:
        text = str(self.widget.value).strip()
        if not text:
            return None
        for pattern in (self._format, "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        return text

    def set(self, value: Any) -> None:
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            value = dt.date.fromisoformat(value[:10]) if value else None
        self.widget.value = "" if value is None else value.strftime(self._format)

    def display(self) -> str | None:
        return str(self.widget.value).strip() or None


class CountryInput(FieldInput):
    """A Combobox of country names in the form's language; the ISO code is what is stored.

    A name in any of the languages, or a code, may be typed: the save's normaliser reads
    it (``"Allemagne"``, ``"DE"`` and ``"德国"`` are all ``DE``).
    """

    def __init__(self, f: Field, lang: str, *, required: bool = False) -> None:
        self._lang = lang
        names = {code: country_names(code)[lang] for code in COUNTRY_CODES}
        self._codes = {name: code for code, name in names.items()}
        self._names = names
        widget = ipw.Combobox(
            value="",
            options=tuple(sorted(self._codes, key=fold)),
            ensure_option=False,
            layout=ipw.Layout(width="auto"),
        )
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)

    def get(self) -> str | None:
        text = str(self.widget.value).strip()
        if not text:
            return None
        return self._codes.get(text, text)

    def set(self, value: Any) -> None:
        text = "" if value is None else str(value)
        self.widget.value = self._names.get(text.upper(), text) if len(text) == 2 else text

    def display(self) -> str | None:
        return str(self.widget.value).strip() or None


class ListInput(FieldInput):
    """A TagsInput for tags and skills."""

    def __init__(self, f: Field, lang: str, *, required: bool = False) -> None:
        widget = ipw.TagsInput(
            value=[],
            allow_duplicates=False,
            placeholder=ui("add_tag", lang),
            layout=ipw.Layout(width="auto"),
        )
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)

    def get(self) -> list[str] | None:
        tags = [str(t).strip() for t in self.widget.value if str(t).strip()]
        return tags or None

    def set(self, value: Any) -> None:
        self.widget.value = [] if value is None else [str(v) for v in value]

    def display(self) -> str | None:
        tags = self.get()
        return None if tags is None else ", ".join(tags)


class OwnerInput(FieldInput):
    """A Dropdown of the CRM's active owners (teams marked as such)."""

    def __init__(self, crm: CRM, f: Field, lang: str, *, required: bool = False) -> None:
        self._crm = crm
        self._lang = lang
        widget = ipw.Dropdown(options=[(ui("none_choice", lang), None)], index=0)
        widget.layout = ipw.Layout(width="auto")
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)
        self.refresh()

    def refresh(self) -> None:
        """Read the owners again (new ones appear, deactivated ones go)."""
        owners = self._crm.owners.list(include_inactive=False)
        team = ui("team", self._lang)
        options: list[tuple[str, int | None]] = [(ui("none_choice", self._lang), None)]
        for owner_id, name, kind in zip(
            owners["id"].tolist(), owners["name"].tolist(), owners["kind"].tolist(), strict=True
        ):
            options.append((str(name) if kind == "user" else f"{name} ({team})", int(owner_id)))
        current = self.widget.value
        self.widget.options = options
        _choose(self.widget, current if current in [v for _, v in options] else None)

    def default(self) -> int | None:
        """The current user's id when the user is an owner, else ``None``."""
        owners = self._crm.owners.list(include_inactive=False)
        mine = owners[owners["name"].str.casefold() == self._crm.user.casefold()]
        return None if mine.empty else int(mine["id"].iloc[0])

    def set(self, value: Any) -> None:
        if value is not None and value not in [v for _, v in self.widget.options]:
            name = self._crm.owners.get(int(value)).name
            self.widget.options = (*self.widget.options, (str(name), int(value)))
        _choose(self.widget, None if value is None else int(value))

    def display(self) -> str | None:
        return None if self.widget.value is None else str(self.widget.label)


@dataclass(frozen=True)
class RefValue:
    """What a link field's text resolves to.

    Exactly one of ``id`` (an existing record), ``new_name`` (a record to create on
    save) and ``error`` (a message) is set, or none of them for an empty box.
    """

    id: int | None = None
    new_name: str | None = None
    error: str | None = None


class RefInput(FieldInput):
    """A searchable Combobox over account names (or contact names), resolved to an id.

    The suggestions follow what is typed (a ``search`` filter, 20 at most). With
    ``create=True`` a name that matches no record is offered as a new record, which the
    form creates on save (Zoho's "Save & Associate").
    """

    def __init__(
        self, crm: CRM, f: Field, lang: str, *, create: bool = False, required: bool = False
    ) -> None:
        target = f.ref or "accounts"
        self._records: _Records = crm.accounts if target == "accounts" else crm.contacts
        self._name_column = "name" if target == "accounts" else "display_name"
        self._lang = lang
        self.create = create
        self._ids: dict[str, int] = {}
        self._pinned: tuple[str, int] | None = None
        # A name the user chose to create although existing records have a close name.
        self._confirmed_new: str | None = None
        self._callbacks: list[Callable[[FieldInput], None]] = []
        widget = ipw.Combobox(
            value="", options=(), ensure_option=False, layout=ipw.Layout(width="auto")
        )
        super().__init__(f.name, f.name, f.label(lang), widget, required=required)
        #: Below the box: the existing records with a close name, and "create new".
        self.choices = ipw.VBox(layout=ipw.Layout(display="none", margin="2px 0"))
        self.choices.add_class(f"crmkit-choices-{self.key}")
        self.box.children = (*self.box.children[:-1], self.choices, self.box.children[-1])
        widget.observe(lambda _change: self.suggest(), "value")
        self.suggest()

    def on_change(self, callback: Callable[[FieldInput], None]) -> None:
        self._callbacks.append(callback)
        super().on_change(callback)

    @property
    def offered(self) -> dict[str, int]:
        """The existing records offered instead of creating what is typed (label to id)."""
        text = str(self.widget.value).strip()
        if not self.create or not text or text in self._ids or text == self._confirmed_new:
            return {}
        if self._find(text) is not None:
            return {}
        return dict(list(self._ids.items())[:_OFFERED])

    def _find(self, text: str) -> int | None:
        try:
            return self._records.find_id(text)
        except (UnknownValueError, ValidationError):
            return None

    def use(self, label: str) -> None:
        """Link to the offered record ``label`` (same as clicking its "Use" button)."""
        self.widget.value = label

    def create_new(self) -> None:
        """Create what is typed on save, although close names exist ("Create new")."""
        self._confirmed_new = str(self.widget.value).strip()
        self._show_choices()
        for callback in self._callbacks:
            callback(self)

    def _show_choices(self) -> None:
        offered = self.offered
        if not offered:
            self.choices.children = ()
            self.choices.layout.display = "none"
            return
        text = str(self.widget.value).strip()
        rows: list[ipw.Widget] = [
            ipw.HTML(f"<small>{html.escape(ui('account_suggest', self._lang))}</small>")
        ]
        for number, label in enumerate(offered):
            use = ipw.Button(
                description=ui("account_use", self._lang, name=label),
                button_style="info",
                layout=ipw.Layout(width="auto", max_width="100%"),
                tooltip=label,
            )
            use.add_class("crmkit-choice-use")
            use.add_class(f"crmkit-choice-use-{number}")
            use.on_click(lambda _b, chosen=label: self.use(chosen))
            rows.append(use)
        create = ipw.Button(
            description=ui("account_create", self._lang, name=text),
            layout=ipw.Layout(width="auto", max_width="100%"),
        )
        create.add_class("crmkit-choice-create")
        create.on_click(lambda _b: self.create_new())
        rows.append(create)
        self.choices.children = rows
        self.choices.layout.display = "flex"

    def suggest(self) -> None:
        """Offer the records whose name matches what is typed so far."""
        text = str(self.widget.value).strip()
        if text in self._ids:
            self._show_choices()
            return  # a suggestion was picked: keep the list it came from
        labels = self._labels(text)
        if not labels and self.create and text and not _TAGGED_ID.match(text):
            # "Calanette SARL" finds nothing; its first word finds "Calanette Import-Export".
            first = next((w for w in text.split() if len(w) > 2), "")
            if first and first != text:
                labels = self._labels(first)
        self._ids = labels
        self.widget.options = tuple(labels)
        self._show_choices()

    def _labels(self, text: str) -> dict[str, int]:
        """Label to id of the records whose name matches ``text`` (all when empty)."""
        sel = self._records.filter(search=text) if text else self._records.all()
        frame = sel.sort(self._name_column).limit(_SUGGESTIONS).columns("id", self._name_column)
        rows = [(int(i), str(n)) for i, n in frame.df().itertuples(index=False)]
        names = [n for _, n in rows]
        labels: dict[str, int] = {}
        for record_id, name in rows:
            label = name if names.count(name) == 1 else f"{name} (#{record_id})"
            labels[label] = record_id
        return labels

    def resolve(self) -> RefValue:
        """The id the typed text names, a name to create, or why neither."""
        text = str(self.widget.value).strip()
        if not text:
            return RefValue()
        if self._pinned is not None and self._pinned[0] == text:
            return RefValue(id=self._pinned[1])
        if text in self._ids:
            return RefValue(id=self._ids[text])
        tagged = _TAGGED_ID.match(text)
        if tagged and self._records.exists(int(tagged["id"])):
            return RefValue(id=int(tagged["id"]))
        try:
            return RefValue(id=self._records.find_id(text))
        except UnknownValueError:
            if self.create and self.offered:
                # Existing records have a close name: creating one more is a choice.
                return RefValue(error=ui("account_choose", self._lang))
            if self.create:
                return RefValue(new_name=text)
            return RefValue(error=ui("unknown_ref", self._lang))
        except ValidationError:
            return RefValue(error=ui("several", self._lang))

    def get(self) -> int | None:
        return self.resolve().id

    def set(self, value: Any) -> None:
        self._confirmed_new = None
        if value is None:
            self._pinned = None
            self.widget.value = ""
            return
        frame = self._records.filter(ids=[int(value)]).columns("id", self._name_column).df()
        label = str(frame[self._name_column].iloc[0]) if len(frame) else f"#{int(value)}"
        self._pinned = (label, int(value))
        self.widget.value = label

    def display(self) -> str | None:
        return str(self.widget.value).strip() or None


def build_input(
    crm: CRM, f: Field, lang: str, *, required: bool = False, create_refs: bool = False
) -> FieldInput:
    """The input for catalog field ``f`` on a form in ``lang``.

    Examples
    --------
    >>> import crmkit as ck
    >>> from crmkit.schemas import CONTACTS
    >>> crm = ck.open()
    >>> gender = build_input(crm, CONTACTS["gender"], "fr")
    >>> [label for label, _ in gender.widget.options]
    ['—', 'Femme', 'Homme', 'Autre', 'Inconnu']
    >>> crm.close()
    """
    if f.kind == "ref" and f.ref == "owners":
        return OwnerInput(crm, f, lang, required=required)
    if f.kind == "ref":
        return RefInput(crm, f, lang, create=create_refs, required=required)
    if f.kind == "bool":
        return BoolInput(f.name, f, f.label(lang), required=required, lang=lang)
    if f.kind == "date":
        return DateInput(f, lang, required=required)
    if f.kind == "list":
        return ListInput(f, lang, required=required)
    if f.format == "country":
        return CountryInput(f, lang, required=required)
    if f.vocabulary == "sector":
        return ChoiceInput(f, lang, crm.settings.sectors, required=required)
    if f.choices is not None:
        return ChoiceInput(f, lang, f.choices, required=required)
    fixed = FIXED_VOCABULARIES.get(f.vocabulary or "")
    if fixed is not None:
        return ChoiceInput(f, lang, fixed, required=required)
    return TextInput(f, lang, required=required)
