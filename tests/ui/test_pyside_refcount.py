"""PySide6 6.12.0 on Python 3.11 loses a reference to None on every call of a method that
returns nothing and aborts after ~10,000 calls. The pinned release must not drift."""

import sys

import PySide6
from PySide6.QtCore import QObject


def test_pinned_release_is_not_the_broken_one():
    assert PySide6.__version__ != "6.12.0"


def test_void_calls_do_not_leak_none():
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(100_000):
        obj.setObjectName("x")
    after = sys.getrefcount(None)
    assert abs(after - before) < 1000, (before, after)
