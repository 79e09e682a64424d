"""What each role may see — decided here only (who the viewer is: northstar.ui.sign_in).

Sign-in is Streamlit's OpenID Connect support (`st.login` / `st.user`) when
`.streamlit/secrets.toml` has an `[auth]` section. Roles come from an access file
(`config/access.toml`, or the file named by `$NORTHSTAR_ACCESS_FILE`): e-mail addresses or
domains mapped to a role, deny by default.
Without an `[auth]` section Northstar runs in local demo mode: the app listens on 127.0.0.1 only
and the viewer is the local CCO.

Enforcement happens where data is fetched: `northstar.ui.page_queries.run_query` asks
`check_query` (with the scope the query's file declares) before it runs or serves any query, and
caches results per viewer scope. Hiding pages in the navigation is only a convenience on top.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from northstar.data.addresses import domain_name, mail_address
from northstar.data.db.paths import REPO_ROOT
from northstar.data.flags import parse_flag
from northstar.data.registry.pages import HOME, PAGES
from northstar.data.registry.roles import ROLES, STAFF

ACCESS_FILE = REPO_ROOT / "config" / "access.toml"

# pages (by key) each role may open, from the page registry
ROLE_PAGES: dict[str, frozenset[str]] = {
    role: frozenset(page.key for page in PAGES if role in page.roles) for role in ROLES
}

# what each kind of query reveals, and who may run it
SCOPE_ROLES: dict[str, frozenset[str]] = {
    "aggregate": frozenset(ROLES),  # totals, rates, scores by group
    "department": frozenset(ROLES),  # one department's goals; department heads: their own only
    "account": frozenset({"cco", "executive", "board"}),  # lists naming accounts (masked for board)
    "account_detail": STAFF,  # one account's full record (Account 360)
    "verbatim": frozenset({"cco", "executive", "board"}),  # customers' own words (masked for board)
    "admin": frozenset({"cco"}),  # loads, rejects, table contents
}
DEPARTMENT_PARAMETERS = ("department_id", "department")


class AccessDenied(PermissionError):
    """The viewer's role may not see this; the message says why, without any data."""


@dataclass(frozen=True)
class Viewer:
    email: str | None
    role: str | None  # None: signed in but not listed, or not signed in
    department: str | None = None  # department heads only
    signed_in: bool = False
    local_demo: bool = False
    email_unverified: bool = False  # signed in, but the provider has not verified the address
    entry_refused: RefusedEntry | None = None  # the access-file entry for them has a defect

    @property
    def has_access(self) -> bool:
        return self.role in ROLES

    @property
    def masking_forced(self) -> bool:
        """Board members never see customer names or words."""
        return self.role == "board"

    @property
    def cache_scope(self) -> tuple[str | None, str | None]:
        """What makes this viewer's results differ from another's (used in cache keys)."""
        return (self.role, self.department if self.role == "department_head" else None)

    @property
    def label(self) -> str:
        role = ROLES.get(self.role or "", "no access")
        if self.role == "department_head" and self.department:
            role = f"{role} · {self.department.replace('_', ' ')}"
        return role


LOCAL_DEMO_VIEWER = Viewer(email=None, role="cco", signed_in=False, local_demo=True)


@dataclass(frozen=True)
class RefusedEntry:
    """An access-file entry Northstar cannot use: it grants nothing, and the CCO sees why."""

    kind: str  # "users" or "domains"
    name: str  # the address or domain as written (lower-cased), "" when the entry has none
    problem: str

    @property
    def key(self) -> str:
        return "email" if self.kind == "users" else "domain"

    def describe(self) -> str:
        return f"[[{self.kind}]] {self.name or f'(no {self.key})'}: {self.problem}"


@dataclass(frozen=True)
class AccessList:
    users: dict[str, tuple[str, str | None]]  # e-mail -> (role, department)
    domains: dict[str, tuple[str, str | None]]  # domain -> (role, department)
    # token issuers (`iss`) that never send `email_verified` and whose addresses the operator
    # vouches for; every other token needs `email_verified = true`
    issuers_without_email_verified: frozenset[str] = frozenset()
    refused: tuple[RefusedEntry, ...] = ()  # entries with a defect: they grant nobody anything


class AccessFileError(ValueError):
    """The access file as a whole cannot be read; the message names the file."""


def _entry(kind: str, raw: Any) -> tuple[str, tuple[str, str | None]] | RefusedEntry:
    """One [[users]] or [[domains]] entry: (address or domain, (role, department)), or what is
    wrong with it. Roles are matched exactly, as written in ROLES."""
    key = "email" if kind == "users" else "domain"
    if not isinstance(raw, dict):
        return RefusedEntry(kind, "", f"not a table with {key} and role")
    name = str(raw.get(key) or "").strip().lower()
    if kind == "domains":
        name = name.removeprefix("@")
    if not name:
        return RefusedEntry(kind, "", f"the entry has no {key}")
    if kind == "users" and mail_address(name) is None:
        return RefusedEntry(kind, name, "not one plain e-mail address")
    if kind == "domains" and domain_name(name) is None:
        return RefusedEntry(kind, name, "not a domain name")
    role = raw.get("role")
    if not isinstance(role, str) or role not in ROLES:
        return RefusedEntry(kind, name, f"role {role!r} is not one of the roles "
                                        f"{', '.join(ROLES)}")
    department = raw.get("department")
    if role == "department_head" and (not isinstance(department, str) or not department.strip()):
        return RefusedEntry(kind, name, "a department_head entry needs a department")
    if kind == "users":
        name = str(mail_address(name)).lower()
    return name, (role, department if role == "department_head" else None)


