"""Guichet's Qt Quick front end: QML screens and thin view models over ``kiosk``.

The only package that imports PySide6. Dependencies point one way: ui -> kiosk.
"""
