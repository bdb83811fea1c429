"""Guichet core: everything the kiosk does, without Qt.

The ``ui`` package adapts these objects to Qt Quick; nothing here imports PySide6.
"""

__version__ = "0.1.0"
