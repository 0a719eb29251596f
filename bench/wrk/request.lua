-- wrk script: any request; method from BENCH_METHOD, body from BENCH_BODY, headers from -H.
-- New scenarios in bench/scenarios.py use this one unless they need something special.
dofile(debug.getinfo(1, "S").source:match("^@(.*)request%.lua$") .. "common.lua")
