"""Evaluate catalog conditions against the answers. Conditions are data, never code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Callable

from .dates import resolve
from .fields import typed
from .model import AmountField, Condition, DateField, FieldRef, NumberField

#: field id -> (field or "yesno", answer) for a visible, known field; None when hidden
Lookup = Callable[[str], "tuple[object, object] | None"]


def _literal(field: object, value: object, today: dt.date) -> object:
    is_date = isinstance(field, DateField) or getattr(field, "bind", None) == "identity.birth_date"
    if is_date and isinstance(value, str):
        try:
            return resolve(value, today)
        except ValueError:
            return None
    if isinstance(field, (NumberField, AmountField)) and not isinstance(value, bool):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else str(value)


def _operand(field: object, operand: object, lookup: Lookup, today: dt.date) -> object:
    if isinstance(operand, FieldRef):
        found = lookup(operand.field)
        return None if found is None else typed(found[0], found[1])
    return _literal(field, operand, today)


def evaluate(cond: Condition, lookup: Lookup, today: dt.date) -> bool:
    if cond.all_ is not None:
        return all(evaluate(c, lookup, today) for c in cond.all_)
    if cond.any_ is not None:
        return any(evaluate(c, lookup, today) for c in cond.any_)
    if cond.not_ is not None:
        return not evaluate(cond.not_, lookup, today)
    assert cond.field is not None
    found = lookup(cond.field)
    op = cond.operator
    if op == "answered":
        answered = found is not None and typed(found[0], found[1]) is not None
        return answered == cond.answered
    if found is None:
        return False  # a hidden field satisfies nothing
    field, raw = found
    value = typed(field, raw)
    if value is None:
        return False
    if op == "contains":
        return isinstance(value, list) and cond.contains in value
    if op == "in":
        return value in {_literal(field, v, today) for v in cond.in_ or ()}
    other = _operand(field, cond.operand(op), lookup, today)
    if other is None:
        return False
    try:
        if op == "equals":
            return value == other
        if op == "not_equals":
            return value != other
        if op == "gt":
            return value > other  # type: ignore[operator]
        if op == "gte":
            return value >= other  # type: ignore[operator]
        if op == "lt":
            return value < other  # type: ignore[operator]
        if op == "lte":
            return value <= other  # type: ignore[operator]
    except TypeError:
        return False  # comparing a text with a number: never true
    raise AssertionError(op)
