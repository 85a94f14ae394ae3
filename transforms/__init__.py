"""Singer inline mapper `map-marketing-leads`: Zoho Invoice contacts -> mailing-list leads."""
