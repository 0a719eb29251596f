-- wrk script: GET with a bearer token, from -H "Authorization: Bearer ..." or BENCH_TOKEN.
--   wrk -t1 -c32 -d10s --latency -s bench/wrk/bearer_get.lua \
--     -H "Authorization: Bearer $TOKEN" http://127.0.0.1:PORT/v1/apiclients/ID
dofile(debug.getinfo(1, "S").source:match("^@(.*)bearer_get%.lua$") .. "common.lua")
wrk.method = "GET"
wrk.body = nil
local token = os.getenv("BENCH_TOKEN")
if token ~= nil and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
