"""A QTranslator served by the kiosk's gettext catalogs, so QML's qsTr and the
Python core read the same .po files."""

from __future__ import annotations

from PySide6.QtCore import QTranslator

from kiosk.i18n import catalogs


class GettextTranslator(QTranslator):
    def __init__(self, lang: str, parent=None):
        super().__init__(parent)
        self.lang = lang

    def isEmpty(self) -> bool:  # noqa: N802 (Qt name)
        return False

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401
        if not source:
            return ""
        t = catalogs.translations(self.lang)
        text = t.pgettext(disambiguation, source) if disambiguation else t.gettext(source)
        return text
