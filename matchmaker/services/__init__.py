"""Plain functions that carry out what a person asks: ``verb_noun(session, ..., actor)``.

Services take the database session and the acting user explicitly, never read ``current_user``
or the Flask session, raise ``ValidationError`` for bad input and leave committing to the caller
(one transaction per user action).
"""
