"""A small IPP/1.1 client (RFC 8010 encoding, RFC 8011 operations) over HTTP with httpx.

Pure Python rather than pycups: nothing to compile and no libcups-dev at install time,
and the four operations the kiosk needs are a few hundred lines of well-specified bytes.

Only what a receipt needs: Get-Printer-Attributes, Print-Job, Get-Job-Attributes and
Cancel-Job, against CUPS (``/printers/QUEUE``) or any IPP server. The reply decoder reads
bytes from outside the kiosk: whatever it is given, it returns a ``Message`` or raises
``IppDecodeError`` (never an ``IndexError``, ``struct.error`` or ``UnicodeDecodeError``).
"""

from __future__ import annotations

import getpass
import itertools
import os
import struct
from dataclasses import dataclass, field
from typing import Any, Iterable, NamedTuple

import httpx

# --- operations, status codes, tags ------------------------------------------------

PRINT_JOB = 0x0002
CANCEL_JOB = 0x0008
GET_JOB_ATTRIBUTES = 0x0009
GET_PRINTER_ATTRIBUTES = 0x000B

STATUS_NAMES = {
    0x0000: "successful-ok",
    0x0001: "successful-ok-ignored-or-substituted-attributes",
    0x0002: "successful-ok-conflicting-attributes",
    0x0400: "client-error-bad-request",
    0x0401: "client-error-forbidden",
    0x0402: "client-error-not-authenticated",
    0x0403: "client-error-not-authorized",
    0x0404: "client-error-not-possible",
    0x0405: "client-error-timeout",
    0x0406: "client-error-not-found",
    0x0407: "client-error-gone",
    0x0408: "client-error-request-entity-too-large",
    0x0409: "client-error-request-value-too-long",
    0x040A: "client-error-document-format-not-supported",
    0x040B: "client-error-attributes-or-values-not-supported",
    0x040C: "client-error-uri-scheme-not-supported",
    0x040D: "client-error-charset-not-supported",
    0x040E: "client-error-conflicting-attributes",
    0x040F: "client-error-compression-not-supported",
    0x0410: "client-error-compression-error",
    0x0411: "client-error-document-format-error",
    0x0412: "client-error-document-access-error",
    0x0500: "server-error-internal-error",
    0x0501: "server-error-operation-not-supported",
    0x0502: "server-error-service-unavailable",
    0x0503: "server-error-version-not-supported",
    0x0504: "server-error-device-error",
    0x0505: "server-error-temporary-error",
    0x0506: "server-error-not-accepting-jobs",
    0x0507: "server-error-busy",
    0x0508: "server-error-job-canceled",
    0x0509: "server-error-multiple-document-jobs-not-supported",
}
STATUS_NOT_FOUND = 0x0406
STATUS_NOT_ACCEPTING_JOBS = 0x0506

# delimiter tags (attribute groups)
OPERATION_ATTRIBUTES = 0x01
JOB_ATTRIBUTES = 0x02
END_OF_ATTRIBUTES = 0x03
PRINTER_ATTRIBUTES = 0x04
UNSUPPORTED_ATTRIBUTES = 0x05

# value tags
UNSUPPORTED = 0x10
UNKNOWN = 0x12
NO_VALUE = 0x13
INTEGER = 0x21
BOOLEAN = 0x22
ENUM = 0x23
OCTET_STRING = 0x30
DATE_TIME = 0x31
RESOLUTION = 0x32
RANGE_OF_INTEGER = 0x33
BEGIN_COLLECTION = 0x34
TEXT_WITH_LANGUAGE = 0x35
NAME_WITH_LANGUAGE = 0x36
END_COLLECTION = 0x37
TEXT = 0x41
NAME = 0x42
KEYWORD = 0x44
URI = 0x45
URI_SCHEME = 0x46
CHARSET = 0x47
NATURAL_LANGUAGE = 0x48
MIME_MEDIA_TYPE = 0x49
MEMBER_ATTR_NAME = 0x4A
EXTENSION = 0x7F

STRING_TAGS = frozenset({TEXT, NAME, KEYWORD, URI, URI_SCHEME, CHARSET, NATURAL_LANGUAGE,
                         MIME_MEDIA_TYPE, MEMBER_ATTR_NAME})
FIXED_SIZES = {INTEGER: 4, ENUM: 4, BOOLEAN: 1, DATE_TIME: 11, RESOLUTION: 9,
               RANGE_OF_INTEGER: 8}

PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
JOB_STATES = {3: "pending", 4: "pending-held", 5: "processing", 6: "processing-stopped",
              7: "canceled", 8: "aborted", 9: "completed"}

MAX_COLLECTION_DEPTH = 16


