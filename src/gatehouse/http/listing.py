"""Turning a request's query string into a ``ListQuery``, and a page into the wire envelope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from fastapi import Request

from gatehouse.domain.errors import ListQueryError
from gatehouse.domain.listing import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ListQuery,
    ListSpec,
    page_meta,
    parse_list_query,
)

MAX_PAGE = 1_000_000


def list_query(
    spec: ListSpec, *, ignore: Iterable[str] = ()
) -> Callable[[Request], Awaitable[ListQuery]]:
    """The dependency parsing ``spec``'s list query; ``async`` so that FastAPI calls it inline
    rather than in its thread pool (a thread hop per request)."""
    ignored = tuple(ignore)

    async def dependency(request: Request) -> ListQuery:
        return parse_list_query(request.query_params.multi_items(), spec, ignore=ignored)

    return dependency


def list_page(items: list[dict[str, Any]], query: ListQuery, total: int) -> dict[str, Any]:
    return {"Meta": page_meta(query.page, query.page_size, total), "Items": items}


def paging(request: Request) -> tuple[int, int]:
    """``page``/``pageSize`` for list endpoints that take no filters (assignment lists)."""
    params = {k.lower(): v for k, v in request.query_params.items()}
    page_raw, size_raw = params.get("page") or "1", params.get("pagesize") or str(DEFAULT_PAGE_SIZE)
    if not page_raw.isdigit() or not 1 <= int(page_raw) <= MAX_PAGE:
        raise ListQueryError(
            "List.InvalidPage", "page must be an integer greater than or equal to 1."
        )
    if not size_raw.isdigit() or not 1 <= int(size_raw) <= MAX_PAGE_SIZE:
        raise ListQueryError(
            "List.InvalidPageSize", "pageSize must be an integer between 1 and 100."
        )
    return int(page_raw), int(size_raw)


def query_param(request: Request, name: str) -> str | None:
    """A query parameter matched case-insensitively; empty means absent."""
    wanted = name.lower()
    for key, value in request.query_params.multi_items():
        if key.lower() == wanted and value != "":
            return value
    return None
