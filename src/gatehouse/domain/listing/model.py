"""The list query's vocabulary: each resource's ``ListSpec`` of fields, and the parsed
``ListQuery`` (filters, conditions, sort keys, paging), with the bounds every input is held to."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

MAX_PAGE_SIZE = 100


DEFAULT_PAGE_SIZE = 20


MAX_PAGE = 2**31 - 1  # keeps OFFSET (page * pageSize) far inside 64-bit range on every backend


MAX_FILTERS = 50  # filter parameters in one request


MAX_ITEMS = 50  # alternatives in one filter value; sortBy keys; searchOn entries; search terms


MAX_VALUE_LENGTH = 1000  # one filter value, search, sortBy or searchOn


MAX_XP_DEPTH = 8


MAX_XP_SEGMENT_LENGTH = 100


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
            if resolve(item.lstrip("!"), self, lambda _f: True) is None:
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


def resolve(
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
