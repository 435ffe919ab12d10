-- wrk script of benchmarks/load.py: requests cycle through the paths given after "--"
-- (default: the URL's path), each optionally followed by a tab and the Cookie header to send
-- with it (many signed-in companies), and one JSON line reports throughput, latency
-- percentiles and errors. wrk counts a response with a status of 400 or more in errors.status.
local paths = {}
local cookies = {}
local counter = 0

function init(args)
  for i, arg in ipairs(args) do
    local tab = string.find(arg, "\t", 1, true)
    if tab then
      paths[i] = string.sub(arg, 1, tab - 1)
      cookies[i] = string.sub(arg, tab + 1)
    else
      paths[i] = arg
    end
  end
  if #paths == 0 then paths[1] = wrk.path end
end

function request()
  counter = counter + 1
  local i = (counter - 1) % #paths + 1
  if cookies[i] then return wrk.format(nil, paths[i], {Cookie = cookies[i]}) end
  return wrk.format(nil, paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
