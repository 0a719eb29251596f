"""Does a wrong password take longer for an existing user than for an unknown username?

    python bench/login_timing.py [--pairs 400] [--database-url postgresql://…] [--out f.json]

Starts ``gatehouse serve`` (one worker) on a fresh database, creates admin users with
passwords, then sends interleaved pairs of password grants with a wrong password: one for an
existing user, one for a username that does not exist, in a random order within each pair.
On a shared, noisy machine the noise then hits both halves of a pair alike. Each known user
gets at most ``--per-user`` wrong guesses (below the lockout's 10), each unknown username is
fresh, so neither the lockout nor the per-username throttle changes the path measured.

``--warm``: before each pair the existing user logs in with the right password, and its wrong
guess comes first, so it is answered from the process's login cache (``oauth/login_records``)
while the unknown username's is read from the database: what a first guess at a user who
logged in lately meets. A cached login waits as long as a recent miss took; this shows
whether that hides it. The first login of a pair is a little slower whatever it is, so compare
``--warm`` with ``--known-first`` (the same order, both read from the database: the unknown
username's wrong guess of the pair before moved the lockout generation).

Reported: the median of each side, the median of the paired differences, the fraction of
pairs in which the existing user was slower (0.5 = indistinguishable), a Wilcoxon
signed-rank test on the pairs and a Mann–Whitney U test on the two samples (normal
approximations; p < 0.05 means the difference is detectable).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import secrets
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from harness import (
    create_marketplace,
    fresh_database,
    gatehouse_server,
    password_token,
    signals_as_exit,
    strong_password,
)

WRONG = "Wrong-Passw0rd-Wrong"


@dataclass(frozen=True)
class Summary:
    database: str
    pairs: int
    known_median_ms: float
    unknown_median_ms: float
    paired_difference_median_ms: float
    known_slower_fraction: float
    wilcoxon_z: float
    wilcoxon_p: float
    mann_whitney_u: float
    mann_whitney_z: float
    mann_whitney_p: float


def ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing their average rank."""
    order = sorted(range(len(values)), key=values.__getitem__)
    result = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            result[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return result


def two_sided_p(z: float) -> float:
    return math.erfc(abs(z) / math.sqrt(2))


def wilcoxon(differences: Sequence[float]) -> tuple[float, float]:
    """Signed-rank test that the paired differences are centred on 0: (z, p)."""
    nonzero = [d for d in differences if d != 0]
    n = len(nonzero)
    if n == 0:
        return 0.0, 1.0
    ranked = ranks([abs(d) for d in nonzero])
    w_plus = sum(r for r, d in zip(ranked, nonzero, strict=True) if d > 0)
    mean = n * (n + 1) / 4
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24)
    z = (w_plus - mean) / sd
    return z, two_sided_p(z)


def mann_whitney(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """U of ``a`` against ``b``, its z and two-sided p."""
    ranked = ranks([*a, *b])
    u = sum(ranked[: len(a)]) - len(a) * (len(a) + 1) / 2
    mean = len(a) * len(b) / 2
    sd = math.sqrt(len(a) * len(b) * (len(a) + len(b) + 1) / 12)
    z = (u - mean) / sd
    return u, z, two_sided_p(z)


def summarise(database: str, known: list[float], unknown: list[float]) -> Summary:
    differences = [k - u for k, u in zip(known, unknown, strict=True)]
    w_z, w_p = wilcoxon(differences)
    u, u_z, u_p = mann_whitney(known, unknown)
    return Summary(
        database=database,
        pairs=len(known),
        known_median_ms=round(statistics.median(known) * 1000, 3),
        unknown_median_ms=round(statistics.median(unknown) * 1000, 3),
        paired_difference_median_ms=round(statistics.median(differences) * 1000, 3),
        known_slower_fraction=round(sum(d > 0 for d in differences) / len(differences), 3),
        wilcoxon_z=round(w_z, 2),
        wilcoxon_p=w_p,
        mann_whitney_u=u,
        mann_whitney_z=round(u_z, 2),
        mann_whitney_p=u_p,
    )


def create_users(http: httpx.Client, token: str, count: int) -> dict[str, str]:
    """Usernames and their passwords."""
    names = {}
    for index in range(count):
        name = f"timing-{index}-{secrets.token_hex(3)}"
        password = strong_password()
        body = {
            "ID": name,
            "Username": name,
            "Password": password,
            "FirstName": "T",
            "LastName": "U",
            "Email": f"{name}@example.com",
            "Active": True,
        }
        created = http.post(
            "/v1/adminusers", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        if created.status_code != 201:
            raise RuntimeError(f"user create failed: {created.status_code} {created.text}")
        names[name] = password
    return names


def timed_login(http: httpx.Client, client_id: str, username: str) -> float:
    form = {"grant_type": "password", "client_id": client_id, "username": username}
    started = time.perf_counter()
    response = http.post("/oauth/token", data={**form, "password": WRONG})
    elapsed = time.perf_counter() - started
    if response.status_code != 400 or response.json()["error"] != "invalid_grant":
        raise RuntimeError(f"unexpected answer: {response.status_code} {response.text}")
    return elapsed


def right_login(http: httpx.Client, client_id: str, username: str, password: str) -> None:
    form = {"grant_type": "password", "client_id": client_id, "username": username}
    response = http.post("/oauth/token", data={**form, "password": password})
    if response.status_code != 200:
        raise RuntimeError(f"login failed: {response.status_code} {response.text}")


def measure(
    http: httpx.Client,
    client_id: str,
    users: dict[str, str],
    pairs: int,
    per_user: int,
    *,
    warm: bool = False,
    known_first: bool = False,
) -> tuple[list[float], list[float]]:
    rng = random.Random(secrets.randbits(64))
    known: list[float] = []
    unknown: list[float] = []
    names = list(users)
    for index in range(pairs):
        user = names[index // per_user]
        stranger = f"nobody-{secrets.token_hex(6)}"
        if warm:  # the right password clears the count too: the lockout never comes near
            right_login(http, client_id, user, users[user])
        if warm or known_first or rng.random() < 0.5:
            known.append(timed_login(http, client_id, user))
            unknown.append(timed_login(http, client_id, stranger))
        else:
            unknown.append(timed_login(http, client_id, stranger))
            known.append(timed_login(http, client_id, user))
    return known, unknown


def run(args: argparse.Namespace) -> Summary:
    with fresh_database(args.database_url) as db, gatehouse_server(db, workers=1) as server:
        creds = create_marketplace(db)
        token = password_token(server.base_url, creds)
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            users = create_users(http, token, math.ceil(args.pairs / args.per_user))
            for _ in range(args.warmup):  # connections, caches and the JIT-less warm path
                timed_login(http, creds["ApiClientID"], f"warmup-{secrets.token_hex(4)}")
            known, unknown = measure(
                http,
                creds["ApiClientID"],
                users,
                args.pairs,
                args.per_user,
                warm=args.warm,
                known_first=args.known_first,
            )
        return summarise(db.kind, known, unknown)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=400)
    parser.add_argument("--per-user", type=int, default=8, choices=range(1, 10))
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--warm", action="store_true", help="known user's guess from the cache")
    parser.add_argument("--known-first", action="store_true", help="the order --warm uses")
    args = parser.parse_args()
    with signals_as_exit():
        summary = run(args)
    for key, value in asdict(summary).items():
        print(f"{key:30} {value}")
    if args.out is not None:
        args.out.write_text(json.dumps(asdict(summary), indent=2) + "\n")


if __name__ == "__main__":
    main()
