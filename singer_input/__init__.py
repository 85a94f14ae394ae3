"""Strict reading of Singer input, shared by the mapper and the target."""
