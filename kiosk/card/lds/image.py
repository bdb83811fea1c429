"""Face image from the chip (JPEG or JPEG 2000) to PNG for display.

The bytes come from outside, so: a byte cap before Pillow sees them, a pixel cap
read from the header before anything is decoded (decompression bombs), only the
two formats DG2 allows, and every Pillow failure turned into a ParseError.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from ..errors import ParseError
from .face import detect_image_format

#: DG2 images are 10-40 KB; 2 MB is far beyond any real chip.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
#: 19794-5 full frontal images are around 480x640; allow much more, not a bomb.
MAX_IMAGE_PIXELS = 4096 * 4096
#: Longest side of the PNG handed to the screen.
MAX_DISPLAY_SIDE = 1024

_PIL_FORMATS = {"jpeg": {"JPEG"}, "jp2": {"JPEG2000"}, "j2k": {"JPEG2000"}}


@dataclass(frozen=True, repr=False)
class DecodedImage:
    png: bytes
    width: int
    height: int
    source_format: str  # "jpeg", "jp2" or "j2k"

    def __repr__(self) -> str:
        return f"DecodedImage({self.source_format}, {self.width}x{self.height})"

    __str__ = __repr__


def decode_face_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES,
                      max_pixels: int = MAX_IMAGE_PIXELS,
                      max_side: int = MAX_DISPLAY_SIDE) -> DecodedImage:
    """Decode a JPEG / JPEG 2000 face image and re-encode it as PNG (scaled down
    to ``max_side`` if larger). ParseError on anything else or anything broken."""
    data = bytes(data)
    if len(data) > max_bytes:
        raise ParseError(f"face image of {len(data)} bytes exceeds the {max_bytes}-byte cap")
    fmt = detect_image_format(data)
    if fmt is None:
        raise ParseError("face image is neither JPEG nor JPEG 2000")
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(_PIL_FORMATS[fmt])) as im:
                width, height = im.size
                if width <= 0 or height <= 0 or width * height > max_pixels:
                    raise ParseError(f"face image of {width}x{height} pixels exceeds the "
                                     f"{max_pixels}-pixel cap")
                im.load()
                if im.mode not in ("RGB", "L"):
                    im = im.convert("RGB")
                if max(im.size) > max_side:
                    im.thumbnail((max_side, max_side))
                out = io.BytesIO()
                im.save(out, format="PNG")
                return DecodedImage(out.getvalue(), im.size[0], im.size[1], fmt)
    except ParseError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ParseError("face image rejected as a decompression bomb") from None
    except MemoryError:
        raise ParseError("face image too large to decode") from None
    except Exception as e:  # noqa: BLE001 - Pillow raises OSError, SyntaxError, ValueError, struct.error...
        raise ParseError(f"face image could not be decoded ({type(e).__name__})") from None


def to_png(data: bytes) -> bytes:
    """Just the PNG bytes of ``decode_face_image``."""
    return decode_face_image(data).png
