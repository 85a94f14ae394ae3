"""Private singer-sdk hooks are upgrade hazards: each one kept is listed here, with its reason.

A private override added without a reason, or a reason left behind on a hook no longer
overridden, fails here. The reasons live in the code (the hook's docstring, or for the one
attribute a comment beside it) and in the closing note of issue 10.
"""

from __future__ import annotations

import inspect

import singer_sdk

from singer_input.reader import LineNumberingReader
from tap_zoho_invoice.client import ZohoInvoiceStream
from tap_zoho_invoice.streams import ContactsStream, OrganizationsStream
from tap_zoho_invoice.tap import TapZohoInvoice
from target_marketing_leads.full_loads import FullLoadReader
from target_marketing_leads.sinks import IgnoredStreamSink, LeadsSink
from target_marketing_leads.target import TargetMarketingLeads
from transforms.mapper import MarketingLeadsMapper

PLUGIN_CLASSES = (
    TapZohoInvoice, ZohoInvoiceStream, ContactsStream, OrganizationsStream,
    MarketingLeadsMapper, TargetMarketingLeads, LeadsSink, IgnoredStreamSink,
    LineNumberingReader, FullLoadReader,
)  # fmt: skip
KEPT = {
    "TapZohoInvoice._validate_config",
    "ContactsStream._increment_stream_state",
    "TargetMarketingLeads._write_state_message",
    "TargetMarketingLeads._handle_termination",
    "TargetMarketingLeads._MAX_RECORD_AGE_IN_MINUTES",
    "LeadsSink._validate_and_parse",
    "LeadsSink._remove_sdc_metadata_from_record",
}


def _sdk_private_names(cls: type) -> set[str]:
    """Private names that ``cls`` itself defines and one of its singer-sdk bases defines too."""
    sdk_bases = [b for b in cls.__mro__[1:] if b.__module__.startswith(singer_sdk.__name__)]
    return {
        name
        for name in vars(cls)
        if name.startswith("_")
        and not name.startswith("__")
        and name != "_abc_impl"  # set by abc on every class, not a hook
        and any(name in vars(base) for base in sdk_bases)
    }


def test_only_the_listed_private_hooks_are_overridden() -> None:
    found = {f"{cls.__name__}.{name}" for cls in PLUGIN_CLASSES for name in _sdk_private_names(cls)}
    assert found == KEPT


def test_every_kept_hook_says_why() -> None:
    classes = {cls.__name__: cls for cls in PLUGIN_CLASSES}
    for entry in KEPT:
        owner, name = entry.split(".")
        value = vars(classes[owner])[name]
        if callable(value):
            assert "Private SDK hook, kept:" in (inspect.getdoc(value) or ""), entry
        else:
            source = inspect.getsource(classes[owner])
            before = source.split(f"    {name} =", 1)[0].splitlines()[-2:]
            assert any("Private SDK attribute, kept:" in line for line in before), entry
