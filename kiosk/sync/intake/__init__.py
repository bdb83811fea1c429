"""The reference intake: receives the kiosks' batches (docs/sync-protocol.md).

``storage.py`` the storage interface and its SQLite implementation; ``keys.py`` the back
office's sealing key pair and the intake's response-signing key; ``app.py`` the
Starlette application. ``kiosk intake ...`` (kiosk/sync/cli.py) drives them.
"""
