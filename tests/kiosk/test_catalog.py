import shutil

import pytest

from kiosk.i18n import LANGUAGES
from kiosk.procedures.loader import DEFAULT_CATALOG, CatalogError, load_catalog


def test_bundled_catalog_is_complete_in_three_languages():
    cat = load_catalog()
    assert len(cat.procedures) >= 2 and len({p.agency for p in cat.procedures}) >= 2
    for p in cat.procedures:
        for text in (p.title, p.summary, p.delay, p.consent, p.next_steps):
            assert all(text(lang).strip() for lang in LANGUAGES)


def copy_catalog(tmp_path):
    target = tmp_path / "catalog"
    shutil.copytree(DEFAULT_CATALOG, target)
    return target


def test_missing_translation_is_reported_with_file_and_path(tmp_path):
    cat = copy_catalog(tmp_path)
    f = cat / "cnss-attestation-affiliation.yaml"
    f.write_text(f.read_text(encoding="utf-8").replace(
        "  zgh: 2 ⵡⵓⵙⵙⴰⵏ ⵏ ⵜⵡⵓⵔⵉ\n", ""), encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(cat)
    [problem] = e.value.problems
    assert problem.file.endswith("cnss-attestation-affiliation.yaml")
    assert problem.path == "procedure.delay.zgh" and "missing translation" in problem.message


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    cat = copy_catalog(tmp_path)
    f = cat / "etat-civil-extrait-naissance.yaml"
    text = f.read_text(encoding="utf-8").replace("type: yesno", "type: telepathy")
    text = text.replace("agency: etat-civil", "agency: nowhere")
    f.write_text(text.replace("version: 1", "version: one"), encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(cat)
    paths = {p.path for p in e.value.problems}
    assert "procedure.version" in paths
    assert "procedure.steps[1].fields[0].type" in paths


def test_broken_yaml_gives_a_line(tmp_path):
    cat = copy_catalog(tmp_path)
    (cat / "bad.yaml").write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        load_catalog(cat)
    assert any(p.path.startswith("line ") for p in e.value.problems)
