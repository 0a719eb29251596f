"""Single sign-on through OpenID Connect per API client (OrderCloud's OpenIdConnect; issue 14).

``sealing`` keeps ``ConnectClientSecret`` encrypted at rest, ``idp`` talks to the identity
provider (discovery, JWKS, code exchange, ID token validation), ``integration`` calls the
``OpenIDConnect`` integration event, and ``flow`` runs ``/ocrplogin`` and ``/ocrpcode``.
"""