# --- errors -------------------------------------------------------------------------

class IppError(Exception):
    """Anything that went wrong talking IPP."""


class IppDecodeError(IppError):
    """The reply is not a well-formed IPP message."""


class IppConnectionError(IppError):
    """The server did not answer, or answered something other than an IPP reply."""


class IppStatusError(IppError):
    """The server answered with an error status (``status``, e.g. 0x0406 not-found)."""

    def __init__(self, status: int, message: str = ""):
        self.status = status
        self.message = message
        text = status_name(status) + (f": {message}" if message else "")
        super().__init__(text)


def status_name(code: int) -> str:
    return STATUS_NAMES.get(code, f"status-0x{code:04x}")


# --- message model ------------------------------------------------------------------

class Value(NamedTuple):
    tag: int
    value: Any    # int, bool, str, bytes, tuple (resolution, range), dict (collection), None


@dataclass
class Attribute:
    name: str
    values: list[Value]

    @property
    def value(self) -> Any:
        return self.values[0].value if self.values else None


@dataclass
class Group:
    tag: int
    attributes: dict[str, Attribute] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        a = self.attributes.get(name)
        return default if a is None or not a.values else a.value

    def getall(self, name: str) -> list:
        a = self.attributes.get(name)
        return [] if a is None else [v.value for v in a.values]

    def __contains__(self, name: str) -> bool:
        return name in self.attributes


@dataclass
class Message:
    """A request or a response: ``code`` is the operation id or the status code."""
    version: tuple[int, int]
    code: int
    request_id: int
    groups: list[Group] = field(default_factory=list)
    data: bytes = b""

    def group(self, tag: int) -> Group:
        """The first group with this delimiter tag (an empty one if there is none)."""
        for g in self.groups:
            if g.tag == tag:
                return g
        return Group(tag)

    @property
    def status_message(self) -> str:
        return str(self.group(OPERATION_ATTRIBUTES).get("status-message") or "")


# --- encoding -----------------------------------------------------------------------

def _encode_value(tag: int, value: Any) -> bytes:
    if tag in (INTEGER, ENUM):
        return struct.pack(">i", value)
    if tag == BOOLEAN:
        return b"\x01" if value else b"\x00"
    if tag in STRING_TAGS:
        return value.encode("utf-8")
    if tag in (TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE):
        lang, text = value if isinstance(value, tuple) else ("en", value)
        lb, tb = lang.encode("utf-8"), text.encode("utf-8")
        return struct.pack(">H", len(lb)) + lb + struct.pack(">H", len(tb)) + tb
    if tag == RESOLUTION:
        return struct.pack(">iib", *value)
    if tag == RANGE_OF_INTEGER:
        return struct.pack(">ii", *value)
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise ValueError(f"cannot encode {value!r} with value tag 0x{tag:02x}")


def _encode_one(out: bytearray, tag: int, name: str, value: Any) -> None:
    nb = name.encode("utf-8")
    if tag == BEGIN_COLLECTION:
        out += struct.pack(">BH", tag, len(nb)) + nb + b"\x00\x00"
        for member in value.values():
            for i, v in enumerate(member.values):
                if i == 0:
                    mb = member.name.encode("utf-8")
                    out += struct.pack(">BHH", MEMBER_ATTR_NAME, 0, len(mb)) + mb
                _encode_one(out, v.tag, "", v.value)
        out += struct.pack(">BHH", END_COLLECTION, 0, 0)
        return
    vb = _encode_value(tag, value)
    if len(nb) > 0xFFFF or len(vb) > 0xFFFF:
        raise ValueError(f"IPP attribute {name!r} too long")
    out += struct.pack(">BH", tag, len(nb)) + nb + struct.pack(">H", len(vb)) + vb


def encode(msg: Message) -> bytes:
    out = bytearray(struct.pack(">BBHi", msg.version[0], msg.version[1], msg.code,
                                msg.request_id))
    for g in msg.groups:
        out.append(g.tag)
        for attr in g.attributes.values():
            for i, v in enumerate(attr.values):
                _encode_one(out, v.tag, attr.name if i == 0 else "", v.value)
    out.append(END_OF_ATTRIBUTES)
    return bytes(out) + msg.data


def attr(tag: int, name: str, *values: Any) -> Attribute:
    return Attribute(name, [Value(tag, v) for v in values])


def group(tag: int, *attributes: Attribute) -> Group:
    return Group(tag, {a.name: a for a in attributes})


# --- decoding -----------------------------------------------------------------------

