-- wrk script for bench/bench_web.sh: name searches against `kith serve`.
-- The script logs in through the session the bench made: it sends the
-- unlocked session's cookie (wrk has no HTTP client of its own before the
-- run, so bench_web.sh unlocks with curl and passes the cookie here), and
-- cycles through the queries file, one query per request.
--   wrk -s bench/web_search.lua URL -- COOKIE QUERIES_FILE
-- done() prints p50/p95/p99 latency and the request rate for the script.

local queries = {}
local cookie = ""
local counter = 0

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function init(args)
  cookie = args[1] or ""
  local path = args[2]
  for line in io.lines(path) do
    if #line > 0 then queries[#queries + 1] = "/api/search?limit=20&q=" .. urlencode(line) end
  end
  -- each thread starts at a different place in the list
  counter = math.random(#queries)
end

function request()
  counter = counter % #queries + 1
  return wrk.format("GET", queries[counter], { ["Cookie"] = "kith_session=" .. cookie })
end

function done(summary, latency, requests)
  io.write(string.format("http_p50_ms %.3f\n", latency:percentile(50) / 1000))
  io.write(string.format("http_p95_ms %.3f\n", latency:percentile(95) / 1000))
  io.write(string.format("http_p99_ms %.3f\n", latency:percentile(99) / 1000))
  io.write(string.format("http_requests %d\n", summary.requests))
  io.write(string.format("http_errors %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("http_qps %.1f\n", summary.requests / (summary.duration / 1e6)))
end
