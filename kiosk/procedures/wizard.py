"""The wizard engine: steps, answers, conditions, validation, review. Pure Python, no Qt.

Answers live in memory only. Problems are translatable (``Message`` or the catalog's
``Text``), so a language switch shows them again in the new language with the answers
kept. Eligibility questions form a first step; a step or a field whose condition is
false is skipped: it is neither validated, counted in the progress, nor sent.
``snapshot()`` gives a JSON-able state (no card data) that ``restore()`` takes back;
the session journal only ever writes it encrypted.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Iterator

from .conditions import evaluate
from .fields import Answer, Problem, check, is_empty, normalise, sent_value
from .model import AnyField, MultiChoiceField, PrefillField, Procedure, Step, YesNoField

ELIGIBILITY = "eligibility"


class WizardError(ValueError):
    """A snapshot that does not fit this procedure, or an unknown field or step."""


def _eligibility_step(procedure: Procedure) -> Step | None:
    if not procedure.eligibility:
        return None
    # Built without validation: its title is the kiosk's own ("Before you start").
    fields = tuple(YesNoField.model_construct(id=e.id, label=e.question, help=None, required=True,
                                              when=None, type="yesno")
                   for e in procedure.eligibility)
    return Step.model_construct(id=ELIGIBILITY, title=None, intro=None, when=None,
                                fields=fields, rules=())


class Wizard:
    """Walks one procedure's steps; the position after the last step is the review."""

    def __init__(self, procedure: Procedure, prefill: dict[str, str] | None = None,
                 today: Callable[[], dt.date] = dt.date.today):
        self.procedure = procedure
        self.prefill = dict(prefill or {})
        self.answers: dict[str, Answer] = {}
        self.errors: dict[str, Problem] = {}
        self.index = 0
        self._today = today
        first = _eligibility_step(procedure)
        self._steps: tuple[Step, ...] = ((first,) if first else ()) + procedure.steps
        self._fields: dict[str, tuple[Step, AnyField]] = {
            f.id: (s, f) for s in self._steps for f in s.fields}
        self._expect = {e.id: e for e in procedure.eligibility}

    # --- visibility ---------------------------------------------------------------
    @property
    def today(self) -> dt.date:
        return self._today()

    def _lookup(self, field_id: str):
        found = self._fields.get(field_id)
        if found is None:
            return None
        step, field = found
        if not (self.step_visible(step) and self.field_visible(field)):
            return None
        return field, self.value(field)

    def step_visible(self, step: Step) -> bool:
        return step.when is None or evaluate(step.when, self._lookup, self.today)

    def field_visible(self, field: AnyField) -> bool:
        return field.when is None or evaluate(field.when, self._lookup, self.today)

    def visible_fields(self, step: Step) -> list[AnyField]:
        return [f for f in step.fields if self.field_visible(f)]

    @property
    def steps(self) -> tuple[Step, ...]:
        """The steps the citizen goes through with the answers given so far."""
        return tuple(s for s in self._steps if self.step_visible(s))

    # --- position ---------------------------------------------------------------------
    @property
    def at_review(self) -> bool:
        return self.index >= len(self._steps)

    @property
    def step(self) -> Step | None:
        return None if self.at_review else self._steps[self.index]

    @property
    def progress(self) -> tuple[int, int]:
        """(position, total), 1-based, counting visible steps and the review last."""
        visible = self.steps
        if self.at_review:
            return len(visible) + 1, len(visible) + 1
        before = sum(1 for s in self._steps[:self.index] if self.step_visible(s))
        return before + 1, len(visible) + 1

    @property
    def first(self) -> bool:
        return not any(self.step_visible(s) for s in self._steps[:self.index])

    # --- answers ----------------------------------------------------------------------
    def field(self, field_id: str) -> AnyField:
        try:
            return self._fields[field_id][1]
        except KeyError:
            raise WizardError(f"no field {field_id!r} in {self.procedure.id}") from None

    def value(self, field: AnyField) -> Answer:
        if isinstance(field, PrefillField):
            return self.prefill.get(field.bind, "")
        default: Answer = [] if isinstance(field, MultiChoiceField) else ""
        return self.answers.get(field.id, default)

    def set_answer(self, field_id: str, value: Answer) -> Problem | None:
        field = self.field(field_id)
        if isinstance(field, PrefillField):
            raise PermissionError(f"{field_id} is read-only (from the card)")
        value = normalise(field, value)
        self.answers[field_id] = value
        error = self._check(field, value)
        # A message shown after "Continue" follows the answer as it is corrected; a new
        # one is not raised while the citizen is still typing.
        if error is None:
            self.errors.pop(field_id, None)
        elif field_id in self.errors:
            self.errors[field_id] = error
        return error

    def answer_step(self, answers: dict) -> None:
        """Answer the current step's visible fields from ``answers``, in order, so a field
        an earlier answer reveals is answered too (example answers, tests, benchmarks)."""
        step = self.step
        if step is None:
            return
        for f in step.fields:
            if f.id in answers and not isinstance(f, PrefillField) and self.field_visible(f):
                self.set_answer(f.id, answers[f.id])

    def toggle(self, field_id: str, option: str) -> Problem | None:
        """Select or unselect one option of a multichoice."""
        current = list(self.value(self.field(field_id)))
        current = [v for v in current if v != option] if option in current else current + [option]
        return self.set_answer(field_id, current)

    def _check(self, field: AnyField, value: Answer) -> Problem | None:
        problem = check(field, value, self.today)
        if problem is None and field.id in self._expect and not is_empty(value):
            rule = self._expect[field.id]
            if value != rule.expect:
                return rule.otherwise
        return problem

    def validate_step(self, step: Step) -> dict[str, Problem]:
        errors: dict[str, Problem] = {}
        if step.id == ELIGIBILITY and self.ineligible:
            # Only why the citizen cannot go on, not "required" on the other questions.
            return {e.id: e.otherwise for e in self.procedure.eligibility
                    if self.answers.get(e.id) not in (None, "", e.expect)}
        for f in self.visible_fields(step):
            e = self._check(f, self.value(f))
            if e is not None:
                errors[f.id] = e
        for rule in step.rules:
            shown = [fid for fid in rule.fields
                     if self.field_visible(self.field(fid)) and fid not in errors]
            if len(shown) == len(rule.fields) and not evaluate(rule.check, self._lookup, self.today):
                for fid in shown:
                    errors[fid] = rule.message
        return errors

    @property
    def ineligible(self) -> bool:
        """An eligibility question was answered against: the procedure cannot go on here."""
        return any(self.answers.get(e.id) not in (None, "", e.expect)
                   for e in self.procedure.eligibility)

    # --- moves ------------------------------------------------------------------------
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
        while not self.at_review and not self.step_visible(self._steps[self.index]):
            self.index += 1
        return True

    def back(self) -> bool:
        for i in range(self.index - 1, -1, -1):
            if self.step_visible(self._steps[i]):
                self.index = i
                return True
        return False

    def go_to(self, step_id: str) -> None:
        """From the review, jump back to a step to edit it."""
        for i, s in enumerate(self._steps):
            if s.id == step_id and self.step_visible(s):
                self.index = i
                return
        raise WizardError(f"no visible step {step_id!r}")

    # --- review and result ------------------------------------------------------------
    def review(self) -> list[tuple[Step, list[tuple[AnyField, Answer]]]]:
        return [(s, [(f, self.value(f)) for f in self.visible_fields(s)]) for s in self.steps]

    def complete(self) -> bool:
        return all(not self.validate_step(s) for s in self.steps)

    def first_invalid_step(self) -> str | None:
        for s in self.steps:
            if self.validate_step(s):
                return s.id
        return None

    def payload(self) -> dict[str, Answer]:
        """Every visible answer, prefilled ones included: what the back office receives."""
        return {f.id: sent_value(f, v) for _, items in self.review() for f, v in items}

    def iter_fields(self) -> Iterator[AnyField]:
        for s in self._steps:
            yield from s.fields

    # --- state ------------------------------------------------------------------------
    def snapshot(self) -> dict:
        """JSON-able state without the card's data: procedure, position and answers."""
        return {"procedure": self.procedure.id, "version": self.procedure.version,
                "index": self.index,
                "answers": {k: (list(v) if isinstance(v, list) else v) for k, v in self.answers.items()}}

    def restore(self, state: dict) -> None:
        if state.get("procedure") != self.procedure.id or state.get("version") != self.procedure.version:
            raise WizardError("the snapshot is of another procedure or version")
        answers = state.get("answers")
        index = state.get("index")
        if not isinstance(answers, dict) or not isinstance(index, int) \
                or not 0 <= index <= len(self._steps):
            raise WizardError("not a wizard snapshot")
        self.answers = {}
        for k, v in answers.items():
            field = self.field(k)
            if isinstance(field, PrefillField):
                raise WizardError(f"{k} is read-only")
            self.answers[k] = normalise(field, v)
        self.index = index
        self.errors.clear()

    def wipe(self) -> None:
        self.answers.clear()
        self.prefill.clear()
        self.errors.clear()
        self.index = 0


class AnswersRefused(ValueError):
    """Answers that do not complete the procedure: the problems of the first failing step."""

    def __init__(self, step: str, errors: dict[str, Problem]):
        self.step = step
        self.errors = errors
        super().__init__(f"step {step!r}: " + ", ".join(sorted(errors)))


def payload_from_answers(procedure: Procedure, answers: dict, prefill: dict[str, str],
                         today: Callable[[], dt.date] = dt.date.today) -> dict[str, Answer]:
    """What the UI would send for these answers, through the same engine and checks
    (``kiosk queue submit``, benchmarks); unknown fields are refused."""
    w = Wizard(procedure, prefill, today=today)
    for field_id, value in answers.items():
        field = w.field(field_id)
        if isinstance(field, PrefillField):
            raise WizardError(f"{field_id} comes from the card, it cannot be answered")
        w.set_answer(field_id, value)
    while not w.at_review:
        step = w.step
        assert step is not None
        if not w.next():
            raise AnswersRefused(step.id, dict(w.errors))
    return w.payload()
