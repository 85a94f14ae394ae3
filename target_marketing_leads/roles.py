"""The built-in list of role local parts.

A role address reaches a function or a team, not a person (``info@``, ``support@``), so it is
kept off marketing lists. The check is made on the local part of the normalised email, lowered
and with any ``+tag`` removed: ``Info+newsletter@acme.com`` is the role ``info``.

Sources: the mailbox names of RFC 2142 (``info``, ``marketing``, ``sales``, ``support``,
``abuse``, ``noc``, ``security``, ``postmaster``, ``hostmaster``, ``usenet``, ``news``,
``webmaster``, ``www``, ``uucp``, ``ftp``), the examples of the design (``admin``,
``administrator``, ``careers``, ``service``) and local parts that mailing-list providers
commonly reject as shared inboxes. The target setting ``role_addresses`` replaces this list.
"""

from __future__ import annotations

RFC_2142_MAILBOXES = frozenset(
    {
        "abuse",
        "ftp",
        "hostmaster",
        "info",
        "marketing",
        "news",
        "noc",
        "postmaster",
        "sales",
        "security",
        "support",
        "usenet",
        "uucp",
        "webmaster",
        "www",
    }
)

SHARED_INBOXES = frozenset(
    {
        "accounting",
        "accounts",
        "admin",
        "administrator",
        "billing",
        "careers",
        "compliance",
        "contact",
        "customerservice",
        "enquiries",
        "feedback",
        "help",
        "helpdesk",
        "hr",
        "inquiries",
        "invoices",
        "jobs",
        "legal",
        "mailer-daemon",
        "no-reply",
        "noreply",
        "office",
        "orders",
        "press",
        "privacy",
        "recruitment",
        "reception",
        "root",
        "service",
        "services",
        "team",
    }
)

DEFAULT_ROLE_LOCAL_PARTS: frozenset[str] = RFC_2142_MAILBOXES | SHARED_INBOXES
"""Every built-in role local part, lower case, without ``+tags``."""
