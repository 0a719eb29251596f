"""Fill a marketplace with buyer data: ``python bench/seed.py --database-url U --marketplace-id M``.

The "loaded" benchmark asks what marketplace data costs the hot paths, so the rows must
be there before the load starts and must cost little time to make. Going through the
HTTP API would hash ~20,000 passwords (argon2id, ~20 ms each) and take minutes; instead
this inserts straight into ``gatehouse.storage.models`` tables with SQLAlchemy Core
executemany batches, one transaction per batch, identically on SQLite and PostgreSQL.
One password is hashed once and that hash is reused for every seeded user.

The data, deterministic so runs compare (see ``Plan`` for the numbers):

- buyers ``b0000``..``b0999`` (active), 10 users each (``b0000-u0``..``b0000-u9``);
- one extra buyer ``big`` with 10,000 users ``biguser00001``.. whose LastName is exactly
  10 % ``Smith`` or ``Smithers`` (so ``LastName=Smith*`` matches 1,000), FirstName,
  Email, Phone and xp varied;
- 100 security profiles (Shopper, MeAdmin, OrderReader, ... ; every third one with
  custom roles), assigned at company level (every buyer), group level (4 per group) and
  user level (2 users per buyer);
- one user group per buyer for the first 500 buyers, all 10 users members;
- an API client with AllowAnyBuyer=true, for buyer logins.

The login user (``LOGIN_USERNAME``) has company-, group- and user-level profiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from gatehouse.crypto import PasswordHasher
from gatehouse.domain.ids import new_client_id
from gatehouse.settings import Settings
from gatehouse.storage.db import create_engine, is_sqlite
from gatehouse.storage.models import (
    ApiClientRow,
    Base,
    BuyerRow,
    SecurityProfileAssignmentRow,
    SecurityProfileRow,
    UserGroupAssignmentRow,
    UserGroupRow,
    UserRow,
)

Row = dict[str, Any]

BATCH_ROWS = 2000
"""Rows per transaction: large enough that commits (fsync) are rare, small enough that
no single transaction holds SQLite's write lock for long."""

BIG_BUYER_ID = "big"
LOGIN_BUYER_INDEX = 250
"""Below ``Plan.groups`` (so in a group) and, as user 0, one of the user-level holders."""
LOGIN_USERNAME = f"b{LOGIN_BUYER_INDEX:04d}-u0"

FIRST_NAMES = (
    "Alice", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
    "Kemal", "Lena", "Marta", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tariq",
)  # fmt: skip
LAST_NAMES = (
    "Anders", "Baker", "Clarke", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova",
    "Jensen", "Kowalski", "Lopez", "Smith", "Moreau", "Nakamura", "Olsen", "Smithers",
    "Petrov", "Rossi", "Tanaka",
)  # fmt: skip
"""Exactly two of the twenty start with "Smith", so ``LastName=Smith*`` matches 10 %."""
DOMAINS = ("example.com", "example.org", "example.net", "corp.example", "shop.example")
DEPARTMENTS = ("Sales", "Purchasing", "Finance", "Operations", "IT")

ROLE_SETS: tuple[tuple[str, ...], ...] = (
    ("Shopper",),
    ("MeAdmin",),
    ("OrderReader",),
    ("Shopper", "MeAdmin"),
    ("Shopper", "MeAddressAdmin", "MeXpAdmin"),
    ("OrderReader", "AddressReader"),
    ("MeCreditCardAdmin",),
    ("Shopper", "OrderReader", "MeAdmin"),
    ("BuyerUserReader",),
    ("PasswordReset",),
)


@dataclass(frozen=True)
class Plan:
    """How much data; the defaults are the benchmark's "loaded" marketplace."""

    buyers: int = 1000
    users_per_buyer: int = 10
    big_users: int = 10_000
    profiles: int = 100
    groups: int = 500
    """One group for each of the first ``groups`` buyers, with all of its users."""
    profiles_per_group: int = 4
    user_level_slots: tuple[int, ...] = (0, 5)
    """Which user numbers of every buyer get a user-level profile."""


