-- wrk script: POST a form body (BENCH_BODY), e.g. an OAuth2 token request.
--   BENCH_BODY='grant_type=password&client_id=...&username=...&password=...' \
--     wrk -t1 -c32 -d10s --latency -s bench/wrk/form_post.lua http://127.0.0.1:PORT/oauth/token
dofile(debug.getinfo(1, "S").source:match("^@(.*)form_post%.lua$") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = wrk.headers["Content-Type"] or "application/x-www-form-urlencoded"