class _Reader:
    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes):
        self.buf = buf
        self.pos = 0

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.buf):
            raise IppDecodeError(f"truncated IPP message: {n} bytes wanted at offset "
                                 f"{self.pos}, {len(self.buf) - self.pos} left")
        chunk = self.buf[self.pos:end]
        self.pos = end
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return int.from_bytes(self.take(2), "big")

    def at_end(self) -> bool:
        return self.pos >= len(self.buf)


def _text(b: bytes) -> str:
    return b.decode("utf-8", errors="replace")


def _decode_value(tag: int, raw: bytes) -> Any:
    size = FIXED_SIZES.get(tag)
    if size is not None and len(raw) != size:
        raise IppDecodeError(f"value tag 0x{tag:02x} needs {size} bytes, got {len(raw)}")
    if tag in (INTEGER, ENUM):
        return int.from_bytes(raw, "big", signed=True)
    if tag == BOOLEAN:
        return raw != b"\x00"
    if tag in STRING_TAGS:
        return _text(raw)
    if tag in (TEXT_WITH_LANGUAGE, NAME_WITH_LANGUAGE):
        r = _Reader(raw)
        r.take(r.u16())                 # the natural language: not kept
        text = _text(r.take(r.u16()))
        if not r.at_end():
            raise IppDecodeError("trailing bytes in a text/name with language")
        return text
    if tag == RESOLUTION:
        x, y, units = struct.unpack(">iib", raw)
        return (x, y, units)
    if tag == RANGE_OF_INTEGER:
        return struct.unpack(">ii", raw)
    if 0x10 <= tag <= 0x1F:             # out-of-band: unsupported, unknown, no-value...
        return None
    return bytes(raw)                    # octetString, dateTime, unknown tags: raw


def _read_header(r: _Reader) -> tuple[int, str, bytes]:
    tag = r.u8()
    name = _text(r.take(r.u16()))
    raw = r.take(r.u16())
    return tag, name, raw


def _read_collection(r: _Reader, depth: int) -> dict[str, Attribute]:
    """Read members after a begCollection value, up to and including endCollection."""
    if depth > MAX_COLLECTION_DEPTH:
        raise IppDecodeError("IPP collections nested too deeply")
    members: dict[str, Attribute] = {}
    current: Attribute | None = None
    while True:
        if r.at_end():
            raise IppDecodeError("IPP collection not closed")
        tag, name, raw = _read_header(r)
        if tag < 0x10:
            raise IppDecodeError("attribute group delimiter inside a collection")
        if name:
            raise IppDecodeError("named attribute inside a collection")
        if tag == END_COLLECTION:
            if raw:
                raise IppDecodeError("endCollection with a value")
            return members
        if tag == MEMBER_ATTR_NAME:
            current = Attribute(_text(raw), [])
            members[current.name] = current
            continue
        if current is None:
            raise IppDecodeError("collection value without a member name")
        current.values.append(_read_value(r, tag, raw, depth))


def _read_value(r: _Reader, tag: int, raw: bytes, depth: int) -> Value:
    if tag == BEGIN_COLLECTION:
        return Value(tag, _read_collection(r, depth + 1))
    if tag in (END_COLLECTION, MEMBER_ATTR_NAME):
        raise IppDecodeError(f"value tag 0x{tag:02x} outside a collection")
    return Value(tag, _decode_value(tag, raw))


