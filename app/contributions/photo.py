"""The one optional photo of a segnalazione: checked, re-encoded, its metadata dropped.

What a citizen sends is never kept nor served as sent. It is identified by its content
(JPEG, PNG or WebP; never by its name or declared type), its pixel count checked from the
header before anything is decoded (a decompression bomb is a 400, not a worker's memory),
decoded (a JPEG at a reduced scale when it is large: `Image.draft`), turned upright by its
EXIF orientation, converted to sRGB when it carries another ICC profile, flattened on white
when it has transparency, shrunk to at most MAX_SIDE pixels on its long side, and written
again as a progressive JPEG from the pixels alone: no EXIF (so no GPS position, camera or
time), no XMP, no comment, no ICC profile. A small version (THUMB_SIDE) is kept beside it
for the lists, so that a page of ten photos weighs a few hundred kilobytes, not megabytes.

Every refusal names the field `photo` (Italian / English): 413 beyond
CONTRIBUTION_PHOTO_MAX_MB, 400 otherwise.
"""

from __future__ import annotations

import base64
import binascii
import io
import re

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from app.errors import InvalidParameter, LimitExceeded
from app.stores.contributions import Photo

FIELD = "photo"
#: The formats accepted, by Pillow's name, identified from the content.
FORMATS = ("JPEG", "PNG", "WEBP")
#: The long side of the photo kept, in pixels.
MAX_SIDE = 1600
#: The long side of its small version (lists, the moderators' queue), in pixels.
THUMB_SIDE = 480
#: The most pixels a photo may declare (checked from its header before decoding).
MAX_PIXELS = 40_000_000
QUALITY = 85
MEDIA_TYPE = "image/jpeg"
_DATA_URL = re.compile(r"^data:image/(jpeg|jpg|png|webp);base64,", re.IGNORECASE)
_SRGB = ImageCms.createProfile("sRGB")


class PhotoTooLarge(LimitExceeded):
    status = 413
    code = "payload-too-large"
    title = "Request too large"


def too_large(max_mb: int) -> PhotoTooLarge:
    return PhotoTooLarge(
        f"la foto supera {max_mb} MB / the photo is larger than {max_mb} MB",
        FIELD,
        "CONTRIBUTION_PHOTO_MAX_MB",
        max_mb,
    )


def _refused(it: str, en: str) -> InvalidParameter:
    return InvalidParameter(f"foto: {it} / photo: {en}", FIELD)


def from_json(raw, max_mb: int) -> bytes:
    """The bytes of the API's `photo`: base64, or a `data:image/...;base64,` URL."""
    if not isinstance(raw, str):
        raise _refused("invia l'immagine in base64", "send the image as base64")
    text = _DATA_URL.sub("", raw.strip(), count=1)
    if len(text) > (max_mb * 2**20 * 4) // 3 + 8:
        raise too_large(max_mb)
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _refused("base64 non valido", "invalid base64") from None


def process(data: bytes, max_mb: int) -> Photo:
    """The photo to keep, from what was sent (see the module docstring)."""
    if not data:
        raise _refused("il file è vuoto", "the file is empty")
    if len(data) > max_mb * 2**20:
        raise too_large(max_mb)
    kinds = ", ".join(FORMATS)
    try:
        # Pillow refuses beyond 2 x Image.MAX_IMAGE_PIXELS; MAX_PIXELS, lower, is ours.
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _refused(
            f"il file non è un'immagine {kinds}", f"the file is not a {kinds} image"
        ) from None
    with image:
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            raise _bomb()
        if getattr(image, "is_animated", False):
            raise _refused("un'animazione non è una foto", "an animation is not a photo")
        try:
            if image.format == "JPEG":  # decoded at 1/2, 1/4 or 1/8 scale when large
                image.draft("RGB", _box(width, height))
            image.load()
            # Shrunk first (the bound is the same both ways), then turned upright.
            image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
            pixels = _srgb(ImageOps.exif_transpose(image))
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise _refused(
                "il file è danneggiato o incompleto", "the file is damaged or truncated"
            ) from None
    clean = Image.new("RGB", pixels.size)
    clean.paste(pixels)  # the pixels alone: no info, no EXIF, no XMP, no ICC, no comment
    small = clean.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Photo(_jpeg(clean), clean.width, clean.height, MEDIA_TYPE, thumb=_jpeg(small))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, progressive=True, optimize=True)
    return out.getvalue()


def _box(width: int, height: int) -> tuple[int, int]:
    """The smallest size `draft` may decode to: the long side still MAX_SIDE or more."""
    scale = min(1.0, MAX_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _bomb():
    return _refused(
        f"l'immagine ha troppi pixel (al massimo {MAX_PIXELS // 1_000_000} milioni)",
        f"the image has too many pixels (at most {MAX_PIXELS // 1_000_000} million)",
    )


def _srgb(image: Image.Image) -> Image.Image:
    """RGB pixels in sRGB; transparency flattened on white."""
    profile = image.info.get("icc_profile")
    if profile and image.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unusable profile: the pixels as they are
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    return image
