-- wrk script: POST /items with a fresh item each time (no id: the server
-- names it), then one RESULT line. Bodies are the size of the GET items.

local threads = 0
local seq = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
   seq = seq + 1
   local body = string.format(
      '{"name":"post %d-%d","price":19.99,"qty":%d,"tags":["bench"]}',
      id or 0, seq, math.random(0, 99999))
   return wrk.format("POST", "/items",
                     { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d\n",
      summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
