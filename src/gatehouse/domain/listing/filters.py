"""Parsing filter parameters (``Name=!Zeta``, ``xp.n=>0``, ``Active=true|false``) into typed
conditions, with OrderCloud's operators and wildcards."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from gatehouse.domain.errors import ListQueryError
from gatehouse.domain.listing.model import (
    MAX_FILTERS,
    MAX_ITEMS,
    Condition,
    FieldType,
    Filter,
    ListField,
    ListSpec,
    Op,
    XpPath,
    resolve,
)
from gatehouse.domain.listing.params import check_value, too_many

_INTEGER = re.compile(r"[+-]?[0-9]{1,10}")

INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # OrderCloud integer properties are .NET ``int``


_OPERATORS = ((">=", Op.GE), ("<=", Op.LE), (">", Op.GT), ("<", Op.LT))


def parse_filters(pairs: list[tuple[str, str]], spec: ListSpec) -> tuple[Filter, ...]:
    if len(pairs) > MAX_FILTERS:
        raise too_many("filter parameters", MAX_FILTERS)
    parsed = (_parse_filter(key, raw, spec) for key, raw in pairs)
    return tuple(f for f in parsed if f is not None)


def _parse_filter(key: str, raw: str, spec: ListSpec) -> Filter | None:
    target = resolve(key, spec, lambda f: f.filterable)
    if target is None:
        raise ListQueryError(
            code="List.InvalidProperty",
            message=f"{key} is not a valid filter property for {spec.object_type}.",
            data={"Property": key},
        )
    if raw == "":
        return None
    check_value(raw, key)
    parts = raw.split("|")
    if len(parts) > MAX_ITEMS:
        raise too_many(f"alternatives in the {key} filter")
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
