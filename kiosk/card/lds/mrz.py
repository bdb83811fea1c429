"""Machine readable zone (ICAO Doc 9303 Parts 3, 4, 5, 6 and 11).

- ``check_digit`` the 7-3-1 check digit
- ``parse_mrz`` TD1 (3x30), TD2 (2x36) and TD3 (2x44), every check digit verified,
  including the composite and the long document number of TD1/TD2 (Part 11 D.2:
  number field full, ``<`` in its check digit, the rest of the number and its
  check digit at the start of the optional data)
- ``mrz_information`` the BAC/PACE password (document number, birth and expiry
  dates, each with its check digit)
- ``parse_mrz_key`` what a technician types: ``DOCNO,YYMMDD,YYMMDD`` or a full MRZ
- ``build_mrz`` a valid TD1/TD2/TD3 MRZ from fields (the emulator uses it)

Messages name the field or check digit that failed, never the MRZ text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from ..errors import ParseError

MRZ_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)

#: format -> (number of lines, line length)
FORMATS = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}


class MRZError(ParseError):
    """The MRZ is malformed or a check digit does not match."""


def _value(c: str) -> int:
    if "0" <= c <= "9":
        return ord(c) - 48
    if "A" <= c <= "Z":
        return ord(c) - 55
    if c == "<":
        return 0
    raise MRZError("character outside A-Z, 0-9 and '<' in a check-digit input")


def check_digit(data: str) -> str:
    """The 7-3-1 check digit of ``data`` (Doc 9303 Part 3 §4.9): one character."""
    return str(sum(_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


# --------------------------------------------------------------------- dates


def _yymmdd_parts(raw: str, field: str) -> tuple[int | None, int | None, int | None]:
    if len(raw) != 6:
        raise MRZError(f"{field} must have 6 characters")
    parts = []
    for i in range(0, 6, 2):
        p = raw[i:i + 2]
        if p == "<<":
            parts.append(None)
        elif p.isdigit() and p.isascii():
            parts.append(int(p))
        else:
            raise MRZError(f"{field} is not in the YYMMDD form")
    return parts[0], parts[1], parts[2]


def _date(y: int, m: int, d: int, field: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise MRZError(f"{field} is not a valid calendar date") from None


def birth_date_from_yymmdd(raw: str, today: dt.date | None = None) -> dt.date | None:
    """Birth dates lie in the past: the latest century that does not put the date
    after ``today``. None when the MRZ leaves the day or month unknown (``<<``);
    an unknown year is an error."""
    today = today or dt.date.today()
    yy, mm, dd = _yymmdd_parts(raw, "date of birth")
    if yy is None:
        raise MRZError("date of birth has no year")
    if mm is None or dd is None:
        if mm is not None and not 1 <= mm <= 12:
            raise MRZError("date of birth is not a valid calendar date")
        if dd is not None and not 1 <= dd <= 31:
            raise MRZError("date of birth is not a valid calendar date")
        return None
    year = today.year - ((today.year - yy) % 100)
    valid = False
    for y in (year, year - 100):  # two tries: the 29th of February needs a leap year
        try:
            d = dt.date(y, mm, dd)
        except ValueError:
            continue
        valid = True
        if d <= today:
            return d
    if not valid:
        raise MRZError("date of birth is not a valid calendar date")
    raise MRZError("date of birth is in the future")  # pragma: no cover - year-100 is past


#: expiry dates may lie this many years ahead of today
EXPIRY_HORIZON_YEARS = 20


def expiry_date_from_yymmdd(raw: str, today: dt.date | None = None) -> dt.date:
    """Expiry dates: the latest year ending in YY not more than
    ``EXPIRY_HORIZON_YEARS`` after today (so 2012, 1994 and 2034 all come out right)."""
    today = today or dt.date.today()
    yy, mm, dd = _yymmdd_parts(raw, "date of expiry")
    if yy is None or mm is None or dd is None:
        raise MRZError("date of expiry is incomplete")
    top = today.year + EXPIRY_HORIZON_YEARS
    year = top - ((top - yy) % 100)
    return _date(year, mm, dd, "date of expiry")


def yymmdd(d: dt.date | str) -> str:
    """A date as the MRZ writes it. A string must already be 6 digits."""
    if isinstance(d, dt.date):
        return f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"
    s = str(d).strip()
    if len(s) != 6 or not (s.isascii() and s.isdigit()):
        raise MRZError("date must be YYMMDD (6 digits)")
    mm, dd = int(s[2:4]), int(s[4:6])
    if not (1 <= mm <= 12 and 1 <= dd <= 31):
        raise MRZError("date must be YYMMDD with a month 01-12 and a day 01-31")
    return s


# ----------------------------------------------------------------- the MRZ


@dataclass(frozen=True, repr=False)
class MRZ:
    format: str  # "TD1", "TD2" or "TD3"
    document_code: str  # "P", "I", "ID", "AC"... without fillers
    issuing_state: str  # "MAR", "D" (Germany)... without fillers
    document_number: str  # without fillers; up to 9 chars, more for the long form
    document_number_check_digit: str
    primary_identifier: str  # surname(s), '<' turned into spaces
    secondary_identifier: str  # given name(s)
    nationality: str
    birth_date: dt.date | None  # None when the MRZ leaves day or month unknown
    birth_date_raw: str  # YYMMDD as printed
    sex: str  # "M", "F" or "X" (unspecified, '<' in the MRZ)
    expiry_date: dt.date
    expiry_date_raw: str
    optional_data: str  # TD3 personal number / TD1 optional data 1 / TD2 optional data (fillers stripped)
    optional_data_2: str  # TD1 line 2 optional data (fillers stripped); "" otherwise
    lines: tuple[str, ...]

    def __repr__(self) -> str:  # personal data stays out of logs and tracebacks
        return f"MRZ(format={self.format}, document_code={self.document_code!r})"

    __str__ = __repr__

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def dg1_text(self) -> str:
        """The MRZ as DG1 stores it: lines concatenated, no separators."""
        return "".join(self.lines)

    @property
    def mrz_information(self) -> str:
        return mrz_information(self.document_number, self.birth_date_raw, self.expiry_date_raw)

    @property
    def is_passport(self) -> bool:
        return self.document_code.startswith("P")


def _names(field: str) -> tuple[str, str]:
    field = field.rstrip("<")
    primary, sep, secondary = field.partition("<<")
    clean = lambda s: " ".join(s.replace("<", " ").split())  # noqa: E731
    return clean(primary), clean(secondary)


def _check(data: str, digit: str, field: str, allow_filler: bool = False) -> None:
    if allow_filler and digit == "<" and set(data) <= {"<"}:
        return
    if not digit.isdigit():
        raise MRZError(f"{field} check digit is not a digit")
    if check_digit(data) != digit:
        raise MRZError(f"{field} check digit does not match")


def _sex(c: str) -> str:
    if c in ("M", "F"):
        return c
    if c in ("<", "X"):
        return "X"
    raise MRZError("sex field must be M, F, X or '<'")


def _split_lines(text: str) -> list[str]:
    """Lines of an MRZ given with line breaks, or concatenated as in DG1."""
    if not isinstance(text, str):
        raise MRZError("MRZ must be text")
    parts = [p.strip() for p in re.split(r"[\r\n]+", text.strip())]
    parts = [p for p in parts if p]
    if len(parts) == 1:
        s = parts[0]
        for fmt, (n, width) in FORMATS.items():
            if len(s) == n * width:
                return [s[i * width:(i + 1) * width] for i in range(n)]
        raise MRZError(f"MRZ of {len(s)} characters is neither TD1 (90), TD2 (72) nor TD3 (88)")
    return parts


def _format_of(lines: list[str]) -> str:
    for fmt, (n, width) in FORMATS.items():
        if len(lines) == n and all(len(line) == width for line in lines):
            return fmt
    shape = "x".join(str(len(line)) for line in lines) or "0"
    raise MRZError(f"MRZ shape {len(lines)} lines ({shape}) is neither TD1 (3x30), TD2 (2x36) "
                   f"nor TD3 (2x44)")


def _long_number(number_field: str, cd: str, optional: str, form: str) -> tuple[str, str, str]:
    """(document number, its check digit, the optional data left) handling the
    long document number of Part 11 D.2 / Part 5 (check digit position '<')."""
    if cd != "<":
        _check(number_field, cd, "document number")
        return number_field.rstrip("<"), cd, optional
    ext = optional.split("<", 1)[0]
    if len(ext) < 2:
        raise MRZError(f"document number check digit is '<' but the {form} optional data "
                       "does not continue the number")
    number = number_field + ext[:-1]
    _check(number, ext[-1], "document number (long form)")
    return number, ext[-1], optional[len(ext):]


def parse_mrz(text: str, today: dt.date | None = None) -> MRZ:
    """Parse and verify a TD1, TD2 or TD3 MRZ (lines separated by line breaks,
    or concatenated as DG1 stores them). ``today`` fixes the century rules.
    Raises ``MRZError`` (a ParseError) naming what failed."""
    lines = _split_lines(text)
    fmt = _format_of(lines)
    for n, line in enumerate(lines, 1):
        if not set(line) <= MRZ_CHARS:
            pos = next(i for i, c in enumerate(line) if c not in MRZ_CHARS) + 1
            raise MRZError(f"MRZ line {n} position {pos}: character outside A-Z, 0-9 and '<'")
    today = today or dt.date.today()
    code = lines[0][0:2].rstrip("<")
    state = lines[0][2:5].replace("<", "")
    if not code:
        raise MRZError("document code is empty")

    if fmt == "TD1":
        l1, l2, l3 = lines
        number, number_cd, opt1 = _long_number(l1[5:14], l1[14], l1[15:30], "line 1")
        birth_raw, birth_cd, sex, exp_raw, exp_cd = l2[0:6], l2[6], l2[7], l2[8:14], l2[14]
        nationality = l2[15:18]
        opt2 = l2[18:29]
        composite_in, composite_cd = l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29]
        primary, secondary = _names(l3)
        optional, optional_2 = opt1, opt2
    else:
        l1, l2 = lines
        primary, secondary = _names(l1[5:])
        birth_raw, birth_cd, sex, exp_raw, exp_cd = l2[13:19], l2[19], l2[20], l2[21:27], l2[27]
        nationality = l2[10:13]
        optional_2 = ""
        if fmt == "TD2":
            number, number_cd, optional = _long_number(l2[0:9], l2[9], l2[28:35], "line 2")
            composite_in, composite_cd = l2[0:10] + l2[13:20] + l2[21:35], l2[35]
        else:
            _check(l2[0:9], l2[9], "document number")
            number, number_cd = l2[0:9].rstrip("<"), l2[9]
            optional = l2[28:42]
            _check(optional, l2[42], "optional data", allow_filler=True)
            composite_in, composite_cd = l2[0:10] + l2[13:20] + l2[21:43], l2[43]

    if not number:
        raise MRZError("document number is empty")
    _check(birth_raw, birth_cd, "date of birth")
    _check(exp_raw, exp_cd, "date of expiry")
    _check(composite_in, composite_cd, "composite")
    return MRZ(
        format=fmt,
        document_code=code,
        issuing_state=state,
        document_number=number.rstrip("<"),
        document_number_check_digit=number_cd,
        primary_identifier=primary,
        secondary_identifier=secondary,
        nationality=nationality.replace("<", ""),
        birth_date=birth_date_from_yymmdd(birth_raw, today),
        birth_date_raw=birth_raw,
        sex=_sex(sex),
        expiry_date=expiry_date_from_yymmdd(exp_raw, today),
        expiry_date_raw=exp_raw,
        optional_data=optional.strip("<"),
        optional_data_2=optional_2.strip("<"),
        lines=tuple(lines),
    )


# ------------------------------------------------- BAC / PACE-MRZ password


def _doc_number(number: str) -> str:
    n = str(number).strip().upper()
    if not n or not set(n) <= MRZ_CHARS:
        raise MRZError("document number must be 1 or more characters A-Z, 0-9 or '<'")
    if not n.rstrip("<"):
        raise MRZError("document number is empty")
    return n


def mrz_information(document_number: str, birth_date: dt.date | str, expiry_date: dt.date | str) -> str:
    """MRZ_information of Doc 9303 Part 11 §9.7.1 (the BAC key seed and the
    PACE-MRZ password): number (padded to 9 with '<'; longer numbers in full) +
    check digit + birth date YYMMDD + check digit + expiry YYMMDD + check digit."""
    n = _doc_number(document_number)
    n = n.rstrip("<") if len(n.rstrip("<")) > 9 else n.ljust(9, "<")
    b, e = yymmdd(birth_date), yymmdd(expiry_date)
    return n + check_digit(n) + b + check_digit(b) + e + check_digit(e)


@dataclass(frozen=True, repr=False)
class MrzKey:
    """What access control needs from the MRZ."""

    document_number: str
    birth_date: str  # YYMMDD
    expiry_date: str  # YYMMDD

    def __repr__(self) -> str:
        return "MrzKey(<hidden>)"

    __str__ = __repr__

    @property
    def mrz_information(self) -> str:
        return mrz_information(self.document_number, self.birth_date, self.expiry_date)


def parse_mrz_key(text: str, today: dt.date | None = None) -> MrzKey:
    """A technician's input: ``DOCNO,YYMMDD,YYMMDD`` (birth, then expiry; ';' or
    spaces also separate) or a full MRZ (verified). Case and surrounding spaces
    are ignored."""
    if not isinstance(text, str):
        raise MRZError("MRZ key must be text")
    s = text.strip().upper()
    if not s:
        raise MRZError("MRZ key is empty")
    if "," in s or ";" in s or (" " in s and len(s.split()) == 3 and "\n" not in s):
        parts = [p.strip() for p in re.split(r"[,;\s]+", s) if p.strip()]
        if len(parts) != 3:
            raise MRZError("MRZ key must be DOCNO,YYMMDD,YYMMDD")
        number, birth, expiry = parts
        number = _doc_number(number)
        return MrzKey(number.rstrip("<"), yymmdd(birth), yymmdd(expiry))
    m = parse_mrz(s, today)
    return MrzKey(m.document_number, m.birth_date_raw, m.expiry_date_raw)


# ----------------------------------------------------------------- building


def to_mrz_field(text: str, what: str = "field") -> str:
    """Upper-case, accents dropped, spaces/hyphens/apostrophes to '<' (apostrophes
    removed), then only A-Z 0-9 '<' allowed."""
    s = unicodedata.normalize("NFKD", str(text)).upper()
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("'", "").replace("-", "<").replace(" ", "<")
    if not set(s) <= MRZ_CHARS:
        raise MRZError(f"{what} has characters the MRZ cannot hold")
    return s


def _names_field(primary: str, secondary: str, width: int) -> str:
    p = to_mrz_field(primary.strip(), "primary identifier")
    s = to_mrz_field(secondary.strip(), "secondary identifier")
    if not p.strip("<"):
        raise MRZError("primary identifier is empty")
    field = p + ("<<" + s if s else "")
    return field[:width].ljust(width, "<")


def _fixed(value: str, width: int, what: str) -> str:
    v = to_mrz_field(value, what)
    if len(v) > width:
        raise MRZError(f"{what} longer than {width} characters")
    return v.ljust(width, "<")


def build_mrz(fmt: str, *, document_code: str, issuing_state: str, document_number: str,
              primary_identifier: str, secondary_identifier: str, nationality: str,
              birth_date: dt.date | str, sex: str, expiry_date: dt.date | str,
              optional_data: str = "", optional_data_2: str = "") -> str:
    """A valid MRZ, lines joined by '\\n'. Document numbers longer than 9
    characters use the long form (TD1/TD2 only)."""
    if fmt not in FORMATS:
        raise MRZError("format must be TD1, TD2 or TD3")
    code = _fixed(document_code, 2, "document code")
    state = _fixed(issuing_state, 3, "issuing state")
    nat = _fixed(nationality, 3, "nationality")
    number = to_mrz_field(document_number, "document number").rstrip("<")
    if not number:
        raise MRZError("document number is empty")
    b, e = yymmdd(birth_date), yymmdd(expiry_date)
    sx = {"M": "M", "F": "F", "X": "<", "<": "<", "": "<"}.get(str(sex).strip().upper())
    if sx is None:
        raise MRZError("sex must be M, F or X")
    _, width = FORMATS[fmt]
    opt_width = {"TD1": 15, "TD2": 7, "TD3": 14}[fmt]
    opt = to_mrz_field(optional_data, "optional data")
    if len(number) > 9:
        if fmt == "TD3":
            raise MRZError("TD3 document numbers have at most 9 characters")
        number_field, number_cd = number[:9], "<"
        opt = number[9:] + check_digit(number) + "<" + opt if opt else number[9:] + check_digit(number)
    else:
        number_field = number.ljust(9, "<")
        number_cd = check_digit(number_field)
    if len(opt) > opt_width:
        raise MRZError(f"optional data longer than {opt_width} characters")
    opt = opt.ljust(opt_width, "<")

    if fmt == "TD1":
        opt2 = _fixed(optional_data_2, 11, "optional data 2")
        l1 = code + state + number_field + number_cd + opt
        l2 = b + check_digit(b) + sx + e + check_digit(e) + nat + opt2
        l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
        l3 = _names_field(primary_identifier, secondary_identifier, 30)
        lines = [l1, l2, l3]
    else:
        if optional_data_2:
            raise MRZError("optional data 2 exists only in TD1")
        l1 = code + state + _names_field(primary_identifier, secondary_identifier, width - 5)
        l2 = number_field + number_cd + nat + b + check_digit(b) + sx + e + check_digit(e) + opt
        if fmt == "TD3":
            l2 += "<" if set(opt) == {"<"} else check_digit(opt)
            l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
        else:
            l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:35])
        lines = [l1, l2]
    assert all(len(line) == width for line in lines)
    return "\n".join(lines)
