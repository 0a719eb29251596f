"""The published OpenAPI 3.1 document (``/gatehouse/openapi.json``): response models of the
OrderCloud shapes, the error statuses every requirement of a route brings, the bearer scheme,
the token endpoint's form and errors, and the links a stateful fuzzer follows.

Routers declare what only they know (``response_model=``, ``responses=errors(404, 409)``);
``document.build`` adds what follows from the route's dependencies (docs/openapi.md)."""
