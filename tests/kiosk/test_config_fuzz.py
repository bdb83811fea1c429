"""Whatever the settings file holds (random TOML, random bytes, wrong types, values out
of range), the kiosk starts: defaults replace what is invalid and each problem is
reported; `kiosk config set` either accepts a value or refuses it and keeps the old one."""

import string

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from kiosk.config import KEYS, ConfigError, Settings

SECTIONS = sorted({k.split(".")[0] for k in KEYS}) + ["other"]
NAMES = sorted({k.split(".", 1)[1] for k in KEYS}) + ["x", "id.more"]

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["ar", "fr", "zgh", "production", "demo", "cups", "escpos", "file",
                     "tcp:127.0.0.1:9100", "https://x.ma", "80", "58", ""]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(NAMES), inner, max_size=3)),
                      max_leaves=6)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(v), repr(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"' + v.encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f'"{k}" = {toml_value(x)}' for k, x in v.items()) + "}"


documents = st.dictionaries(st.sampled_from(SECTIONS),
                            st.dictionaries(st.sampled_from(NAMES), values, max_size=6), max_size=5)


def starts(home) -> None:
    """What `kiosk run` does before the first frame, without Qt: services, the card
    reader chosen from the settings, a session on Welcome and its screen."""
    from kiosk import presenter
    from kiosk.card.source import make_reader
    from kiosk.paths import KioskPaths
    from kiosk.services import Services
    from kiosk.session import Session

    services = Services.open(KioskPaths.from_env({"KIOSK_HOME": str(home)}))
    try:
        s = services.settings
        for name in KEYS:
            assert KEYS[name].check(s[name]), name   # every value in use is valid
        reader, _ = make_reader(s)
        session = Session(services, services.catalog, s["display.default_language"])
        assert presenter.screen(session)["state"] == "welcome"
        reader.stop() if hasattr(reader, "stop") else None
    finally:
        services.close()


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents)
def test_random_toml_never_stops_the_kiosk(tmp_path_factory, doc):
    home = tmp_path_factory.mktemp("home")
    (home / "config").mkdir()
    text = "\n".join(f"[{sec}]\n" + "\n".join(f'"{k}" = {toml_value(v)}' for k, v in table.items())
                     for sec, table in doc.items())
    (home / "config" / "kiosk.toml").write_text(text, encoding="utf-8")
    loaded = Settings.load(home / "config" / "kiosk.toml")
    for name in KEYS:
        assert KEYS[name].check(loaded[name])
    starts(home)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300))
def test_random_bytes_never_stop_the_kiosk(tmp_path_factory, raw):
    home = tmp_path_factory.mktemp("home")
    (home / "config").mkdir()
    (home / "config" / "kiosk.toml").write_bytes(raw)
    starts(home)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(KEYS)), value=st.one_of(
    st.text(alphabet=string.printable + "éⵣع", max_size=50),
    st.sampled_from(["1e999", "-1", "0", "nan", "inf", "true", "80", "58", "ar", "production"])))
def test_config_set_accepts_or_refuses_and_keeps_the_old_value(tmp_path_factory, name, value):
    path = tmp_path_factory.mktemp("cfg") / "kiosk.toml"
    s = Settings.load(path)
    before = s[name]
    try:
        s.set(name, value)
    except ConfigError as e:
        assert name in str(e)                        # the message names the key
        assert s[name] == before
        assert Settings.load(path)[name] == before   # nothing half-written
    else:
        assert KEYS[name].check(s[name])
        again = Settings.load(path)
        assert again[name] == s[name] and not again.problems


def test_offered_languages_always_include_the_default(tmp_path):
    import pytest

    from kiosk.presenter import offered
    s = Settings(None, {"display.languages": "fr", "display.default_language": "ar"})
    assert offered(s) == ["ar", "fr"]
    kept = Settings.load(tmp_path / "kiosk.toml")
    for bad in ("", "fr,fr", "en", "fr,,ar"):
        with pytest.raises(ConfigError):
            kept.set("display.languages", bad)
    assert kept["display.languages"] == "ar,fr,zgh"
