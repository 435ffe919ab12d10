"""Importing tables (CSV in UTF-8, or XLSX) into the event, for any kind of record.

Modules:

``table``      reading an upload into rows (and writing rows back out), row errors, the column spec
``registry``   ``register_importer(name, Importer(...))``: each kind of import says how it reads,
               checks and applies rows; the upload page and the job runner look importers up here
``jobs``       a large upload imported by a background job, with its progress and outcome
``companies``  the company import and export (offers and needs)

The programme's importer lives with the programme (``services.programme.importing``) and
registers itself like the company importer. Every import is all-or-nothing: every row is checked,
and if any fails nothing is written and every failing row is reported.
"""
