"""The procedure catalog model and its schema (pydantic). Every text exists in ar, fr and zgh.

The schema is the contract described in ``docs/catalog-format.md``. Structural checks
(types, required keys, unknown keys, missing translations, scripts) come from the
models; checks across a procedure (unique ids, conditions naming earlier fields,
rules naming the step's fields) from its ``model_validator``; checks across the
catalog (known agencies, categories) from ``Catalog``'s. The same validation runs on
the YAML sources and on the compiled JSON the kiosk loads at start.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Iterator, Literal, Union

from pydantic import (BaseModel, ConfigDict, Discriminator, Field as PField, StringConstraints,
                      ValidationInfo, field_validator, model_validator)

from ..i18n import LANGUAGES
from .dates import parse_date_spec

FIELD_TYPES = ("text", "multiline", "number", "amount", "date", "choice", "multichoice",
               "yesno", "phone", "email", "cin", "rib", "prefill")
PREFILL_KEYS = ("identity.surname", "identity.given_names", "identity.full_name",
                "identity.name_ar", "identity.document_number", "identity.birth_date",
                "identity.nationality", "identity.sex")

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- texts -----------------------------------------------------------------------------
# Script checks run for every text of every load, so they are patterns checked by
# pydantic-core (Rust), not Python validators: ar has Arabic letters and no Tifinagh,
# zgh has Tifinagh letters and no Arabic, fr has neither. Latin acronyms and digits
# are allowed everywhere.
_TIF = "\u2D30-\u2D7F"
_ARA = "\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF"
_ARA_LETTER = "\u0620-\u064A\u066E-\u06D3\u06FA-\u06FF\u0750-\u077F\uFB50-\uFDFB\uFE70-\uFEFC"
SCRIPT_PATTERNS = {
    "ar": f"^[^{_TIF}]*[{_ARA_LETTER}][^{_TIF}]*$",
    "zgh": f"^[^{_ARA}]*[\u2D30-\u2D6F][^{_ARA}]*$",
    "fr": f"^[^{_ARA}{_TIF}]*$",
}
SCRIPT_RULES = {
    "ar": "the Arabic text must be written in Arabic letters",
    "zgh": "the Tamazight text must be written in Tifinagh",
    "fr": "the French text must be written in Latin letters",
}


def _in_script(lang: str):
    return Annotated[str, StringConstraints(min_length=1, strip_whitespace=True,
                                            pattern=SCRIPT_PATTERNS[lang])]


class Text(_Model):
    """A text in each of the kiosk's languages, in the right script."""

    ar: _in_script("ar")  # type: ignore[valid-type]
    fr: _in_script("fr")  # type: ignore[valid-type]
    zgh: _in_script("zgh")  # type: ignore[valid-type]

    def __call__(self, lang: str) -> str:
        return getattr(self, lang)

    def all(self) -> tuple[str, ...]:
        return tuple(getattr(self, lang) for lang in LANGUAGES)


# --- conditions --------------------------------------------------------------------------
class FieldRef(_Model):
    field: Id


Literal_ = Union[bool, int, float, str]
Operand = Union[FieldRef, Literal_]
OPERATORS = ("equals", "not_equals", "in", "gt", "gte", "lt", "lte", "contains", "answered")


