"""Apply a parsed ``ListQuery`` (``gatehouse.domain.listing``) to a SQLAlchemy ``Select``.

Filtering, search, sorting and paging all happen in SQL, never in Python, so only one page
of rows (and one count) ever leaves the database.

Dialects: every expression built here is dialect-neutral, so no function takes a dialect
argument. The only per-dialect SQL is reading a value out of the ``xp`` JSON column, which
is done by two small constructs (``XpText``, ``XpNumber``, in ``storage.listing_xp``)
compiled differently for SQLite (``json_extract``/``json_type``) and PostgreSQL
(``json_extract_path_text``/``json_typeof`` on the column cast to ``json``, so a ``json`` or
``jsonb`` column both work). Path segments are always bound parameters, never spliced into
SQL.

Semantics (spec §2.4):

- Text equality and wildcards are case-insensitive; ``>``/``<`` on text use the column's own
  collation (last-ID paging ``ID=>abc`` relies on it matching the ``ORDER BY``).
- A negated alternative is the exact complement of the plain one: rows where the compared
  value is NULL are included (a missing value is "not x").
- ``xp`` values compare as text, except ordering comparisons with a numeric literal, which
  compare numerically and only ever match JSON numbers (a string at that path never causes a
  cast error).
- Search: every whitespace-separated term must occur (case-insensitively) in at least one
  searchOn target; ``*`` inside a term is a wildcard, as in filters.
- NULLs sort first ascending and last descending on both backends.

Known limits: case folding of non-ASCII text is ASCII-only on SQLite (``lower``/``LIKE``).
On SQLite, xp keys are looked up by their JSON-escaped spelling, which matches what the
default JSON serializer (``ensure_ascii``) stores; a key containing ``"`` never matches on
SQLite 3.40 (tested: no error, no match), newer SQLite unescapes path labels. Ordering of
text follows each database's collation.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    Numeric,
    Select,
    String,
    and_,
    bindparam,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from gatehouse.domain.listing import (
    Condition,
    FieldType,
    Filter,
    ListField,
    ListQuery,
    Op,
    SortKey,
    XpPath,
)
from gatehouse.storage.listing_xp import XpNumber, XpText

# A JSON-style number with a bounded exponent (PostgreSQL NUMERIC overflows past ~1e131072).
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
_LIKE_ESCAPE = "\\"


ColumnLike = ColumnElement[Any] | QueryableAttribute[Any]
"""A column or an ORM attribute (``ApiClientRow.app_name``): both compile to a column."""


@dataclass(frozen=True)
class ColumnMap:
    """Where each list property lives in the ``Select`` being listed.

    ``columns`` is keyed by the wire name exactly as spelled in the ``ListSpec``; ``xp`` is
    the JSON column holding the resource's extended properties.
    """

    columns: Mapping[str, ColumnLike]
    xp: ColumnLike | None = None

    def column(self, field: ListField) -> ColumnElement[Any]:
        """The SQL expression for ``field``; a missing mapping is a programming error."""
        try:
            return typing.cast(ColumnElement[Any], self.columns[field.name])
        except KeyError:
            raise KeyError(f"ColumnMap has no column for list field {field.name!r}") from None

    def xp_value(self, path: XpPath, *, numeric: bool = False) -> ColumnElement[Any]:
        """The xp value at ``path`` as text, or as a number (NULL unless a JSON number)."""
        if self.xp is None:
            raise ValueError("ColumnMap has no xp column but the query uses an xp path")
        xp = typing.cast(ColumnElement[Any], self.xp)
        return XpNumber(xp, path.path) if numeric else XpText(xp, path.path)


def apply_filters(stmt: Select[Any], query: ListQuery, cols: ColumnMap) -> Select[Any]:
    """Add WHERE clauses for the query's filters (ANDed) and its search terms."""
    clauses = [_filter_clause(f, cols) for f in query.filters]
    clauses += _search_clauses(query, cols)
    return stmt.where(*clauses) if clauses else stmt


def apply_sort(stmt: Select[Any], query: ListQuery, cols: ColumnMap) -> Select[Any]:
    """Add ORDER BY for the sort keys, then ``ID`` ascending as a tiebreaker.

    The tiebreaker makes paging deterministic; it is skipped when ``ID`` is already a key
    (IDs are unique, so any key after it could never matter).
    """
    order = [term for key in query.sort for term in _order_terms(key, cols)]
    sorts_by_id = any(_is_id(key.target) for key in query.sort)
    if "ID" in cols.columns and not sorts_by_id:
        order.append(typing.cast(ColumnElement[Any], cols.columns["ID"]).asc())
    return stmt.order_by(*order)


