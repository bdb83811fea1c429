"""`kiosk shots` renders every screen in every language; a sample of pixels proves the
images are real renderings, and Arabic ones are mirrored."""

from PySide6.QtGui import QImage

from ui.shots import render


def test_every_screen_in_every_language(tmp_path, qapp):
    files = render(tmp_path, sizes=((1080, 1920),))
    names = {f.name for f in files}
    for lang in ("ar", "fr", "zgh"):
        for screen in ("welcome", "identify", "reading", "card-error", "confirm", "catalog",
                       "catalog-search", "intro", "wizard-01-eligibility", "wizard-ineligible",
                       "wizard-errors", "review", "submitting", "done"):
            assert f"{screen}-{lang}-1080x1920.png" in names
    # Every step of the long procedure, in order.
    steps = sorted(n for n in names if n.startswith("wizard-0") and n.endswith("-fr-1080x1920.png"))
    assert len(steps) >= 6
    for f in files:
        image = QImage(str(f))
        assert (image.width(), image.height()) == (1080, 1920)
    # The header's language bar starts on the left in French, on the right in Arabic.
    fr, ar = QImage(str(tmp_path / "catalog-fr-1080x1920.png")), QImage(str(tmp_path / "catalog-ar-1080x1920.png"))
    def dark_x(image):
        xs = [x for x in range(0, 1080, 4) if image.pixelColor(x, 75).lightness() < 100]
        return sum(xs) / len(xs)
    assert dark_x(ar) > dark_x(fr)
