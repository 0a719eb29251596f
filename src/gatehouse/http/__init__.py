"""The HTTP layer: one router per resource, wire schemas, errors mapped once."""