@dataclass(frozen=True)
class SeedResult:
    """What scenarios need to log in and list, plus what was made and how long it took."""

    marketplace_id: str
    buyer_client_id: str
    anon_client_id: str
    """IsAnonBuyer, its template (default context user) the login user: the anonymous grant."""
    login_username: str
    password: str
    big_buyer_id: str
    big_lastname_smith_prefix: int
    """How many ``big`` users match ``LastName=Smith*``."""
    counts: dict[str, int]
    seconds: float

    def summary(self) -> dict[str, Any]:
        """For printing and the results file: counts and timing, no password or IDs."""
        return {
            "seconds": self.seconds,
            "counts": self.counts,
            "big_lastname_smith_prefix": self.big_lastname_smith_prefix,
        }


def buyer_id(index: int) -> str:
    return f"b{index:04d}"


def user_id(buyer: str, number: int) -> str:
    """Also the username, so a seeded buyer user is easy to find by hand."""
    return f"{buyer}-u{number}"


def profile_id(index: int) -> str:
    return f"sp{index:03d}"


def group_id(buyer: str) -> str:
    return f"{buyer}-g"


# --- rows ---------------------------------------------------------------------------------


def buyer_rows(plan: Plan, marketplace_id: str, now: datetime) -> list[Row]:
    ids = [buyer_id(i) for i in range(plan.buyers)] + [BIG_BUYER_ID]
    return [
        {
            "marketplace_id": marketplace_id,
            "id": bid,
            "name": f"Buyer {bid}",
            "active": True,
            "xp": None,
            "created_at": now,
        }
        for bid in ids
    ]


def _user_row(
    marketplace_id: str, company: str, external_id: str, username: str, now: datetime
) -> Row:
    """Columns every seeded user shares; callers fill names, email, phone and xp."""
    return {
        "marketplace_id": marketplace_id,
        "user_type": "buyer",
        "company_id": company,
        "external_id": external_id,
        "username": username,
        "username_key": username.casefold(),
        "active": True,
        "failed_login_attempts": 0,
        "locked_until": None,
        "password_last_set": now,
        "created_at": now,
    }


