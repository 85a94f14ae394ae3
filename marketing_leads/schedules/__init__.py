"""Schedules in a person's time: local time + IANA zone -> Meltano's UTC cron schedules.

See :mod:`marketing_leads.schedules.rules` for the strategy and docs/schedules.md.
"""
