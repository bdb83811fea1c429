"""Sync between kiosks and the back office: the protocol (``protocol.py``, shared by the
kiosk's client and the intake) and the reference receiver (``intake/``).
See docs/sync-protocol.md."""
