"""The meeting schedule: sessions, availability, generation, review, publication, export.

Modules (plain functions ``verb_noun(session, actor, ...)``; callers commit):

``sessions``      organisers set up sessions (slots from ``core.intervals``), tables, caps
``availability``  companies mark the slots they cannot attend and their cap per session
``instance``      database -> ``core.scheduling.Instance`` (required, candidate, forbidden pairs)
``generation``    ``start_generation`` (takes the session's lock), ``run_generation`` (solves
                  and replaces the draft in one transaction; runs in a thread or the CLI)
``review``        the grid; move, remove, pin, add by hand, each refused with a reason
``publish``       draft -> published in one transaction; notifications and mail
``export``        CSV / XLSX of the schedule, per-table sheets

Errors a person can act on are ``ValidationError`` (translated); a missing object or one of
another company is ``LookupError`` (the view answers 404); a wrong role ``PermissionError``.
"""
