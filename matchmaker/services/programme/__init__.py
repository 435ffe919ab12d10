"""The seminar programme and the exhibition.

Modules (plain functions ``verb_noun(session, actor, ...)``; callers commit):

``seminars``    event days, seminars (texts per language, times in the event's zone), publishing;
                ``pick_text`` and the reader's fallback chain
``rooms``       venues and their seminar rooms
``speakers``    speakers and their photos
``exhibition``  halls, booths, the exhibitor list
``conflicts``   a room or speaker used twice at once, seminars outside the event days
``attendance``  bookmarks, seat reservations with a waiting list, change notices
``public``      the published programme: filters, rows, the day grid
``importing``   the programme from one CSV/XLSX table, and the demo programme
"""
