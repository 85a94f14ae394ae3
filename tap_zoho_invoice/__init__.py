"""Singer tap for Zoho Invoice contacts (`tap-zoho-invoice`)."""
