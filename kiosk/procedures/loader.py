"""Load the procedure catalog from YAML files, reporting every problem with its place.

YAML because technicians and translators edit these files by hand: multi-line texts in
three scripts read naturally, and PyYAML's node marks give a line for every error.
Only the safe loader is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..i18n import LANGUAGES
from ..paths import ASSETS
from .model import FIELD_TYPES, Agency, Catalog, Field, Option, Procedure, Step, Text

DEFAULT_CATALOG = ASSETS / "procedures"
PREFILL_KEYS = ("identity.surname", "identity.given_names", "identity.name_ar",
                "identity.document_number", "identity.birth_date", "identity.nationality")


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class CatalogError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class _Reader:
    """Walks one document, collecting problems instead of stopping at the first."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, path, message))

    def get(self, obj: Any, key: str, path: str, kind: type | tuple, required: bool = True):
        if not isinstance(obj, dict):
            self.fail(path, "expected a mapping")
            return None
        if key not in obj:
            if required:
                self.fail(f"{path}.{key}", "missing")
            return None
        value = obj[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in _as_tuple(kind)):
            self.fail(f"{path}.{key}", f"expected {_kind_name(kind)}, got {type(value).__name__}")
            return None
        return value

    def text(self, obj: Any, key: str, path: str, required: bool = True) -> Text | None:
        raw = self.get(obj, key, path, dict, required)
        if raw is None:
            return None
        values = {}
        for lang in LANGUAGES:
            v = raw.get(lang)
            if not isinstance(v, str) or not v.strip():
                self.fail(f"{path}.{key}.{lang}", "missing translation")
            else:
                values[lang] = v.strip()
        for extra in set(raw) - set(LANGUAGES):
            self.fail(f"{path}.{key}.{extra}", "unknown language")
        return Text(values) if len(values) == len(LANGUAGES) else None


def _as_tuple(kind):
    return kind if isinstance(kind, tuple) else (kind,)


def _kind_name(kind) -> str:
    names = {str: "text", int: "integer", dict: "mapping", list: "list", bool: "true/false",
             float: "number"}
    return " or ".join(names.get(k, k.__name__) for k in _as_tuple(kind))


def _decimal(r: _Reader, value: Any, path: str) -> Decimal | None:
    if value is None:
        return None
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        r.fail(path, f"not a number: {value!r}")
        return None
    if not d.is_finite():
        r.fail(path, "not a finite number")
        return None
    return d


def _field(r: _Reader, raw: Any, path: str) -> Field | None:
    fid = r.get(raw, "id", path, str)
    ftype = r.get(raw, "type", path, str)
    label = r.text(raw, "label", path)
    if ftype is not None and ftype not in FIELD_TYPES:
        r.fail(f"{path}.type", f"unknown field type {ftype!r}; known: {', '.join(FIELD_TYPES)}")
        ftype = None
    options: list[Option] = []
    if ftype == "choice":
        for i, o in enumerate(r.get(raw, "options", path, list) or []):
            value = r.get(o, "value", f"{path}.options[{i}]", str)
            olabel = r.text(o, "label", f"{path}.options[{i}]")
            if value is not None and olabel is not None:
                options.append(Option(value, olabel))
        if not options:
            r.fail(f"{path}.options", "a choice needs at least one option")
    bind = r.get(raw, "bind", path, str, required=ftype == "prefill")
    if bind is not None and bind not in PREFILL_KEYS:
        r.fail(f"{path}.bind", f"unknown identity value {bind!r}; known: {', '.join(PREFILL_KEYS)}")
    required = r.get(raw, "required", path, bool, required=False)
    help_ = r.text(raw, "help", path, required=False)
    lo = _decimal(r, raw.get("min") if isinstance(raw, dict) else None, f"{path}.min")
    hi = _decimal(r, raw.get("max") if isinstance(raw, dict) else None, f"{path}.max")
    if None in (fid, ftype, label):
        return None
    return Field(fid, ftype, label, True if required is None else required, help_, bind,
                 tuple(options), lo, hi)


