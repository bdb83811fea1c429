"""The technician's texts are translatable: `kiosk doctor`'s findings and fixes, the
settings' help texts, rules and refusals. Each is a message whose msgid is marked with
N_ in the source (so `make pot` extracts it), whose placeholders are exactly its
parameters, rendered in the desk's language on screens and in English on the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re
import string

import pytest
from babel.messages.extract import extract_from_file
from click.testing import CliRunner

from kiosk import doctor
from kiosk.audit import AuditLog
from kiosk.cli import cli
from kiosk.config import KEYS, ConfigError, Settings, Text, render
from kiosk.desk import Desk
from kiosk.doctor import OK, TITLES, run_checks
from kiosk.i18n import LANGUAGES, Message, catalogs, gettext
from kiosk.paths import ROOT
from kiosk.settings_screen import SettingsEditor
from tests.staff_helpers import make_staff

PLACEHOLDER = re.compile(r"\{\w*\}")


def extracted(*modules: str) -> set[str]:
    """The msgids babel extracts from these modules, as `make pot` does (keyword N_)."""
    ids = set()
    for module in modules:
        for _line, msgid, _comments, _context in extract_from_file(
                "python", ROOT / module, keywords={"N_": None}):
            ids.add(msgid)
    return ids


EXTRACTED = extracted("kiosk/doctor.py", "kiosk/config.py", "kiosk/settings_screen.py")


def messages(text):
    """Every Message in a text: itself, then those among its parameters, recursively."""
    if isinstance(text, Message):
        yield text
        for value in text.params.values():
            yield from messages(value)
    elif isinstance(text, doctor._Joined):
        for item in text.items:
            yield from messages(item)


def assert_translatable(text, what) -> None:
    assert isinstance(text, (Message, doctor._Joined)), (what, text)
    for m in messages(text):
        assert m.msgid in EXTRACTED, f"{what}: {m.msgid!r} is not marked with N_"
        fields = {f for _, f, _, _ in string.Formatter().parse(m.msgid) if f is not None}
        assert fields == set(m.params), f"{what}: {m.msgid!r} placeholders vs {sorted(m.params)}"
    for lang in (None, "en", *LANGUAGES):
        shown = render(text, lang)
        assert shown and not PLACEHOLDER.search(shown), (what, lang, shown)


@pytest.fixture
def fake_catalogs(monkeypatch):
    """Catalogs that mark each translation with its language: ‹fr›msgid."""
    monkeypatch.setattr(catalogs, "gettext", lambda lang, msgid: f"‹{lang}›{msgid}")


@pytest.fixture
def desk(services):
    make_staff(services.paths)
    d = Desk(services)
    assert d.sign_in("1001", "482913")
    return d


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- kiosk doctor -----------------------------------------------------------------------
def varied_checks(services, monkeypatch) -> list:
    """Checks from a healthy kiosk and from many broken ones (ok, warn and fail lines)."""
    services.outbox.submit("cnss.ipe", 2, "fr", {"cin": "AB123456"}, {"office": "Rabat"})
    out = list(run_checks(services.paths))
    out += run_checks(services.paths, now=dt.datetime.now().astimezone() + dt.timedelta(days=3))
    out += run_checks(services.paths, now=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))
    path = services.paths.config_file
    path.write_text('[kiosk]\nmode = "production"\ncode = "x"\n[printr]\nkind = "file"\n'
                    '[printer]\nkind = "escpos"\naddress = "tcp:127.0.0.1:%d"\n'
                    '[sync]\nendpoint = "http://127.0.0.1:%d"\n' % (free_port(), free_port()))
    monkeypatch.setattr(doctor, "DISK_WARN_BYTES", 10**18)
    out += run_checks(services.paths, timeout=0.5)
    path.write_text('[kiosk]\nmode = "demo"\n[printr]\nkind = "file"\n[printer]\nkind = "cups"\n')
    monkeypatch.setattr(doctor, "DISK_FAIL_BYTES", 10**18)
    log = AuditLog(services.paths.audit_log)
    for office in ("Rabat", "Salé"):
        log.append("setup", "setup", "config.set", {"key": "kiosk.office", "value": office})
    log.path.write_text(log.path.read_text().replace("Rabat", "Fès"))   # tampered
    out += run_checks(services.paths, timeout=0.5)
    path.write_text('[kiosk\nmode = "production"\n')
    services.close()
    services.paths.database.write_bytes(b"not a database " * 300)
    out += run_checks(services.paths, timeout=0.5)
    return out


def test_every_doctor_text_is_a_marked_message_with_its_parameters(services, monkeypatch):
    checks = varied_checks(services, monkeypatch)
    statuses = {c.status for c in checks}
    assert statuses == {"ok", "warn", "fail"}
    assert len({(c.name, c.found) for c in checks}) >= 30   # many different findings
    for c in checks:
        assert_translatable(c.found_message, c.name)
        if c.status != OK:
            assert_translatable(c.fix_message, c.name)
        assert c.title.msgid == TITLES[c.name] and c.title.msgid in EXTRACTED
        assert c.found == c.found_in("en") == render(c.found_message) and "\n" not in c.line("fr")


def test_a_failing_or_hanging_check_is_translatable_too(services, monkeypatch):
    def broken(ctx):
        raise ZeroDivisionError("boom")

    def hangs(ctx):
        import time
        time.sleep(30)

    monkeypatch.setattr(doctor, "HANG_MARGIN", 0.3)
    monkeypatch.setattr(doctor, "CHECKS", (("broken", broken), ("hangs", hangs)))
    for c in run_checks(services.paths, timeout=0.2):
        assert c.status == "fail"
        assert_translatable(c.found_message, c.name)
        assert_translatable(c.fix_message, c.name)
        assert render(c.title, "fr") == c.name        # a check without a title shows its name


def test_no_fstring_inside_N_():
    for module in ("kiosk/doctor.py", "kiosk/config.py", "kiosk/settings_screen.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        assert not re.search(r"\bN_\(\s*f[\"']", source), module


def test_rendering_goes_through_the_catalog_of_the_language(services, fake_catalogs):
    checks = {c.name: c for c in run_checks(services.paths)}
    sync = checks["sync"]                              # a warning with a nested message
    assert sync.status == "warn"
    assert sync.found_in("fr").startswith("‹fr›") and sync.found_in("zgh").startswith("‹zgh›")
    assert "‹ar›`kiosk queue export DIR` carries the queue" in sync.fix_in("ar")  # nested too
    assert sync.found == "sync.endpoint is empty: submissions wait on the kiosk"  # CLI: English
    # numbers are parameters, formatted for the language; units are translatable
    assert render(doctor._size(1.5e9), "fr") == "‹fr›1,5 GB"
    assert render(doctor._size(1.5e9)) == "1.5 GB"
    assert render(doctor._duration(3 * 86400), "fr") == "‹fr›3 days"


def test_titles_use_the_real_catalogs_where_they_already_have_the_msgid(desk):
    desk.run_doctor()
    for lang in LANGUAGES:
        shown = {c["name"]: c for c in desk.view(lang)["checks"]}
        for name in ("card-reader", "catalog", "sync"):   # msgids the catalogs already have
            assert shown[name]["title"] == gettext(lang, TITLES[name]) != TITLES[name]


def test_the_desk_renders_the_checks_in_its_language_and_again_on_a_switch(desk, fake_catalogs):
    desk.run_doctor()
    views = {lang: {c["name"]: c for c in desk.view(lang)["checks"]} for lang in LANGUAGES}
    assert set(views["fr"]) == {name for name, _ in doctor.CHECKS}
    for lang, shown in views.items():
        for name, c in shown.items():
            assert set(c) >= {"name", "title", "status", "found", "fix"}
            assert c["name"] == name                      # the identifier never changes
            assert c["title"] == f"‹{lang}›{TITLES[name]}"
            assert c["found"].startswith(f"‹{lang}›"), (lang, c)
            assert not c["fix"] or c["fix"].startswith(f"‹{lang}›"), (lang, c)
            assert not PLACEHOLDER.search(c["found"] + c["fix"])
    assert views["ar"]["config"]["found"] != views["fr"]["config"]["found"]


def test_doctor_command_lang_and_json(services, fake_catalogs):
    runner = CliRunner()
    english = runner.invoke(cli, ["doctor"])
    assert english.exit_code == 0 and english.output.startswith("ok    config: demo mode")
    r = runner.invoke(cli, ["doctor", "--lang", "fr", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert [d["name"] for d in data] == [name for name, _ in doctor.CHECKS]
    for d in data:
        assert set(d) == {"name", "status", "found", "fix", "title"}
        assert d["found"].startswith("‹fr›") and d["title"].startswith("‹fr›")
    lines = runner.invoke(cli, ["doctor", "--lang", "zgh"]).output.splitlines()
    assert lines[0].startswith("ok    config: ‹zgh›")     # status and name stay as they are
    assert runner.invoke(cli, ["doctor", "--lang", "xx"]).exit_code == 2


# --- settings -----------------------------------------------------------------------------
def test_every_help_and_rule_is_a_marked_message():
    for name, key in KEYS.items():
        assert isinstance(key.help, Text) and isinstance(key.rule, Text), name
        assert_translatable(key.help, name)
        assert_translatable(key.rule, name)
    # one msgid per shape of rule, numbers as parameters: far fewer msgids than settings
    shapes = {key.rule.msgid for key in KEYS.values()}
    assert len(shapes) <= len(KEYS) // 2, sorted(shapes)
    assert KEYS["session.idle_warning"].rule.msgid == KEYS["sync.batch_size"].rule.msgid


@pytest.mark.parametrize("key,value", [
    ("kiosk.code", "lower"), ("display.dpi", "many"), ("session.idle_warning", "5"),
    ("kiosk.office", "a\x07b"), ("nope.key", "1"), ("receipt.second_language", "en"),
])
def test_config_errors_are_messages_and_english_on_the_cli(tmp_path, key, value):
    s = Settings.load(tmp_path / "kiosk.toml")
    with pytest.raises(ConfigError) as e:
        s.set(key, value)
    assert_translatable(e.value.message, key)
    assert str(e.value) == render(e.value.message) and str(e.value).startswith(key + ": ")


def test_config_cli_keeps_its_english(kiosk_home):
    runner = CliRunner()
    shown = runner.invoke(cli, ["config", "show"]).output
    assert "kiosk.id = 'DEMO-KIOSK-01'    # Kiosk identity, unique in the fleet" in shown
    assert "# Mode of the kiosk (demo, production)" in shown
    r = runner.invoke(cli, ["config", "set", "kiosk.code", "lower"])
    assert r.exit_code != 0
    assert "kiosk.code: 'lower' is not 3-8 capital letters or digits" in r.output
    r = runner.invoke(cli, ["config", "set", "session.idle_warning", "5"])
    assert "session.idle_warning: 5 is not a whole number from 10 to 600" in r.output


def test_problems_of_a_settings_file_are_messages(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text('[kiosk]\ncode = "x"\n[printr]\nkind = "file"\n', encoding="utf-8")
    s = Settings.load(path)
    assert [str(p) for p in s.problems] == [
        "kiosk.code: 'x' is not 3-8 capital letters or digits (default kept)",
        "printr.kind: unknown setting (ignored)"]
    path.write_text("[kiosk\n", encoding="utf-8")
    for p in s.problems + Settings.load(path).problems:
        assert_translatable(p, "problem")


def test_the_settings_page_renders_help_and_rules_in_its_language(desk, fake_catalogs):
    editor = SettingsEditor(desk)
    for lang in LANGUAGES:
        items = {i["name"]: i for g in editor.view(lang)["groups"] for i in g["items"]}
        assert set(items) == set(KEYS)
        for name, item in items.items():
            assert item["help"].startswith(f"‹{lang}›") and item["rule"].startswith(f"‹{lang}›")
            assert not PLACEHOLDER.search(item["help"] + item["rule"]), name
        assert items["session.idle_warning"]["rule"] == f"‹{lang}›a whole number from 10 to 600"
    editor.start("session.idle_warning")
    editing = editor.view("zgh")["editing"]
    assert editing["rule"] == "‹zgh›a whole number from 10 to 600"
    assert editing["help"].startswith("‹zgh›Seconds without a touch")


def test_a_refusal_is_shown_in_the_desks_language_and_follows_a_switch(desk, fake_catalogs):
    editor = SettingsEditor(desk)
    editor.start("session.idle_warning")
    editor.type_key({"action": "backspace"})
    editor.type_key({"action": "backspace"})
    editor.type_key({"insert": "5"})
    assert not editor.save()
    fr, ar = desk.view("fr")["error"], desk.view("ar")["error"]
    assert fr == ("‹fr›Refused: ‹fr›session.idle_warning: 5 is not ‹fr›a whole number from "
                  "10 to 600")
    assert ar.startswith("‹ar›Refused: ‹ar›") and "‹ar›a whole number from 10 to 600" in ar
    assert desk.services.settings["session.idle_warning"] == 60