class Condition(_Model):
    """``{field: x, <operator>: operand}`` or ``{all|any: [...]}`` or ``{not: ...}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: Id | None = None
    equals: Operand | None = None
    not_equals: Operand | None = None
    in_: tuple[Literal_, ...] | None = PField(None, alias="in")
    gt: Operand | None = None
    gte: Operand | None = None
    lt: Operand | None = None
    lte: Operand | None = None
    contains: str | None = None
    answered: bool | None = None
    all_: tuple["Condition", ...] | None = PField(None, alias="all")
    any_: tuple["Condition", ...] | None = PField(None, alias="any")
    not_: "Condition | None" = PField(None, alias="not")

    @model_validator(mode="after")
    def _shape(self) -> "Condition":
        ops = [o for o in OPERATORS if self.operand(o) is not None]
        groups = [g for g in ("all_", "any_", "not_") if getattr(self, g) is not None]
        if groups:
            if len(groups) > 1 or ops or self.field is not None:
                raise ValueError("use one of all, any or not alone")
            if groups[0] in ("all_", "any_") and not getattr(self, groups[0]):
                raise ValueError("all/any needs at least one condition")
        elif self.field is None:
            raise ValueError("a condition names a field, or groups conditions with all/any/not")
        elif len(ops) != 1:
            raise ValueError("a condition has exactly one of " + ", ".join(OPERATORS))
        return self

    def operand(self, op: str) -> Any:
        return getattr(self, "in_" if op == "in" else op)

    @property
    def operator(self) -> str | None:
        for o in OPERATORS:
            if self.operand(o) is not None:
                return o
        return None

    def fields(self) -> Iterator[str]:
        """Every field this condition reads."""
        if self.field is not None:
            yield self.field
        for op in ("equals", "not_equals", "gt", "gte", "lt", "lte"):
            v = self.operand(op)
            if isinstance(v, FieldRef):
                yield v.field
        for sub in (self.all_ or ()) + (self.any_ or ()) + ((self.not_,) if self.not_ else ()):
            yield from sub.fields()


# --- fields ------------------------------------------------------------------------------
class Option(_Model):
    value: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
    label: Text


class _Field(_Model):
    """What every field has. Each type declares only the keys it takes, so a key that
    does not belong (options on a text, bind on a choice) is refused as unknown."""

    id: Id
    label: Text
    help: Text | None = None
    required: bool = True
    when: Condition | None = None


class _Range(_Field):
    min: Decimal | None = None
    max: Decimal | None = None

    @model_validator(mode="after")
    def _range(self):
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is greater than max")
        return self


class _Lengths(_Field):
    min_length: int = PField(0, ge=0)

    @model_validator(mode="after")
    def _lengths(self):
        if self.min_length > self.max_length:  # type: ignore[attr-defined]
            raise ValueError("min_length is greater than max_length")
        return self


class TextField(_Lengths):
    type: Literal["text"]
    max_length: int = PField(200, ge=1, le=2000)
    pattern: str | None = None
    pattern_message: Text | None = None
    #: a valid answer, needed with a pattern: shown as a hint, used by test submissions
    example: str | None = None
    #: the keyboard to open instead of the language's: Latin letters, or digits only
    keyboard: Literal["latin", "digits"] | None = None

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v):
        if v is not None:
            try:
                re.compile(v)
            except re.error as e:
                raise ValueError(f"the pattern is not a valid regular expression: {e}") from None
        return v

    @model_validator(mode="after")
    def _pattern_message(self):
        if self.pattern and self.pattern_message is None:
            raise ValueError("a pattern needs a pattern_message telling the citizen what to type")
        if self.pattern and self.example is None:
            raise ValueError("a pattern needs an example: a valid answer matching it")
        if self.pattern and self.example is not None and not re.fullmatch(self.pattern, self.example):
            raise ValueError(f"the example {self.example!r} does not match the pattern")
        return self


class MultilineField(_Lengths):
    type: Literal["multiline"]
    max_length: int = PField(1000, ge=1, le=5000)


class NumberField(_Range):
    type: Literal["number"]

    @field_validator("min", "max")
    @classmethod
    def _whole(cls, v):
        if v is not None and v != v.to_integral_value():
            raise ValueError("a number field takes whole min and max")
        return v


class AmountField(_Range):
    type: Literal["amount"]


class DateField(_Field):
    type: Literal["date"]
    min_date: str | None = None
    max_date: str | None = None

    @field_validator("min_date", "max_date")
    @classmethod
    def _spec(cls, v):
        if v is not None:
            parse_date_spec(v)  # raises ValueError with the reason
        return v


class ChoiceField(_Field):
    type: Literal["choice"]
    options: tuple[Option, ...] = PField(min_length=2)

    @field_validator("options")
    @classmethod
    def _unique(cls, v):
        values = [o.value for o in v]
        if len(set(values)) != len(values):
            raise ValueError("option values must be unique")
        return v


class MultiChoiceField(ChoiceField):
    type: Literal["multichoice"]  # type: ignore[assignment]
    min_choices: int = PField(0, ge=0)
    max_choices: int | None = PField(None, ge=1)

    @model_validator(mode="after")
    def _counts(self):
        if self.max_choices is not None and self.max_choices > len(self.options):
            raise ValueError("max_choices is more than the number of options")
        if self.max_choices is not None and self.min_choices > self.max_choices:
            raise ValueError("min_choices is greater than max_choices")
        return self


class YesNoField(_Field):
    type: Literal["yesno"]


class PhoneField(_Field):
    type: Literal["phone"]
    kinds: tuple[Literal["mobile", "landline"], ...] = PField(("mobile", "landline"), min_length=1)


class EmailField(_Field):
    type: Literal["email"]


class CinField(_Field):
    type: Literal["cin"]


class RibField(_Field):
    type: Literal["rib"]


class PrefillField(_Field):
    type: Literal["prefill"]
    bind: Literal[PREFILL_KEYS]  # type: ignore[valid-type]
    required: bool = False


Field = Annotated[Union[TextField, MultilineField, NumberField, AmountField, DateField,
                        ChoiceField, MultiChoiceField, YesNoField, PhoneField, EmailField,
                        CinField, RibField, PrefillField], Discriminator("type")]
AnyField = Union[TextField, MultilineField, NumberField, AmountField, DateField, ChoiceField,
                 MultiChoiceField, YesNoField, PhoneField, EmailField, CinField, RibField,
                 PrefillField]


class Rule(_Model):
    check: Condition
    fields: tuple[Id, ...] = PField(min_length=1)
    message: Text


class Step(_Model):
    id: Id
    title: Text
    intro: Text | None = None
    when: Condition | None = None
    fields: tuple[Field, ...] = PField(min_length=1)
    rules: tuple[Rule, ...] = ()


class Eligibility(_Model):
    id: Id
    question: Text
    expect: Literal["yes", "no"]
    otherwise: Text


class Fee(_Model):
    amount: Decimal = PField(ge=0, max_digits=9, decimal_places=2)
    label: Text


class Review(_Model):
    note: Text | None = None


class Procedure(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,39}\.[a-z0-9][a-z0-9-]{0,59}$")]
    version: int = PField(ge=1)
    agency: Slug
    category: Slug
    icon: Slug
    title: Text
    summary: Text
    fees: tuple[Fee, ...] = ()
    delay: Text
    delay_days: int | None = PField(None, ge=0, le=365)
    documents: tuple[Text, ...] = ()
    #: other words a citizen may search with (e.g. "acte", "naissance" for an extract)
    keywords: tuple[Text, ...] = ()
    eligibility: tuple[Eligibility, ...] = ()
    steps: tuple[Step, ...] = PField(min_length=1)
    review: Review = Review()
    consent: Text
    next_steps: Text

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> "Procedure":
        found = reference_problems(self)
        collect = info.context.get("collect") if isinstance(info.context, dict) else None
        if collect is not None:
            collect.extend(found)  # the loader reports each with its own line
        elif found:
            raise ValueError(found[0][1])
        return self

    @property
    def fee(self) -> Decimal:
        return sum((f.amount for f in self.fees), Decimal(0))

    def all_fields(self) -> Iterator[_Field]:
        for s in self.steps:
            yield from s.fields

    def field(self, field_id: str):
        for f in self.all_fields():
            if f.id == field_id:
                return f
        raise KeyError(field_id)


def reference_problems(proc: "Procedure") -> list[tuple[tuple, str]]:
    """Checks across a procedure, each with the place it is about: unique ids, conditions
    naming earlier fields and real options, rules naming the step's own fields."""
    out: list[tuple[tuple, str]] = []
    if not proc.id.startswith(proc.agency + "."):
        out.append((("id",), f"the id must start with the agency: {proc.agency}."))
    known: dict[str, Any] = {}
    for i, e in enumerate(proc.eligibility):
        if e.id in known:
            out.append((("eligibility", i, "id"), f"duplicate field id {e.id!r}"))
        known[e.id] = "yesno"
    step_ids: set[str] = set()
    for si, s in enumerate(proc.steps):
        if s.id in step_ids:
            out.append((("steps", si, "id"), f"duplicate step id {s.id!r}"))
        step_ids.add(s.id)
        if s.when is not None:
            out += [(("steps", si, "when"), m) for m in _condition_problems(s.when, dict(known))]
        for fi, f in enumerate(s.fields):
            if f.id in known:
                out.append((("steps", si, "fields", fi, "id"), f"duplicate field id {f.id!r}"))
            if f.when is not None:
                out += [(("steps", si, "fields", fi, "when"), m)
                        for m in _condition_problems(f.when, known)]
            known[f.id] = f
        step_fields = {f.id for f in s.fields}
        for ri, r in enumerate(s.rules):
            out += [(("steps", si, "rules", ri, "check"), m) for m in _condition_problems(r.check, known)]
            for fid in r.fields:
                if fid not in step_fields:
                    out.append((("steps", si, "rules", ri, "fields"),
                                f"{fid!r} is not a field of this step"))
    return out


