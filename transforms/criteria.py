"""Criteria: which contacts become leads, written as data rather than code.

A person writes "Country is India" as
``{"field": "billing_address.country", "operator": "is", "value": "India"}`` and combines
conditions with ``match: all`` or ``match: any``. The config is checked and compiled once, at
start-up, into plain closures; evaluating them on a record never raises, whatever the record
holds. The comparison rules:

- Text ignores case and surrounding space (Unicode-aware: NFC normalisation and case folding,
  so "STRASSE" matches "straße"). Non-text values compare by their text (``true``/``false``
  for booleans).
- Numbers compare as numbers. ``greater_than``/``less_than`` need both sides to read as a
  number: a JSON number or a plain numeric string ("1200", " 12.5 ", "-3e2"). Strings with
  thousands separators ("1,200") are *not* numbers: "1,200" and "1.200" mean different things
  in different locales, and Zoho sends amounts as JSON numbers anyway. If either side is not a
  number, the condition is false. ``is``/``in`` compare numerically when one side is a JSON
  number and the other reads as a number (so 5 is "5.0"), and as text otherwise (so the zip
  "01234" is not "1234").
- Dates (``before``/``after``) are ISO 8601, with "Z", "+05:30" or Zoho's "+0530" offsets,
  compared as instants (so 10:00+05:30 is before 05:00Z). A value without an offset is read
  as UTC; a bare date is midnight UTC. A value that is not a date makes the condition false.
- A missing field, ``null``, "" or whitespace is empty: ``is_empty`` is true for those and for
  ``[]``/``{}``. The negated operators (``is_not``, ``does_not_contain``, ``not_in``,
  ``is_not_empty``) are exact complements of their positives, so an empty field *is not*
  "India".
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from singer_input.instants import parse_instant
from transforms.errors import MapperConfigError
from transforms.paths import FieldReference, Getter, compile_getter, parse_path

Predicate = Callable[[Mapping[str, Any]], bool]
MATCH_MODES = ("all", "any")

_JSON_NUMBER = (int, float, Decimal)


# --- value readers: total functions, they never raise ----------------------------------------


def normalize_text(value: Any) -> str:
    """The text of ``value`` for comparison: trimmed, NFC-normalised, case-folded."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return ""
    elif isinstance(value, bool):
        return "true" if value else "false"
    else:
        text = str(value)
    text = text.strip()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return text.casefold()


def is_json_number(value: Any) -> bool:
    """True for int/float/Decimal values, False for booleans (which Python counts as ints)."""
    return isinstance(value, _JSON_NUMBER) and not isinstance(value, bool)


def as_number(value: Any) -> Decimal | None:
    """``value`` as a finite Decimal, or None if it is not a number or a plain numeric string."""
    try:
        if isinstance(value, str):
            text = value.strip()
            if not text or "_" in text:
                return None
            number = Decimal(text)
        elif isinstance(value, bool):
            return None
        elif isinstance(value, float):
            number = Decimal(repr(value))
        elif isinstance(value, (int, Decimal)):
            number = Decimal(value)
        else:
            return None
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def as_instant(value: Any) -> datetime | None:
    """``value`` as an aware datetime in UTC (naive values read as UTC), or None."""
    try:
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            if not value.strip():
                return None
            return parse_instant(value)
        else:
            return None
        return parse_instant(moment)
    except ValueError:
        return None


