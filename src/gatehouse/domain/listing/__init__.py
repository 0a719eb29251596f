"""The list query language shared by every list endpoint (OrderCloud conventions, spec §2.4).

Each resource declares a ``ListSpec`` once; ``parse_list_query`` turns the raw query pairs of a
list request into a validated ``ListQuery``. Parsing is pure and knows nothing about SQL:
``gatehouse.storage.listing`` applies a ``ListQuery`` in the database. Every refusal is a
``ListQueryError`` so the HTTP layer answers 400 for all of them in one place.

Choices where OrderCloud's public record is silent (see the module constants too):

- A reserved parameter given twice: the last non-empty value wins.
- A filter whose whole value is empty (``?Name=``) is treated as omitted, as for the reserved
  parameters, but its name is still validated.
- Every input is bounded (value lengths, counts of filters, alternatives, terms and keys) so a
  single request can never build an unbounded SQL statement; NUL characters are refused
  because PostgreSQL cannot hold them in text and would fail the query.
- Page numbers above ``MAX_PAGE`` are refused (``List.InvalidPage``) so OFFSET never overflows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from gatehouse.domain.listing.filters import parse_filters
from gatehouse.domain.listing.model import (
    DEFAULT_PAGE_SIZE,
    MAX_FILTERS,
    MAX_ITEMS,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_VALUE_LENGTH,
    Condition,
    FieldType,
    Filter,
    ListField,
    ListQuery,
    ListSpec,
    Op,
    SortKey,
    XpPath,
)
from gatehouse.domain.listing.params import (
    parse_page,
    parse_page_size,
    parse_search,
    parse_search_on,
    parse_sort,
    partition,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_FILTERS",
    "MAX_ITEMS",
    "MAX_PAGE",
    "MAX_PAGE_SIZE",
    "MAX_VALUE_LENGTH",
    "Condition",
    "FieldType",
    "Filter",
    "ListField",
    "ListQuery",
    "ListSpec",
    "Op",
    "SortKey",
    "XpPath",
    "page_meta",
    "parse_list_query",
]


def parse_list_query(
    params: Iterable[tuple[str, str]], spec: ListSpec, *, ignore: Collection[str] = ()
) -> ListQuery:
    """Validate the raw query pairs of a list request against ``spec``.

    ``ignore`` names parameters the endpoint handles itself (matched case-insensitively);
    every parameter that is neither reserved nor ignored is a filter.
    """
    reserved, filter_pairs = partition(params, ignore)
    return ListQuery(
        page=parse_page(reserved.get("page")),
        page_size=parse_page_size(reserved.get("pagesize")),
        search=parse_search(reserved.get("search")),
        search_on=parse_search_on(reserved.get("searchon"), spec),
        sort=parse_sort(reserved.get("sortby"), spec),
        filters=parse_filters(filter_pairs, spec),
    )


def page_meta(page: int, page_size: int, total: int) -> dict[str, Any]:
    """The ``Meta`` of a list envelope. ``ItemRange`` is 1-based; ``[0, 0]`` for an empty page."""
    first = (page - 1) * page_size + 1
    item_range = [first, min(page * page_size, total)] if first <= total else [0, 0]
    return {
        "Page": page,
        "PageSize": page_size,
        "TotalCount": total,
        "TotalPages": -(-total // page_size),
        "ItemRange": item_range,
        "NextPageKey": None,
    }
