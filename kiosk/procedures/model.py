"""The procedure catalog model. Every text a citizen reads exists in ar, fr and zgh."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..i18n import LANGUAGES

FIELD_TYPES = ("prefill", "choice", "yesno", "phone", "number")


@dataclass(frozen=True)
class Text:
    """A text in each of the kiosk's languages."""

    values: dict[str, str]

    def __call__(self, lang: str) -> str:
        return self.values[lang]

    def all(self) -> tuple[str, ...]:
        return tuple(self.values[lang] for lang in LANGUAGES)


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class Field:
    id: str
    type: str
    label: Text
    required: bool = True
    help: Text | None = None
    bind: str | None = None  # for "prefill": a key of Identity.prefill()
    options: tuple[Option, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class Step:
    id: str
    title: Text
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Agency:
    id: str
    name: Text
    icon: str


@dataclass(frozen=True)
class Procedure:
    id: str
    version: int
    agency: str
    icon: str
    title: Text
    summary: Text
    fee: Decimal
    delay: Text
    documents: tuple[Text, ...]
    steps: tuple[Step, ...]
    consent: Text
    next_steps: Text
    source: str = field(default="", compare=False)

    def field(self, field_id: str) -> Field:
        for step in self.steps:
            for f in step.fields:
                if f.id == field_id:
                    return f
        raise KeyError(field_id)


@dataclass(frozen=True)
class Catalog:
    agencies: tuple[Agency, ...]
    procedures: tuple[Procedure, ...]

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
