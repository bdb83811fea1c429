"""ISO 7816-4 status words: names for the technician, typed errors for the code."""

from __future__ import annotations

from .apdu import SW_OK, Response
from .errors import AccessDeniedError, StatusError

SW_AUTH_FAILED = 0x6300
SW_WRONG_LENGTH = 0x6700
SW_SECURITY = 0x6982
SW_CONDITIONS = 0x6985
SW_NO_EF = 0x6986
SW_SM_MISSING = 0x6987
SW_SM_WRONG = 0x6988
SW_WRONG_DATA = 0x6A80
SW_NOT_FOUND = 0x6A82
SW_INCORRECT_P1P2 = 0x6A86
SW_REF_NOT_FOUND = 0x6A88
SW_WRONG_PARAMETERS = 0x6B00  # also "offset outside the EF" for READ BINARY
SW_INS = 0x6D00
SW_CLA = 0x6E00

#: status words with which a chip rejects the terminal's authentication (wrong MRZ or CAN)
ACCESS_DENIED_SW = (SW_AUTH_FAILED, SW_SECURITY, SW_SM_WRONG)

_NAMES = {
    0x6282: "end of file reached before Le bytes",
    0x6700: "wrong length",
    0x6881: "logical channel not supported",
    0x6882: "secure messaging not supported",
    0x6982: "security status not satisfied",
    0x6983: "authentication method blocked",
    0x6984: "reference data not usable",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no current EF)",
    0x6987: "expected secure messaging data objects missing",
    0x6988: "incorrect secure messaging data objects",
    0x6A80: "incorrect parameters in the data field",
    0x6A82: "file or application not found",
    0x6A86: "incorrect parameters P1-P2",
    0x6A88: "referenced data not found",
    0x6B00: "wrong parameters (offset outside the EF)",
    0x6D00: "instruction not supported",
    0x6E00: "class not supported",
    0x6F00: "no precise diagnosis",
    0x6300: "authentication failed",
}


def describe(sw: int) -> str:
    if sw >> 4 == 0x63C:
        return f"verification failed, {sw & 0xF} tries left"
    if sw >> 8 == 0x61:
        return f"{sw & 0xFF} more bytes available"
    if sw >> 8 == 0x6C:
        return f"wrong Le, exact length {sw & 0xFF}"
    return _NAMES.get(sw, "unknown status")


class FileNotFound(StatusError):
    """The chip has no such file (an optional data group, usually)."""


class SecurityStatusNotSatisfied(StatusError):
    """Access control or secure messaging is required or was lost."""


class WrongLength(StatusError):
    pass


class EndOfFile(StatusError):
    pass


def tries_left(sw: int) -> int | None:
    return sw & 0xF if sw >> 4 == 0x63C else None


def check(resp: Response, command: str) -> Response:
    """Return ``resp`` when it is 9000, else raise the typed error for its status word."""
    sw = resp.sw
    if sw == SW_OK:
        return resp
    if sw == 0x6A82:
        raise FileNotFound(sw, command)
    if sw in (0x6982, 0x6987, 0x6988):
        raise SecurityStatusNotSatisfied(sw, command)
    if sw == 0x6700 or sw >> 8 == 0x6C:
        raise WrongLength(sw, command)
    if sw in (0x6282, 0x6B00):
        raise EndOfFile(sw, command)
    if sw == 0x6300 or sw >> 4 == 0x63C or sw == 0x6983:
        raise AccessDeniedError(f"{command}: {describe(sw)} (SW {sw:04X})", tries_left(sw))
    raise StatusError(sw, command)
