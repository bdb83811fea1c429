"""X.509 helpers for the eMRTD PKI: loading PEM/DER, readable names, validity on
a day, and checking that one certificate was signed by another's key."""

from __future__ import annotations

import datetime as dt

from asn1crypto import pem, x509

from . import signature as sig
from .asn1util import guarded, load_strict

_SHORT = {"common_name": "CN", "country_name": "C", "organization_name": "O",
          "organizational_unit_name": "OU", "locality_name": "L", "state_or_province_name": "ST",
          "serial_number": "serialNumber", "email_address": "emailAddress"}


def load_certificate(der: bytes, what: str = "certificate") -> x509.Certificate:
    return load_strict(x509.Certificate, der, what)


def load_certificates(data: bytes, what: str = "certificate file") -> list[x509.Certificate]:
    """Every certificate in ``data``: PEM (one or more blocks) or one DER."""
    data = bytes(data)
    if pem.detect(data):
        out = []
        for kind, _headers, der in guarded(what, lambda: list(pem.unarmor(data, multiple=True))):
            if kind == "CERTIFICATE":
                out.append(load_certificate(der, what))
        return out
    return [load_certificate(data, what)]


def _escape(v: str) -> str:
    out = "".join("\\" + c if c in ',+"\\<>;=' else c for c in v)
    if out.startswith((" ", "#")):
        out = "\\" + out
    if out.endswith(" ") and not out.endswith("\\ "):
        out = out[:-1] + "\\ "
    return out


def name_string(name: x509.Name) -> str:
    """RFC 4514 form, most specific first: 'CN=HJP PB DS,OU=Document Signer,O=...,C=DE'."""
    def go():
        rdns = []
        for rdn in reversed(list(name.chosen)):
            parts = []
            for atv in rdn:
                t = atv["type"]
                key = _SHORT.get(t.native, t.dotted)
                v = atv["value"].native
                parts.append(f"{key}={_escape(v if isinstance(v, str) else str(v))}")
            rdns.append("+".join(parts))
        return ",".join(rdns)
    return guarded("certificate name", go)


def country(name: x509.Name) -> str | None:
    return guarded("certificate name", lambda: name.native.get("country_name"))


def validity(cert: x509.Certificate) -> tuple[dt.datetime, dt.datetime]:
    v = cert["tbs_certificate"]["validity"]
    return guarded("certificate validity", lambda: (v["not_before"].native, v["not_after"].native))


def validity_problem(cert: x509.Certificate, day: dt.date) -> str | None:
    """None when ``day`` lies in the validity period, else 'expired' or 'not yet valid'."""
    nb, na = validity(cert)
    if day < nb.date():
        return "not yet valid"
    if day > na.date():
        return "expired"
    return None


def verify_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> None:
    """``cert``'s signature checks with ``issuer``'s public key (names are the
    caller's business); VerificationError otherwise."""
    key = sig.load_public_key(issuer.public_key)
    tbs = cert["tbs_certificate"].dump()
    sig.verify(key, cert["signature_algorithm"], cert["signature_value"].native, tbs)


def authority_key_id(cert: x509.Certificate) -> bytes | None:
    return guarded("certificate extensions", lambda: cert.authority_key_identifier)


def subject_key_id(cert: x509.Certificate) -> bytes | None:
    return guarded("certificate extensions", lambda: cert.key_identifier)


def key_usage(cert: x509.Certificate) -> set[str] | None:
    v = guarded("certificate extensions", lambda: cert.key_usage_value)
    return None if v is None else set(v.native)


def is_ca(cert: x509.Certificate) -> bool | None:
    v = guarded("certificate extensions", lambda: cert.basic_constraints_value)
    return None if v is None else bool(v["ca"].native)


def same_name(a: x509.Name, b: x509.Name) -> bool:
    try:
        return a == b
    except Exception:  # noqa: BLE001 - malformed names compare unequal
        return False

