"""Each field type's rules: how an answer is normalised, and what is wrong with it.

Answers are text (a list of option values for a multichoice). Problems are
translatable ``Message`` objects, or the catalog's own ``Text`` for a pattern, so a
language switch shows them again in the new language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Union

from ..i18n import Message, N_
from .dates import resolve
from .model import (AmountField, AnyField, ChoiceField, CinField, DateField, EmailField,
                    MultiChoiceField, MultilineField, NumberField, PhoneField, PrefillField,
                    RibField, Text, TextField, YesNoField)

Answer = Union[str, list]
Problem = Union[Message, Text]

REQUIRED = N_("This answer is required.")
_SPACES = re.compile(r"[\s.\-/]")
PHONE_RE = re.compile(r"^(?:0|\+212|00212)([5-8]\d{8})$")
CIN_RE = re.compile(r"^[A-Z]{1,2}\d{1,6}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$")
NUMBER_RE = re.compile(r"^-?\d{1,12}$")
AMOUNT_RE = re.compile(r"^\d{1,12}(?:\.\d{1,2})?$")


def render(problem: Problem, lang: str) -> str:
    return problem.render(lang) if isinstance(problem, Message) else problem(lang)


def is_empty(value: Answer | None) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())


# --- normalisation: what is kept and sent --------------------------------------------------
def normalise(field: AnyField, value: Answer) -> Answer:
    if isinstance(field, MultiChoiceField):
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        known = [o.value for o in field.options]
        return [v for v in known if v in set(value)]  # option order, no duplicates
    if not isinstance(value, str):
        value = str(value)
    if isinstance(field, PhoneField):
        raw = _SPACES.sub("", value)
        m = PHONE_RE.match(raw)
        return "0" + m.group(1) if m else raw
    if isinstance(field, CinField):
        return re.sub(r"\s", "", value).upper()
    if isinstance(field, RibField):
        return re.sub(r"\s", "", value)
    if isinstance(field, AmountField):
        # Kept as typed (so typing goes on), with "." for any decimal separator; the
        # two decimals are added when the answer is sent.
        v = value.replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
        return v.replace(",", ".").replace("\u066b", ".")
    if isinstance(field, DateField):
        v = value.strip()
        if len(v) == 8 and v.isdigit():  # typed on the keypad as DDMMYYYY
            try:
                return dt.date(int(v[4:]), int(v[2:4]), int(v[:2])).isoformat()
            except ValueError:
                return v
        return v
    if isinstance(field, (EmailField, NumberField)):
        return value.strip()
    return value


def sent_value(field: AnyField, value: Answer) -> Answer:
    """The value the back office receives: texts trimmed, lists as they are."""
    if isinstance(value, str) and isinstance(field, (TextField, MultilineField)):
        return value.strip()
    if isinstance(value, str) and isinstance(field, AmountField) and AMOUNT_RE.match(value):
        return str(Decimal(value).quantize(Decimal("0.01")))
    return value


# --- checks -----------------------------------------------------------------------------------
def rib_key_ok(digits: str) -> bool:
    """A Moroccan RIB: 3-digit bank, 3-digit city, 16-digit account, 2-digit key, with the
    whole 24-digit number a multiple of 97."""
    return len(digits) == 24 and digits.isdigit() and int(digits) % 97 == 0


def rib_with_key(first22: str) -> str:
    """Complete 22 digits with their key (examples, tests)."""
    return first22 + f"{97 - (int(first22) * 100) % 97:02d}"


def check(field: AnyField, value: Answer | None, today: dt.date) -> Problem | None:
    """The problem with one answer (already normalised), or None when it is acceptable."""
    if isinstance(field, PrefillField):
        return None
    if is_empty(value):
        return Message(REQUIRED) if field.required else None
    assert value is not None
    if isinstance(field, MultiChoiceField):
        values = value if isinstance(value, list) else [value]
        if any(v not in {o.value for o in field.options} for v in values):
            return Message(N_("Choose among the options shown."))
        if len(values) < field.min_choices:
            return Message(N_("Choose at least {count}."), {"count": field.min_choices})
        if field.max_choices is not None and len(values) > field.max_choices:
            return Message(N_("Choose at most {count}."), {"count": field.max_choices})
        return None
    if not isinstance(value, str):
        return Message(N_("Choose one of the options."))
    if isinstance(field, ChoiceField):
        if value not in {o.value for o in field.options}:
            return Message(N_("Choose one of the options."))
    elif isinstance(field, YesNoField):
        if value not in ("yes", "no"):
            return Message(N_("Answer yes or no."))
    elif isinstance(field, (TextField, MultilineField)):
        n = len(value.strip())
        if n < field.min_length:
            return Message(N_("Write at least {count} characters."), {"count": field.min_length})
        if n > field.max_length:
            return Message(N_("Write at most {count} characters."), {"count": field.max_length})
        if isinstance(field, TextField) and field.pattern and \
                not re.fullmatch(field.pattern, value.strip()):
            return field.pattern_message
    elif isinstance(field, NumberField):
        if not NUMBER_RE.match(value):
            return Message(N_("Enter a whole number, with digits only."))
        return _range(field, Decimal(value))
    elif isinstance(field, AmountField):
        if not AMOUNT_RE.match(value):
            return Message(N_("Enter an amount in dirhams, for example 1250 or 1250.50."))
        return _range(field, Decimal(value))
    elif isinstance(field, DateField):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            return Message(N_("Enter a valid date: day, month and year."))
        if field.min_date and day < resolve(field.min_date, today):
            return Message(N_("The date must be on or after {date}."),
                           {"date": resolve(field.min_date, today)})
        if field.max_date and day > resolve(field.max_date, today):
            return Message(N_("The date must be on or before {date}."),
                           {"date": resolve(field.max_date, today)})
    elif isinstance(field, PhoneField):
        m = PHONE_RE.match(value)
        kind = None if not m else ("mobile" if m.group(1)[0] in "67" else "landline")
        if kind is None or kind not in field.kinds:
            if field.kinds == ("mobile",):
                return Message(N_("Enter a Moroccan mobile number of 10 digits starting with "
                                  "06 or 07, for example 0612345678."))
            return Message(N_("Enter a Moroccan phone number of 10 digits, for example 0612345678."))
    elif isinstance(field, EmailField):
        if len(value) > 254 or not EMAIL_RE.match(value):
            return Message(N_("Enter an e-mail address such as nom@exemple.ma."))
    elif isinstance(field, CinField):
        if not CIN_RE.match(value):
            return Message(N_("Enter the ID card number: one or two letters, then up to 6 "
                              "digits, for example AB123456."))
    elif isinstance(field, RibField):
        if not (len(value) == 24 and value.isdigit()):
            return Message(N_("A RIB has 24 digits. You find it on your bank's RIB or cheque book."))
        if not rib_key_ok(value):
            return Message(N_("This RIB is not valid: check the digits, the last two are a "
                              "check key."))
    return None


def _range(field: NumberField | AmountField, n: Decimal) -> Message | None:
    if field.min is not None and n < field.min:
        return Message(N_("The number must be at least {min}."), {"min": field.min})
    if field.max is not None and n > field.max:
        return Message(N_("The number must be at most {max}."), {"max": field.max})
    return None


def typed(field: AnyField | str, value: Answer | None) -> object:
    """An answer as a comparable value for conditions: a number, a date or the text."""
    if is_empty(value):
        return None
    if isinstance(field, (NumberField, AmountField)) and isinstance(value, str):
        try:
            return Decimal(value.replace(",", "."))
        except InvalidOperation:
            return None
    if (isinstance(field, DateField) or (isinstance(field, PrefillField)
                                         and field.bind == "identity.birth_date")) \
            and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value
