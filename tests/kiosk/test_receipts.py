import shutil
import subprocess
import unicodedata

import pytest

from kiosk.session import Session

from .helpers import fill, to_catalog

PROC = "commune.extrait-acte-naissance"


def pdftext(path) -> str:
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return unicodedata.normalize("NFKC", out)


def strip_lam_alef(s: str) -> str:
    return s.replace("لا", "").replace("لأ", "").replace("لإ", "").replace("لآ", "")


def _in_order(wanted, words) -> bool:
    """The wanted words appear as a run of consecutive words (ligature words skipped)."""
    for start in range(len(words)):
        i, j = start, 0
        while i < len(words) and j < len(wanted):
            if words[i] == wanted[j]:
                j += 1
            elif strip_lam_alef(words[i]) == words[i] and "\ue000" not in words[i]:
                break
            i += 1
        if j == len(wanted):
            return True
    return False


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["ar", "fr", "zgh"])
def test_receipt_in_each_language(services, demo_identity, lang, tmp_path):
    session = Session(services, services.catalog, "fr")
    to_catalog(session, demo_identity, lang)
    fill(session, PROC)
    session.set_consent(True)
    result = session.submit()
    text = pdftext(result.receipt)
    assert result.tracking in text  # left to right, digits in order, even in Arabic
    title = services.catalog.get(PROC).title(lang)
    # Words in reading (logical) order: the whole title, in sequence.
    # (lam-alef ligatures do not extract: words that have one are left out.)
    words = text.replace("\u202b", "").replace("\u202c", "").split()
    wanted = [w for w in title.split() if strip_lam_alef(w) == w]
    joined = " ".join(words)
    assert " ".join(wanted) in joined or _in_order(wanted, words), (wanted, words)
    # Nothing personal on the receipt.
    for secret in ("ZT9054321", "EL AMRANI", "العمراني", "0522123456"):
        assert secret not in text
    assert result.receipt.read_bytes().startswith(b"%PDF")
    width_pt = 80 / 25.4 * 72
    info = subprocess.run(["pdfinfo", str(result.receipt)], capture_output=True, text=True).stdout
    w, h = [float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x ")]
    assert abs(w - width_pt) < 0.5 and 200 < h < 1200  # a roll: height follows content


# --- authenticity, widths, second language, glyph coverage --------------------------

def _saved(services, lang="fr"):
    from kiosk.procedures.examples import example_answers
    from kiosk.procedures.wizard import payload_from_answers
    proc = services.catalog.get(PROC)
    payload = {"answers": payload_from_answers(proc, example_answers(proc, lang), {})}
    return services.submit(proc, lang, payload)


def test_receipt_qr_is_signed_and_verifies(services, tmp_path):
    from kiosk.receipts.authenticity import verify
    result = _saved(services)
    data = services.receipt_data(result.tracking)
    assert data.qr.startswith(f"GR1|{result.tracking}|") and data.qr.count("|") == 4
    key = services.kiosk_key().public_key()
    assert verify(data.qr, lambda k: key).valid
    # Any changed character fails, and the reason says so.
    for i in range(4, len(data.qr)):
        if data.qr[i] == "|":
            continue
        other = "A" if data.qr[i] != "A" else "B"
        v = verify(data.qr[:i] + other + data.qr[i + 1:], lambda k: key)
        assert not v.valid, i
    assert "unknown kiosk" in verify(data.qr, lambda k: None).reason
    assert not verify(data.qr[:-10], lambda k: key).valid
    # No personal data in the code.
    for secret in ("ZT9054321", "EL AMRANI", "0612345678"):
        assert secret not in data.qr


def test_receipt_verify_cli(services, kiosk_home):
    from click.testing import CliRunner

    from kiosk.cli import cli
    qr = services.receipt_data(_saved(services).tracking).qr
    ok = CliRunner().invoke(cli, ["receipt", "verify", qr])
    assert ok.exit_code == 0 and ok.output.startswith("valid")
    bad = CliRunner().invoke(cli, ["receipt", "verify", qr.replace("|DEMO1-", "|DEMO2-")])
    assert bad.exit_code == 1 and "INVALID" in bad.output and "altered" in bad.output


@pytest.mark.parametrize("paper", [80, 58])
def test_page_width_follows_the_roll_and_tracking_never_wraps(services, tmp_path, paper):
    import dataclasses

    from kiosk.receipts.render import render
    result = _saved(services, "ar")
    data = dataclasses.replace(services.receipt_data(result.tracking), paper_mm=paper)
    r = render(data, tmp_path / f"{paper}.pdf")
    info = subprocess.run(["pdfinfo", str(r.path)], capture_output=True, text=True).stdout
    w, h = [float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x ")]
    assert abs(w - paper / 25.4 * 72) < 0.5 and abs(h - r.height_mm / 25.4 * 72) < 0.5
    lines = pdftext(r.path).splitlines()
    assert result.tracking in lines  # one line of its own, whole


def test_second_language_lines_keep_their_own_direction(services, tmp_path):
    result = _saved(services, "ar")
    assert services.settings["receipt.second_language"] == "fr"
    text = pdftext(services.render_receipt(result.tracking).path)
    assert "Reçu" in text and "Numéro de suivi" in text
    # French punctuation stays at the end of its line (a left-to-right paragraph).
    assert "Gardez-le pour suivre votre demande." in text.replace("\n", " ")
    assert ".suivre" not in text


def test_every_catalog_text_has_glyphs_in_the_font_drawing_it(services):
    """No text of a receipt may render as boxes: every character of every catalog text
    (titles, next steps, documents) and every receipt label is covered by its run's font."""
    from kiosk.i18n import LANGUAGES, gettext
    from kiosk.receipts import textline
    from kiosk.receipts.fonts import covers, register
    fonts = register()
    labels = ["Kingdom of Morocco", "Receipt", "Tracking number", "Next steps", "Documents to bring",
              "Kiosk", "This receipt carries no personal data. Keep it to follow your request."]
    missing = set()
    checked = 0
    for lang in LANGUAGES:
        texts = [gettext(lang, m) for m in labels]
        for p in services.catalog.procedures:
            texts += [p.title(lang), p.next_steps(lang)] + ["• " + d(lang) for d in p.documents]
        for text in texts:
            for bold in (False, True):
                for run in textline.layout(text, lang == "ar", 9, bold):
                    for ch in run.text:
                        checked += 1
                        if not ch.isspace() and not covers(fonts[run.font], ch):
                            missing.add((lang, run.font, ch, hex(ord(ch))))
    assert checked > 10000
    assert not missing, sorted(missing)[:20]
