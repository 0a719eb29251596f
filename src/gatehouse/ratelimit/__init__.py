"""Rate limiting at run time: the per-process cache of configured limits (``config``), the
counters in the process or in Redis (``counters``) and the facade the HTTP layer and the
password grant call (``limiter``). The rules themselves are in ``domain.rate_limits``."""
