"""Concepts of offers and needs: the glossary in use, detection kept in the database, edits.

``glossary.current_glossary(session=None)`` is the glossary in use. ``items.refresh_concepts``
detects again what changed (called where offers/needs are saved, by ``flask matches embed`` and
when the matching pool is built); ``items.concepts_by_opportunity`` reads the concepts;
``edits.set_concept`` adds or removes one for a company.
"""
