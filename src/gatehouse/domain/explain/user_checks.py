"""Explain's checks of the user: exists and visible, lockout, the access decision and the
password policy, in the token endpoint's order."""

from __future__ import annotations

from datetime import datetime, timedelta

from gatehouse.domain.access import (
    CLIENT_ALLOWS_USER,
    COMPANY_ACTIVE,
    DCU_NOT_FOUND,
    USER_ACTIVE,
    access_rules,
)
from gatehouse.domain.api_clients import ApiClient
from gatehouse.domain.explain.model import (
    INVALID_CREDENTIALS,
    NOT_VISIBLE,
    Check,
    ExplainClient,
    ExplainUser,
    GrantType,
    as_context_user,
    fail_check,
    grant_name,
    iso,
    pass_check,
    refusal_check,
)
from gatehouse.domain.lockout import UNTIL_UNLOCKED, is_locked, lockout_policy
from gatehouse.domain.passwords import PasswordConfig, password_expired, policy_of
from gatehouse.domain.users import UserIdentity, UserType


def user_exists(grant_type: GrantType, client: ApiClient, user: ExplainUser | None) -> Check:
    if as_context_user(grant_type):
        name = client.default_context_username
        role = "template user" if grant_type is GrantType.ANONYMOUS else "default context user"
        if not name:
            return Check("UserExists", None, f"not checked: the client has no {role}")
        if user is None:
            return fail_check("UserExists", f"{role} {name!r} {NOT_VISIBLE}", DCU_NOT_FOUND.code)
        return pass_check("UserExists", f"{role} {name!r}: {who(user.identity)}")
    if user is None:
        return fail_check("UserExists", f"user {NOT_VISIBLE}", INVALID_CREDENTIALS)
    if grant_type is GrantType.SSO:
        return pass_check("UserExists", f"{who(user.identity)} (SSO needs no password)")
    if not user.has_password:
        return fail_check(
            "UserExists",
            f"{who(user.identity)} has no password: a password login cannot succeed",
            INVALID_CREDENTIALS,
        )
    return pass_check("UserExists", f"{who(user.identity)} has a password (not shown)")


def who(identity: UserIdentity) -> str:
    if identity.user_type is UserType.ADMIN:
        return f"seller user {identity.username!r}"
    return f"{identity.user_type.value} user {identity.username!r} of {identity.company_id!r}"


def unchecked(grant_type: GrantType) -> list[Check]:
    """Every user-dependent rule, unevaluated: the same whether the user is missing or hidden."""
    rules = ["Lockout", "MarketplaceActive", CLIENT_ALLOWS_USER, USER_ACTIVE, COMPANY_ACTIVE]
    rules += ["PasswordPolicy", "Roles", "MinimumRoles"]
    return [Check(rule, None, "not checked: no user") for rule in rules]


def lockout(grant_type: GrantType, user: ExplainUser, now: datetime) -> Check:
    if as_context_user(grant_type):
        return Check(
            "Lockout", None, f"not applicable: the {grant_name(grant_type)} involves no password"
        )
    policy = lockout_policy(user.password_config)
    counted = (
        f"{user.lock.failed_attempts} of {policy.allowed_failed_attempts} allowed failed attempts"
    )
    if is_locked(now, user.lock.locked_until):
        until = user.lock.locked_until
        when = (
            "until an administrator unlocks the user"
            if until == UNTIL_UNLOCKED
            else f"until {iso(until)}"
        )
        return fail_check("Lockout", f"locked {when} ({counted})", "Auth.LockedOut")
    lasts = (
        "until an administrator unlocks"
        if policy.duration is None
        else f"for {int(policy.duration.total_seconds() // 60)} minute(s)"
    )
    return pass_check("Lockout", f"not locked: {counted} counted; reaching the limit locks {lasts}")


def access_checks(client: ExplainClient, identity: UserIdentity) -> list[Check]:
    rules = access_rules(client.access, identity, marketplace_active=client.marketplace_active)
    return [
        refusal_check(
            rule,
            access_detail(rule, client, identity, False),
            refusal,
            access_detail(rule, client, identity, True),
        )
        for rule, refusal in rules
    ]


def access_detail(rule: str, client: ExplainClient, identity: UserIdentity, ok: bool) -> str:
    if rule == CLIENT_ALLOWS_USER:
        return flag_detail(client, identity, ok)
    if rule == USER_ACTIVE:
        return "the user is active" if ok else "the user is inactive (Active false)"
    if rule == COMPANY_ACTIVE:
        if identity.user_type is UserType.ADMIN:
            return "seller users belong to no company"
        state = "active" if ok else "inactive"
        return f"{identity.user_type.value} {identity.company_id!r} is {state}"
    return "the marketplace is active" if ok else "the marketplace is inactive"


def flag_detail(client: ExplainClient, identity: UserIdentity, ok: bool) -> str:
    api_client = client.client
    if identity.user_type is UserType.ADMIN:
        return f"AllowSeller is {str(api_client.allow_seller).lower()}"
    kind = identity.user_type.value
    flag = "AllowAnyBuyer" if identity.user_type is UserType.BUYER else "AllowAnySupplier"
    if getattr(api_client, "allow_any_buyer" if kind == "buyer" else "allow_any_supplier"):
        return f"{flag} is true"
    if ok:
        return f"{flag} is false, but {kind} {identity.company_id!r} is assigned to the client"
    return f"{flag} is false and {kind} {identity.company_id!r} is not assigned to the client"


def password_policy(grant_type: GrantType, user: ExplainUser, now: datetime) -> Check:
    if as_context_user(grant_type):
        return Check(
            "PasswordPolicy",
            None,
            f"not applicable: the {grant_name(grant_type)} involves no password",
        )
    if grant_type is GrantType.SSO:
        return Check("PasswordPolicy", None, "not applicable: SSO involves no password")
    config = user.password_config
    facts = [policy_text(config)]
    age = config.maximum_password_age
    last = user.password_last_set
    if age is None:
        facts.append("no MaximumPasswordAge")
    elif last is None:
        facts.append(f"MaximumPasswordAge {age} day(s); password date unknown (never expires)")
    else:
        facts.append(
            f"MaximumPasswordAge {age} day(s); set {iso(last)}, "
            f"expires {iso(last + timedelta(days=age))}"
        )
    facts.append(
        "the password itself is not checked here: one that no longer meets the policy is "
        "refused with PasswordReset.InsecurePassword"
    )
    detail = "; ".join(facts)
    if password_expired(last, now, config):
        return fail_check("PasswordPolicy", f"password expired: {detail}", "Auth.PasswordExpired")
    return pass_check("PasswordPolicy", detail)


def policy_text(config: PasswordConfig) -> str:
    policy = policy_of(config)
    classes = [
        name
        for name, required in (
            ("upper", policy.upper_required),
            ("lower", policy.lower_required),
            ("digit", policy.digit_required),
            ("special", policy.special_required),
        )
        if required
    ]
    text = f"effective policy: at least {policy.minimum_length} characters"
    if classes:
        text += " with " + ", ".join(classes)
    if policy.max_consecutive_duplicates:
        text += f", at most {policy.max_consecutive_duplicates} repeated characters in a row"
    return text
