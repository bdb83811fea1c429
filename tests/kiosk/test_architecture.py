"""House rules: kiosk/ never imports Qt; every CLI sub-command is documented."""

import re
import subprocess
import sys

from click.testing import CliRunner

from kiosk.paths import ROOT


def test_kiosk_package_imports_no_qt():
    static = [p for p in (ROOT / "kiosk").rglob("*.py")
              if re.search(r"^\s*(from|import)\s+(PySide6|PyQt|shiboken|ui\b)", p.read_text(), re.M)]
    assert not static, static
    code = ("import pkgutil, importlib, sys, kiosk\n"
            "for m in pkgutil.walk_packages(kiosk.__path__, 'kiosk.'):\n"
            "    importlib.import_module(m.name)\n"
            "from kiosk.cli import cli, _plug_in\n_plug_in()\n"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def all_commands():
    from kiosk.cli import _plug_in, cli

    _plug_in()

    def walk(group, prefix):
        for name, cmd in group.commands.items():
            path = f"{prefix} {name}"
            if hasattr(cmd, "commands"):
                yield from walk(cmd, path)
            else:
                yield path
    return list(walk(cli, "kiosk"))


def test_every_subcommand_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = all_commands()
    assert len(commands) >= 10
    missing = [c for c in commands if f"`{c}" not in readme]
    assert not missing, f"not in README: {missing}"


def test_every_subcommand_has_help():
    from kiosk.cli import cli

    runner = CliRunner()
    for c in all_commands():
        result = runner.invoke(cli, c.split()[1:] + ["--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, c
