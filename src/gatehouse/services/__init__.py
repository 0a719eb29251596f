"""Use cases: each takes what it needs, runs one transaction, enforces the domain rules and
returns domain objects or raises ``DomainError``. Route functions call exactly one of these."""
