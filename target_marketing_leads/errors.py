"""The errors that end a run: input the target cannot attribute to a run or a lead, and a run
the removal guard blocked.

See the bad-input policy in :mod:`target_marketing_leads.target`. Store errors live with the
store (:mod:`lead_store.errors`).
"""

from __future__ import annotations

from leads_contract import LeadsContractError


class LeadInputError(LeadsContractError):
    """The input breaks the Singer or the leads contract: the run stops, nothing is committed."""


class RunBlocked(Exception):
    """The removal guard blocked a run: its plan is stored, nothing applied, no STATE written.

    The message is one line per blocked run (:func:`.removal_guard.blocked_message`).
    """
