"""Tests of ``marketing-leads report`` and ``history --csv``."""
