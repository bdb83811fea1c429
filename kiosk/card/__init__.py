"""Identity cards: the reader interface, events and identities.

``reader.CardReader`` is what the session talks to. Implementations: ``demo`` (an
in-process virtual card, no hardware) now; the PC/SC reader (pyscard, ICAO 9303)
implements the same interface.
"""
