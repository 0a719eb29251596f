"""Schemathesis over the whole published document, against a real server, as each kind of
caller: a FullAccess admin, a buyer user, a supplier user, an anonymous shopper and no token.
Responses must match the documented schemas, statuses and content types, and none may be a
5xx (issue 11 point 6). The figures of each run are printed (``pytest -s``) and on failure.

Runs on the session's database backend (SQLite or PostgreSQL), one marketplace per caller;
the callers run in parallel. ``GATEHOUSE_FUZZ_EXAMPLES`` sets the fuzzing phase's examples
per operation (default 4: the coverage phase's own cases come on top).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.contract.fuzzing import Figures, fuzz
from tests.contract.principals import KINDS, principal
from tests.support.server import server

pytestmark = [pytest.mark.slow]


@pytest.fixture
def served(fresh_database_url: str) -> Iterator[tuple[str, str]]:
    """A real server (it migrates the empty database itself), two worker processes."""
    with server(fresh_database_url, workers=2) as (base, _process):
        yield base, fresh_database_url


def test_the_document_holds_for_every_kind_of_caller(
    served: tuple[str, str], tmp_path: Path
) -> None:
    base, database_url = served
    examples = int(os.environ.get("GATEHOUSE_FUZZ_EXAMPLES", "4"))
    with ThreadPoolExecutor(len(KINDS)) as pool:
        runs: list[Figures] = list(
            pool.map(
                lambda kind: fuzz(base, principal(base, database_url, kind), tmp_path, examples),
                KINDS,
            )
        )
    table = "\n".join(run.line() for run in runs)
    print(f"\nschemathesis, {examples} examples per operation:\n{table}")
    for run in runs:
        assert run.cases > 500, table  # the whole document was exercised
        assert not run.failures, f"{table}\n{run.kind}: {run.operations}"
        assert not run.errors, f"{table}\n{run.kind}: {run.errors[:5]}"
