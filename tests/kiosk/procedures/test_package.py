"""Signed catalog packages: every refusal leaves the active catalog as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import stat
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.paths import KioskPaths
from kiosk.procedures import package as pkg
from kiosk.procedures.loader import DEFAULT_CATALOG, load_catalog
from kiosk.procedures.package import PackageError

DEMO_KEYS = [pkg.load_public_key(pkg.DEMO_PUBLIC_KEY)]
CREATED = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone.utc)


def bundled() -> int:
    return load_catalog(DEFAULT_CATALOG).version


def make_catalog(base: Path, edition: int) -> Path:
    folder = base / f"catalog-src-{edition}"
    if not folder.exists():
        shutil.copytree(DEFAULT_CATALOG, folder)
        f = folder / "catalog.yaml"
        text, n = re.subn(r"(?m)^version: *\d+", f"version: {edition}", f.read_text("utf-8"))
        assert n == 1
        f.write_text(text, encoding="utf-8")
    return folder


def make_package(base: Path, edition: int, key: Path = pkg.DEMO_PRIVATE_KEY,
                 name: str | None = None) -> Path:
    out = base / (name or f"edition-{edition}.zip")
    pkg.pack(make_catalog(base, edition), key, out, created=CREATED)
    return out


def drop_translation(text: str) -> str:
    """The first zgh text removed (block or flow style): an invalid procedure."""
    for pattern in (r"(?m)^\s*zgh: .*\n", r",\s*zgh:\s*[^,}\n]*"):
        text, n = re.subn(pattern, "", text, count=1)
        if n:
            return text
    raise AssertionError("no zgh text to remove")


def procedure_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.yaml") if p.name != "catalog.yaml")


def members(package: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(package) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_zip(path: Path, entries, compression=zipfile.ZIP_DEFLATED) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names, on purpose
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in (entries.items() if isinstance(entries, dict) else entries):
                zf.writestr(name, data)  # a name or a ZipInfo
    return path


def resign(entries: dict[str, bytes], key_path: Path = pkg.DEMO_PRIVATE_KEY) -> dict[str, bytes]:
    """What a trusted publisher with a broken tool would produce: a fresh, correct manifest
    and signature over whatever catalog/ holds."""
    key = pkg.load_private_key(key_path)
    files = sorted((n[len("catalog/"):], b) for n, b in entries.items() if n.startswith("catalog/"))
    manifest = json.loads(entries["manifest.json"])
    manifest["files"] = [{"path": p, "sha256": hashlib.sha256(b).hexdigest(), "size": len(b)}
                         for p, b in files]
    data = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return {**entries, "manifest.json": data, "manifest.sig": key.sign(data)}


@pytest.fixture
def paths(tmp_path) -> KioskPaths:
    return KioskPaths.from_env({"KIOSK_HOME": str(tmp_path / "home")}).ensure()


def state(paths: KioskPaths):
    """Everything that says which catalog is active."""
    root = pkg.store_dir(paths)
    pointer = (root / "active").read_bytes() if (root / "active").exists() else None
    return (pointer, pkg.active_catalog_dir(paths),
            [(e.edition, e.active) for e in pkg.installed(paths)])


# --- good path ----------------------------------------------------------------------
def test_pack_is_deterministic_and_lists_every_file(tmp_path):
    a = make_package(tmp_path, bundled() + 1, name="a.zip")
    b = make_package(tmp_path, bundled() + 1, name="b.zip")
    assert a.read_bytes() == b.read_bytes()
    entries = members(a)
    names = list(entries)
    assert names[:2] == ["manifest.json", "manifest.sig"]
    assert names[2:] == sorted(names[2:])
    manifest = json.loads(entries["manifest.json"])
    assert manifest["edition"] == bundled() + 1 and manifest["format"] == 1
    assert manifest["created"] == "2026-11-22T08:00:00Z"
    assert manifest["publisher_key"] == pkg.key_id(DEMO_KEYS[0]) == "ef26c00251a93107"
    source = make_catalog(tmp_path, bundled() + 1)
    assert {f["path"] for f in manifest["files"]} == {p.name for p in source.iterdir()}
    for f in manifest["files"]:
        data = (source / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(data).hexdigest() and f["size"] == len(data)
        assert entries["catalog/" + f["path"]] == data
    DEMO_KEYS[0].verify(entries["manifest.sig"], entries["manifest.json"])


def test_verify_returns_the_edition_and_the_catalog(tmp_path):
    v = pkg.verify(make_package(tmp_path, bundled() + 4), DEMO_KEYS)
    assert v.edition == bundled() + 4 == v.catalog.version
    assert v.key_id == "ef26c00251a93107" and v.created == CREATED
    assert len(v.catalog.procedures) == len(procedure_files(DEFAULT_CATALOG))


def test_nothing_installed_means_the_bundled_catalog(paths):
    assert pkg.active_catalog_dir(paths) == DEFAULT_CATALOG
    assert pkg.installed(paths) == [] and pkg.active_edition(paths) is None


def test_import_installs_and_switches_then_rollback(tmp_path, paths):
    b = bundled()
    first = pkg.import_package(paths, make_package(tmp_path, b + 1), DEMO_KEYS)
    assert first.edition == b + 1 and first.active
    active = pkg.active_catalog_dir(paths)
    assert active == pkg.store_dir(paths) / str(b + 1) / "catalog"
    assert load_catalog(active).version == b + 1
    assert (pkg.store_dir(paths) / "active").read_text() == f"{b + 1}\n"

    pkg.import_package(paths, make_package(tmp_path, b + 3), DEMO_KEYS)
    assert load_catalog(pkg.active_catalog_dir(paths)).version == b + 3
    listed = pkg.installed(paths)
    assert [(e.edition, e.active) for e in listed] == [(b + 1, False), (b + 3, True)]
    assert all(e.created == CREATED and e.key_id == "ef26c00251a93107" for e in listed)
    assert all(abs(e.installed_at - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=5)
               for e in listed)
    assert not list(pkg.store_dir(paths).glob(".*")), "no temporary files left"

    back = pkg.rollback(paths)  # the previous one
    assert back.edition == b + 1 and pkg.active_edition(paths) == b + 1
    assert load_catalog(pkg.active_catalog_dir(paths)).version == b + 1
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths)
    assert e.value.code == "no-previous"
    assert pkg.rollback(paths, b + 3).edition == b + 3  # forward again, on purpose
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths, b + 2)
    assert e.value.code == "not-installed" and pkg.active_edition(paths) == b + 3
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths, b + 3)
    assert e.value.code == "already-active"

    # After rolling back, the newer edition can be imported again.
    pkg.rollback(paths, b + 1)
    again = pkg.import_package(paths, make_package(tmp_path, b + 3), DEMO_KEYS)
    assert again.active and pkg.active_edition(paths) == b + 3
    assert [e.edition for e in pkg.installed(paths)] == [b + 1, b + 3]


def test_rollback_refuses_an_installed_edition_modified_on_disk(tmp_path, paths):
    b = bundled()
    pkg.import_package(paths, make_package(tmp_path, b + 1), DEMO_KEYS)
    pkg.import_package(paths, make_package(tmp_path, b + 2), DEMO_KEYS)
    f = pkg.store_dir(paths) / str(b + 1) / "catalog" / "catalog.yaml"
    f.write_text(f.read_text("utf-8") + "\n# edited by hand\n", encoding="utf-8")
    before = state(paths)
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths)
    assert e.value.code == "tampered" and state(paths) == before
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths, b + 1)
    assert e.value.code == "tampered"


def test_rollback_with_nothing_installed(paths):
    with pytest.raises(PackageError) as e:
        pkg.rollback(paths)
    assert e.value.code == "no-previous"


@pytest.mark.parametrize("content", ["garbage\n", "", "99\n", "-1\n", "\xff"])
def test_broken_pointer_falls_back_to_bundled(tmp_path, paths, caplog, content):
    pkg.import_package(paths, make_package(tmp_path, bundled() + 1), DEMO_KEYS)
    (pkg.store_dir(paths) / "active").write_text(content, encoding="latin-1")
    with caplog.at_level(logging.WARNING, logger="kiosk.procedures.package"):
        assert pkg.active_catalog_dir(paths) == DEFAULT_CATALOG
    assert "broken" in caplog.text and "bundled" in caplog.text
    # An import still works and repairs the pointer.
    pkg.import_package(paths, make_package(tmp_path, bundled() + 2), DEMO_KEYS)
    assert load_catalog(pkg.active_catalog_dir(paths)).version == bundled() + 2


def test_pointer_to_a_removed_edition_falls_back_to_bundled(tmp_path, paths, caplog):
    pkg.import_package(paths, make_package(tmp_path, bundled() + 1), DEMO_KEYS)
    shutil.rmtree(pkg.store_dir(paths) / str(bundled() + 1))
    with caplog.at_level(logging.WARNING):
        assert pkg.active_catalog_dir(paths) == DEFAULT_CATALOG
    assert "not installed" in caplog.text


def test_pack_refuses_an_invalid_catalog(tmp_path):
    folder = make_catalog(tmp_path, bundled() + 1)
    f = folder / procedure_files(folder)[0]
    f.write_text(drop_translation(f.read_text("utf-8")), encoding="utf-8")
    with pytest.raises(PackageError) as e:
        pkg.pack(folder, pkg.DEMO_PRIVATE_KEY, tmp_path / "out.zip")
    assert e.value.code == "invalid-catalog" and e.value.problems
    assert any(f.name in p for p in e.value.problems)
    assert not (tmp_path / "out.zip").exists()


def test_pack_refuses_symlinks_and_skips_hidden_files(tmp_path):
    folder = make_catalog(tmp_path, bundled() + 1)
    (folder / ".DS_Store").write_bytes(b"\0")
    out = tmp_path / "p.zip"
    pkg.pack(folder, pkg.DEMO_PRIVATE_KEY, out)
    assert not any(".DS_Store" in n for n in members(out))
    (folder / "notes.txt").symlink_to("/etc/hostname")
    with pytest.raises(PackageError) as e:
        pkg.pack(folder, pkg.DEMO_PRIVATE_KEY, tmp_path / "q.zip")
    assert e.value.code == "unsafe-path"


def test_keygen_writes_a_private_key_only_the_owner_reads(tmp_path):
    private, public, kid = pkg.keygen(tmp_path / "pub")
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = pkg.load_public_key(public)
    assert pkg.key_id(key) == kid and re.fullmatch(r"[0-9a-f]{16}", kid)
    assert pkg.key_id(pkg.load_private_key(private).public_key()) == kid
    with pytest.raises(PackageError) as e:
        pkg.keygen(tmp_path / "pub")
    assert e.value.code == "exists"
    package = make_package(tmp_path, bundled() + 1, key=private)
    assert pkg.verify(package, [key]).key_id == kid
    with pytest.raises(PackageError) as e:
        pkg.verify(package, DEMO_KEYS)
    assert e.value.code == "unknown-key" and kid in str(e.value)


# --- refusals -----------------------------------------------------------------------
def _flip_sig(e):
    sig = bytearray(e["manifest.sig"])
    sig[10] ^= 1
    return {**e, "manifest.sig": bytes(sig)}


def _edit_manifest(e):
    m = json.loads(e["manifest.json"])
    m["created"] = "2030-01-01T00:00:00Z"
    return {**e, "manifest.json": (json.dumps(m, indent=2, sort_keys=True) + "\n").encode()}


def _tamper_content(e):
    name = next(n for n in e if n.startswith("catalog/") and n != "catalog/catalog.yaml")
    return {**e, name: e[name].replace(b"version: ", b"version:  ", 1)}


def _extra(e):
    return {**e, "catalog/extra.yaml": b"id: extra\n"}


def _extra_root(e):
    return {**e, "README.txt": b"hello\n"}


def _missing(e):
    name = next(n for n in e if n.startswith("catalog/") and n != "catalog/catalog.yaml")
    return {n: b for n, b in e.items() if n != name}


def _no_manifest(e):
    return {n: b for n, b in e.items() if n != "manifest.json"}


def _invalid_procedure(e):
    name = next(n for n in e if n.startswith("catalog/") and n != "catalog/catalog.yaml")
    return resign({**e, name: drop_translation(e[name].decode()).encode()})


def _wrong_edition(e):
    m = json.loads(e["manifest.json"])
    m["edition"] += 10
    return resign({**e, "manifest.json": json.dumps(m).encode()})


def _traversal(name):
    return lambda e: {**e, name: b"x"}


CASES = {
    "bad-signature": (_flip_sig, "bad-signature"),
    "manifest-edited": (_edit_manifest, "bad-signature"),
    "tampered-content": (_tamper_content, "tampered"),
    "extra-file": (_extra, "tampered"),
    "extra-file-at-root": (_extra_root, "tampered"),
    "missing-file": (_missing, "tampered"),
    "no-manifest": (_no_manifest, "not-a-package"),
    "invalid-procedure": (_invalid_procedure, "invalid-catalog"),
    "edition-disagrees": (_wrong_edition, "invalid-catalog"),
    "dotdot": (_traversal("catalog/../../evil.yaml"), "unsafe-path"),
    "dotdot-root": (_traversal("../evil.yaml"), "unsafe-path"),
    "absolute": (_traversal("/etc/cron.d/evil"), "unsafe-path"),
    "backslash": (_traversal("catalog\\..\\evil.yaml"), "unsafe-path"),
    "hidden": (_traversal("catalog/.hidden"), "unsafe-path"),
}


@pytest.fixture
def installed_edition(tmp_path, paths):
    """A kiosk with an installed, active edition (bundled + 2)."""
    pkg.import_package(paths, make_package(tmp_path, bundled() + 2), DEMO_KEYS)
    return state(paths)


def assert_refused(paths, package, code, before):
    with pytest.raises(PackageError) as e:
        pkg.import_package(paths, package, DEMO_KEYS)
    assert e.value.code == code, e.value
    assert e.value.message and str(e.value)
    assert state(paths) == before
    assert not list(pkg.store_dir(paths).glob(".*")), "nothing left behind"
    return e.value


@pytest.mark.parametrize("case", CASES)
def test_refused_package_leaves_the_active_catalog(tmp_path, paths, installed_edition, case):
    change, code = CASES[case]
    good = make_package(tmp_path, bundled() + 5)
    bad = write_zip(tmp_path / "bad.zip", change(members(good)))
    err = assert_refused(paths, bad, code, installed_edition)
    with pytest.raises(PackageError) as again:
        pkg.verify(bad, DEMO_KEYS)
    assert again.value.code == code
    if code == "invalid-catalog" and case == "invalid-procedure":
        assert any("zgh" in p and "catalog/" in p for p in err.problems), err.problems
        assert "guichet-package-" not in str(err) and ".incoming-" not in str(err)


def test_unknown_key_refused(tmp_path, paths, installed_edition):
    private, _, kid = pkg.keygen(tmp_path / "stranger")
    err = assert_refused(paths, make_package(tmp_path, bundled() + 5, key=private),
                         "unknown-key", installed_edition)
    assert kid in str(err) and "ef26c00251a93107" in str(err)


def test_lower_and_same_edition_refused(tmp_path, paths, installed_edition):
    err = assert_refused(paths, make_package(tmp_path, bundled() + 1), "older-version",
                         installed_edition)
    assert "rollback" in str(err)
    assert_refused(paths, make_package(tmp_path, bundled() + 2), "already-installed",
                   installed_edition)


def test_bundled_edition_counts_when_nothing_is_installed(tmp_path, paths):
    # The package must be valid with edition == bundled: the bundled catalog itself.
    package = tmp_path / "same.zip"
    pkg.pack(DEFAULT_CATALOG, pkg.DEMO_PRIVATE_KEY, package)
    assert_refused(paths, package, "already-installed", state(paths))


@pytest.mark.parametrize("data", [b"", b"not a zip at all\n", b"PK\x03\x04" + b"\0" * 100,
                                  b"PK\x05\x06" + b"\0" * 18])
def test_not_a_zip_refused(tmp_path, paths, installed_edition, data):
    (tmp_path / "junk.zip").write_bytes(data)
    assert_refused(paths, tmp_path / "junk.zip", "not-a-package", installed_edition)


def test_missing_file_refused(tmp_path):
    with pytest.raises(PackageError) as e:
        pkg.verify(tmp_path / "nowhere.zip", DEMO_KEYS)
    assert e.value.code == "not-a-package"


def test_zip_bomb_refused(tmp_path, paths, installed_edition):
    entries = members(make_package(tmp_path, bundled() + 5))
    entries["catalog/bomb.yaml"] = b"\0" * (pkg.MAX_TOTAL_BYTES + 1)
    bomb = write_zip(tmp_path / "bomb.zip", entries)
    assert bomb.stat().st_size < 100_000
    err = assert_refused(paths, bomb, "too-large", installed_edition)
    assert "bytes" in str(err)


def test_zip_bomb_lying_about_its_size_stops_at_the_declared_size(tmp_path, paths,
                                                                  installed_edition):
    entries = members(make_package(tmp_path, bundled() + 5))
    entries["manifest.json"] = b" " * 200_000_000  # 200 MB of spaces, about 200 KB packed
    data = bytearray(write_zip(tmp_path / "liar.zip", entries).read_bytes())
    # Make the local and central headers of manifest.json claim 1000 bytes.
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        while at >= 0:
            name_at = at + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at:name_at + 13] == b"manifest.json":
                data[at + off:at + off + 4] = (1000).to_bytes(4, "little")
            at = data.find(sig, at + 4)
    liar = tmp_path / "liar.zip"
    liar.write_bytes(bytes(data))
    start = time.perf_counter()
    assert_refused(paths, liar, "not-a-package", installed_edition)
    assert time.perf_counter() - start < 2


def test_too_many_files_refused(tmp_path, paths, installed_edition):
    entries = members(make_package(tmp_path, bundled() + 5))
    for i in range(pkg.MAX_FILES + 1):
        entries[f"catalog/f{i}.txt"] = b""
    assert_refused(paths, write_zip(tmp_path / "many.zip", entries), "too-large",
                   installed_edition)


def test_oversized_package_file_refused(tmp_path, paths, installed_edition):
    big = tmp_path / "big.zip"
    with open(big, "wb") as f:
        f.truncate(pkg.MAX_PACKAGE_BYTES + 1)
    assert_refused(paths, big, "too-large", installed_edition)


def test_symlink_entry_refused(tmp_path, paths, installed_edition):
    entries = list(members(make_package(tmp_path, bundled() + 5)).items())
    link = zipfile.ZipInfo("catalog/link.yaml")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    entries.append((link, b"/etc/passwd"))
    assert_refused(paths, write_zip(tmp_path / "link.zip", entries), "unsafe-path",
                   installed_edition)


def test_directory_entry_refused(tmp_path, paths, installed_edition):
    entries = list(members(make_package(tmp_path, bundled() + 5)).items())
    entries.append(("catalog/sub/", b""))
    assert_refused(paths, write_zip(tmp_path / "dir.zip", entries), "unsafe-path",
                   installed_edition)


@pytest.mark.parametrize("dup", ["catalog/catalog.yaml", "CATALOG/catalog.yaml", "manifest.json"])
def test_duplicate_names_refused(tmp_path, paths, installed_edition, dup):
    entries = list(members(make_package(tmp_path, bundled() + 5)).items())
    entries.append((dup, b"version: 99\n"))
    assert_refused(paths, write_zip(tmp_path / "dup.zip", entries), "unsafe-path",
                   installed_edition)


def test_other_compression_refused(tmp_path, paths, installed_edition):
    entries = members(make_package(tmp_path, bundled() + 5))
    bz = write_zip(tmp_path / "bz.zip", entries, zipfile.ZIP_BZIP2)
    assert_refused(paths, bz, "not-a-package", installed_edition)


def test_unsupported_format_refused(tmp_path, paths, installed_edition):
    entries = members(make_package(tmp_path, bundled() + 5))
    m = json.loads(entries["manifest.json"])
    m["format"] = 2
    entries = resign({**entries, "manifest.json": json.dumps(m).encode()})
    assert_refused(paths, write_zip(tmp_path / "f2.zip", entries), "unsupported-format",
                   installed_edition)


def test_failure_while_switching_keeps_the_active_catalog(tmp_path, paths, installed_edition,
                                                          monkeypatch):
    def fail(*a):
        raise OSError("disk full")
    monkeypatch.setattr(pkg, "_switch", fail)
    with pytest.raises(OSError):
        pkg.import_package(paths, make_package(tmp_path, bundled() + 5), DEMO_KEYS)
    assert state(paths)[:2] == installed_edition[:2]


# --- trusted keys -------------------------------------------------------------------
def test_trusted_keys_demo_and_production(tmp_path):
    demo = pkg.load_trusted_keys({"kiosk.mode": "demo", "catalog.trusted_keys": ""})
    assert [pkg.key_id(k) for k in demo] == ["ef26c00251a93107"]
    with pytest.raises(PackageError) as e:
        pkg.load_trusted_keys({"kiosk.mode": "production", "catalog.trusted_keys": ""})
    assert e.value.code == "trusted-keys" and "catalog.trusted_keys" in str(e.value)

    folder = tmp_path / "keys"
    folder.mkdir()
    _, public, kid = pkg.keygen(tmp_path / "real")
    shutil.copy(public, folder / "real.pem")
    prod = {"kiosk.mode": "production", "catalog.trusted_keys": str(folder)}
    assert [pkg.key_id(k) for k in pkg.load_trusted_keys(prod)] == [kid]
    shutil.copy(pkg.DEMO_PUBLIC_KEY, folder / "demo.pem")
    with pytest.raises(PackageError) as e:
        pkg.load_trusted_keys(prod)
    assert e.value.code == "trusted-keys" and "DEMO" in str(e.value)
    assert len(pkg.load_trusted_keys({**prod, "kiosk.mode": "demo"})) == 2

    empty = tmp_path / "empty"
    empty.mkdir()
    for bad in (str(empty), str(tmp_path / "nowhere")):
        with pytest.raises(PackageError) as e:
            pkg.load_trusted_keys({"kiosk.mode": "demo", "catalog.trusted_keys": bad})
        assert e.value.code == "trusted-keys"
    (empty / "x.pem").write_text("not a key")
    with pytest.raises(PackageError) as e:
        pkg.load_trusted_keys({"kiosk.mode": "demo", "catalog.trusted_keys": str(empty)})
    assert e.value.code == "bad-key"


def test_config_key_is_known_and_checked(tmp_path):
    from kiosk.config import ConfigError, Settings

    s = Settings.load(tmp_path / "kiosk.toml")
    assert s["catalog.trusted_keys"] == ""
    s.set("catalog.trusted_keys", "/etc/guichet/publishers")
    assert Settings.load(tmp_path / "kiosk.toml")["catalog.trusted_keys"] == "/etc/guichet/publishers"
    with pytest.raises(ConfigError):
        s.set("catalog.trusted_keys", "x" * 401)


# --- CLI ----------------------------------------------------------------------------
@pytest.fixture
def run(tmp_path, monkeypatch):
    from kiosk.cli import cli

    monkeypatch.setenv("KIOSK_HOME", str(tmp_path / "home"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["catalog", *map(str, args)])
    return invoke


def test_cli_pack_verify_import_installed_rollback(tmp_path, run):
    b = bundled()
    paths = KioskPaths.from_env({"KIOSK_HOME": str(tmp_path / "home")})
    for edition in (b + 1, b + 2):
        r = run("pack", make_catalog(tmp_path, edition), "--key", pkg.DEMO_PRIVATE_KEY,
                "--out", tmp_path / f"e{edition}.zip")
        assert r.exit_code == 0, r.output
        assert f"edition {edition}" in r.output and "ef26c00251a93107" in r.output
    r = run("verify", tmp_path / f"e{b + 1}.zip")
    assert r.exit_code == 0 and f"ok: edition {b + 1}" in r.output
    assert pkg.installed(paths) == []

    r = run("import", tmp_path / f"e{b + 1}.zip")
    assert r.exit_code == 0, r.output
    assert f"edition {b + 1} installed and active (was the bundled catalog, edition {b})" in r.output
    r = run("import", tmp_path / f"e{b + 2}.zip")
    assert f"edition {b + 2} installed and active (was edition {b + 1})" in r.output
    r = run("import", tmp_path / f"e{b + 1}.zip")
    assert r.exit_code != 0 and "refused (older-version)" in r.output
    assert pkg.active_edition(paths) == b + 2

    r = run("installed", "--json")
    data = json.loads(r.output)
    assert data["active"] == b + 2 and data["bundled_edition"] == b
    assert [(e["edition"], e["active"]) for e in data["editions"]] == [(b + 1, False), (b + 2, True)]
    r = run("installed")
    assert f"* edition {b + 2}" in r.output and f"  edition {b + 1}" in r.output

    r = run("rollback")
    assert r.exit_code == 0 and f"edition {b + 1} is active (was edition {b + 2})" in r.output
    r = run("rollback", "--to", b + 2)
    assert r.exit_code == 0 and f"edition {b + 2} is active (was edition {b + 1})" in r.output
    r = run("rollback", "--to", b + 7)
    assert r.exit_code != 0 and "refused (not-installed)" in r.output
    assert pkg.active_edition(paths) == b + 2


def test_cli_refusals_exit_nonzero_with_the_reason(tmp_path, run):
    good = make_package(tmp_path, bundled() + 1)
    bad = write_zip(tmp_path / "bad.zip", _flip_sig(members(good)))
    for command in ("verify", "import"):
        r = run(command, bad)
        assert r.exit_code == 1 and "refused (bad-signature)" in r.output
        assert "Traceback" not in r.output
    r = run("pack", tmp_path, "--key", pkg.DEMO_PRIVATE_KEY, "--out", tmp_path / "x.zip")
    assert r.exit_code == 1 and "refused" in r.output
    r = run("installed")
    assert r.exit_code == 0 and f"bundled catalog, edition {bundled()}" in r.output
    r = run("rollback")
    assert r.exit_code == 1 and "refused (no-previous)" in r.output


def test_cli_trusted_keys_from_the_settings(tmp_path, run):
    from kiosk.config import Settings

    r = run("keygen", "--out", tmp_path / "pub")
    assert r.exit_code == 0, r.output
    assert stat.S_IMODE((tmp_path / "pub-private.pem").stat().st_mode) == 0o600
    kid = pkg.key_id(pkg.load_public_key(tmp_path / "pub-public.pem"))
    assert kid in r.output
    assert run("keygen", "--out", tmp_path / "pub").exit_code == 1  # never overwrites

    folder = tmp_path / "trusted"
    folder.mkdir()
    shutil.copy(tmp_path / "pub-public.pem", folder)
    paths = KioskPaths.from_env({"KIOSK_HOME": str(tmp_path / "home")}).ensure()
    settings = Settings.load(paths.config_file)
    settings.set("catalog.trusted_keys", str(folder))
    demo_signed = make_package(tmp_path, bundled() + 1)
    r = run("import", demo_signed)
    assert r.exit_code == 1 and "refused (unknown-key)" in r.output
    own = make_package(tmp_path, bundled() + 1, key=tmp_path / "pub-private.pem", name="own.zip")
    assert run("import", own).exit_code == 0
    settings.set("kiosk.mode", "production")
    settings.set("catalog.trusted_keys", "")
    r = run("verify", own)
    assert r.exit_code == 1 and "refused (trusted-keys)" in r.output


# --- fuzzing ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def good_package(tmp_path_factory):
    base = tmp_path_factory.mktemp("fuzz")
    package = make_package(base, bundled() + 1)
    return package.read_bytes(), pkg.verify(package, DEMO_KEYS).manifest, base


def _check(data: bytes, good_package) -> None:
    original, manifest, base = good_package
    path = base / "fuzzed.zip"
    path.write_bytes(data)
    try:
        v = pkg.verify(path, DEMO_KEYS)
    except PackageError as e:
        assert e.code and e.message
        return
    # Anything that verifies carries exactly the signed manifest.
    assert v.manifest == manifest


FUZZ = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=4096))
def test_fuzz_random_bytes(good_package, data):
    _check(data, good_package)


@FUZZ
@given(st.data())
def test_fuzz_truncated(good_package, data):
    original = good_package[0]
    _check(original[:data.draw(st.integers(0, len(original) - 1))], good_package)


@FUZZ
@given(st.data())
def test_fuzz_bit_flips(good_package, data):
    original = bytearray(good_package[0])
    bits = data.draw(st.lists(st.integers(0, len(original) * 8 - 1), min_size=1, max_size=6))
    for bit in bits:
        original[bit // 8] ^= 1 << (bit % 8)
    _check(bytes(original), good_package)


@FUZZ
@given(st.data())
def test_fuzz_spliced(good_package, data):
    original = good_package[0]
    start = data.draw(st.integers(0, len(original)))
    end = data.draw(st.integers(start, min(len(original), start + 64)))
    _check(original[:start] + data.draw(st.binary(max_size=64)) + original[end:], good_package)


def test_one_import_or_rollback_at_a_time(tmp_path, paths, installed_edition):
    import fcntl

    root = pkg.store_dir(paths)
    with open(root / "lock", "a") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        err = assert_refused(paths, make_package(tmp_path, bundled() + 5), "busy",
                             installed_edition)
        assert "another" in str(err)
        with pytest.raises(PackageError) as e:
            pkg.rollback(paths)
        assert e.value.code == "busy"
    assert pkg.import_package(paths, make_package(tmp_path, bundled() + 5), DEMO_KEYS).active
