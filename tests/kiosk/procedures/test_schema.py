"""Broken catalog files: every problem is reported, each with its file, line and path."""

import pytest

from kiosk.procedures.loader import CatalogError, load_catalog, parse_catalog, validate_paths

PROC = "test.everything.yaml"


def edit(folder, old, new, name=PROC, count=1):
    f = folder / name
    text = f.read_text(encoding="utf-8")
    assert old in text, old
    f.write_text(text.replace(old, new, count), encoding="utf-8")


def problems(folder):
    with pytest.raises(CatalogError) as e:
        parse_catalog(folder)
    return e.value.problems


def line_of(folder, needle, name=PROC):
    for i, line in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_the_sample_is_valid(sample_dir):
    cat = parse_catalog(sample_dir)
    assert [p.id for p in cat.procedures] == ["test.everything"]


def test_missing_translation_names_file_line_and_path(sample_dir):
    edit(sample_dir, "title: {ar: الوقائع, fr: Les faits, zgh: ⵜⵉⴷⵢⴰⵏⵉⵏ}",
         "title: {ar: الوقائع, fr: Les faits}")
    [p] = problems(sample_dir)
    assert p.file.endswith(PROC)
    assert p.path == "steps[1].title.zgh" and p.message == "missing translation"
    assert p.line == line_of(sample_dir, "title: {ar: الوقائع")
    assert str(p) == f"{p.file}:{p.line}: steps[1].title.zgh: missing translation"


@pytest.mark.parametrize("old,new,path,message", [
    ("fr: Tous les champs", "fr: ⴰⴽⴽ", "title.fr", "Latin letters"),
    ("zgh: ⴰⴽⴽ ⵉⴳⵔⴰⵏ", "zgh: Tous les champs", "title.zgh", "Tifinagh"),
    ("ar: كل الحقول", "ar: Tous", "title.ar", "Arabic letters"),
    ("type: multiline", "type: telepathy", "steps[3].fields[0]", "unknown field type 'telepathy'"),
    ("version: 2", "version: two", "version", "integer"),
    ("max_choices: 2", "max_choices: 9", "steps[2].fields[2]", "max_choices is more than"),
    ("min_date: today-10y", "min_date: yesterday", "steps[1].fields[0].min_date", "is not a date"),
    ("pattern: '^\\d{7}$'", "pattern: '^(\\d{7}$'", "steps[0].fields[3].pattern", "regular expression"),
    ("example: '1234567'", "example: '12'", "steps[0].fields[3]", "does not match the pattern"),
    ("bind: identity.full_name", "bind: identity.salary", "steps[0].fields[0].bind", "identity.full_name"),
    ("        min: 1\n        max: 5", "        min: 5\n        max: 1", "steps[1].fields[2]", "min is greater than max"),
    ("when: {field: payment, equals: rib}", "when: {field: payment, equals: cheque}", "steps[2].fields[1].when", "not an option of 'payment'"),
    ("when: {field: needs, contains: c}", "when: {field: phone, answered: true}", "steps[3].when", "not an earlier field"),
    ("when: {field: other, equals: yes}", "when: {field: other, equals: yes, gt: 2}", "steps[2].fields[4].when", "exactly one of"),
    ("        fields: [end]", "        fields: [copies_x]", "steps[1].rules[0].fields", "not a field of this step"),
    ("    expect: yes", "    expect: maybe", "eligibility[0].expect", "'yes' or 'no'"),
    ("        min_choices: 1\n", "        min_choices: 1\n        options_x: 1\n", "steps[2].fields[2].options_x", "unknown key"),
    ("      - id: rib\n        type: rib\n", "      - id: rib\n        type: rib\n        options: []\n", "steps[2].fields[1].options", "unknown key"),
    ("id: test.everything", "id: other.everything", "id", "must start with the agency"),
    ("  - amount: 2.5", "  - amount: -2.5", "fees[0].amount", "greater than or equal to 0"),
])
def test_each_broken_rule_is_reported_where_it_is(sample_dir, old, new, path, message):
    edit(sample_dir, old, new)
    found = problems(sample_dir)
    assert any(p.path.startswith(path) and message in p.message for p in found), found
    assert all(p.file.endswith(PROC) and p.line > 0 for p in found), found


def test_every_problem_is_reported_not_only_the_first(sample_dir):
    edit(sample_dir, "version: 2", "version: two")
    edit(sample_dir, "type: multiline", "type: telepathy")
    edit(sample_dir, "zgh: ⴰⵎⵢⴰⵡⴰⴹ}", "}")
    paths = {p.path for p in problems(sample_dir)}
    assert {"version", "steps[3].fields[0]", "steps[4].title.zgh"} <= paths


