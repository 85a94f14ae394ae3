"""The one error a bad mapper configuration raises."""

from __future__ import annotations

from singer_sdk.exceptions import ConfigValidationError


class MapperConfigError(ConfigValidationError):
    """A setting the mapper cannot work with, explained in one line.

    It subclasses the SDK's ``ConfigValidationError`` so the SDK's CLI handles it like a
    JSON-Schema failure: it logs the line, then exits with status 1, whether the error is
    found at start-up or when the source stream's SCHEMA arrives.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, errors=[message])
