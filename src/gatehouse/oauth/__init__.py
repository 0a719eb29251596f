"""The OAuth2 engine: grants, signing keys and tokens. No HTTP framework in here (Authlib's
shape): grants take a plain ``TokenRequest`` and return a ``TokenResponse`` or raise an
``OAuthError`` that renders itself."""
