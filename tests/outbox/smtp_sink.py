"""A real SMTP server on a free loopback port that refuses each message's
first tries (451, "try again later") and accepts it after that."""

import contextlib
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller

from tests.live_site import free_port


@dataclass
class FlakySmtpSink:
    refuse_first: int = 0
    tries: Counter = field(default_factory=Counter)
    delivered: list = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        recipients = tuple(envelope.rcpt_tos)
        self.tries[recipients] += 1
        if self.tries[recipients] <= self.refuse_first:
            return "451 4.3.0 Mailbox busy, try again later"
        self.delivered.append(
            {
                "to": recipients,
                "try": self.tries[recipients],
                "content": envelope.content.decode("utf-8", errors="replace"),
            }
        )
        return "250 2.0.0 Accepted"

    def delivered_to(self, recipients):
        return [mail for mail in self.delivered if mail["to"] == tuple(recipients)]


@contextlib.contextmanager
def smtp_sink(refuse_first=0):
    """Yields (sink, port) while a real SMTP server listens on the port."""
    sink = FlakySmtpSink(refuse_first=refuse_first)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
