"""Hypothesis on the catalog loader: whatever a file holds (random text, random YAML
structures, a valid procedure with random damage, TOML by mistake), the loader answers
with problems that name a place, and never with another exception."""

import copy
import json

import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.procedures.loader import CatalogError, load_procedure_file, parse_catalog, parse_yaml
from kiosk.procedures.model import Procedure

from .conftest import SAMPLE

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
VALID = parse_yaml((SAMPLE / "test.everything.yaml").read_text(encoding="utf-8"), "x")[0]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20))
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=30)


def check_file(tmp_path, text: str) -> None:
    path = tmp_path / "test.everything.yaml"
    path.write_text(text, encoding="utf-8")
    proc, problems = load_procedure_file(path)
    if proc is None:
        assert problems
    for p in problems:
        assert p.file == str(path) and p.message and p.line >= 0
        assert str(p)


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(tmp_path, text):
    check_file(tmp_path, text)


@SETTINGS
@given(json_like)
def test_random_structures(tmp_path, data):
    check_file(tmp_path, yaml.safe_dump(data, allow_unicode=True))


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, prefix + (i,))


ALL_PATHS = [p for p in _paths(VALID) if p]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS),
                          st.one_of(st.just("<delete>"), scalars, st.lists(scalars, max_size=2))),
                min_size=1, max_size=4))
def test_a_valid_procedure_with_random_damage(tmp_path, edits):
    data = copy.deepcopy(VALID)
    for path, value in edits:
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    check_file(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    # The compiled form is checked by the same schema: a damaged JSON is refused, not crashed on.
    try:
        Procedure.model_validate_json(json.dumps(data, default=str))
    except ValueError:
        pass


@SETTINGS
@given(st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True),
                       st.one_of(st.integers(), st.text(max_size=10).map(json.dumps), st.booleans().map(lambda b: str(b).lower())),
                       max_size=6))
def test_toml_by_mistake(tmp_path, table):
    toml = "[procedure]\n" + "\n".join(f"{k} = {v if not isinstance(v, int) else v}" for k, v in table.items())
    check_file(tmp_path, toml)


def test_duplicate_keys_are_refused_with_their_line(tmp_path):
    text = (SAMPLE / "test.everything.yaml").read_text(encoding="utf-8")
    text = text.replace("version: 2\n", "version: 2\nversion: 3\n", 1)
    check_file(tmp_path, text)
    proc, [problem] = load_procedure_file(tmp_path / "test.everything.yaml")
    assert proc is None and "duplicate" in problem.message and problem.line == 3


def test_a_folder_of_random_files_reports_each(tmp_path):
    (tmp_path / "catalog.yaml").write_text("version: x\n", encoding="utf-8")
    (tmp_path / "a.b.yaml").write_text("[1, 2", encoding="utf-8")
    try:
        parse_catalog(tmp_path)
    except CatalogError as e:
        files = {p.file.rsplit("/", 1)[-1] for p in e.problems}
        assert files == {"catalog.yaml", "a.b.yaml"}
    else:
        raise AssertionError("accepted")
