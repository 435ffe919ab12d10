"""Refuse XLSX uploads whose XML parts declare a DOCTYPE or entities, before openpyxl reads them.

A spreadsheet program never writes a DTD into an XLSX; one that has it is crafted (entity
expansion, external references). defusedxml's parser with ``forbid_dtd`` finds the declaration;
it can only stand in a part's prolog, so each part is parsed up to its first element.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse


class XmlDeclarationError(ValueError):
    """An XML part of the upload has a DOCTYPE, an entity or an external reference."""


def refuse_xml_declarations(data: bytes) -> None:
    """Raise XmlDeclarationError if any XML part of the XLSX archive *data* declares a DTD or entities.

    A file that is not a ZIP archive passes untouched: the reader that follows says so itself.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return
    with archive:
        for member in archive.infolist():
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(member) as part:
                        _check_prolog(part)
                except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError):
                    return  # a damaged or encrypted archive: the reader that follows refuses it


def _check_prolog(part) -> None:
    try:
        for _event, _element in iterparse(part, events=("start",), forbid_dtd=True):
            return  # the root element is open: no declaration can follow
    except DefusedXmlException as error:
        raise XmlDeclarationError(str(error)) from None
    except ParseError:
        return  # not well-formed: openpyxl reports it as a broken file
