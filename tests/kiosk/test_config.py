import pytest

from kiosk.config import ConfigError, Settings


def test_defaults_then_validated_set(tmp_path):
    path = tmp_path / "kiosk.toml"
    s = Settings.load(path)
    assert s["display.default_language"] == "ar"
    s.set("display.default_language", "zgh")
    s.set("display.dpi", "120")
    again = Settings.load(path)
    assert again["display.default_language"] == "zgh" and again["display.dpi"] == 120.0


@pytest.mark.parametrize("key,value", [
    ("display.default_language", "en"), ("display.dpi", "9000"), ("display.dpi", "many"),
    ("kiosk.code", "lower"), ("kiosk.mode", "test"), ("nope.key", "1"),
])
def test_invalid_value_refused_and_previous_kept(tmp_path, key, value):
    path = tmp_path / "kiosk.toml"
    s = Settings.load(path)
    s.set("kiosk.code", "RBT01")
    with pytest.raises(ConfigError) as e:
        s.set(key, value)
    assert key in str(e.value)
    assert Settings.load(path)["kiosk.code"] == "RBT01"


def test_damaged_file_never_stops_the_kiosk(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text("[display\ndpi = ", encoding="utf-8")
    s = Settings.load(path)
    assert s["display.dpi"] == 96.0 and s.problems
    path.write_text('[display]\ndpi = "huge"\ndefault_language = "fr"\n', encoding="utf-8")
    s = Settings.load(path)
    assert s["display.dpi"] == 96.0 and s["display.default_language"] == "fr"
    assert any("display.dpi" in str(p) for p in s.problems)


def test_a_whole_number_for_a_decimal_setting_still_obeys_its_rule(tmp_path):
    """display.dpi = 0 in the file (an int for a float setting) was once taken as 0.0
    without its rule (found by the config fuzz test)."""
    from kiosk.config import Settings

    path = tmp_path / "kiosk.toml"
    path.write_text("[display]\ndpi = 0\n")
    loaded = Settings.load(path)
    assert loaded["display.dpi"] == 96.0 and loaded.problems
    path.write_text("[display]\ndpi = 120\n")
    assert Settings.load(path)["display.dpi"] == 120.0
