"""Helpers shared by the badge tests: read a PDF's text, decode a QR code image."""

from __future__ import annotations

import io

import pypdf
import zxingcpp
from PIL import Image


def pdf_text(data: bytes) -> str:
    """The text of every page of a PDF, as a reader's copy-paste would give it."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF has."""
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def decode_qr(png: bytes) -> str:
    """The text inside the one QR code of a PNG image (zxing-cpp). Only QR codes are looked for:
    about one badge link in 750 also reads as a short ITF barcode inside the QR's modules."""
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    return found.text
