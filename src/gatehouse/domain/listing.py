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

import enum
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gatehouse.domain.errors import ListQueryError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
MAX_PAGE = 2**31 - 1  # keeps OFFSET (page * pageSize) far inside 64-bit range on every backend
MAX_FILTERS = 50  # filter parameters in one request
MAX_ITEMS = 50  # alternatives in one filter value; sortBy keys; searchOn entries; search terms
MAX_VALUE_LENGTH = 1000  # one filter value, search, sortBy or searchOn
MAX_XP_DEPTH = 8
MAX_XP_SEGMENT_LENGTH = 100
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # OrderCloud integer properties are .NET ``int``

_RESERVED = frozenset({"page", "pagesize", "search", "searchon", "sortby", "searchtype"})
_DIGITS = re.compile(r"[0-9]{1,10}")
_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")


class FieldType(enum.Enum):
    """How a filter literal is typed and validated before it reaches storage."""

    STRING = "string"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


@dataclass(frozen=True, slots=True)
class ListField:
    """One top-level property of a listed resource, by its wire name (e.g. ``AppName``)."""

    name: str
    type: FieldType = FieldType.STRING
    searchable: bool = False
    sortable: bool = False
    filterable: bool = True


@dataclass(frozen=True, slots=True)
class ListSpec:
    """What a list endpoint allows; declared once per resource."""

    object_type: str
    fields: tuple[ListField, ...]
    xp: bool = False
    default_sort: tuple[str, ...] = ("ID",)

    def __post_init__(self) -> None:
        """Fail at import time, not per request, when a resource declares a broken spec."""
        names = [f.name.lower() for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.object_type}: duplicate list field names")
        for item in self.default_sort:
            if _resolve(item.lstrip("!"), self, lambda _f: True) is None:
                raise ValueError(f"{self.object_type}: unknown default sort {item!r}")

    def field(self, name: str) -> ListField | None:
        """The field called ``name``, matched case-insensitively as OrderCloud does."""
        wanted = name.lower()
        return next((f for f in self.fields if f.name.lower() == wanted), None)


@dataclass(frozen=True, slots=True)
class XpPath:
    """A path inside the ``xp`` JSON object: ``xp.a.b`` is ``("a", "b")``."""

    path: tuple[str, ...]


class Op(enum.Enum):
    """Comparison of one filter alternative; ``ANY`` is ``*`` alone, meaning "has a value"."""

    EQ = "eq"
    LIKE = "like"
    GT = "gt"
    LT = "lt"
    GE = "ge"
    LE = "le"
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Condition:
    """One alternative of a filter value. For ``LIKE`` the value keeps ``*`` as the wildcard."""

    op: Op
    value: str | int | bool | datetime | None
    negated: bool


