"""Organisation boundaries (spec §2.6, §5.4): which company's data a caller may touch.

Seller (admin) users act for the whole marketplace. A buyer user may act only inside their own
buyer, a supplier user only inside their own supplier, whatever roles they hold.
"""

from __future__ import annotations

from gatehouse.domain.users import UserType


def may_act_in_company(
    caller_type: UserType,
    caller_company: str | None,
    target_type: UserType,
    target_company: str,
) -> bool:
    if caller_type is UserType.ADMIN:
        return True
    return caller_type is target_type and caller_company == target_company
