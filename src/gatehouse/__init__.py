"""Gatehouse: an OrderCloud-compatible identity and access server."""

__version__ = "0.1.0"
