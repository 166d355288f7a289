"""Screens that show a long list a page at a time (browser, fixes and variants reviews)."""

from __future__ import annotations

import math

__all__ = ["Paged", "page_count"]


def page_count(items: int, page_size: int) -> int:
    """How many pages ``items`` fill, ``page_size`` a page; at least one (an empty list).

    Examples
    --------
    >>> page_count(0, 20), page_count(20, 20), page_count(21, 20)
    (1, 1, 2)
    """
    return max(1, math.ceil(items / page_size))


class Paged:
    """``page`` (from 0; setting it moves there, clamped to the pages) and ``pages``.

    A screen using it has ``page_size`` and ``_page``, says how many items it pages
    through (``_item_count``) and draws itself again (``_render``).
    """

    page_size: int
    _page: int

    def _item_count(self) -> int:
        raise NotImplementedError

    def _render(self) -> None:
        raise NotImplementedError

    @property
    def pages(self) -> int:
        """How many pages the items fill (at least 1)."""
        return page_count(self._item_count(), self.page_size)

    @property
    def page(self) -> int:
        """The page shown, from 0."""
        return self._page

    @page.setter
    def page(self, number: int) -> None:
        self._page = min(max(0, int(number)), self.pages - 1)
        self._render()
