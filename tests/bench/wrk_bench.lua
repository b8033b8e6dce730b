-- wrk script for bench_throughput: the request comes from the environment
-- (WRK_METHOD, default GET; WRK_BODY, a JSON body), the result goes, as one
-- JSON object, to the file named by WRK_JSON_OUT.
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY") or ""

wrk.method = method
if #body > 0 then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  local f = assert(io.open(os.getenv("WRK_JSON_OUT"), "w"))

  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p99":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(99), latency.max))
  f:close()
end
