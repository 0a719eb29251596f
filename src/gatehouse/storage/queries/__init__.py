"""Queries per aggregate: typed, keyword-only functions taking an ``AsyncSession``.

They map rows to domain objects; callers (services) decide what the results mean.
"""