@dataclass(frozen=True, slots=True)
class Filter:
    """One filter parameter: true when any of its alternatives is (``a|b`` is OR)."""

    target: ListField | XpPath
    alternatives: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class SortKey:
    target: ListField | XpPath
    descending: bool


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A validated list request. ``filters`` are ANDed (a repeated parameter is AND)."""

    page: int
    page_size: int
    search: str | None
    search_on: tuple[ListField | XpPath, ...]
    sort: tuple[SortKey, ...]
    filters: tuple[Filter, ...]


_OPERATORS = ((">=", Op.GE), ("<=", Op.LE), (">", Op.GT), ("<", Op.LT))


def parse_list_query(
    params: Iterable[tuple[str, str]], spec: ListSpec, *, ignore: Collection[str] = ()
) -> ListQuery:
    """Validate the raw query pairs of a list request against ``spec``.

    ``ignore`` names parameters the endpoint handles itself (matched case-insensitively);
    every parameter that is neither reserved nor ignored is a filter.
    """
    reserved, filter_pairs = _partition(params, ignore)
    return ListQuery(
        page=_parse_page(reserved.get("page")),
        page_size=_parse_page_size(reserved.get("pagesize")),
        search=_parse_search(reserved.get("search")),
        search_on=_parse_search_on(reserved.get("searchon"), spec),
        sort=_parse_sort(reserved.get("sortby"), spec),
        filters=_parse_filters(filter_pairs, spec),
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


# --- reserved parameters -------------------------------------------------------------------


def _partition(
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


def _parse_page(raw: str | None) -> int:
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


def _parse_page_size(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not _DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ListQueryError(
            code="List.InvalidPageSize",
            message=f"pageSize must be an integer between 1 and {MAX_PAGE_SIZE}.",
        )
    return int(raw)


def _parse_search(raw: str | None) -> str | None:
    """The search text, or None when it holds no terms (whitespace only)."""
    if raw is None:
        return None
    _check_value(raw, "search")
    terms = raw.split()
    if len(terms) > MAX_ITEMS:
        raise _too_many("search terms")
    return raw if terms else None


def _parse_search_on(raw: str | None, spec: ListSpec) -> tuple[ListField | XpPath, ...]:
    """The searchOn targets; all searchable fields when searchOn is omitted."""
    targets = [_search_target(name, spec) for name in _comma_items(raw, "searchOn")]
    if not targets:
        return tuple(f for f in spec.fields if f.searchable)
    return tuple(dict.fromkeys(targets))


def _search_target(name: str, spec: ListSpec) -> ListField | XpPath:
    target = _resolve(name, spec, lambda f: f.searchable)
    if target is None:
        raise ListQueryError(
            code="List.InvalidSearchProperty",
            message=f"{name} is not a valid search property for {spec.object_type}.",
            data={"Property": name},
        )
    return target


def _parse_sort(raw: str | None, spec: ListSpec) -> tuple[SortKey, ...]:
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
    target = _resolve(name, spec, allowed)
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
    _check_value(raw, param)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if len(items) > MAX_ITEMS:
        raise _too_many(f"{param} entries")
    return items


# --- property names ------------------------------------------------------------------------


def _resolve(
    name: str, spec: ListSpec, allowed: Callable[[ListField], bool]
) -> ListField | XpPath | None:
    """The field (if ``allowed``) or xp path (if the spec has xp) that ``name`` denotes."""
    if name[:3].lower() == "xp.":
        return _xp_path(name[3:]) if spec.xp else None
    field = spec.field(name)
    return field if field is not None and allowed(field) else None


def _xp_path(dotted: str) -> XpPath | None:
    segments = tuple(dotted.split("."))
    if len(segments) > MAX_XP_DEPTH:
        return None
    if any(not s or len(s) > MAX_XP_SEGMENT_LENGTH or "\x00" in s for s in segments):
        return None
    return XpPath(segments)


# --- filters -------------------------------------------------------------------------------


def _parse_filters(pairs: list[tuple[str, str]], spec: ListSpec) -> tuple[Filter, ...]:
    if len(pairs) > MAX_FILTERS:
        raise _too_many("filter parameters", MAX_FILTERS)
    parsed = (_parse_filter(key, raw, spec) for key, raw in pairs)
    return tuple(f for f in parsed if f is not None)


def _parse_filter(key: str, raw: str, spec: ListSpec) -> Filter | None:
    target = _resolve(key, spec, lambda f: f.filterable)
    if target is None:
        raise ListQueryError(
            code="List.InvalidProperty",
            message=f"{key} is not a valid filter property for {spec.object_type}.",
            data={"Property": key},
        )
    if raw == "":
        return None
    _check_value(raw, key)
    parts = raw.split("|")
    if len(parts) > MAX_ITEMS:
        raise _too_many(f"alternatives in the {key} filter")
    return Filter(target, tuple(_parse_condition(target, part, raw) for part in parts))


def _parse_condition(target: ListField | XpPath, text: str, raw: str) -> Condition:
    """``[!][>=|<=|>|<]literal``; ``*`` alone is ANY; a ``*`` without operator is LIKE."""
    negated = text.startswith("!")
    op, literal = _split_operator(text[1:] if negated else text)
    if op is None and literal == "*":
        return Condition(Op.ANY, None, negated)
    if op is None:
        op = Op.LIKE if "*" in literal else Op.EQ
    return Condition(op, _typed(target, op, literal, raw), negated)


def _split_operator(body: str) -> tuple[Op | None, str]:
    for prefix, op in _OPERATORS:
        if body.startswith(prefix):
            return op, body[len(prefix) :]
    return None, body


def _typed(
    target: ListField | XpPath, op: Op, literal: str, raw: str
) -> str | int | bool | datetime:
    """The literal converted to the property's type; xp literals stay text for storage."""
    if isinstance(target, XpPath) or target.type is FieldType.STRING:
        return literal
    value = None if op is Op.LIKE else _CONVERTERS[target.type](literal)
    if value is None:
        raise ListQueryError(
            code="List.InvalidType",
            message=f"{raw!r} is not a valid {target.type.value} value for {target.name}.",
            data={"Property": target.name, "Value": raw},
        )
    return value


def _to_int(literal: str) -> int | None:
    if not _INTEGER.fullmatch(literal):
        return None
    value = int(literal)
    return value if INT_MIN <= value <= INT_MAX else None


def _to_bool(literal: str) -> bool | None:
    return {"true": True, "false": False}.get(literal.lower())


def _to_datetime(literal: str) -> datetime | None:
    """ISO-8601 date or date-time; naive means UTC. Always returned in UTC so both backends
    (SQLite keeps no offset) compare the same instants."""
    try:
        value = datetime.fromisoformat(literal)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


_CONVERTERS: dict[FieldType, Callable[[str], int | bool | datetime | None]] = {
    FieldType.INTEGER: _to_int,
    FieldType.BOOLEAN: _to_bool,
    FieldType.DATETIME: _to_datetime,
}


# --- bounds --------------------------------------------------------------------------------


def _check_value(raw: str, param: str) -> None:
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


def _too_many(what: str, limit: int = MAX_ITEMS) -> ListQueryError:
    return ListQueryError(
        code="ValidationFailure", message=f"A list request may have at most {limit} {what}."
    )
