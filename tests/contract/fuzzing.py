"""Running schemathesis (its CLI, in a subprocess) against a real server, and reading its
JSON report into figures: cases, 5xx, schema and status violations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.contract.principals import Principal

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "response_schema_conformance",
    "content_type_conformance",
    "response_headers_conformance",
)
SELF_DESTRUCTIVE = (
    "/v1/me",
    "/v1/me/password",
    "/v1/me/register",
    "/v1/me/tokens",
    "/gatehouse/ratelimits",
)
"""Operations that can take the caller's own access away (revoke its tokens, change its
password, register the anonymous user, throttle the marketplace): fuzzed last, in a pass of
their own, so they do not turn the rest of the run into 401s and 429s."""
SERVER_ERROR = "ServerError"
SCHEMA_VIOLATION = "JsonSchemaError"
STATUS_VIOLATION = "UndefinedStatusCode"
SEED = 20261207
CONFIG = Path(__file__).with_name("schemathesis.toml")
STATEFUL_SCENARIOS = 30


@dataclass
class Figures:
    """One caller's run: test cases, and failures by schemathesis's failure type."""

    kind: str
    cases: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    operations: dict[str, list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"{self.kind:<10} cases={self.cases:<6} 5xx={self.failures[SERVER_ERROR]:<3} "
            f"schema={self.failures[SCHEMA_VIOLATION]:<3} status={self.failures[STATUS_VIOLATION]:<3} "
            f"other={sum(self.failures.values()) - self._counted():<3} errors={len(self.errors)}"
        )

    def _counted(self) -> int:
        return sum(self.failures[k] for k in (SERVER_ERROR, SCHEMA_VIOLATION, STATUS_VIOLATION))


OWN_SURFACE = {
    "buyer": r"^/v1/(me|orders|buyers/\{buyerID\})",
    "supplier": r"^/v1/(me|orders|suppliers/\{supplierID\})",
    "anonymous": r"^/v1/(me|orders)",
    "none": r"^/(oauth|\.well-known|metrics|gatehouse/(health|metrics))",
}
"""Where each non-admin caller gets past the role checks: the coverage phase (boundary and
invalid values of every parameter and property) runs there; elsewhere those callers are
refused before any input is read, so random fuzzing of the whole document suffices."""


def passes(kind: str) -> list[list[str]]:
    """schemathesis arguments of each pass for ``kind``, in order: the self-destructive
    operations last."""
    excluded = [arg for path in SELF_DESTRUCTIVE for arg in ("--exclude-path", path)]
    last = [arg for path in SELF_DESTRUCTIVE for arg in ("--include-path", path)]
    if kind == "admin":
        scenarios = ["--max-examples", str(STATEFUL_SCENARIOS)]
        return [
            # The longest pass: two workers, so it ends with the other callers' runs.
            ["--phases", "coverage,fuzzing", "--workers", "2", *excluded],
            # Create → get → update → delete chains, along the document's links.
            ["--phases", "stateful", *scenarios, *excluded],
            ["--phases", "coverage,fuzzing", *last],
        ]
    own = ["--phases", "coverage", "--include-path-regex", OWN_SURFACE[kind], *excluded]
    return [
        ["--phases", "fuzzing,stateful", *excluded],
        own,
        ["--phases", "coverage,fuzzing", *last],
    ]


def fuzz(base: str, who: Principal, report_dir: Path, max_examples: int) -> Figures:
    """Every pass for one caller; the figures are their sums."""
    figures = Figures(who.kind)
    for number, arguments in enumerate(passes(who.kind)):
        report = report_dir / f"{who.kind}-{number}.json"
        _run(base, who, report, max_examples, arguments)
        _read(report, figures)
    return figures


def _run(base: str, who: Principal, report: Path, max_examples: int, selection: list[str]) -> None:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base}/gatehouse/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--seed",
        str(SEED),
        "--generation-deterministic",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        *selection,
    ]
    if "--workers" not in selection:
        command += ["--workers", "1"]
    if "--max-examples" not in selection:
        command += ["--max-examples", str(max_examples)]
    for name, value in who.headers.items():
        command += ["--header", f"{name}: {value}"]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=dict(os.environ),
        cwd=report.parent,  # schemathesis keeps a cache in its working directory
    )
    assert report.exists(), done.stdout[-4000:] + done.stderr[-4000:]


def _read(report: Path, figures: Figures) -> None:
    data = json.loads(report.read_text())
    figures.cases += int(data["test_cases"]["generated"])
    for failure in data["failures"]:
        figures.failures[failure["type"]] += int(failure["count"])
        figures.operations.setdefault(failure["type"], []).extend(failure["operations"])
    figures.errors.extend(str(error) for error in data["errors"])
