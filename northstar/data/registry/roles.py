"""The roles a viewer can have, defined here only: the page registry (who may open each page,
northstar.data.registry.pages) and the access rules (northstar.data.registry.access) read them."""

from __future__ import annotations

# role code, as the access file writes it -> the label the sidebar shows
ROLES: dict[str, str] = {
    "executive": "Executive",
    "cco": "CCO / admin",
    "department_head": "Department head",
    "board": "Board member",
}
ALL_ROLES = frozenset(ROLES)
# the staff who see single accounts in full (Account 360)
STAFF = frozenset({"cco", "executive"})
