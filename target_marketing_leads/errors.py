"""Errors that end a run or a command with one clear line.

`LeadInputError` is raised for input the target cannot attribute to a run or a lead (see the
bad-input policy in :mod:`target_marketing_leads.target`). `StoreError` covers a store that
cannot be opened or migrated. Both carry a message meant to be printed as is.
"""

from __future__ import annotations


class LeadInputError(Exception):
    """The input breaks the Singer or the leads contract: the run stops, nothing is committed."""


class StoreError(Exception):
    """The lead store cannot be used (unsupported URL, newer schema version, ...)."""
