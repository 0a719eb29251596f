"""Contract tests: the published OpenAPI document against the real server."""