def is_empty_value(value: Any) -> bool:
    """Missing, null, blank text and empty arrays/objects are all "empty"."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, dict, tuple)):
        return not value
    return False


# --- operators ---------------------------------------------------------------------------------

_Builder = Callable[[Getter, Any, str], Predicate]
"""Compiles (getter, value, context) into a predicate; ``context`` prefixes config errors,
e.g. "criteria.conditions[0]: operator 'in'"."""


def _scalar(value: Any, where: str) -> Any:
    if value is None or isinstance(value, (list, dict)):
        hint = " (use 'in' for a list)" if isinstance(value, list) else ""
        raise MapperConfigError(f"{where} needs a text or number value, got {value!r}{hint}")
    return value


def _membership(values: Sequence[Any]) -> Callable[[Any], bool]:
    """Equality against any of ``values`` with the rules in the module docstring."""
    texts = frozenset(normalize_text(v) for v in values)
    numbers = frozenset(n for v in values if (n := as_number(v)) is not None)
    typed_numbers = frozenset(
        n for v in values if is_json_number(v) and (n := as_number(v)) is not None
    )

    def member(value: Any) -> bool:
        if is_json_number(value):
            return as_number(value) in numbers
        if typed_numbers and isinstance(value, str):
            number = as_number(value)
            if number is not None and number in typed_numbers:
                return True
        return normalize_text(value) in texts

    return member


def _build_is(get: Getter, value: Any, where: str) -> Predicate:
    member = _membership([_scalar(value, where)])
    return lambda record: member(get(record))


def _build_in(get: Getter, value: Any, where: str) -> Predicate:
    if not isinstance(value, list) or not value:
        raise MapperConfigError(f"{where} needs a non-empty list value, got {value!r}")
    member = _membership([_scalar(item, where) for item in value])
    return lambda record: member(get(record))


def _text_needle(value: Any, where: str) -> str:
    needle = normalize_text(_scalar(value, where))
    if not needle:
        raise MapperConfigError(f"{where} needs a non-empty text value")
    return needle


def _build_contains(get: Getter, value: Any, where: str) -> Predicate:
    needle = _text_needle(value, where)
    return lambda record: needle in normalize_text(get(record))


def _build_starts_with(get: Getter, value: Any, where: str) -> Predicate:
    needle = _text_needle(value, where)
    return lambda record: normalize_text(get(record)).startswith(needle)


def _build_ends_with(get: Getter, value: Any, where: str) -> Predicate:
    needle = _text_needle(value, where)
    return lambda record: normalize_text(get(record)).endswith(needle)


def _no_value(value: Any, where: str) -> None:
    if not is_empty_value(value):
        raise MapperConfigError(f"{where} takes no value, got {value!r}")


def _build_is_empty(get: Getter, value: Any, where: str) -> Predicate:
    _no_value(value, where)
    return lambda record: is_empty_value(get(record))


def _bound_number(value: Any, where: str) -> Decimal:
    number = as_number(value)
    if number is None:
        raise MapperConfigError(f"{where} needs a number value, got {value!r}")
    return number


def _bound_instant(value: Any, where: str) -> datetime:
    moment = as_instant(value) if isinstance(value, str) else None
    if moment is None:
        raise MapperConfigError(f"{where} needs an ISO 8601 date or date-time value, got {value!r}")
    return moment


def _ordered(
    bound_of: Callable[[Any, str], Any],
    read: Callable[[Any], Any],
    holds: Callable[[Any, Any], bool],
) -> _Builder:
    """A builder for "value compared with a bound": the bound checked once, at start-up."""

    def build(get: Getter, value: Any, where: str) -> Predicate:
        bound = bound_of(value, where)

        def compare(record: Mapping[str, Any]) -> bool:
            found = read(get(record))
            return found is not None and holds(found, bound)

        return compare

    return build


def _negated(build: _Builder) -> _Builder:
    def build_negated(get: Getter, value: Any, where: str) -> Predicate:
        positive = build(get, value, where)
        return lambda record: not positive(record)

    return build_negated


@dataclass(frozen=True)
class Operator:
    """One comparison a condition can use: its name, what it means, how to compile it."""

    name: str
    description: str
    build: _Builder


OPERATORS: dict[str, Operator] = {
    op.name: op
    for op in (
        Operator("is", "equals the value (text or number)", _build_is),
        Operator("is_not", "does not equal the value", _negated(_build_is)),
        Operator("contains", "text contains the value", _build_contains),
        Operator("does_not_contain", "text does not contain the value", _negated(_build_contains)),
        Operator("starts_with", "text starts with the value", _build_starts_with),
        Operator("ends_with", "text ends with the value", _build_ends_with),
        Operator("is_empty", "missing, null, blank, [] or {} (no value)", _build_is_empty),
        Operator("is_not_empty", "has a non-blank value (no value)", _negated(_build_is_empty)),
        Operator("in", "equals one of the values (a list)", _build_in),
        Operator("not_in", "equals none of the values (a list)", _negated(_build_in)),
        Operator(
            "greater_than",
            "number greater than the value",
            _ordered(_bound_number, as_number, operator.gt),
        ),
        Operator(
            "less_than",
            "number less than the value",
            _ordered(_bound_number, as_number, operator.lt),
        ),
        Operator(
            "before",
            "date-time earlier than the value",
            _ordered(_bound_instant, as_instant, operator.lt),
        ),
        Operator(
            "after",
            "date-time later than the value",
            _ordered(_bound_instant, as_instant, operator.gt),
        ),
    )
}


# --- compiling the criteria setting --------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """Compiled criteria: ``matches(record)`` and the fields it reads."""

    matches: Predicate
    fields: tuple[FieldReference, ...]


def _always(record: Mapping[str, Any]) -> bool:
    return True


def compile_condition(condition: object, where: str) -> tuple[Predicate, FieldReference]:
    """Compile one ``{"field", "operator", "value"}`` condition; ``where`` names it in errors."""
    if not isinstance(condition, Mapping):
        raise MapperConfigError(f"{where} must be an object with field, operator and value")
    keys = parse_path(condition.get("field"), setting=f"{where}.field")
    name = condition.get("operator")
    operator = OPERATORS.get(name) if isinstance(name, str) else None
    if operator is None:
        raise MapperConfigError(
            f"{where}: unknown operator {name!r}; use one of {', '.join(OPERATORS)}"
        )
    context = f"{where}: operator '{operator.name}'"
    predicate = operator.build(compile_getter(keys), condition.get("value"), context)
    return predicate, FieldReference(f"{where}.field", keys)


def compile_criteria(criteria: Mapping[str, Any] | None) -> Criteria:
    """Check the ``criteria`` setting and compile it; absent or null criteria take every record."""
    if criteria is None:
        return Criteria(matches=_always, fields=())
    match = criteria.get("match") or "all"
    if match not in MATCH_MODES:
        raise MapperConfigError(f"criteria.match must be 'all' or 'any', got {match!r}")
    conditions = criteria.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        raise MapperConfigError(
            "criteria.conditions is empty: give at least one condition, "
            "or remove criteria to take every contact"
        )
    compiled = [
        compile_condition(condition, f"criteria.conditions[{index}]")
        for index, condition in enumerate(conditions)
    ]
    predicates = tuple(predicate for predicate, _ in compiled)
    fields = tuple(field for _, field in compiled)
    if len(predicates) == 1:
        return Criteria(matches=predicates[0], fields=fields)
    if match == "all":

        def match_all(record: Mapping[str, Any]) -> bool:
            # Explicit loops, not all()/any() over a generator: no generator per record.
            for predicate in predicates:  # noqa: SIM110
                if not predicate(record):
                    return False
            return True

        return Criteria(matches=match_all, fields=fields)

    def match_any(record: Mapping[str, Any]) -> bool:
        for predicate in predicates:  # noqa: SIM110
            if predicate(record):
                return True
        return False

    return Criteria(matches=match_any, fields=fields)
