"""A valid set of answers for any procedure: what ``kiosk catalog example`` prints, and
what the GUI tests, the benchmarks and a technician's test submission use.

Answers are chosen to show as much of the procedure as possible (the option of a
choice that reveals the most fields, every option of a multichoice it allows), and
then checked by the wizard engine itself, so an example is valid by construction or
the procedure cannot be completed (which is then a catalog bug, reported).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

from .dates import resolve
from .fields import Answer, rib_with_key
from .model import (AmountField, AnyField, ChoiceField, CinField, DateField, EmailField,
                    MultiChoiceField, MultilineField, NumberField, PhoneField, PrefillField,
                    Procedure, RibField, TextField, YesNoField)
from .wizard import Wizard

SAMPLE_TEXT = {"ar": "نص تجريبي", "fr": "Texte d'essai", "zgh": "ⴰⴹⵕⵉⵙ ⵏ ⵓⵔⵎⵎⵓⵙ"}
SAMPLE_LATIN = "Texte d'essai"


class NoExample(ValueError):
    """The procedure cannot be completed with any answers tried (a catalog bug)."""


def _text(field: TextField | MultilineField, lang: str) -> str:
    if isinstance(field, TextField) and field.example is not None:
        return field.example
    base = SAMPLE_LATIN if (isinstance(field, TextField) and field.keyboard == "latin") \
        else SAMPLE_TEXT[lang]
    text = base
    while len(text) < max(field.min_length, 1):
        text += " " + base
    return text[:field.max_length].strip() or base[:field.max_length]


def _dates(field: DateField, today: dt.date, order: int) -> list[str]:
    lo = resolve(field.min_date, today) if field.min_date else dt.date(1950, 1, 1)
    hi = resolve(field.max_date, today) if field.max_date else today + dt.timedelta(days=3650)
    # Later fields get later dates (an end after a start), then other spots in range.
    picks = [today - dt.timedelta(days=400 - 40 * order), today - dt.timedelta(days=20 - order),
             today, lo, hi, lo + (hi - lo) / 2, today + dt.timedelta(days=10 + order)]
    out = []
    for d in picks:
        d = min(max(d, lo), hi)
        if d.isoformat() not in out:
            out.append(d.isoformat())
    return out


def candidates(field: AnyField, lang: str, today: dt.date, order: int = 0) -> list[Answer]:
    """Valid-looking answers for one field, the preferred one first."""
    if isinstance(field, (TextField, MultilineField)):
        return [_text(field, lang)]
    if isinstance(field, NumberField):
        lo = int(field.min) if field.min is not None else 1
        hi = int(field.max) if field.max is not None else max(lo, 1) + 10
        return [str(v) for v in dict.fromkeys([max(lo, min(1, hi)), lo, hi])]
    if isinstance(field, AmountField):
        lo = field.min if field.min is not None else Decimal(0)
        hi = field.max if field.max is not None else Decimal(1000000)
        pick = min(max(Decimal("1500.00"), lo), hi)
        return [str(v.quantize(Decimal("0.01"))) for v in dict.fromkeys([pick, lo, hi])]
    if isinstance(field, DateField):
        return _dates(field, today, order)
    if isinstance(field, MultiChoiceField):
        n = field.max_choices or len(field.options)
        values = [o.value for o in field.options]
        return [values[:n], values[-n:], values[:max(field.min_choices, 1)]]
    if isinstance(field, ChoiceField):
        return [o.value for o in field.options]
    if isinstance(field, YesNoField):
        return ["yes", "no"]
    if isinstance(field, PhoneField):
        return ["0612345678" if "mobile" in field.kinds else "0522123456"]
    if isinstance(field, EmailField):
        return ["citoyen@exemple.ma"]
    if isinstance(field, CinField):
        return ["AB123456"]
    if isinstance(field, RibField):
        return [rib_with_key("0077800001234567890123")]
    raise TypeError(field)


def example_answers(procedure: Procedure, lang: str = "fr", prefill: dict[str, str] | None = None,
                    today: Callable[[], dt.date] = dt.date.today) -> dict[str, Answer]:
    """Answers (prefilled fields excluded) that complete the procedure."""
    w = Wizard(procedure, prefill or {}, today=today)
    day = w.today
    guard = 0
    while not w.at_review:
        guard += 1
        if guard > 200:
            raise NoExample(f"{procedure.id}: the wizard does not reach the review")
        step = w.step
        assert step is not None
        for order, field in enumerate(step.fields):
            if isinstance(field, PrefillField) or not w.field_visible(field):
                continue
            options = candidates(field, lang, day, order)
            if field.id in {e.id for e in procedure.eligibility}:
                options = [next(e.expect for e in procedure.eligibility if e.id == field.id)]
            w.set_answer(field.id, _most_revealing(w, field, options))
        if w.next():
            continue
        _repair(w, step, lang, day)
        if not w.next():
            problems = {k: str(v) for k, v in w.errors.items()}
            raise NoExample(f"{procedure.id}: step {step.id!r} cannot be completed: {problems}")
    return {k: v for k, v in w.answers.items() if _visible_answer(w, k)}


def _visible_answer(w: Wizard, field_id: str) -> bool:
    return field_id in w.payload()


def _most_revealing(w: Wizard, field: AnyField, options: list[Answer]) -> Answer:
    """The candidate that shows the most steps and fields, the first one on a tie."""
    if len(options) == 1 or not isinstance(field, (ChoiceField, YesNoField)):  # multichoice too
        return options[0]
    best, best_count = options[0], -1
    for value in options:
        w.set_answer(field.id, value)
        count = sum(len(w.visible_fields(s)) for s in w.steps)
        if count > best_count:
            best, best_count = value, count
    return best


def _repair(w: Wizard, step, lang: str, day: dt.date) -> None:
    """Try other candidates for the fields in error (cross-field rules)."""
    for field_id in list(w.errors):
        field = w.field(field_id)
        order = [f.id for f in step.fields].index(field_id)
        for value in candidates(field, lang, day, order):
            w.set_answer(field_id, value)
            if field_id not in w.validate_step(step):
                break
