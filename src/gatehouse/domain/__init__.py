"""Pure domain rules: roles, access decisions, token lifetimes, list queries.

Nothing in this package imports HTTP or SQL libraries (ruff TID251 enforces it), so every
rule here is unit-tested without a database or an app.
"""
