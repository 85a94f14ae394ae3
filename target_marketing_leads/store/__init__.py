"""The lead store: a SQL database (SQLite or PostgreSQL) reached through SQLAlchemy."""

from target_marketing_leads.store.engine import DEFAULT_DATABASE_URL, redacted
from target_marketing_leads.store.migrations import LATEST_VERSION, open_store

__all__ = ["DEFAULT_DATABASE_URL", "LATEST_VERSION", "open_store", "redacted"]
