-- wrk script: GET /items/{id} for ids drawn uniformly from the ITEMS items
-- bench/run.sh loaded (item-00000 .. item-(ITEMS-1)), then one RESULT line.

local n = tonumber(os.getenv("ITEMS") or "10000")
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   -- each thread has its own Lua state: seed it apart from the others
   math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
   return wrk.format("GET", string.format("/items/item-%05d",
                                          math.random(0, n - 1)))
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d\n",
      summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