@dataclass(frozen=True)
class PageStatement:
    """A listed ``Select`` (unordered, its own conditions as bound parameters), with the page
    and the count of the plain query (no filter, search or sort) built once from it.

    Building the same statement for every request is most of a list's Python time (issue 12);
    the plain page is what admin consoles ask for, so it is prebuilt with its limit and offset
    as bound parameters, and SQLAlchemy's compiled cache serves its SQL. Any other query is
    built from ``select`` as before.
    """

    select: Select[Any]
    cols: ColumnMap
    plain: Select[Any]
    plain_with_total: Select[Any]
    plain_count: Select[Any]

    @classmethod
    def of(cls, stmt: Select[Any], cols: ColumnMap) -> PageStatement:
        def paged(base: Select[Any]) -> Select[Any]:
            sorted_ = apply_sort(base, _PLAIN, cols)
            return sorted_.limit(bindparam("page_limit")).offset(bindparam("page_offset"))

        return cls(stmt, cols, paged(stmt), paged(_with_total(stmt)), _count_of(stmt))


def _with_total(stmt: Select[Any]) -> Select[Any]:
    return stmt.add_columns(func.count().over().label("list_total"))


def _count_of(stmt: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def _total_in_page(session: AsyncSession) -> bool:
    """Whether the page carries the total (``fetch_page``): on PostgreSQL, where a second
    statement is a second round trip; not on SQLite, where it is a call on the event loop's
    thread (``storage/sqlite_driver.py``)."""
    return session.get_bind().dialect.name != "sqlite"


_BY_ID = (SortKey(ListField("ID"), descending=False),)
_PLAIN = ListQuery(page=1, page_size=1, search=None, search_on=(), sort=_BY_ID, filters=())


def is_plain(query: ListQuery) -> bool:
    """No filter or search, sorted by ID (the parser's default): what a plain list request
    asks for. The sort is compared by what it orders by, so ``sortBy=ID`` is plain too."""
    if query.filters or (query.search or "").split():
        return False
    return not query.sort or (
        len(query.sort) == 1 and _is_id(query.sort[0].target) and not query.sort[0].descending
    )


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any] | PageStatement,
    query: ListQuery,
    cols: ColumnMap | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[list[Any], int]:
    """One page of ``stmt`` (rows as ``Result.all()`` returns them, on PostgreSQL with the
    total as one more trailing column) and the total match count.

    ``stmt`` selects whatever the caller needs and must not be ordered yet; ``params`` are the
    values of its bound parameters. A page that is neither full nor past the end tells the
    total itself. Otherwise, on PostgreSQL the total comes with the page (``count(*) OVER
    ()``), one round trip; on SQLite a second statement counts it: the window makes SQLite
    build every matching row, all columns, before the limit (page 50 of 10,000 users: 72 ms,
    against 8 ms for the page and 1.3 ms for the count, issue 12). Page and count are then two
    snapshots; a write between them can move the total by what it changed, as between two
    requests.
    """
    offset = (query.page - 1) * query.page_size
    values = dict(params or {})
    with_total = _total_in_page(session)
    if isinstance(stmt, PageStatement) and is_plain(query):
        paged = stmt.plain_with_total if with_total else stmt.plain
        counted = stmt.plain_count
        values |= {"page_limit": query.page_size, "page_offset": offset}
    else:
        if isinstance(stmt, PageStatement):
            cols = stmt.cols
            stmt = stmt.select
        if cols is None:
            raise TypeError("fetch_page needs the ColumnMap of a plain Select")
        filtered = apply_filters(stmt, query, cols)
        base = _with_total(filtered) if with_total else filtered
        paged = apply_sort(base, query, cols).limit(query.page_size).offset(offset)
        counted = _count_of(filtered)
    rows = list((await session.execute(paged, values)).all())
    if 0 < len(rows) < query.page_size or (not rows and offset == 0):
        return rows, offset + len(rows)
    if rows and with_total:
        return rows, int(rows[0][-1])
    return rows, int(await session.scalar(counted, values) or 0)


# --- filters -------------------------------------------------------------------------------


def _filter_clause(flt: Filter, cols: ColumnMap) -> ColumnElement[bool]:
    """One filter parameter: any of its ``|`` alternatives."""
    return or_(*(_condition(flt.target, cond, cols) for cond in flt.alternatives))


def _condition(target: ListField | XpPath, cond: Condition, cols: ColumnMap) -> ColumnElement[bool]:
    if cond.op is Op.ANY:
        return _presence(_operand(target, cols), _is_text(target), cond.negated)
    if isinstance(target, XpPath):
        clause, compared = _xp_clause(target, cond, cols)
    else:
        clause, compared = _field_clause(target, cond, cols.column(target))
    return or_(not_(clause), compared.is_(None)) if cond.negated else clause