def _condition_problems(cond: Condition, known: dict) -> list[str]:
    out = []
    for name in cond.fields():
        if name not in known:
            out.append(f"{name!r} is not an earlier field")
    for sub in (cond.all_ or ()) + (cond.any_ or ()) + ((cond.not_,) if cond.not_ else ()):
        out += _condition_problems(sub, known)
    field = known.get(cond.field) if cond.field else None
    if cond.contains is not None:
        if not isinstance(field, MultiChoiceField):
            out.append(f"'contains' needs a multichoice field, {cond.field!r} is not one")
        elif cond.contains not in {o.value for o in field.options}:
            out.append(f"{cond.contains!r} is not an option of {cond.field!r}")
    for op in ("equals", "not_equals"):
        v = cond.operand(op)
        if isinstance(field, ChoiceField) and isinstance(v, str) and \
                v not in {o.value for o in field.options}:
            out.append(f"{v!r} is not an option of {cond.field!r}")
        if (field == "yesno" or isinstance(field, YesNoField)) and v is not None \
                and not isinstance(v, FieldRef) and v not in ("yes", "no"):
            out.append(f"{cond.field!r} is answered yes or no")
    return out


class Agency(_Model):
    id: Slug
    icon: Slug
    name: Text


class Category(_Model):
    id: Slug
    icon: Slug
    name: Text


class Catalog(_Model):
    version: int = PField(ge=1)
    agencies: tuple[Agency, ...] = PField(min_length=1)
    categories: tuple[Category, ...] = PField(min_length=1)
    procedures: tuple[Procedure, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> "Catalog":
        for kind in ("agencies", "categories", "procedures"):
            ids = [x.id for x in getattr(self, kind)]
            dup = {i for i in ids if ids.count(i) > 1}
            if dup:
                raise ValueError(f"duplicate {kind[:-1] if kind != 'agencies' else 'agency'} id "
                                 f"{sorted(dup)[0]!r}")
        return self

    def get(self, procedure_id: str) -> Procedure:
        for p in self.procedures:
            if p.id == procedure_id:
                return p
        raise KeyError(procedure_id)

    def agency(self, agency_id: str) -> Agency:
        for a in self.agencies:
            if a.id == agency_id:
                return a
        raise KeyError(agency_id)

    def category(self, category_id: str) -> Category:
        for c in self.categories:
            if c.id == category_id:
                return c
        raise KeyError(category_id)