def small_buyer_users(plan: Plan, marketplace_id: str, pw_hash: str, now: datetime) -> list[Row]:
    rows = []
    for i in range(plan.buyers):
        company = buyer_id(i)
        for n in range(plan.users_per_buyer):
            uid = user_id(company, n)
            seq = i * plan.users_per_buyer + n
            row = _user_row(marketplace_id, company, uid, uid, now)
            row.update(
                password_hash=pw_hash,
                first_name=FIRST_NAMES[seq % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(seq // len(FIRST_NAMES)) % len(LAST_NAMES)],
                email=f"{uid}@{DOMAINS[i % len(DOMAINS)]}",
                phone=None,
                xp=None,
            )
            rows.append(row)
    return rows


def big_buyer_users(plan: Plan, marketplace_id: str, pw_hash: str, now: datetime) -> list[Row]:
    """LastName cycles with the number and FirstName with number // 20, so the two vary
    independently and every (first, last) pair occurs; usernames sort differently from
    last names, which keeps sortBy=Username and sortBy=LastName from being the same scan."""
    rows = []
    for k in range(1, plan.big_users + 1):
        first = FIRST_NAMES[(k // len(LAST_NAMES)) % len(FIRST_NAMES)]
        last = LAST_NAMES[k % len(LAST_NAMES)]
        row = _user_row(marketplace_id, BIG_BUYER_ID, f"big-{k:05d}", f"biguser{k:05d}", now)
        row.update(
            password_hash=pw_hash,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}.{k}@{DOMAINS[k % len(DOMAINS)]}".lower(),
            phone=f"+1-555-{k % 10_000:04d}",
            xp={"Department": DEPARTMENTS[k % len(DEPARTMENTS)], "EmployeeNumber": k},
        )
        rows.append(row)
    return rows


def profile_rows(plan: Plan, marketplace_id: str, now: datetime) -> list[Row]:
    return [
        {
            "marketplace_id": marketplace_id,
            "id": profile_id(i),
            "name": f"Bench profile {i:03d}",
            "roles": list(ROLE_SETS[i % len(ROLE_SETS)]),
            "custom_roles": [f"custom-{i % 7}", f"custom-x{i}"] if i % 3 == 0 else [],
            "password_config": None,
            "created_at": now,
        }
        for i in range(plan.profiles)
    ]


def group_rows(plan: Plan, marketplace_id: str, now: datetime) -> list[Row]:
    return [
        {
            "marketplace_id": marketplace_id,
            "owner_type": "buyer",
            "company_id": buyer_id(i),
            "id": group_id(buyer_id(i)),
            "name": f"Group of {buyer_id(i)}",
            "description": None,
            "xp": None,
            "created_at": now,
        }
        for i in range(plan.groups)
    ]


def _assignment(
    marketplace_id: str, profile: str, buyer: str, user: str = "", group: str = ""
) -> Row:
    return {
        "marketplace_id": marketplace_id,
        "security_profile_id": profile,
        "buyer_id": buyer,
        "supplier_id": "",
        "user_id": user,
        "user_group_id": group,
    }


def company_assignments(plan: Plan, marketplace_id: str) -> list[Row]:
    """One profile per buyer, ``big`` included (it gets Shopper, profile 0)."""
    rows = [
        _assignment(marketplace_id, profile_id(i % plan.profiles), buyer_id(i))
        for i in range(plan.buyers)
    ]
    rows.append(_assignment(marketplace_id, profile_id(0), BIG_BUYER_ID))
    return rows


def group_assignments(plan: Plan, marketplace_id: str) -> list[Row]:
    rows = []
    for i in range(plan.groups):
        company = buyer_id(i)
        for k in range(plan.profiles_per_group):
            profile = profile_id((i * plan.profiles_per_group + k) % plan.profiles)
            rows.append(_assignment(marketplace_id, profile, company, group=group_id(company)))
    return rows


def user_assignments(plan: Plan, marketplace_id: str) -> list[Row]:
    rows = []
    for i in range(plan.buyers):
        company = buyer_id(i)
        for n in plan.user_level_slots:
            profile = profile_id((i * len(plan.user_level_slots) + n) % plan.profiles)
            rows.append(_assignment(marketplace_id, profile, company, user=user_id(company, n)))
    return rows


def membership_rows(plan: Plan, marketplace_id: str, internal_ids: Mapping[str, int]) -> list[Row]:
    """user_group_assignments reference users by ``users.id``, known only after insert."""
    rows = []
    for i in range(plan.groups):
        company = buyer_id(i)
        for n in range(plan.users_per_buyer):
            rows.append(
                {
                    "marketplace_id": marketplace_id,
                    "owner_type": "buyer",
                    "company_id": company,
                    "user_group_id": group_id(company),
                    "user_internal_id": internal_ids[user_id(company, n)],
                }
            )
    return rows


def buyer_client_row(marketplace_id: str, client_id: str, now: datetime) -> Row:
    """Only buyer logins use it; the model's defaults fill the remaining columns."""
    return {
        "id": client_id,
        "marketplace_id": marketplace_id,
        "app_name": "Bench buyer client (AllowAnyBuyer)",
        "client_secret": None,
        "access_token_duration": 600,
        "allow_any_buyer": True,
        "allow_seller": False,
        "active": True,
        "created_at": now,
    }


def anon_client_row(marketplace_id: str, client_id: str, now: datetime) -> Row:
    """An anonymous-shopping client (no secret) whose template is the login user."""
    return {
        **buyer_client_row(marketplace_id, client_id, now),
        "app_name": "Bench anonymous client (IsAnonBuyer)",
        "is_anon_buyer": True,
        "default_context_username": LOGIN_USERNAME,
    }


# --- writing ------------------------------------------------------------------------------


def batches(rows: Sequence[Row], size: int = BATCH_ROWS) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def insert_rows(engine: AsyncEngine, table: type[Base], rows: Sequence[Row]) -> int:
    """executemany per batch, each batch its own transaction (BEGIN IMMEDIATE on SQLite)."""
    for chunk in batches(rows):
        async with engine.begin() as conn:
            await conn.execute(insert(table), list(chunk))
    return len(rows)


async def buyer_internal_ids(engine: AsyncEngine, marketplace_id: str) -> dict[str, int]:
    """External user ID → ``users.id`` for the marketplace's buyer users."""
    stmt = select(UserRow.external_id, UserRow.id).where(
        UserRow.marketplace_id == marketplace_id, UserRow.user_type == "buyer"
    )
    async with engine.connect() as conn:
        return {str(external): int(internal) for external, internal in await conn.execute(stmt)}


async def analyze(engine: AsyncEngine) -> None:
    """PostgreSQL's autovacuum would ANALYZE these fresh tables within about a minute; doing
    it now makes the plans the same on every run instead of depending on timing. SQLite has
    no automatic ANALYZE (and Gatehouse runs none), so it is left as a deployment has it."""
    if engine.dialect.name == "sqlite":
        return
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))


async def hash_once(password: str) -> str:
    """One argon2id hash for every seeded user: hashing 20,000 would take minutes."""
    return await PasswordHasher().hash(password)


async def write_all(
    engine: AsyncEngine,
    plan: Plan,
    marketplace_id: str,
    pw_hash: str,
    client_id: str,
    anon_client_id: str,
) -> dict[str, int]:
    """Insert in foreign-key order; memberships last, once users have their ids."""
    now = datetime.now(UTC)
    counts = {
        "buyers": await insert_rows(engine, BuyerRow, buyer_rows(plan, marketplace_id, now)),
        "users": await insert_rows(
            engine, UserRow, small_buyer_users(plan, marketplace_id, pw_hash, now)
        ),
        "big_users": await insert_rows(
            engine, UserRow, big_buyer_users(plan, marketplace_id, pw_hash, now)
        ),
        "security_profiles": await insert_rows(
            engine, SecurityProfileRow, profile_rows(plan, marketplace_id, now)
        ),
        "user_groups": await insert_rows(
            engine, UserGroupRow, group_rows(plan, marketplace_id, now)
        ),
        "company_assignments": await insert_rows(
            engine, SecurityProfileAssignmentRow, company_assignments(plan, marketplace_id)
        ),
        "group_assignments": await insert_rows(
            engine, SecurityProfileAssignmentRow, group_assignments(plan, marketplace_id)
        ),
        "user_assignments": await insert_rows(
            engine, SecurityProfileAssignmentRow, user_assignments(plan, marketplace_id)
        ),
    }
    ids = await buyer_internal_ids(engine, marketplace_id)
    counts["memberships"] = await insert_rows(
        engine, UserGroupAssignmentRow, membership_rows(plan, marketplace_id, ids)
    )
    counts["api_clients"] = await insert_rows(
        engine, ApiClientRow, [buyer_client_row(marketplace_id, client_id, now)]
    )
    # A separate executemany: its rows have more keys than the first one's.
    counts["api_clients"] += await insert_rows(
        engine, ApiClientRow, [anon_client_row(marketplace_id, anon_client_id, now)]
    )
    return counts


def async_url(url: str) -> str:
    """Gatehouse's own mapping (sqlite:// → aiosqlite, postgresql:// → asyncpg)."""
    return Settings(database_url=url).effective_database_url


async def seed(
    database_url: str, marketplace_id: str, password: str, plan: Plan | None = None
) -> SeedResult:
    """Seed ``marketplace_id`` (which must exist and hold no buyers yet); timed end to end,
    hashing included."""
    plan = plan or Plan()
    started = time.perf_counter()
    engine = create_engine(async_url(database_url), immediate=True)
    client_id, anon_client_id = new_client_id(), new_client_id()
    try:
        pw_hash = await hash_once(password)
        counts = await write_all(engine, plan, marketplace_id, pw_hash, client_id, anon_client_id)
        await analyze(engine)
    finally:
        await engine.dispose()
    smiths = sum(
        1
        for k in range(1, plan.big_users + 1)
        if LAST_NAMES[k % len(LAST_NAMES)].startswith("Smith")
    )
    return SeedResult(
        marketplace_id=marketplace_id,
        buyer_client_id=client_id,
        anon_client_id=anon_client_id,
        login_username=LOGIN_USERNAME,
        password=password,
        big_buyer_id=BIG_BUYER_ID,
        big_lastname_smith_prefix=smiths,
        counts=counts,
        seconds=round(time.perf_counter() - started, 2),
    )


def print_summary(result: SeedResult, database_url: str) -> None:
    kind = "sqlite" if is_sqlite(database_url) else "postgresql"
    made = ", ".join(f"{n} {name}" for name, n in result.counts.items())
    print(f"# seeded ({kind}) in {result.seconds:.2f} s: {made}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    p.add_argument("--database-url", required=True, help="sqlite:///path or postgresql://...")
    p.add_argument("--marketplace-id", required=True, help="from gatehouse marketplace create")
    p.add_argument("--password", default=None, help="for every seeded user (default: random)")
    args = p.parse_args(argv)
    password = args.password or f"Seed-{secrets.token_hex(8)}-Aa1"
    result = asyncio.run(seed(args.database_url, args.marketplace_id, password))
    print_summary(result, args.database_url)
    print(json.dumps(asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
