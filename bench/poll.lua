-- wrk script of bench/poll.py: rotate over one workload's requests and count answers that are not 2xx.
-- Its argument is a file with one request a line: the path, a tab, and the client certificate as nginx's
-- $ssl_client_escaped_cert writes it (empty when the connection itself carries the certificate). With a
-- second argument "once" it prints PASSED when as many answers came as the file has requests.

local requests = {}
local position = 0
local answered = 0
local once = false
non2xx = 0

function init(args)
  once = args[2] == "once"
  for line in io.lines(args[1]) do
    local path, certificate = line:match("^([^\t]*)\t(.*)$")
    local headers = {}
    if certificate ~= "" then
      headers["X-Forwarded-Client-Cert"] = certificate
    end
    requests[#requests + 1] = wrk.format("GET", path, headers)
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  answered = answered + 1
  if once and answered == #requests then
    io.write("PASSED\n")
    io.flush()
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, _)
  local refused = 0
  for _, thread in ipairs(threads) do
    refused = refused + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), refused,
    e.connect + e.read + e.write + e.timeout
  ))
end
