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
