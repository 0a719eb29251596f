"""Wire schemas: the only home of the OrderCloud JSON format (PascalCase, ``ID``, ``xp``).

Inputs are Pydantic models that ignore unknown properties (OrderCloud's own tutorial sends a
property that does not exist); outputs are built as plain dicts in OrderCloud's field order,
with every field present (``null`` and ``[]`` when empty), as the SDKs and seeds expect.
"""