def load_access(path: Path | None = None) -> AccessList:
    """Read the access file; a missing file grants nobody anything, and so does each entry with
    a defect (listed in `refused`), while the others keep working."""
    path = Path(path or os.environ.get("NORTHSTAR_ACCESS_FILE", ACCESS_FILE))
    if not path.exists():
        return AccessList({}, {})
    with path.open("rb") as handle:
        raw = tomllib.load(handle)
    found: dict[str, dict[str, tuple[str, str | None]]] = {"users": {}, "domains": {}}
    refused: list[RefusedEntry] = []
    for kind, entries in found.items():
        listed = raw.get(kind, [])
        if not isinstance(listed, list):
            raise AccessFileError(f"{path}: {kind} must be a list of [[{kind}]] entries")
        for item in listed:
            entry = _entry(kind, item)
            if isinstance(entry, RefusedEntry):
                refused.append(entry)
            else:
                entries[entry[0]] = entry[1]
    issuers = raw.get("sign_in", {}).get("issuers_without_email_verified", [])
    if not isinstance(issuers, list) or not all(isinstance(item, str) for item in issuers):
        raise AccessFileError(f"{path}: [sign_in] issuers_without_email_verified must be a list "
                              "of issuer URLs")
    return AccessList(found["users"], found["domains"],
                      frozenset(item.strip() for item in issuers), tuple(refused))


def email_verified(claims: Any, access: AccessList) -> bool:
    """Whether the identity provider vouches for the token's e-mail address: `email_verified`
    true (any usual spelling), or, for an issuer the access file names as never sending the
    claim, no claim at all. An explicit false is refused whatever the issuer."""
    value = claims.get("email_verified")
    if value is None:
        return str(claims.get("iss") or "") in access.issuers_without_email_verified
    return parse_flag(value) is True


def viewer_for(claims: Any, access: AccessList) -> Viewer:
    """The viewer a signed-in identity's claims (`st.user`, or a sign-in cookie's contents)
    make: an unverified address gets no role, whoever it names; an unlisted one none either."""
    email = claims.get("email")
    if not email_verified(claims, access):
        return Viewer(email=email, role=None, signed_in=True, email_unverified=True)
    resolved = resolve(email, access)
    if resolved is None:
        return Viewer(email=email, role=None, signed_in=True,
                      entry_refused=refused_entry(email, access))
    role, department = resolved
    return Viewer(email=email, role=role, department=department, signed_in=True)


def refused_entry(email: str | None, access: AccessList) -> RefusedEntry | None:
    """The refused entry that would decide this address's role (its exact address, or its
    domain when no usable entry names the address), if any: it gets no access."""
    address = mail_address(email)
    if address is None:
        return None
    exact = str(address).lower()
    for entry in access.refused:
        if entry.kind == "users" and entry.name == exact:
            return entry
    if exact in access.users:
        return None
    domain = address.domain.lower()
    for entry in access.refused:
        if entry.kind == "domains" and entry.name == domain:
            return entry
    return None


def resolve(email: str | None, access: AccessList) -> tuple[str, str | None] | None:
    """A signed-in e-mail's role: an exact address beats its domain; unlisted is None, and so
    is an address that is not one plain address or whose deciding entry was refused."""
    address = mail_address(email)
    if address is None or refused_entry(email, access) is not None:
        return None
    exact = str(address).lower()
    if exact in access.users:
        return access.users[exact]
    return access.domains.get(address.domain.lower())


DEFAULT_PAGE = HOME  # the home page; every role may open it


def page_key(page: Any) -> str:
    """The access-table name of an st.Page: its url_path (the home page's is empty)."""
    return page.url_path or DEFAULT_PAGE


def department_unknown(viewer: Viewer, department_ids: Iterable[str]) -> bool:
    """A department head whose department is not in the data sees nothing (deny by default):
    the access file names a department the data does not have, e.g. misspelled."""
    return viewer.role == "department_head" and viewer.department not in set(department_ids)


def may_open(viewer: Viewer, page: str) -> bool:
    return viewer.has_access and page in ROLE_PAGES.get(viewer.role or "", frozenset())


def check_query(viewer: Viewer, name: str, scope: str | None, params: dict[str, Any]) -> None:
    """Raise AccessDenied unless the viewer may run query `name`, which declares `scope`, with
    these parameters."""
    if not viewer.has_access:
        raise AccessDenied("You are not signed in with an account that has access to Northstar.")
    if scope not in SCOPE_ROLES:
        raise AccessDenied(f"Query {name!r} has no known access scope, so nobody may run it.")
    if viewer.role not in SCOPE_ROLES[scope]:
        raise AccessDenied(
            f"Your role ({viewer.label}) does not include {scope.replace('_', ' ')} data."
        )
    if scope == "department" and viewer.role == "department_head":
        for key in DEPARTMENT_PARAMETERS:
            if key in params and params[key] != viewer.department:
                raise AccessDenied("Department heads see their own department's scorecard only.")


# actions (northstar.data.workspace): who may read their text and who may record them
ACTION_ROLES = frozenset({"cco", "executive", "department_head"})


def may_read_actions(viewer: Viewer, department: str | None) -> bool:
    """The CCO and executives read every action; a department head their department's; board
    members none (they see counts)."""
    if viewer.role == "department_head":
        return department is not None and department == viewer.department
    return viewer.has_access and viewer.role in ACTION_ROLES


def may_change_actions(viewer: Viewer, department: str | None) -> bool:
    """Recording and updating actions follows the same rule as reading them."""
    return may_read_actions(viewer, department)