def parse_procedure(raw: Any, file: str) -> tuple[Procedure | None, list[Problem]]:
    r = _Reader(file)
    pid = r.get(raw, "id", "procedure", str)
    version = r.get(raw, "version", "procedure", int)
    agency = r.get(raw, "agency", "procedure", str)
    icon = r.get(raw, "icon", "procedure", str)
    texts = {k: r.text(raw, k, "procedure") for k in ("title", "summary", "delay", "consent",
                                                      "next_steps")}
    fee = _decimal(r, r.get(raw, "fee", "procedure", (int, float, str)), "procedure.fee")
    if fee is not None and fee < 0:
        r.fail("procedure.fee", "must not be negative")
    documents = []
    for i, d in enumerate(r.get(raw, "documents", "procedure", list) or []):
        t = r.text({"text": d}, "text", f"procedure.documents[{i}]")
        if t is not None:
            documents.append(t)
    steps: list[Step] = []
    seen: set[str] = set()
    for i, s in enumerate(r.get(raw, "steps", "procedure", list) or []):
        path = f"procedure.steps[{i}]"
        sid = r.get(s, "id", path, str)
        title = r.text(s, "title", path)
        fields = []
        for j, f in enumerate(r.get(s, "fields", path, list) or []):
            fld = _field(r, f, f"{path}.fields[{j}]")
            if fld is None:
                continue
            if fld.id in seen:
                r.fail(f"{path}.fields[{j}].id", f"duplicate field id {fld.id!r}")
            seen.add(fld.id)
            fields.append(fld)
        if sid is not None and title is not None:
            steps.append(Step(sid, title, tuple(fields)))
    if not steps:
        r.fail("procedure.steps", "a procedure needs at least one step")
    if r.problems:
        return None, r.problems
    return Procedure(pid, version, agency, icon, texts["title"], texts["summary"], fee,
                     texts["delay"], tuple(documents), tuple(steps), texts["consent"],
                     texts["next_steps"], source=file), []


def _yaml(path: Path) -> tuple[Any, list[Problem]]:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")), []
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 0
        return None, [Problem(str(path), f"line {line}", f"not valid YAML: {e.problem}")]
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as e:
        return None, [Problem(str(path), "file", f"cannot be read: {e}")]


def load_catalog(directory: Path = DEFAULT_CATALOG) -> Catalog:
    """Load agencies.yaml and every procedure file; raise CatalogError listing all problems."""
    problems: list[Problem] = []
    raw, p = _yaml(directory / "agencies.yaml")
    problems += p
    agencies = []
    r = _Reader(str(directory / "agencies.yaml"))
    for i, a in enumerate(r.get({"agencies": raw}, "agencies", "", list) or []):
        aid = r.get(a, "id", f"agencies[{i}]", str)
        name = r.text(a, "name", f"agencies[{i}]")
        icon = r.get(a, "icon", f"agencies[{i}]", str)
        if None not in (aid, name, icon):
            agencies.append(Agency(aid, name, icon))
    problems += r.problems
    known = {a.id for a in agencies}
    procedures = []
    for path in sorted(directory.glob("*.yaml")):
        if path.name == "agencies.yaml":
            continue
        raw, p = _yaml(path)
        problems += p
        if p:
            continue
        proc, p = parse_procedure(raw, str(path))
        problems += p
        if proc is None:
            continue
        if proc.agency not in known:
            problems.append(Problem(str(path), "procedure.agency", f"unknown agency {proc.agency!r}"))
        elif any(q.id == proc.id for q in procedures):
            problems.append(Problem(str(path), "procedure.id", f"duplicate procedure id {proc.id!r}"))
        else:
            procedures.append(proc)
    if problems:
        raise CatalogError(problems)
    return Catalog(tuple(agencies), tuple(procedures))
