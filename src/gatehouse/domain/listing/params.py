"""Parsing the reserved list parameters (page, pageSize, search, searchOn, sortBy) and the
checks every raw value goes through."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from gatehouse.domain.errors import ListQueryError
from gatehouse.domain.listing.model import (
    DEFAULT_PAGE_SIZE,
    MAX_ITEMS,
    MAX_PAGE,
    MAX_PAGE_SIZE,
    MAX_VALUE_LENGTH,
    ListField,
    ListSpec,
    SortKey,
    XpPath,
    resolve,
)

_RESERVED = frozenset({"page", "pagesize", "search", "searchon", "sortby", "searchtype"})


_DIGITS = re.compile(r"[0-9]{1,10}")


def partition(
    params: Iterable[tuple[str, str]], ignore: Collection[str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Split reserved parameters (last non-empty value wins) from filter parameters."""
    skipped = {name.lower() for name in ignore}
    reserved: dict[str, str] = {}
    filters: list[tuple[str, str]] = []
    for key, value in params:
        name = key.lower()
        if name in skipped:
            continue
        if name not in _RESERVED:
            filters.append((key, value))
        elif value != "":
            reserved[name] = value
    return reserved, filters


def parse_page(raw: str | None) -> int:
    if raw is None:
        return 1
    if not _DIGITS.fullmatch(raw) or int(raw) < 1:
        raise ListQueryError(
            code="List.InvalidPage", message="page must be an integer greater than or equal to 1."
        )
    if int(raw) > MAX_PAGE:
        raise ListQueryError(
            code="List.InvalidPage", message=f"page must be an integer between 1 and {MAX_PAGE}."
        )
    return int(raw)


def parse_page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ListQueryError(
            code="List.InvalidPageSize",
            message=f"pageSize must be an integer between 1 and {MAX_PAGE_SIZE}.",
        )
    return int(raw)


def parse_search(raw: str | None) -> str | None:
    """The search text, or None when it holds no terms (whitespace only)."""
    if raw is None:
        return None
    check_value(raw, "search")
    terms = raw.split()
    if len(terms) > MAX_ITEMS:
        raise too_many("search terms")
    return raw if terms else None


def parse_search_on(raw: str | None, spec: ListSpec) -> tuple[ListField | XpPath, ...]:
    """The searchOn targets; all searchable fields when searchOn is omitted."""
    targets = [_search_target(name, spec) for name in _comma_items(raw, "searchOn")]
    if not targets:
        return tuple(f for f in spec.fields if f.searchable)
    return tuple(dict.fromkeys(targets))


def _search_target(name: str, spec: ListSpec) -> ListField | XpPath:
    target = resolve(name, spec, lambda f: f.searchable)
    if target is None:
        raise ListQueryError(
            code="List.InvalidSearchProperty",
            message=f"{name} is not a valid search property for {spec.object_type}.",
            data={"Property": name},
        )
    return target


def parse_sort(raw: str | None, spec: ListSpec) -> tuple[SortKey, ...]:
    """Sort keys in order; the first mention of a property wins over later duplicates."""
    items = _comma_items(raw, "sortBy")
    if not items:
        return tuple(_sort_key(item, spec, lambda _f: True) for item in spec.default_sort)
    keys: dict[ListField | XpPath, SortKey] = {}
    for item in items:
        key = _sort_key(item, spec, lambda f: f.sortable)
        keys.setdefault(key.target, key)
    return tuple(keys.values())


def _sort_key(item: str, spec: ListSpec, allowed: Callable[[ListField], bool]) -> SortKey:
    """``!Name`` (any number of ``!``) sorts descending."""
    name = item.lstrip("!")
    target = resolve(name, spec, allowed)
    if target is None:
        raise ListQueryError(
            code="List.InvalidSortProperty",
            message=f"{name} is not a valid sort property for {spec.object_type}.",
            data={"Property": name},
        )
    return SortKey(target=target, descending=name != item)


def _comma_items(raw: str | None, param: str) -> list[str]:
    """Non-empty, whitespace-trimmed items of a comma list."""
    if raw is None:
        return []
    check_value(raw, param)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > MAX_ITEMS:
        raise too_many(f"{param} entries")
    return items


def check_value(raw: str, param: str) -> None:
    """Bound a value's length, and refuse NUL, which PostgreSQL text cannot hold (a 500)."""
    if len(raw) > MAX_VALUE_LENGTH:
        raise ListQueryError(
            code="ValidationFailure",
            message=f"The value of {param} may not exceed {MAX_VALUE_LENGTH} characters.",
            data={"Property": param},
        )
    if "\x00" in raw:
        raise ListQueryError(
            code="ValidationFailure",
            message=f"The value of {param} may not contain NUL characters.",
            data={"Property": param},
        )


def too_many(what: str, limit: int = MAX_ITEMS) -> ListQueryError:
    return ListQueryError(
        code="ValidationFailure", message=f"A list request may have at most {limit} {what}."
    )
