"""DG2, the encoded face (ICAO Doc 9303 Part 10 §4.7.2), and the ISO/IEC 19794-5
facial record inside it.

DG2 = 75 { 7F61 biometric information group template { 02 number of instances,
7F60 biometric information template { A1 biometric header template, 5F2E (or
7F2E) biometric data block } ... } }. The data block is an ISO/IEC 19794-5
record: 'FAC\\0' + version + lengths + facial record(s), each with its image
(JPEG or JPEG 2000).

Version 010 (19794-5:2005) records are parsed field by field. Later versions
(020, 030 of 19794-5:2011) lay the header out differently; for them the image is
found by its signature (JPEG SOI, JP2 signature box or J2K codestream marker).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..errors import ParseError
from . import tlv
from .files import DG_TAGS

TAG_BIT_GROUP = 0x7F61
TAG_BIT = 0x7F60
TAG_BHT = 0xA1
TAG_BDB = 0x5F2E
TAG_BDB_ENCIPHERED = 0x7F2E

FAC_MAGIC = b"FAC\x00"
JPEG_SOI = b"\xff\xd8\xff"
JP2_SIGNATURE = bytes.fromhex("0000000C6A5020200D0A870A")
J2K_CODESTREAM = b"\xff\x4f\xff\x51"

#: ISO/IEC 19794-5 image data type
IMAGE_DATA_JPEG = 0
IMAGE_DATA_JPEG2000 = 1

_HEADER_V1 = struct.Struct(">4s4sIH")  # magic, version, record length, number of images
_FACE_INFO_V1 = struct.Struct(">IHBBB3sH3s3s")  # 20 bytes
_IMAGE_INFO_V1 = struct.Struct(">BBHHBBHH")  # 12 bytes
_FEATURE_POINT = 8


def detect_image_format(data: bytes) -> str | None:
    """'jpeg', 'jp2' (JP2 file format) or 'j2k' (raw JPEG 2000 codestream)."""
    if data.startswith(JPEG_SOI):
        return "jpeg"
    if data.startswith(JP2_SIGNATURE):
        return "jp2"
    if data.startswith(J2K_CODESTREAM):
        return "j2k"
    return None


MIME_TYPES = {"jpeg": "image/jpeg", "jp2": "image/jp2", "j2k": "image/j2k"}


@dataclass(frozen=True, repr=False)
class FaceImage:
    image: bytes  # the JPEG / JPEG 2000 bytes
    format: str  # "jpeg", "jp2" or "j2k"
    width: int = 0  # from the 19794-5 header (0 when unknown)
    height: int = 0
    gender: int = 0  # 19794-5 code: 0 unspecified, 1 male, 2 female, 0xFF unknown
    face_image_type: int = 0  # 0 basic, 1 full frontal, 2 token frontal
    record_version: str = "010"

    def __repr__(self) -> str:  # never the photo
        return f"FaceImage(format={self.format!r}, {len(self.image)} bytes)"

    __str__ = __repr__

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


def _scan_for_image(record: bytes, start: int) -> tuple[int, str]:
    hits = [(record.find(sig, start), fmt) for sig, fmt in
            ((JPEG_SOI, "jpeg"), (JP2_SIGNATURE, "jp2"), (J2K_CODESTREAM, "j2k"))]
    hits = [(i, f) for i, f in hits if i >= 0]
    if not hits:
        raise ParseError("facial record holds no JPEG or JPEG 2000 image")
    return min(hits)


def parse_facial_record(record: bytes) -> list[FaceImage]:
    """The face images of an ISO/IEC 19794-5 record."""
    record = bytes(record)
    if len(record) < _HEADER_V1.size or not record.startswith(FAC_MAGIC):
        raise ParseError("biometric data block is not an ISO/IEC 19794-5 facial record ('FAC' header)")
    version = record[4:7].decode("latin-1")
    if version != "010":
        i, fmt = _scan_for_image(record, 8)
        return [FaceImage(record[i:], fmt, record_version=version)]
    _, _, total, count = _HEADER_V1.unpack_from(record)
    if total != len(record):
        raise ParseError(f"facial record declares {total} bytes, block has {len(record)}")
    if count == 0:
        raise ParseError("facial record holds no face image")
    faces, off = [], _HEADER_V1.size
    for n in range(count):
        if off + _FACE_INFO_V1.size > len(record):
            raise ParseError(f"facial record {n + 1} truncated at offset {off}")
        (length, points, gender, _eyes, _hair, _mask, _expr, _pose,
         _unc) = _FACE_INFO_V1.unpack_from(record, off)
        end = off + length
        img_off = off + _FACE_INFO_V1.size + points * _FEATURE_POINT + _IMAGE_INFO_V1.size
        if length < _FACE_INFO_V1.size + _IMAGE_INFO_V1.size or end > len(record) or img_off > end:
            raise ParseError(f"facial record {n + 1} at offset {off} has an inconsistent length")
        (face_type, data_type, width, height, *_rest) = _IMAGE_INFO_V1.unpack_from(
            record, img_off - _IMAGE_INFO_V1.size)
        image = record[img_off:end]
        fmt = detect_image_format(image)
        if fmt is None:
            raise ParseError(f"facial record {n + 1}: image is neither JPEG nor JPEG 2000")
        if (data_type == IMAGE_DATA_JPEG) != (fmt == "jpeg") and data_type in (0, 1):
            raise ParseError(f"facial record {n + 1}: image data type {data_type} "
                             f"does not match the image ({fmt})")
        faces.append(FaceImage(image, fmt, width, height, gender, face_type, version))
        off = end
    if off != len(record):
        raise ParseError(f"{len(record) - off} bytes after the last facial record")
    return faces


def parse_dg2(data: bytes) -> list[FaceImage]:
    """Every face image in DG2 (usually one)."""
    top = tlv.decode(data, DG_TAGS[2], what="DG2")
    group = top.child(TAG_BIT_GROUP)
    faces: list[FaceImage] = []
    declared = None
    for c in group.children():
        if c.tag == 0x02:
            if len(c.value) != 1:
                raise ParseError(f"DG2 number of instances at offset {c.offset} must be one byte")
            declared = c.value[0]
        elif c.tag == TAG_BIT:
            bdb = next((b for b in c.children() if b.tag in (TAG_BDB, TAG_BDB_ENCIPHERED)), None)
            if bdb is None:
                raise ParseError(f"DG2 biometric information template at offset {c.offset} "
                                 "has no biometric data block (5F2E/7F2E)")
            faces.extend(parse_facial_record(bdb.value))
    if declared is None:
        raise ParseError("DG2 lacks the number of instances (02)")
    if not faces:
        raise ParseError("DG2 holds no biometric information template (7F60)")
    return faces


def build_facial_record(image: bytes, width: int, height: int, gender: str = "",
                        face_image_type: int = 1) -> bytes:
    """An ISO/IEC 19794-5:2005 (version 010) record with one image and no feature
    points. ``gender``: 'M', 'F' or '' (unspecified)."""
    fmt = detect_image_format(image)
    if fmt is None:
        raise ValueError("image must be JPEG or JPEG 2000")
    data_type = IMAGE_DATA_JPEG if fmt == "jpeg" else IMAGE_DATA_JPEG2000
    g = {"M": 1, "F": 2}.get(gender.upper(), 0)
    length = _FACE_INFO_V1.size + _IMAGE_INFO_V1.size + len(image)
    face = _FACE_INFO_V1.pack(length, 0, g, 0, 0, b"\x00\x00\x00", 0, b"\x00\x00\x00", b"\x00\x00\x00")
    # colour space 1 (24-bit RGB), source type 2 (digital still), device 0, quality 0
    info = _IMAGE_INFO_V1.pack(face_image_type, data_type, width, height, 1, 2, 0, 0)
    total = _HEADER_V1.size + length
    return _HEADER_V1.pack(FAC_MAGIC, b"010\x00", total, 1) + face + info + image


def biometric_header_template(creation: bytes | None = None) -> bytes:
    """A1: ICAO header version 0101, biometric type 02 (face), subtype none,
    format owner 0101 (ISO/IEC JTC 1/SC 37), format type 0008 (face image)."""
    parts = [tlv.encode(0x80, b"\x01\x01"), tlv.encode(0x81, b"\x02"), tlv.encode(0x82, b"\x00")]
    if creation:
        parts.append(tlv.encode(0x83, creation))
    parts += [tlv.encode(0x87, b"\x01\x01"), tlv.encode(0x88, b"\x00\x08")]
    return tlv.encode(TAG_BHT, parts)


def encode_dg2(records: list[bytes] | bytes) -> bytes:
    """DG2 from one or more 19794-5 records (see ``build_facial_record``)."""
    if isinstance(records, (bytes, bytearray)):
        records = [bytes(records)]
    bits = [tlv.encode(TAG_BIT, [biometric_header_template(), tlv.encode(TAG_BDB, r)]) for r in records]
    group = tlv.encode(TAG_BIT_GROUP, [tlv.encode(0x02, bytes([len(records)]))] + bits)
    return tlv.encode(DG_TAGS[2], group)
