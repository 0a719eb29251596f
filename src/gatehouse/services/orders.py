"""Orders, as far as a cart needs them (spec §6.2): create, get, patch, delete and list, in
the Incoming (to the caller's organisation) and Outgoing (from it) directions.

Only buyer users create orders, always Outgoing from their buyer to the marketplace owner.
Who sees what (a ``Visibility``, applied in SQL):

- seller users: Incoming = every order to the marketplace; Outgoing = none (orders to
  suppliers are not supported);
- buyer users with OrderAdmin (or OrderReader, for reads) or FullAccess: their buyer's orders;
  with Shopper only: their own orders; Incoming = none;
- anonymous users (a token with ``orderid``): only the still-anonymous order created under
  their ``orderid``; they may create only that order (ID omitted or equal to it, else 403
  ``Auth.AnonUserProhibited``) and never rename it;
- supplier users: none.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gatehouse.domain.errors import (
    AnonUserProhibitedError,
    IdExistsError,
    InvalidInputError,
    NotFoundError,
)
from gatehouse.domain.ids import is_valid_id, new_object_id
from gatehouse.domain.listing import ListQuery
from gatehouse.domain.roles import ApiRole, satisfies
from gatehouse.domain.users import UserType
from gatehouse.domain.xp import deep_merge, validate_xp
from gatehouse.storage.queries import orders
from gatehouse.storage.queries.orders import Order, Visibility

if TYPE_CHECKING:
    from gatehouse.services.registry import ServiceDeps

OBJECT_TYPE = "Order"
UNSUBMITTED = "Unsubmitted"
MAX_COMMENTS_LENGTH = 2000


class Direction(enum.Enum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"
    ALL = "all"


def parse_direction(value: str, *, allow_all: bool = False) -> Direction:
    """``Incoming``/``Outgoing`` (``All`` for lists), case-insensitively; else 404, as for a
    path that names nothing."""
    try:
        direction = Direction(value.lower())
    except ValueError:
        raise NotFoundError("OrderDirection", value) from None
    if direction is Direction.ALL and not allow_all:
        raise NotFoundError("OrderDirection", value)
    return direction


@dataclass(frozen=True, slots=True)
class Actor:
    """The caller, as orders see it. Anonymous callers act as their template user."""

    marketplace_id: str
    user_type: UserType
    user_internal_id: int
    company_id: str | None
    roles: frozenset[str]
    anonymous_key: str | None = None
    anonymous_expires_at: datetime | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.anonymous_key is not None


def visibility(
    actor: Actor, direction: Direction, *, write: bool = False
) -> tuple[Visibility, ...]:
    mp = actor.marketplace_id
    nothing = Visibility(mp, nothing=True)
    if direction is Direction.ALL:
        return (
            *visibility(actor, Direction.INCOMING, write=write),
            *visibility(actor, Direction.OUTGOING, write=write),
        )
    if direction is Direction.INCOMING:
        return (Visibility(mp, to_company_id=mp),) if actor.user_type is UserType.ADMIN else ()
    if actor.user_type is not UserType.BUYER or not actor.company_id:
        return (nothing,)
    if actor.anonymous_key is not None:
        return (Visibility(mp, anonymous_key=actor.anonymous_key),)
    company_wide = [ApiRole.OrderAdmin] if write else [ApiRole.OrderAdmin, ApiRole.OrderReader]
    if satisfies(actor.roles, company_wide):
        return (Visibility(mp, from_company_id=actor.company_id),)
    return (Visibility(mp, from_company_id=actor.company_id, from_user=actor.user_internal_id),)


def my_visibility(actor: Actor) -> Visibility:
    """``GET /me/orders``: the caller's own orders; an anonymous caller's own cart at most."""
    if actor.anonymous_key is not None:
        return Visibility(actor.marketplace_id, anonymous_key=actor.anonymous_key)
    return Visibility(actor.marketplace_id, from_user=actor.user_internal_id)


@dataclass(frozen=True, slots=True)
class DateRange:
    """The ``from``/``to`` list parameters: bounds on ``DateCreated`` (orders are never
    submitted here, so Incoming lists use the creation date too)."""

    start: datetime | None = None
    end: datetime | None = None


def parse_date_range(start: str | None, end: str | None) -> DateRange:
    return DateRange(_date_bound("from", start), _date_bound("to", end))


def _date_bound(name: str, value: str | None) -> datetime | None:
    """ISO 8601 date or date-time, naive meaning UTC; anything else is 400."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        raise InvalidInputError(
            message=f"{name} must be an ISO 8601 date or date-time.", data={"Field": name}
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class OrderService:
    """Orders seen and written by sellers, buyers, suppliers and anonymous shoppers."""

    def __init__(self, deps: ServiceDeps) -> None:
        self._db = deps.db
        self._clock = deps.clock

    async def list_page(
        self,
        actor: Actor,
        direction: Direction,
        query: ListQuery,
        dates: DateRange = DateRange(),
    ) -> tuple[list[Order], int]:
        visible = visibility(actor, direction) or (Visibility(actor.marketplace_id, nothing=True),)
        async with self._db.read() as session:
            return await orders.list_page(
                session,
                visible=visible,
                query=query,
                created_from=dates.start,
                created_to=dates.end,
            )

    async def list_mine(
        self, actor: Actor, query: ListQuery, dates: DateRange = DateRange()
    ) -> tuple[list[Order], int]:
        async with self._db.read() as session:
            return await orders.list_page(
                session,
                visible=my_visibility(actor),
                query=query,
                created_from=dates.start,
                created_to=dates.end,
            )

    async def get(self, actor: Actor, direction: Direction, order_id: str) -> Order:
        async with self._db.read() as session:
            return await _require(session, actor, direction, order_id, write=False)

    async def create(self, actor: Actor, direction: Direction, fields: dict[str, Any]) -> Order:
        if direction is not Direction.OUTGOING or actor.user_type is not UserType.BUYER:
            raise InvalidInputError(
                message="Orders are created by buyer users, as Outgoing orders.",
                data={"Field": "direction"},
            )
        order_id = fields.get("id") or actor.anonymous_key or new_object_id()
        if actor.is_anonymous and order_id != actor.anonymous_key:
            raise AnonUserProhibitedError(data={"OrderID": order_id})
        now = self._clock.now()
        order = _build(
            order_id,
            fields,
            Order(
                id=order_id,
                from_company_id=actor.company_id or "",
                to_company_id=actor.marketplace_id,
                status=UNSUBMITTED,
                created_at=now,
                last_updated=now,
            ),
        )
        _check_to_company(actor, fields)
        async with self._db.write() as session:
            await _insert_new(session, actor, order)
            created = await orders.get(
                session, marketplace_id=actor.marketplace_id, order_id=order.id
            )
        assert created is not None
        return created

    async def patch(
        self,
        actor: Actor,
        direction: Direction,
        order_id: str,
        changes: dict[str, Any],
    ) -> Order:
        """Only the sent writable fields change (``ID``, ``Comments``, ``xp`` deep-merged)."""
        _check_to_company(actor, changes)
        async with self._db.write() as session:
            current = await _require(session, actor, direction, order_id, write=True)
            new_id = changes.get("id") or current.id
            if actor.is_anonymous and new_id != current.id:
                raise AnonUserProhibitedError(data={"OrderID": new_id})
            merged = {"comments": current.comments, "xp": current.xp, **changes}
            if "xp" in changes:
                merged["xp"] = deep_merge(current.xp, changes["xp"])
            order = _build(new_id, merged, current)
            order.last_updated = self._clock.now()
            if order.id != current.id and await orders.exists(
                session, marketplace_id=actor.marketplace_id, order_id=order.id
            ):
                raise IdExistsError(OBJECT_TYPE, order.id)
            try:
                await orders.save(
                    session, marketplace_id=actor.marketplace_id, current_id=current.id, order=order
                )
            except IntegrityError as exc:
                raise IdExistsError(OBJECT_TYPE, order.id) from exc
            saved = await orders.get(
                session, marketplace_id=actor.marketplace_id, order_id=order.id
            )
        assert saved is not None
        return saved

    async def delete(self, actor: Actor, direction: Direction, order_id: str) -> None:
        async with self._db.write() as session:
            current = await _require(session, actor, direction, order_id, write=True)
            await orders.delete_order(
                session, marketplace_id=actor.marketplace_id, order_id=current.id
            )


