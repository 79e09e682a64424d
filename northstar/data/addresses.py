"""E-mail addresses read with the standard library's parser, the one rule for every place that
reads an address: the access file, sign-in, the loader (`employees.email`) and the digest.

A field holds exactly one plain address (`name@example.com`): no display name, no list, no line
break. Anything else is not an address and matches nothing.
"""

from __future__ import annotations

from email.errors import MessageError
from email.headerregistry import Address


def mail_address(text: object) -> Address | None:
    """The one plain address `text` holds, or None when it holds anything else."""
    if not isinstance(text, str) or "\r" in text or "\n" in text:
        return None
    try:
        address = Address(addr_spec=text.strip())
    except (ValueError, IndexError, TypeError, MessageError):
        return None
    if not address.username or not address.domain:
        return None
    return address


def is_mail_address(text: object) -> bool:
    return mail_address(text) is not None


def domain_name(text: object) -> str | None:
    """`text` as a plain domain name (what follows the @ of an address), lower-cased, or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    domain = text.strip().lower()
    address = mail_address(f"postmaster@{domain}")
    return domain if address is not None and address.domain == domain else None