def _presence(operand: ColumnElement[Any], text: bool, negated: bool) -> ColumnElement[bool]:
    """``*``: has a value (for text, a non-empty one); ``!*``: has none."""
    if negated:
        return or_(operand.is_(None), operand == "") if text else operand.is_(None)
    return and_(operand.is_not(None), operand != "") if text else operand.is_not(None)


def _field_clause(
    field: ListField, cond: Condition, column: ColumnElement[Any]
) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """The positive clause for a top-level property, and the operand it compares."""
    value = _bind_value(cond.value, column)
    if cond.op is Op.LIKE:
        return column.ilike(_like_pattern(str(value)), escape=_LIKE_ESCAPE), column
    if cond.op is Op.EQ and field.type is FieldType.STRING:
        return func.lower(column) == func.lower(literal(value, String())), column
    return _compare(column, cond.op, value), column


def _xp_clause(
    path: XpPath, cond: Condition, cols: ColumnMap
) -> tuple[ColumnElement[bool], ColumnElement[Any]]:
    """The positive clause for an xp path, and the operand it compares."""
    text = cols.xp_value(path)
    value = str(cond.value)
    if cond.op is Op.LIKE:
        return text.ilike(_like_pattern(value), escape=_LIKE_ESCAPE), text
    if cond.op is Op.EQ:
        return func.lower(text) == func.lower(literal(value, String())), text
    if _NUMBER.fullmatch(value):
        number = cols.xp_value(path, numeric=True)
        return _compare(number, cond.op, cast(literal(value, String()), Numeric())), number
    return _compare(text, cond.op, literal(value, String())), text


def _compare(left: ColumnElement[Any], op: Op, right: object) -> ColumnElement[bool]:
    if op is Op.GT:
        return left > right
    if op is Op.LT:
        return left < right
    if op is Op.GE:
        return left >= right
    if op is Op.LE:
        return left <= right
    return left == right


def _bind_value(value: Any, column: ColumnElement[Any]) -> Any:
    """Datetimes arrive in UTC; a naive (``timezone=False``) column gets naive UTC."""
    naive_column = isinstance(column.type, DateTime) and not column.type.timezone
    if isinstance(value, datetime) and naive_column:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _like_pattern(value: str, *, contains: bool = False) -> str:
    """A LIKE pattern where only ``*`` is a wildcard; ``%``, ``_`` and ``\\`` are literal."""
    escaped = re.sub(r"([\\%_])", r"\\\1", value).replace("*", "%")
    return f"%{escaped}%" if contains else escaped


# --- search --------------------------------------------------------------------------------


def _search_clauses(query: ListQuery, cols: ColumnMap) -> list[ColumnElement[bool]]:
    """Each whitespace-separated term must occur (case-insensitively) in some searchOn field."""
    terms = (query.search or "").split()
    if not terms:
        return []
    targets = [_searchable_text(target, cols) for target in query.search_on]
    return [_term_clause(term, targets) for term in terms]


def _term_clause(term: str, targets: Sequence[ColumnElement[Any]]) -> ColumnElement[bool]:
    pattern = _like_pattern(term, contains=True)
    matches = (t.ilike(pattern, escape=_LIKE_ESCAPE) for t in targets)
    return or_(false(), *matches)


def _searchable_text(target: ListField | XpPath, cols: ColumnMap) -> ColumnElement[Any]:
    if isinstance(target, XpPath) or target.type is FieldType.STRING:
        return _operand(target, cols)
    return cast(cols.column(target), String())


# --- sorting -------------------------------------------------------------------------------


def _order_terms(key: SortKey, cols: ColumnMap) -> list[UnaryExpression[Any]]:
    """xp values sort numbers numerically first, then everything else by its text."""
    if not isinstance(key.target, XpPath):
        return [_order_by(key, cols)]
    number = cols.xp_value(key.target, numeric=True)
    numeric = number.desc() if key.descending else number.asc()
    return [numeric.nulls_last(), _order_by(key, cols)]


def _order_by(key: SortKey, cols: ColumnMap) -> UnaryExpression[Any]:
    operand = _operand(key.target, cols)
    if key.descending:
        return operand.desc().nulls_last()
    return operand.asc().nulls_first()


def _is_id(target: ListField | XpPath) -> bool:
    return isinstance(target, ListField) and target.name == "ID"


def _operand(target: ListField | XpPath, cols: ColumnMap) -> ColumnElement[Any]:
    """The column for a field, or the xp value (as text) for a path."""
    return cols.xp_value(target) if isinstance(target, XpPath) else cols.column(target)


def _is_text(target: ListField | XpPath) -> bool:
    return isinstance(target, XpPath) or target.type is FieldType.STRING