def _build(order_id: str, fields: dict[str, Any], base: Order) -> Order:
    if not is_valid_id(order_id):
        raise InvalidInputError(
            message="ID may contain only letters, digits, - and _, up to 100 characters.",
            data={"Field": "ID"},
        )
    comments = fields.get("comments")
    if comments is not None and len(comments) > MAX_COMMENTS_LENGTH:
        raise InvalidInputError(
            message=f"Comments may not exceed {MAX_COMMENTS_LENGTH} characters.",
            data={"Field": "Comments"},
        )
    xp = fields.get("xp")
    validate_xp(xp, len(json.dumps(xp)))
    return Order(
        id=order_id,
        from_company_id=base.from_company_id,
        to_company_id=base.to_company_id,
        status=base.status,
        created_at=base.created_at,
        last_updated=base.last_updated,
        comments=comments,
        xp=xp,
        from_user=base.from_user,
    )


def _check_to_company(actor: Actor, fields: dict[str, Any]) -> None:
    """Orders go to the marketplace owner only (orders to suppliers are not supported)."""
    to = fields.get("to_company_id")
    if to is not None and to != actor.marketplace_id:
        raise InvalidInputError(
            message="ToCompanyID must be the marketplace owner's ID.",
            data={"Field": "ToCompanyID"},
        )


async def _require(
    session: AsyncSession, actor: Actor, direction: Direction, order_id: str, *, write: bool
) -> Order:
    """The order if the caller reaches it in ``direction``; else 404 (existence is not
    revealed). An anonymous caller names its order by its ``orderid`` only."""
    if actor.anonymous_key is not None and order_id != actor.anonymous_key:
        raise NotFoundError(OBJECT_TYPE, order_id)
    for visible in visibility(actor, direction, write=write):
        found = await orders.find(session, visible=visible, order_id=order_id)
        if found is not None:
            return found
    raise NotFoundError(OBJECT_TYPE, order_id)


async def _insert_new(session: AsyncSession, actor: Actor, order: Order) -> None:
    """Insert the order; 409 ``IdExists`` when its ID, or the anonymous shopper's order key,
    is taken (checked first, and again by the constraint should a concurrent create win)."""
    taken = await orders.exists(session, marketplace_id=actor.marketplace_id, order_id=order.id)
    if taken or (
        actor.anonymous_key
        and await orders.key_taken(
            session, marketplace_id=actor.marketplace_id, key=actor.anonymous_key
        )
    ):
        raise IdExistsError(OBJECT_TYPE, order.id)
    try:
        await orders.insert(
            session,
            marketplace_id=actor.marketplace_id,
            order=order,
            from_user_internal_id=actor.user_internal_id,
            anonymous_key=actor.anonymous_key,
            anonymous_expires_at=actor.anonymous_expires_at,
        )
    except IntegrityError as exc:
        raise IdExistsError(OBJECT_TYPE, order.id) from exc