def decode(data: bytes) -> Message:
    """Parse one IPP message (request or response); raise ``IppDecodeError`` if malformed."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise IppDecodeError(f"IPP data must be bytes, not {type(data).__name__}")
    r = _Reader(bytes(data))
    major, minor = r.u8(), r.u8()
    code = r.u16()
    request_id = int.from_bytes(r.take(4), "big", signed=True)
    msg = Message((major, minor), code, request_id)
    current_group: Group | None = None
    current: Attribute | None = None
    while True:
        if r.at_end():
            raise IppDecodeError("IPP message without end-of-attributes tag")
        tag = r.u8()
        if tag == END_OF_ATTRIBUTES:
            break
        if tag < 0x10:                    # a new attribute group
            current_group, current = Group(tag), None
            msg.groups.append(current_group)
            continue
        if current_group is None:
            raise IppDecodeError("IPP attribute outside any group")
        name = _text(r.take(r.u16()))
        raw = r.take(r.u16())
        value = _read_value(r, tag, raw, 0)
        if name:
            current = Attribute(name, [value])
            current_group.attributes.setdefault(name, current)
        elif current is None:
            raise IppDecodeError("additional IPP value without an attribute")
        else:
            current.values.append(value)
    msg.data = r.buf[r.pos:]
    return msg


# --- client -------------------------------------------------------------------------

def default_server() -> str:
    return os.environ.get("CUPS_SERVER") or "localhost:631"


def split_server(server: str) -> tuple[str, int]:
    """``host:port``, ``host`` (port 631) or ``[v6]:port`` -> (host, port)."""
    s = server.strip()
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        host = f"[{host}]"
    elif s.count(":") == 1:
        host, port = s.split(":")
    else:
        host, port = s, ""
    if not host:
        raise ValueError(f"no host in IPP server address {server!r}")
    try:
        return host, int(port) if port else 631
    except ValueError:
        raise ValueError(f"bad port in IPP server address {server!r}") from None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:       # no passwd entry (containers): any stable name will do
        return "guichet"


class IppClient:
    """One IPP server (``host:port``, or a CUPS domain socket path such as
    ``/run/cups/cups.sock``); each call is one HTTP POST on a kept-alive client."""

    def __init__(self, server: str | None = None, timeout: float = 5.0):
        self.server = server or default_server()
        transport = None
        if self.server.startswith("/"):
            transport = httpx.HTTPTransport(uds=self.server)
            self.host, self.port = "localhost", 631
        else:
            self.host, self.port = split_server(self.server)
        self.timeout = timeout
        self.user = _user()
        self._ids = itertools.count(1)
        self._http = httpx.Client(timeout=timeout, transport=transport,
                                  headers={"Content-Type": "application/ipp"})

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "IppClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def printer_uri(self, queue: str) -> str:
        return f"ipp://{self.host}:{self.port}/printers/{queue}"

    def http_url(self, queue: str) -> str:
        return f"http://{self.host}:{self.port}/printers/{queue}"

    # -- one request --

    def request(self, operation: int, queue: str, attributes: Iterable[Attribute] = (),
                groups: Iterable[Group] = (), data: bytes = b"",
                timeout: float | None = None) -> Message:
        """Send one request to the queue; return the reply if its status is successful,
        else raise ``IppStatusError``; ``IppConnectionError`` if nobody answers."""
        op = group(OPERATION_ATTRIBUTES,
                   attr(CHARSET, "attributes-charset", "utf-8"),
                   attr(NATURAL_LANGUAGE, "attributes-natural-language", "en"),
                   attr(URI, "printer-uri", self.printer_uri(queue)),
                   attr(NAME, "requesting-user-name", self.user),
                   *attributes)
        body = encode(Message((1, 1), operation, next(self._ids), [op, *groups], data))
        try:
            resp = self._http.post(self.http_url(queue), content=body,
                                   timeout=self.timeout if timeout is None else timeout)
        except httpx.HTTPError as e:
            raise IppConnectionError(f"{self.server}: {type(e).__name__}: {e}") from e
        if resp.status_code != 200:
            raise IppConnectionError(f"{self.server}: HTTP {resp.status_code} "
                                     f"{resp.reason_phrase}")
        reply = decode(resp.content)
        if reply.code >= 0x0400:
            raise IppStatusError(reply.code, reply.status_message)
        return reply

    # -- the four operations --

    def get_printer_attributes(self, queue: str, requested: Iterable[str],
                               timeout: float | None = None) -> Group:
        reply = self.request(GET_PRINTER_ATTRIBUTES, queue,
                             [attr(KEYWORD, "requested-attributes", *requested)],
                             timeout=timeout)
        return reply.group(PRINTER_ATTRIBUTES)

    def print_job(self, queue: str, document: bytes, *, job_name: str,
                  document_format: str = "application/pdf",
                  job_attributes: Iterable[Attribute] = (),
                  timeout: float | None = None) -> int:
        """Submit one document; return the job id."""
        ops = [attr(NAME, "job-name", job_name),
               attr(MIME_MEDIA_TYPE, "document-format", document_format)]
        jobs = list(job_attributes)
        reply = self.request(PRINT_JOB, queue, ops,
                             [group(JOB_ATTRIBUTES, *jobs)] if jobs else [],
                             data=document, timeout=timeout)
        job_id = reply.group(JOB_ATTRIBUTES).get("job-id")
        if not isinstance(job_id, int) or isinstance(job_id, bool):
            raise IppDecodeError("Print-Job reply without a job-id")
        return job_id

    def get_job_attributes(self, queue: str, job_id: int, requested: Iterable[str],
                           timeout: float | None = None) -> Group:
        reply = self.request(GET_JOB_ATTRIBUTES, queue,
                             [attr(INTEGER, "job-id", job_id),
                              attr(KEYWORD, "requested-attributes", *requested)],
                             timeout=timeout)
        return reply.group(JOB_ATTRIBUTES)

    def cancel_job(self, queue: str, job_id: int, timeout: float | None = None) -> None:
        self.request(CANCEL_JOB, queue, [attr(INTEGER, "job-id", job_id)], timeout=timeout)