def test_unknown_agency_category_and_icon_are_reported(sample_dir):
    edit(sample_dir, "agency: test", "agency: nowhere")
    edit(sample_dir, "id: test.everything", "id: nowhere.everything")
    edit(sample_dir, "category: tests", "category: games")
    edit(sample_dir, "icon: document", "icon: unicorn")
    (sample_dir / PROC).rename(sample_dir / "nowhere.everything.yaml")
    found = {(p.path, p.message.split(" (")[0]) for p in problems(sample_dir)}
    assert ("agency", "unknown agency 'nowhere'") in found
    assert ("category", "unknown category 'games'") in found
    assert ("icon", "no icon assets/icons/unicorn.svg") in found


def test_file_must_be_named_after_the_procedure(sample_dir):
    (sample_dir / PROC).rename(sample_dir / "other.yaml")
    [p] = problems(sample_dir)
    assert p.path == "id" and "test.everything.yaml" in p.message


def test_duplicate_field_ids_and_duplicate_procedures(sample_dir):
    edit(sample_dir, "- id: copies", "- id: salary")
    found = problems(sample_dir)
    assert any("duplicate field id 'salary'" in p.message for p in found)


def test_broken_yaml_gives_its_line(sample_dir):
    (sample_dir / "bad.yaml").write_text("id: x\ntitle: [unclosed\nother: 1\n", encoding="utf-8")
    found = problems(sample_dir)
    bad = [p for p in found if p.file.endswith("bad.yaml")]
    assert bad and bad[0].line >= 2 and "not valid YAML" in bad[0].message


def test_not_utf8_and_missing_head(sample_dir):
    (sample_dir / "latin1.yaml").write_bytes("id: é".encode("latin-1"))
    (sample_dir / "catalog.yaml").unlink()
    msgs = {p.message.split(" (")[0] for p in problems(sample_dir)}
    assert "not UTF-8 text" in msgs and "missing: a catalog folder needs catalog.yaml" in msgs


def test_yes_and_no_are_answers_not_booleans(sample_catalog):
    p = sample_catalog.get("test.everything")
    assert p.eligibility[0].expect == "yes"
    cond = p.steps[2].fields[4].when
    assert cond.equals == "yes"


def test_validate_paths_on_a_single_file(sample_dir):
    assert validate_paths([sample_dir / PROC]) == []
    edit(sample_dir, "zgh: ⵜⵉⴳⵉⵔⴰ}", "zgh: }")
    [p] = validate_paths([sample_dir / PROC])
    assert p.path == "steps[1].fields[1].label.zgh"


def test_compiled_catalog_is_used_then_refreshed_when_sources_change(sample_dir, tmp_path):
    cache = tmp_path / "cache"
    first = load_catalog(sample_dir, cache_dir=cache)
    [compiled] = list(cache.glob("catalog-*.json"))
    assert load_catalog(sample_dir, cache_dir=cache) == first
    edit(sample_dir, "version: 2", "version: 3")
    second = load_catalog(sample_dir, cache_dir=cache)
    assert second.get("test.everything").version == 3
    assert not compiled.exists() and len(list(cache.glob("catalog-*.json"))) == 1


def test_a_damaged_compiled_copy_is_not_trusted(sample_dir, tmp_path):
    cache = tmp_path / "cache"
    load_catalog(sample_dir, cache_dir=cache)
    [compiled] = list(cache.glob("catalog-*.json"))
    compiled.write_text(compiled.read_text().replace('"version":2', '"version":"x"'))
    assert load_catalog(sample_dir, cache_dir=cache).get("test.everything").version == 2


def test_an_edited_compiled_copy_is_validated_like_sources(sample_dir, tmp_path):
    cache = tmp_path / "cache"
    load_catalog(sample_dir, cache_dir=cache)
    [compiled] = list(cache.glob("catalog-*.json"))
    # A Tifinagh text replaced by French in the compiled copy is refused, sources reread.
    compiled.write_text(compiled.read_text(encoding="utf-8").replace("ⴰⴽⴽ ⵉⴳⵔⴰⵏ", "Tous"),
                        encoding="utf-8")
    assert load_catalog(sample_dir, cache_dir=cache).get("test.everything").title("zgh") == "ⴰⴽⴽ ⵉⴳⵔⴰⵏ"
