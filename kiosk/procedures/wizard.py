"""The wizard engine: steps, answers, validation, review. Pure Python, no Qt.

Answers live in memory only; validation errors are translatable ``Message`` objects so
a language switch shows them again in the new language, with the answers kept.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ..i18n import Message, N_
from .model import Field, Procedure, Step

PHONE_RE = re.compile(r"^(?:0|\+212|00212)[5-7]\d{8}$")


def normalise_phone(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def validate_field(field: Field, value: str | None) -> Message | None:
    """The problem with one answer, or None when it is acceptable."""
    if field.type == "prefill":
        return None
    if value is None or value == "":
        return Message(N_("This answer is required.")) if field.required else None
    if field.type == "choice" and value not in {o.value for o in field.options}:
        return Message(N_("Choose one of the options."))
    if field.type == "yesno" and value not in ("yes", "no"):
        return Message(N_("Answer yes or no."))
    if field.type == "phone" and not PHONE_RE.match(normalise_phone(value)):
        return Message(N_("Enter a Moroccan phone number of 10 digits, for example 0612345678."))
    if field.type == "number":
        try:
            n = Decimal(value)
        except InvalidOperation:
            return Message(N_("Enter a number."))
        if field.min is not None and n < field.min:
            return Message(N_("The number must be at least {min}."), {"min": field.min})
        if field.max is not None and n > field.max:
            return Message(N_("The number must be at most {max}."), {"max": field.max})
    return None


class Wizard:
    """Walks one procedure's steps; the last position is the review."""

    def __init__(self, procedure: Procedure, prefill: dict[str, str] | None = None):
        self.procedure = procedure
        self.prefill = dict(prefill or {})
        self.answers: dict[str, str] = {}
        self.errors: dict[str, Message] = {}
        self.index = 0

    # --- position -------------------------------------------------------------
    @property
    def steps(self) -> tuple[Step, ...]:
        return self.procedure.steps

    @property
    def at_review(self) -> bool:
        return self.index >= len(self.steps)

    @property
    def step(self) -> Step | None:
        return None if self.at_review else self.steps[self.index]

    @property
    def progress(self) -> tuple[int, int]:
        """(position, total) counting the review as the last position, 1-based."""
        return self.index + 1, len(self.steps) + 1

    # --- answers --------------------------------------------------------------
    def value(self, field: Field) -> str:
        if field.type == "prefill":
            return self.prefill.get(field.bind or "", "")
        return self.answers.get(field.id, "")

    def set_answer(self, field_id: str, value: str) -> Message | None:
        field = self.procedure.field(field_id)
        if field.type == "prefill":
            raise PermissionError(f"{field_id} is read-only (from the card)")
        if field.type == "phone":
            value = normalise_phone(value)
        self.answers[field_id] = value
        error = validate_field(field, value)
        # A message shown after "Continue" follows the answer as it is corrected; a new
        # one is not raised while the citizen is still typing.
        if error is None:
            self.errors.pop(field_id, None)
        elif field_id in self.errors:
            self.errors[field_id] = error
        return error

    def validate_step(self, step: Step) -> dict[str, Message]:
        errors = {}
        for f in step.fields:
            e = validate_field(f, self.value(f))
            if e is not None:
                errors[f.id] = e
        return errors

    # --- moves ----------------------------------------------------------------
    def next(self) -> bool:
        """Advance when the current step is valid; on errors stay and expose them."""
        step = self.step
        if step is None:
            return False
        errors = self.validate_step(step)
        for f in step.fields:
            self.errors.pop(f.id, None)
        self.errors.update(errors)
        if errors:
            return False
        self.index += 1
        return True

    def back(self) -> bool:
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def go_to(self, step_id: str) -> None:
        """From the review, jump back to a step to edit it."""
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                self.index = i
                return
        raise KeyError(step_id)

    def review(self) -> list[tuple[Step, Field, str]]:
        return [(s, f, self.value(f)) for s in self.steps for f in s.fields]

    def complete(self) -> bool:
        return all(not self.validate_step(s) for s in self.steps)

    def payload(self) -> dict[str, str]:
        """Every answer, prefilled ones included: what the back office receives (sealed)."""
        return {f.id: self.value(f) for s in self.steps for f in s.fields}

    def wipe(self) -> None:
        self.answers.clear()
        self.prefill.clear()
        self.errors.clear()
        self.index = 0
