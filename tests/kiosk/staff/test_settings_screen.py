"""The technician's settings screen in the core: choices, typed values, refusals with
the rule, roles, the audit trail, and what waits for a restart."""

import pytest

from kiosk.config import Settings
from kiosk.desk import Desk
from kiosk.settings_screen import CHOICES, GROUPS, SettingsEditor
from tests.staff_helpers import make_staff


@pytest.fixture
def desk(services):
    make_staff(services.paths)
    return Desk(services)


def type_text(editor, text):
    for _ in range(len(editor.buffer)):
        editor.type_key({"action": "backspace"})
    for ch in text:
        editor.type_key({"insert": ch})


def test_every_setting_is_on_the_screen_once(desk):
    from kiosk.config import KEYS
    shown = [n for _, names in GROUPS for n in names]
    assert sorted(shown) == sorted(KEYS)


def test_technician_sets_a_choice_and_a_number(desk, services):
    assert desk.sign_in("1001", "482913")
    ed = SettingsEditor(desk)
    ed.choose("printer.kind", CHOICES["printer.kind"].index("escpos"))
    assert services.settings["printer.kind"] == "escpos"
    ed.start("session.idle_warning")
    assert ed.view("fr")["editing"]["keyboard"]["name"] == "digits"
    type_text(ed, "90")
    assert ed.save() and ed.editing is None
    assert Settings.load(services.paths.config_file)["session.idle_warning"] == 90
    assert desk.notice is not None
    actions = [(r["actor"], r["action"], r["details"].get("key")) for r in desk.gate.audit.records()]
    assert ("1001", "config.set", "printer.kind") in actions
    assert ("1001", "config.set", "session.idle_warning") in actions


def test_refused_value_keeps_the_old_one_and_says_the_rule(desk, services):
    desk.sign_in("1001", "482913")
    ed = SettingsEditor(desk)
    ed.start("session.idle_warning")
    type_text(ed, "5")
    assert not ed.save()
    assert ed.editing == "session.idle_warning"            # still editing, to correct it
    assert "10" in desk.error.render("fr") and "600" in desk.error.render("fr")  # the rule
    assert services.settings["session.idle_warning"] == 60
    assert [r["action"] for r in desk.gate.audit.records()][-1] == "config.set.failed"


def test_an_agent_cannot_change_settings(desk, services):
    desk.sign_in("2001", "559301")
    ed = SettingsEditor(desk)
    ed.choose("kiosk.mode", CHOICES["kiosk.mode"].index("production"))
    assert services.settings["kiosk.mode"] == "demo"
    assert desk.error.msgid == "Your role does not allow this."


@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_group_titles_are_translated(desk, lang):
    desk.sign_in("1001", "482913")
    titles = [g["title"] for g in SettingsEditor(desk).view(lang)["groups"]]
    if lang != "fr":
        french = [g["title"] for g in SettingsEditor(desk).view("fr")["groups"]]
        assert not set(titles) & set(french)
    assert all(titles)
