"""The durable outbox of submissions: SQLite (WAL, synchronous=FULL), sealed payloads."""
