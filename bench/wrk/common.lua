-- Shared by every Gatehouse bench script: method/body from the environment,
-- exact non-2xx counting, and one machine-readable summary line for bench/loadgen.py.
--   BENCH_METHOD  HTTP method (the calling script may fix it instead)
--   BENCH_BODY    request body (empty: no body)
-- Headers come from wrk's command line (-H "Name: value").
-- Counting in response() is why the count is exact: wrk's own "Non-2xx or 3xx"
-- counter lets 3xx through.

wrk.method = os.getenv("BENCH_METHOD") or wrk.method
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

non2xx = 0
first_bad_status = 0

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad_status == 0 then
      first_bad_status = status
    end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    local status = thread:get("first_bad_status")
    if first == 0 and status ~= 0 then
      first = status
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"non_2xx":%d,"first_non_2xx_status":%d,' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f,"stdev":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    bad, first,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, latency.stdev))
end
