-- wrk script of the benchmark: POSTs the body of the file named by BENCH_BODY_FILE with the
-- headers of BENCH_HEADERS (one "Name: value" a line) and prints the results as one JSON
-- line starting with WRK_JSON, and the latency's quantiles on one starting with WRK_QUANTILES.

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

wrk.method = "POST"
wrk.body = read_file(os.getenv("BENCH_BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  if name then
    wrk.headers[name] = value
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local function ms(p)
    return latency:percentile(p) / 1000.0
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_ms":{"p50":%.3f,"p90":%.3f,"p99":%.3f,"p999":%.3f,"max":%.3f,"mean":%.3f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    ms(50), ms(90), ms(99), ms(99.9), latency.max / 1000.0, latency.mean / 1000.0))
  -- The 1/1000 .. 1000/1000 quantiles, from which the harness merges runs into one
  -- distribution, on a line of their own.
  local q = {}
  for k = 1, 999 do
    q[k] = string.format("%.3f", ms(k / 10.0))
  end
  q[1000] = string.format("%.3f", latency.max / 1000.0) -- wrk's percentile(100) gives 0
  io.write('WRK_QUANTILES [' .. table.concat(q, ",") .. ']\n')
end
