"""The verified identity of the citizen at the terminal: memory only, wiped at session end."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class Identity:
    document_type: str  # "ID" (CNIE, TD1) or "P" (passport, TD3)
    document_number: str
    surname: str
    given_names: str
    surname_ar: str
    given_names_ar: str
    nationality: str
    birth_date: dt.date
    sex: str
    expiry_date: dt.date
    photo: bytearray = field(default_factory=bytearray, repr=False)
    photo_mime: str = "image/png"
    #: "verified" (passive authentication passed) or "demo" (demo data, not verified)
    verification: str = "verified"

    def __repr__(self) -> str:  # never let a log line or traceback carry personal data
        return f"Identity(document_type={self.document_type!r}, verification={self.verification!r})"

    __str__ = __repr__

    @property
    def masked_number(self) -> str:
        n = self.document_number
        return "•" * max(0, len(n) - 3) + n[-3:]

    def latin_name(self) -> str:
        return f"{self.given_names} {self.surname}".strip()

    def arabic_name(self) -> str:
        return f"{self.given_names_ar} {self.surname_ar}".strip()

    def prefill(self) -> dict[str, str]:
        """Values a procedure may bind read-only fields to."""
        return {
            "identity.surname": self.surname,
            "identity.given_names": self.given_names,
            "identity.full_name": self.latin_name(),
            "identity.sex": self.sex,
            "identity.name_ar": self.arabic_name(),
            "identity.document_number": self.document_number,
            "identity.birth_date": self.birth_date.isoformat(),
            "identity.nationality": self.nationality,
        }

    def is_expired(self, today: dt.date | None = None) -> bool:
        return self.expiry_date < (today or dt.date.today())

    def wipe(self) -> None:
        """Overwrite what can be overwritten (the photo buffer) and drop every reference."""
        for i in range(len(self.photo)):
            self.photo[i] = 0
        self.photo = bytearray()
        for name in ("document_number", "surname", "given_names", "surname_ar",
                     "given_names_ar", "nationality", "sex"):
            setattr(self, name, "")
        self.birth_date = self.expiry_date = dt.date.min
