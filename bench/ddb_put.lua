-- wrk script: DynamoDB PutItem on ItemsTable, a new id each time (put-T-SEQ,
-- so no put overwrites another) and an item the size of the loaded ones, then
-- one RESULT line: req/s p50_us p99_us non2xx socket_errors.

local threads = 0
local seq = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   math.randomseed(os.time() * 1000 + (id or 0))
   wrk.method = "POST"
   wrk.path = "/"
   wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
   wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
   -- no server checks the signature; dynalite wants these parts and a date
   wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=bench/" ..
      "20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;" ..
      "x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
   wrk.headers["X-Amz-Date"] = "20240101T000000Z"
   -- a run id, so that runs against the same server do not overwrite
   run = math.random(0, 999999)
end

function request()
   seq = seq + 1
   local body = string.format(
      '{"TableName":"ItemsTable","Item":{"id":{"S":"put-%d-%d-%d"},' ..
      '"name":{"S":"put %d"},"price":{"N":"19.99"},"qty":{"N":"%d"},' ..
      '"tags":{"L":[{"S":"bench"}]}}}',
      run, id or 0, seq, seq, math.random(0, 99999))
   return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d\n",
      summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(99),
      e.status, e.connect + e.read + e.write + e.timeout))
end
