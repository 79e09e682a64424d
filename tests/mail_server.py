"""A real SMTP server on loopback for the e-mail tests (aiosmtpd), and servers that misbehave.

`Inbox` keeps every message it accepts; `Refusing` and `Busy` refuse some recipients for good
(550) or for now (451); `trickling_server` answers too slowly to ever finish a greeting."""

from __future__ import annotations

import contextlib
import email
import socket
import threading
from collections.abc import Iterator
from email import policy

from aiosmtpd.controller import Controller


class Inbox:
    """Accepts every message and keeps (recipients, parsed message) in arrival order."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    def recipients(self) -> list[str]:
        """Every address a message was delivered to, sorted."""
        return sorted(address for rcpt, _ in self.messages for address in rcpt)


class Refusing(Inbox):
    """Accepts mail, except for the addresses in `refused` (550 at RCPT TO)."""

    def __init__(self, refused: set[str]) -> None:
        super().__init__()
        self.refused = refused

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refused:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Busy(Inbox):
    """Answers 451 (try again later) to the first RCPT TO of each address in `busy`."""

    def __init__(self, busy: set[str]) -> None:
        super().__init__()
        self.busy = set(busy)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.busy:
            self.busy.discard(address)
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def free_port() -> int:
    """A loopback port nothing listens on (a connection to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def mail_server(handler: Inbox, port: int | None = None) -> Iterator[Controller]:
    """`handler` served on loopback (on `port`, or a free one) until the block ends."""
    controller = Controller(handler, hostname="127.0.0.1", port=port or free_port())
    controller.start()
    try:
        yield controller
    finally:
        controller.stop()


def trickling_server(stop: threading.Event) -> int:
    """A server that sends its greeting one byte at a time, a byte every half second, until
    `stop` is set; its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)

    def serve() -> None:
        clients = []
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                clients.append(listener.accept()[0])
            for client in clients:
                with contextlib.suppress(OSError):
                    client.sendall(b"2")
            stop.wait(0.5)
        for client in clients:
            client.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]
