-- wrk script of bench/ingest.py --wrk: POST a MirrorMeterReading of 12 readings to one DER's mirror after
-- another, each post with start times of its own, so that every post writes 12 new rows.
-- Arguments: a file with one mirror a line (path, MirrorMeterReading mRID, MirrorReadingSet mRID, tab
-- separated), the client certificate as nginx's $ssl_client_escaped_cert writes it, the first start time.

local mirrors = {}
local posted = 0
local first_start = 0
local headers = {}
non2xx = 0

function init(args)
  for line in io.lines(args[1]) do
    local path, meter_reading, reading_set = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    mirrors[#mirrors + 1] = {path, meter_reading, reading_set}
  end
  headers["Content-Type"] = "application/sep+xml"
  headers["X-Forwarded-Client-Cert"] = args[2]
  first_start = tonumber(args[3])
end

function request()
  local mirror = mirrors[posted % #mirrors + 1]
  -- Once round all the mirrors, then the next 12 intervals of 5 minutes.
  local start = first_start + math.floor(posted / #mirrors) * 3600
  posted = posted + 1
  local readings = {}
  for i = 0, 11 do
    readings[#readings + 1] = string.format(
      "<Reading><timePeriod><duration>300</duration><start>%d</start></timePeriod><value>%d</value></Reading>",
      start + 300 * i, 3800 + i)
  end
  local body = string.format(
    '<MirrorMeterReading xmlns="urn:ieee:std:2030.5:ns"><mRID>%s</mRID><MirrorReadingSet><mRID>%s</mRID>'
      .. "<timePeriod><duration>3600</duration><start>%d</start></timePeriod>%s</MirrorReadingSet>"
      .. "</MirrorMeterReading>",
    mirror[2], mirror[3], start, table.concat(readings))
  return wrk.format("POST", mirror[1], headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
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
