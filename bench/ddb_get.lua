-- wrk script: DynamoDB GetItem on ItemsTable for ids drawn uniformly from the
-- ITEMS items bench/ddb.sh loaded (item-00000 .. item-(ITEMS-1)), then one
-- RESULT line: req/s p50_us p99_us non2xx socket_errors.

local n = tonumber(os.getenv("ITEMS") or "10000")
local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   -- each thread has its own Lua state: seed it apart from the others
   math.randomseed(os.time() * 1000 + (id or 0))
   wrk.method = "POST"
   wrk.path = "/"
   wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
   wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.GetItem"
   -- no server checks the signature; dynalite wants these parts and a date
   wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/" ..
      "20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;" ..
      "x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
   wrk.headers["X-Amz-Date"] = "20240101T000000Z"
end

function request()
   local body = string.format(
      '{"TableName":"ItemsTable","Key":{"id":{"S":"item-%05d"}}}',
      math.random(0, n - 1))
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d\n",
      summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
