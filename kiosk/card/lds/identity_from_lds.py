"""The kiosk's ``Identity`` from the data groups read off the chip."""

from __future__ import annotations

import datetime as dt

from ..errors import ParseError
from ..identity import Identity
from .face import parse_dg2
from .files import PersonalDetails, parse_dg1, parse_dg11
from .image import decode_face_image
from .mrz import MRZ


def document_type(mrz: MRZ) -> str:
    """'P' for passports (document code P...), 'ID' for identity cards and other TD1/TD2."""
    return "P" if mrz.document_code.startswith("P") else "ID"


def arabic_names(details: PersonalDetails | None) -> tuple[str, str]:
    """(surname_ar, given_names_ar) from DG11's full name: split on '<<' as ICAO
    writes it; without '<<' the whole name goes to the surname and the given
    names stay empty."""
    if details is None or not details.full_name:
        return "", ""
    return details.name_parts()


def _birth_date(mrz: MRZ, details: PersonalDetails | None, today: dt.date | None) -> dt.date:
    if mrz.birth_date is not None:
        return mrz.birth_date
    if details is not None and details.full_date_of_birth is not None:
        return details.full_date_of_birth
    # Day or month unknown ('<<' in the MRZ, 00 in DG11): the first of the month
    # or of the year, as civil registries do for such records.
    raw = mrz.birth_date_raw
    yy = int(raw[0:2])
    mm = int(raw[2:4]) if raw[2:4].isdigit() else 1
    today = today or dt.date.today()
    year = today.year - ((today.year - yy) % 100)
    try:
        return dt.date(year, mm, 1)
    except ValueError:
        raise ParseError("date of birth is not a valid calendar date") from None


def identity_from_lds(dg1: bytes | MRZ, dg2: bytes | None = None, dg11: bytes | None = None,
                      verification: str | object = "verified", photo_png: bytes | None = None,
                      today: dt.date | None = None) -> Identity:
    """An ``Identity`` from DG1 (bytes or a parsed MRZ), the face of DG2 decoded
    to PNG (or ``photo_png`` already decoded), and DG11's name in national
    characters (Arabic on the CNIE). ``verification`` is a string, or a
    ``PassiveResult`` whose status ("verified"/"failed") is used.
    ParseError on malformed data."""
    mrz = dg1 if isinstance(dg1, MRZ) else parse_dg1(dg1, today)
    details = parse_dg11(dg11) if dg11 else None
    if photo_png is None and dg2:
        faces = parse_dg2(dg2)
        photo_png = decode_face_image(faces[0].image).png
    surname_ar, given_ar = arabic_names(details)
    status = getattr(verification, "status", verification)
    if not isinstance(status, str):
        raise TypeError("verification must be a string or a PassiveResult")
    return Identity(
        document_type=document_type(mrz),
        document_number=mrz.document_number,
        surname=mrz.primary_identifier,
        given_names=mrz.secondary_identifier,
        surname_ar=surname_ar,
        given_names_ar=given_ar,
        nationality=mrz.nationality,
        birth_date=_birth_date(mrz, details, today),
        sex=mrz.sex,
        expiry_date=mrz.expiry_date,
        photo=bytearray(photo_png or b""),
        photo_mime="image/png",
        verification=status,
    )
