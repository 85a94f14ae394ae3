"""The error that ends a run on input the target cannot attribute to a run or a lead.

See the bad-input policy in :mod:`target_marketing_leads.target`. Store errors live with the
store (:mod:`lead_store.errors`).
"""

from __future__ import annotations

from leads_contract import LeadsContractError


class LeadInputError(LeadsContractError):
    """The input breaks the Singer or the leads contract: the run stops, nothing is committed."""
