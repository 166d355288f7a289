"""A multi-select that shows what is picked: :class:`CheckList`.

ipywidgets' ``SelectMultiple`` hides its choice once the list scrolls and needs
Ctrl-click for a second value; a list of tick boxes under a line that names the picked
values ("2 selected: Marc Durand, Zoé Martin") does neither. Its ``value`` is a tuple of
option values, as ``SelectMultiple``'s is, so code that sets or observes ``value`` works
with either.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import ipywidgets as ipw
import traitlets

from crmkit.widgets._text import ui

__all__ = ["CheckList"]

# Names shown in the summary line before "+ n more".
_SHOWN_NAMES = 3
# The summary wraps onto short lines (a widget's default line height is a row's).
_SUMMARY = '<div style="line-height:1.35">{}</div>'


class CheckList(ipw.VBox):
    """Tick boxes for several values, under a line naming the ones picked.

    Parameters
    ----------
    options
        ``(label, value)`` pairs, or strings (each its own label).
    value
        The values picked at first.
    lang
        Language of the summary line and of the Clear button.
    rows
        Rows shown before the list scrolls.

    Examples
    --------
    >>> picker = CheckList([("Marc Durand", 2), ("Zoé Martin", 3)], lang="fr")
    >>> picker.boxes[1].value = True
    >>> picker.value
    (3,)
    >>> picker.value = (2, 3)
    >>> picker.summary.value  # doctest: +ELLIPSIS
    '<div ...>2 sélectionné(s)</span> : Marc Durand, Zoé Martin</div>'
    """

    value = traitlets.Tuple()

    def __init__(
        self,
        options: Sequence[tuple[str, Any]] | Sequence[str],
        value: Sequence[Any] = (),
        *,
        lang: str = "en",
        rows: int = 5,
    ) -> None:
        self.lang = lang
        self.options: list[tuple[str, Any]] = [
            (o, o) if isinstance(o, str) else (str(o[0]), o[1]) for o in options
        ]
        self._syncing = False
        self.boxes = [
            ipw.Checkbox(
                value=False,
                description=label,
                indent=False,
                layout=ipw.Layout(width="auto", margin="0", min_height="22px"),
            )
            for label, _ in self.options
        ]
        for box in self.boxes:
            box.add_class("crmkit-pick-option")
            box.observe(lambda _change: self._ticked(), "value")
        self.summary = ipw.HTML(layout=ipw.Layout(flex="1 1 auto", width="auto"))
        self.summary.add_class("crmkit-picked")
        self.clear_button = ipw.Button(
            description=ui("clear", lang),
            layout=ipw.Layout(width="auto", height="22px", padding="0 6px", flex="0 0 auto"),
        )
        self.clear_button.add_class("crmkit-pick-clear")
        self.clear_button.on_click(lambda _b: setattr(self, "value", ()))
        listing = ipw.VBox(
            self.boxes,
            layout=ipw.Layout(
                max_height=f"{24 * max(1, rows) + 4}px",
                overflow="hidden auto",
                border="1px solid #ccc",
                padding="2px 4px",
            ),
        )
        listing.add_class("crmkit-pick-list")
        super().__init__(
            [ipw.HBox([self.summary, self.clear_button],
                      layout=ipw.Layout(align_items="flex-start", width="100%")),
             listing],
            layout=ipw.Layout(width="230px"),
        )  # fmt: skip
        self.add_class("crmkit-checklist")
        self.observe(lambda _change: self._show(), "value")
        self.value = tuple(value)
        self._show()

    @traitlets.validate("value")
    def _known_values(self, proposal: dict[str, Any]) -> tuple[Any, ...]:
        values = [v for _, v in self.options]
        for picked in proposal["value"]:
            if picked not in values:
                raise traitlets.TraitError(f"not one of the options: {picked!r}")
        return tuple(v for v in values if v in proposal["value"])  # in the list's order

    def _ticked(self) -> None:
        if not self._syncing:
            ticked = zip(self.options, self.boxes, strict=True)
            self.value = tuple(v for (_, v), box in ticked if box.value)

    def _show(self) -> None:
        """Tick the boxes of ``value`` and name the picked values in the summary."""
        self._syncing = True
        try:
            for (_, option), box in zip(self.options, self.boxes, strict=True):
                box.value = option in self.value
        finally:
            self._syncing = False
        labels = [label for label, v in self.options if v in self.value]
        self.clear_button.layout.display = "flex" if labels else "none"
        if not labels:
            self.summary.value = _SUMMARY.format(
                f'<span class="crmkit-picked-count">{html.escape(ui("any", self.lang))}</span>'
            )
            return
        count = html.escape(ui("selected", self.lang, n=len(labels)))
        names = ", ".join(html.escape(label) for label in labels[:_SHOWN_NAMES])
        if len(labels) > _SHOWN_NAMES:
            names += " " + html.escape(ui("and_more", self.lang, n=len(labels) - _SHOWN_NAMES))
        colon = "：" if self.lang == "zh" else (" : " if self.lang == "fr" else ": ")
        self.summary.value = _SUMMARY.format(
            f'<span class="crmkit-picked-count">{count}</span>{colon}{names}'
        )
