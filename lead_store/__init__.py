"""The lead store: a SQL database (SQLite or PostgreSQL) reached through SQLAlchemy."""

from lead_store.engine import DEFAULT_DATABASE_URL, redacted
from lead_store.migrations import LATEST_VERSION, open_store

__all__ = ["DEFAULT_DATABASE_URL", "LATEST_VERSION", "open_store", "redacted"]
