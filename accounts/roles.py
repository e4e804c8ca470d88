"""The role codes of the interchange format (the user import, OIDC_ROLE_MAP)
and the roles (Django groups) they stand for."""

from __future__ import annotations

from contacts.roles import Role

ROLE_CODES: dict[str, Role] = {
    "unit_manager": Role.UNIT_MANAGER,
    "coordinator": Role.COORDINATOR,
    "statistics": Role.STATISTICS,
    "care_staff": Role.CARE_STAFF,
    "administrator": Role.ADMINISTRATOR,
}


def role_for(value: str) -> Role | None:
    """A role code or a Swedish role name ("Enhetschef"), any case; None if neither."""
    key = " ".join(value.split()).lower()
    if key in ROLE_CODES:
        return ROLE_CODES[key]
    for role in Role:
        if role.value.lower() == key or str(role.label).lower() == key:
            return role
    return None
