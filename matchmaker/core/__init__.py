"""The ideas of the product in pure Python: no Flask, no SQLAlchemy, no HTTP.

Everything here takes and returns plain values, dataclasses and numpy arrays so that it can be
tested without an application and reused by the web views, the CLI and the benchmarks alike.
"""
