"""Load and validate a catalog folder, reporting every problem with file, line and path.

YAML is read as YAML 1.2 (ryaml, a Rust parser): ``yes``, ``no``, ``on`` and dates
stay text (only ``true``/``false`` are booleans), so ``expect: yes`` means the answer
"yes" and an option value ``no`` is not a boolean; a key written twice is an error; no
tag ever builds an object. PyYAML's composer only serves to find the line of a schema
error (from node marks). A validated catalog is also kept compiled as JSON (keyed by
the SHA-256 of its sources); loading that re-runs the whole schema in Rust.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ryaml
import yaml
from pydantic import ValidationError

from ..i18n import LANGUAGES
from ..paths import ASSETS
from .model import FIELD_TYPES, SCRIPT_RULES, Catalog, Procedure

log = logging.getLogger(__name__)

DEFAULT_CATALOG = ASSETS / "procedures"
ICONS = ASSETS / "icons"
CATALOG_FILE = "catalog.yaml"
MAX_FILE_BYTES = 512 * 1024
COMPILED_FORMAT = 1


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class CatalogError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


# Only PyYAML's composer is used (node marks, for error lines); nodes keep the raw text
# of keys, so its YAML 1.1 typing never matters here.
_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path) -> tuple[str | None, list[Problem]]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, [Problem(str(path), "", f"file larger than {MAX_FILE_BYTES // 1024} KiB")]
        return path.read_text(encoding="utf-8"), []
    except UnicodeDecodeError as e:
        return None, [Problem(str(path), "", f"not UTF-8 text ({e.reason} at byte {e.start})")]
    except OSError as e:
        return None, [Problem(str(path), "", f"cannot be read: {e.strerror or e}")]


_AT_LINE = re.compile(r"at line (\d+)")


def parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    """YAML 1.2 with ryaml (Rust): duplicate keys are errors, tags build nothing."""
    try:
        return ryaml.loads(text), []
    except ValueError as e:  # ryaml.InvalidYamlError
        message = str(e)
        m = _AT_LINE.search(message)
        line = int(m.group(1)) if m else 0
        if not line and "duplicate entry" in message:
            line = _duplicate_line(text, message)
        return None, [Problem(file, "", f"not valid YAML: {_AT_LINE.split(message)[0].strip(' ,')}", line)]
    except BaseException as e:  # a panic in the parser (pyo3 raises BaseException)
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        return None, [Problem(file, "", f"not valid YAML: {type(e).__name__}")]


def _duplicate_line(text: str, message: str) -> int:
    m = re.search(r'key "([^"]*)"', message)
    if not m:
        return 0
    key = re.escape(m.group(1))
    lines = [i for i, line in enumerate(text.splitlines(), 1) if re.match(rf"^\s*-?\s*{key}\s*:", line)]
    return lines[1] if len(lines) > 1 else 0


# --- error locations -------------------------------------------------------------------------
def _line_of(text: str, loc: tuple) -> int:
    """The line of the deepest YAML node along ``loc`` (1-based; 0 when unknown)."""
    try:
        node = yaml.compose(text, Loader=_Composer)
    except Exception:
        return 0
    line = node.start_mark.line + 1 if node is not None else 0
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == key:
                    node = v
                    line = k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line + 1
        else:
            return line
    return line


_ALIASES = {"in_": "in", "all_": "all", "any_": "any", "not_": "not"}
_OPERAND_TAGS = {"FieldRef", "Condition", "bool", "int", "float", "str"}


def _clean_loc(loc: tuple) -> tuple:
    out: list = []
    for part in loc:
        if isinstance(part, str) and (
                (part in FIELD_TYPES and len(out) >= 2 and out[-2] == "fields")
                or part in _OPERAND_TAGS or part.startswith(("tuple[", "function-"))):
            continue  # union branch names pydantic adds
        out.append(_ALIASES.get(part, part) if isinstance(part, str) else part)
    return tuple(out)


def _path_str(loc: tuple) -> str:
    s = ""
    for part in loc:
        s += f"[{part}]" if isinstance(part, int) else (f".{part}" if s else str(part))
    return s


def _message(err: dict, loc: tuple) -> str:
    kind = err["type"]
    if kind == "missing":
        return "missing translation" if loc and loc[-1] in LANGUAGES else "missing"
    if kind == "extra_forbidden":
        return "unknown key (check its spelling in docs/catalog-format.md)"
    if kind == "union_tag_invalid":
        return f"unknown field type {err.get('input', {}).get('type')!r}; known: {', '.join(FIELD_TYPES)}"
    if kind == "union_tag_not_found":
        return "a field needs a type"
    if kind == "string_too_short" and loc and loc[-1] in LANGUAGES:
        return "missing translation (empty)"
    if kind == "string_pattern_mismatch" and loc and loc[-1] in LANGUAGES:
        return SCRIPT_RULES[loc[-1]]
    if kind == "string_pattern_mismatch":
        return f"{err.get('input')!r} is not a valid id ({err['ctx']['pattern']})"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _problems(e: ValidationError, text: str | None, file: str) -> list[Problem]:
    problems, seen = [], set()
    for err in e.errors(include_url=False):
        loc = _clean_loc(tuple(err["loc"]))
        # A union of operand types reports each branch; one line per place is enough.
        key = (loc, err["type"] if err["type"] != "value_error" else err["msg"])
        if loc in {s[0] for s in seen} and err["type"] in ("bool_type", "int_type", "float_type",
                                                           "string_type", "model_type"):
            continue
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(file, _path_str(loc), _message(err, loc),
                                _line_of(text, loc) if text is not None else 0))
    return problems


# --- files -----------------------------------------------------------------------------------
def load_procedure_file(path: Path) -> tuple[Procedure | None, list[Problem]]:
    text, problems = _read(path)
    if text is None:
        return None, problems
    raw, problems = parse_yaml(text, str(path))
    if problems:
        return None, problems
    found: list[tuple[tuple, str]] = []
    try:
        proc = Procedure.model_validate(raw, context={"collect": found})
    except ValidationError as e:
        return None, _problems(e, text, str(path))
    problems = [Problem(str(path), _path_str(loc), msg, _line_of(text, loc)) for loc, msg in found]
    if path.stem != proc.id:
        problems.append(Problem(str(path), "id", f"the file must be named {proc.id}.yaml", 1))
    for where, icon in [("icon", proc.icon)]:
        if not (ICONS / f"{icon}.svg").is_file():
            problems.append(Problem(str(path), where, f"no icon assets/icons/{icon}.svg",
                                    _line_of(text, (where,))))
    # The procedure is still returned: its agency and category are checked as well.
    return proc, problems


def _sources(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml") if p.name != CATALOG_FILE)


def digest(directory: Path) -> str:
    """SHA-256 over the catalog's file names and bytes: the compiled cache's key."""
    h = hashlib.sha256(f"guichet-catalog-{COMPILED_FORMAT}".encode())
    for p in [directory / CATALOG_FILE, *_sources(directory)]:
        h.update(p.name.encode() + b"\0")
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<unreadable>")
        h.update(b"\0")
    return h.hexdigest()


def parse_catalog(directory: Path) -> Catalog:
    """Read and validate the YAML sources; raise CatalogError listing every problem."""
    directory = Path(directory)
    head_file = directory / CATALOG_FILE
    problems: list[Problem] = []
    if not directory.is_dir():
        raise CatalogError([Problem(str(directory), "", "not a folder")])
    text, p = _read(head_file) if head_file.exists() else (None, [
        Problem(str(head_file), "", "missing: a catalog folder needs catalog.yaml")])
    problems += p
    head: Any = None
    if text is not None:
        head, p = parse_yaml(text, str(head_file))
        problems += p
    procedures = []
    for path in _sources(directory):
        proc, p = load_procedure_file(path)
        problems += p
        if proc is not None:
            procedures.append((path, proc))
    if head is not None:
        try:
            if not isinstance(head, dict):
                raise CatalogError([Problem(str(head_file), "", "expected a mapping", 1)])
            base = Catalog.model_validate({**head, "procedures": []})
        except ValidationError as e:
            problems += _problems(e, text, str(head_file))
        else:
            for kind in ("agencies", "categories"):
                for i, item in enumerate(getattr(base, kind)):
                    if not (ICONS / f"{item.icon}.svg").is_file():
                        problems.append(Problem(str(head_file), f"{kind}[{i}].icon",
                                                f"no icon assets/icons/{item.icon}.svg",
                                                _line_of(text, (kind, i, "icon"))))
            agencies = {a.id for a in base.agencies}
            categories = {c.id for c in base.categories}
            seen: set[str] = set()
            for path, proc in procedures:
                if proc.agency not in agencies:
                    problems.append(Problem(str(path), "agency", f"unknown agency {proc.agency!r} "
                                            f"(catalog.yaml has: {', '.join(sorted(agencies))})",
                                            _line_of(path.read_text("utf-8"), ("agency",))))
                if proc.category not in categories:
                    problems.append(Problem(str(path), "category", f"unknown category "
                                            f"{proc.category!r} (catalog.yaml has: "
                                            f"{', '.join(sorted(categories))})",
                                            _line_of(path.read_text("utf-8"), ("category",))))
                if proc.id in seen:
                    problems.append(Problem(str(path), "id", f"duplicate procedure id {proc.id!r}", 1))
                seen.add(proc.id)
    if problems:
        raise CatalogError(problems)
    return base.model_copy(update={"procedures": tuple(p for _, p in procedures)})


# --- compiled cache ------------------------------------------------------------------------
def _compiled_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"catalog-{key[:32]}.json"


def load_compiled(path: Path) -> Catalog:
    """Validate a compiled catalog (the same schema, from JSON)."""
    data = path.read_bytes()
    return Catalog.model_validate_json(data)


def _write_compiled(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalog-", suffix=".json")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(catalog.model_dump_json(by_alias=True, exclude_none=True).encode())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for old in path.parent.glob("catalog-*.json"):
        if old != path:
            old.unlink(missing_ok=True)


def load_catalog(directory: Path = DEFAULT_CATALOG, cache_dir: Path | None = None) -> Catalog:
    """The validated catalog of a folder. With ``cache_dir``, a compiled copy whose key
    matches the sources is used (and re-validated), else the YAML is parsed and compiled."""
    directory = Path(directory)
    if cache_dir is None:
        return parse_catalog(directory)
    key = digest(directory)
    compiled = _compiled_path(cache_dir, key)
    if compiled.exists():
        try:
            return load_compiled(compiled)
        except (ValidationError, OSError, ValueError) as e:
            log.warning("compiled catalog unusable, reading the sources again: %s", type(e).__name__)
    catalog = parse_catalog(directory)
    try:
        _write_compiled(catalog, compiled)
    except OSError as e:
        log.warning("cannot keep the compiled catalog: %s", e)
    return catalog


def validate_paths(paths: list[Path]) -> list[Problem]:
    """What ``kiosk catalog validate`` reports: folders as catalogs, files as procedures."""
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            try:
                parse_catalog(p)
            except CatalogError as e:
                problems += e.problems
        elif p.name == CATALOG_FILE:
            problems += validate_paths([p.parent])
        else:
            problems += load_procedure_file(p)[1]
    return problems


__all__ = ["CatalogError", "Problem", "load_catalog", "parse_catalog", "validate_paths",
           "DEFAULT_CATALOG", "digest"]
