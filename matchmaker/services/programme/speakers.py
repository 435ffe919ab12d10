"""Speakers and their photos.

A photo is either a web address or an uploaded file. Uploads are judged by their content, not
their name: Pillow must recognise a JPEG, PNG or WebP image within the size and pixel limits.
The image is then re-encoded (metadata such as GPS positions dropped, at most 800 px) and stored
under ``instance/uploads/speakers/`` with a random name.
"""

from __future__ import annotations

import io
import secrets
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from matchmaker.models import PROGRAMME_LANGUAGES, Speaker, User
from matchmaker.services import validation as v

PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_EDGE = 800
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PHOTO_NAME_CHARS = frozenset("0123456789abcdef.jpgnwe")


@dataclass
class SpeakerData:
    """What the speaker form (or an import row) gives."""

    name: str
    affiliations: dict[str, str] = field(default_factory=dict)
    bios: dict[str, str] = field(default_factory=dict)
    photo_url: str = ""
    remove_photo: bool = False


@dataclass(frozen=True)
class Photo:
    """A checked, re-encoded image ready to be stored."""

    data: bytes
    mime: str
    extension: str


def check_photo(data: bytes) -> Photo:
    """Accept a JPEG, PNG or WebP image of at most 2 MB; anything else names the field 'photo'."""
    if len(data) > PHOTO_MAX_BYTES:
        raise v.ValidationError("photo", _("The photo is larger than %(mb)d MB.", mb=PHOTO_MAX_BYTES // (1024 * 1024)))
    not_image = v.ValidationError("photo", _("This file is not a JPEG, PNG or WebP image."))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # our own pixel limit below replaces Pillow's bomb warning
        try:
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in PHOTO_TYPES:
                    raise not_image
                if image.width * image.height > PHOTO_MAX_PIXELS:
                    raise v.ValidationError("photo", _("The photo has too many pixels; use a smaller picture."))
                image.load()
                return _reencode(image)
        except v.ValidationError:
            raise
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise not_image from None


def _reencode(image: Image.Image) -> Photo:
    mime, extension = PHOTO_TYPES[image.format]
    fmt = image.format
    clean = ImageOps.exif_transpose(image)
    clean.thumbnail((PHOTO_EDGE, PHOTO_EDGE))
    if fmt == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    out = io.BytesIO()
    clean.save(out, format=fmt, **({"quality": 88} if fmt in ("JPEG", "WEBP") else {}))
    return Photo(out.getvalue(), mime, extension)


def store_photo(folder: Path, photo: Photo) -> str:
    """Write *photo* under *folder* with a random name; return that name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{photo.extension}"
    (folder / name).write_bytes(photo.data)
    return name


def is_photo_name(name: str | None) -> bool:
    """True for names that ``store_photo`` could have made (no path parts)."""
    return bool(name) and set(name) <= PHOTO_NAME_CHARS and name.count(".") == 1 and len(name) <= 40


def prune_photos(session: Session, folder: Path, older_than: float = 3600) -> int:
    """Delete stored photos that no speaker uses any more (left after a change or a failed save)."""
    if not folder.is_dir():
        return 0
    used = set(session.scalars(select(Speaker.photo_file).where(Speaker.photo_file.is_not(None))))
    removed = 0
    for path in folder.iterdir():
        if path.name not in used and is_photo_name(path.name) and time.time() - path.stat().st_mtime > older_than:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def save_speaker(session: Session, actor: User, data: SpeakerData, *, speaker: Speaker | None = None,
                 upload: bytes | None = None, folder: Path | None = None) -> Speaker:
    """Create or change a speaker; an *upload* replaces the photo (stored in *folder*)."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    check = v.Checks()
    name = check(v.text, "name", data.name, max_length=200)
    other = session.scalar(select(Speaker).where(Speaker.name == name)) if name else None
    if other is not None and other is not speaker:
        check.failures.append(v.ValidationError("name", _("A speaker with this name already exists.")))
    photo = check(check_photo, upload) if upload else None
    texts = {f"{kind}_{lang}": check(v.text, f"{kind}_{lang}", given.get(lang), max_length=limit, required=False)
             for kind, given, limit in (("affiliation", data.affiliations, 300), ("bio", data.bios, 4000))
             for lang in PROGRAMME_LANGUAGES}
    photo_url = check(v.website, "photo_url", data.photo_url)
    check.done()
    speaker = speaker or Speaker()
    speaker.name, speaker.photo_url = name, photo_url
    for attribute, text in texts.items():
        setattr(speaker, attribute, text)
    if data.remove_photo:
        speaker.photo_file = speaker.photo_type = None
    if photo is not None and folder is not None:
        speaker.photo_file, speaker.photo_type = store_photo(folder, photo), photo.mime
    session.add(speaker)
    session.flush()
    return speaker


def find_speaker(session: Session, field_name: str, name: str) -> Speaker:
    """The speaker called exactly *name*, or an error naming *field_name*."""
    speaker = session.scalar(select(Speaker).where(Speaker.name == name.strip()))
    if speaker is None:
        raise v.ValidationError(field_name, _("Unknown speaker “%(name)s”.", name=name.strip()))
    return speaker


def list_speakers(session: Session) -> list[Speaker]:
    """Every speaker by name."""
    return list(session.scalars(select(Speaker).order_by(Speaker.name)))


def delete_speaker(session: Session, actor: User, speaker: Speaker) -> None:
    """Remove a speaker (and their places on panels)."""
    if not actor.is_organiser:
        raise PermissionError("organisers only")
    session.delete(speaker)
    session.flush()
