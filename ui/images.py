"""Serves the chip's photo to QML from memory (never written to disk)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider


class PhotoProvider(QQuickImageProvider):
    def __init__(self, get_photo):
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._get_photo = get_photo

    def requestImage(self, id_, size, requested):  # noqa: N802 (Qt name)
        image = QImage()
        data = self._get_photo()
        if data:
            image.loadFromData(bytes(data))
        if image.isNull():
            image = QImage(QSize(1, 1), QImage.Format.Format_ARGB32)
            image.fill(0)
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        return image
