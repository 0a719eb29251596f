"""The xp JSON value at a path, compiled per dialect (``storage.listing`` filters, searches
and sorts on it): ``json_extract``/``json_type`` on SQLite, ``json_extract_path_text``/
``json_typeof`` on PostgreSQL (the column cast to ``json``, so ``json`` and ``jsonb`` both
work). Path segments are always bound parameters, never spliced into SQL."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Numeric, String, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

# --- xp JSON access, per dialect -----------------------------------------------------------


class _XpValue(FunctionElement[Any]):
    """The JSON value at a path in an xp column.

    Clauses are ``(document, sqlite_path, *segments)``: both spellings of the path are bound
    parameters of the statement, so a cached compiled statement never reuses stale values.
    """

    inherit_cache = True

    def __init__(self, document: ColumnElement[Any], path: tuple[str, ...]) -> None:
        segments = (literal(segment, String()) for segment in path)
        super().__init__(document, literal(_sqlite_path(path), String()), *segments)

    def sqlite_parts(self, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
        """Compiled document and SQLite path."""
        document, path, *_ = self.clauses
        return compiler.process(document, **kw), compiler.process(path, **kw)

    def postgresql_parts(self, compiler: SQLCompiler, **kw: Any) -> tuple[str, str]:
        """Compiled document (cast to ``json``) and the comma-separated path segments."""
        document, _, *segments = self.clauses
        rendered = ", ".join(compiler.process(s, **kw) for s in segments)
        return f"CAST({compiler.process(document, **kw)} AS JSON)", rendered


class XpText(_XpValue):
    """The value as text: strings unquoted, ``true``/``false``, numbers as written, NULL for
    JSON null or a missing key, objects and arrays as JSON text."""

    type = String()
    name = "xp_text"
    inherit_cache = True


class XpNumber(_XpValue):
    """The value as a number when it is a JSON number, else NULL (so casts never fail)."""

    type = Numeric()
    name = "xp_number"
    inherit_cache = True


def _sqlite_path(path: tuple[str, ...]) -> str:
    """A SQLite JSON path with every key quoted, e.g. ``$."a"."b c"``.

    Keys are JSON-escaped (as the default JSON serializer stored them); ``"`` becomes
    ``\\u0022`` because SQLite ends a quoted key at the first ``"`` whatever precedes it, so a
    key can never break out of its quotes or make the path invalid (which would be an error).
    """
    labels = (json.dumps(segment)[1:-1].replace('\\"', "\\u0022") for segment in path)
    return "$" + "".join(f'."{label}"' for label in labels)


@compiles(XpText)
def _xp_text_sqlite(element: XpText, compiler: SQLCompiler, **kw: Any) -> str:
    # json_extract returns 1/0 for JSON booleans; spell them as PostgreSQL does.
    doc, path = element.sqlite_parts(compiler, **kw)
    return (
        f"CASE json_type({doc}, {path}) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' "
        f"ELSE CAST(json_extract({doc}, {path}) AS TEXT) END"
    )


@compiles(XpText, "postgresql")
def _xp_text_postgresql(element: XpText, compiler: SQLCompiler, **kw: Any) -> str:
    doc, segments = element.postgresql_parts(compiler, **kw)
    return f"json_extract_path_text({doc}, {segments})"


@compiles(XpNumber)
def _xp_number_sqlite(element: XpNumber, compiler: SQLCompiler, **kw: Any) -> str:
    doc, path = element.sqlite_parts(compiler, **kw)
    return (
        f"CASE WHEN json_type({doc}, {path}) IN ('integer', 'real') "
        f"THEN json_extract({doc}, {path}) END"
    )


@compiles(XpNumber, "postgresql")
def _xp_number_postgresql(element: XpNumber, compiler: SQLCompiler, **kw: Any) -> str:
    # CASE guarantees the cast only runs on JSON numbers, so "abc" never raises.
    doc, segments = element.postgresql_parts(compiler, **kw)
    return (
        f"CASE WHEN json_typeof(json_extract_path({doc}, {segments})) = 'number' "
        f"THEN CAST(json_extract_path_text({doc}, {segments}) AS NUMERIC) END"
    )
