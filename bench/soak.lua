-- wrk script for bench/soak.sh: a mixed workload in which every answer has
-- one expected status, so that any other status is an error.
--
--   get      GET /items/stable-N                        200, the item
--   put      PUT /items/own-R-T-K, If-Match: its ETag    200
--            (each thread owns SOAK_OWNED ids; an id is checked out while
--            its request is in flight and comes back with the new ETag, so
--            the ETag sent is always the current one)
--   patch    PATCH /items/stable-N, If-Match: *          200
--   query    DynamoDB Query on SoakEvents, 10 of a partition's items: 200
--            with "Count":10
--   update   DynamoDB UpdateItem on stable-N with ConditionExpression
--            attribute_exists(id), a counter incremented: 200
--   post     POST /items with a new id soak-R-T-SEQ      201
--   delete   DELETE /items/soak-R-T-SEQ of an id whose POST was answered
--            (so it exists, and no other request touches it): 200
--
-- Posts and deletes keep about SOAK_LIVE items per thread alive: the
-- database does not grow. Responses arrive on any connection in any order,
-- so each is recognised by its body (and the id in it), never by position.
--
-- Each thread writes "TICK INTERVAL THREAD ANSWERS UNEXPECTED" when it
-- enters a new interval of SOAK_INTERVAL seconds since SOAK_T0 (and done()
-- for the interval it was in at the end); done() prints the counts per
-- kind, the unexpected statuses, a few unexpected bodies and one RESULT
-- line.

local stable = tonumber(os.getenv("SOAK_STABLE") or "1000")
local parts = tonumber(os.getenv("SOAK_PARTS") or "20")
local per_part = tonumber(os.getenv("SOAK_PER_PART") or "50")
local owned_n = tonumber(os.getenv("SOAK_OWNED") or "16")
local live_max = tonumber(os.getenv("SOAK_LIVE") or "32")
local t0 = tonumber(os.getenv("SOAK_T0") or "0")
local interval = tonumber(os.getenv("SOAK_INTERVAL") or "10")
local run = os.getenv("SOAK_RUN") or "0"

local KINDS = { "get", "put", "patch", "query", "update", "post", "delete" }
local DDB_AUTH = "AWS4-HMAC-SHA256 Credential=soak/20240101/us-east-1/" ..
   "dynamodb/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, " ..
   "Signature=" .. string.rep("0", 64)

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("id", #threads)
end

-- per thread state; done() reads the globals through thread:get
sent, ok = {}, {}
bad = {}              -- status -> count of unexpected answers
samples = {}          -- the first few unexpected answers
tick, tick_n, tick_bad = -1, 0, 0
local own_next = 0    -- owned ids created (POSTed) so far
local pool = {}       -- owned ids not in flight: id -> ETag
local pool_ids = {}   -- the same ids, as a list to draw from
local live = {}       -- ids whose POST was answered: a FIFO
local live_head, live_tail = 1, 0
local seq = 0

local function ddb(op, body)
   return wrk.format("POST", "/", {
      ["Content-Type"] = "application/x-amz-json-1.0",
      ["X-Amz-Target"] = "DynamoDB_20120810." .. op,
      ["Authorization"] = DDB_AUTH,
   }, body)
end

local function rest(method, path, headers, body)
   headers = headers or {}
   if body then
      headers["Content-Type"] = "application/json"
   end
   return wrk.format(method, path, headers, body)
end

local function stable_id()
   return string.format("stable-%05d", math.random(0, stable - 1))
end

function init(args)
   for _, k in ipairs(KINDS) do
      sent[k], ok[k] = 0, 0
   end
   math.randomseed(os.time() * 1000 + (id or 0))
   tick = math.floor((os.time() - t0) / interval)
end

local function post(newid)
   sent.post = sent.post + 1
   return rest("POST", "/items", nil, string.format(
      '{"id":"%s","name":"soak %d","price":19.99,"qty":%d,"tags":["soak"]}',
      newid, seq, math.random(0, 99999)))
end

function request()
   -- first, each thread creates the ids it owns for the ETag PUTs
   if own_next < owned_n then
      own_next = own_next + 1
      return post(string.format("own-%s-%d-%d", run, id or 0, own_next))
   end
   local r = math.random()
   if r < 0.10 and #pool_ids > 0 then
      local i = math.random(1, #pool_ids)
      local oid = pool_ids[i]
      pool_ids[i] = pool_ids[#pool_ids]
      pool_ids[#pool_ids] = nil
      local etag = pool[oid]
      pool[oid] = nil
      sent.put = sent.put + 1
      return rest("PUT", "/items/" .. oid, { ["If-Match"] = etag },
         string.format('{"name":"put %d","kind":"put","qty":%d}', seq,
            math.random(0, 99999)))
   elseif r < 0.20 then
      sent.patch = sent.patch + 1
      return rest("PATCH", "/items/" .. stable_id(), { ["If-Match"] = "*" },
         string.format('{"kind":"patch","qty":%d}', math.random(0, 99999)))
   elseif r < 0.30 then
      sent.query = sent.query + 1
      local from = math.random(0, per_part - 10)
      return ddb("Query", string.format(
         '{"TableName":"SoakEvents","KeyConditionExpression":' ..
         '"pk = :p AND ts BETWEEN :a AND :b","ExpressionAttributeValues":' ..
         '{":p":{"S":"p%03d"},":a":{"N":"%d"},":b":{"N":"%d"}}}',
         math.random(0, parts - 1), from, from + 9))
   elseif r < 0.40 then
      sent.update = sent.update + 1
      return ddb("UpdateItem", string.format(
         '{"TableName":"ItemsTable","Key":{"id":{"S":"%s"}},' ..
         '"UpdateExpression":"SET #c = if_not_exists(#c, :z) + :one",' ..
         '"ConditionExpression":"attribute_exists(id)",' ..
         '"ExpressionAttributeNames":{"#c":"hits"},' ..
         '"ExpressionAttributeValues":{":z":{"N":"0"},":one":{"N":"1"}},' ..
         '"ReturnValues":"UPDATED_NEW"}', stable_id()))
   elseif r < 0.60 then
      if live_tail - live_head + 1 > live_max then
         local did = live[live_head]
         live[live_head] = nil
         live_head = live_head + 1
         sent.delete = sent.delete + 1
         return rest("DELETE", "/items/" .. did)
      end
      seq = seq + 1
      return post(string.format("soak-%s-%d-%d", run, id or 0, seq))
   end
   sent.get = sent.get + 1
   return rest("GET", "/items/" .. stable_id())
end

-- The kind of an expected answer, or nil.
local function classify(status, headers, body)
   if status == 201 then
      local loc = headers["Location"] or ""
      local nid = loc:match("^/items/(.+)$")
      if not nid or not body:find('"Item created successfully!"', 1, true) then
         return nil
      end
      if nid:sub(1, 4) == "own-" then
         pool[nid] = headers["ETag"]
         table.insert(pool_ids, nid)
      else
         live_tail = live_tail + 1
         live[live_tail] = nid
      end
      return "post"
   end
   if status ~= 200 then
      return nil
   end
   if body:sub(1, 14) == '{"Attributes":' then
      return body:find('"hits":{"N":"', 1, true) and "update" or nil
   end
   if body:sub(1, 9) == '{"Count":' then
      return body:find('^{"Count":10,') and "query" or nil
   end
   if body:sub(1, 14) == '{"id":"stable-' then
      return "get"
   end
   local msg, oid = body:match('^{"message": "Item (%a+) successfully!", ' ..
                               '"item": {"id":"([^"]+)"')
   if msg == "deleted" then
      return "delete"
   elseif msg == "updated" and oid:sub(1, 4) == "own-" then
      if not headers["ETag"] or not body:find('"kind":"put"', 1, true) then
         return nil
      end
      pool[oid] = headers["ETag"]
      table.insert(pool_ids, oid)
      return "put"
   elseif msg == "updated" and body:find('"kind":"patch"', 1, true) then
      return "patch"
   end
   return nil
end

function response(status, headers, body)
   local kind = classify(status, headers, body)
   if kind then
      ok[kind] = ok[kind] + 1
   else
      tick_bad = tick_bad + 1
      bad[status] = (bad[status] or 0) + 1
      if #samples < 5 then
         table.insert(samples, string.format("%d %s", status,
            (body or ""):sub(1, 160)))
      end
   end
   tick_n = tick_n + 1
   local now = math.floor((os.time() - t0) / interval)
   if now ~= tick then
      io.write(string.format("TICK %d %d %d %d\n", tick, id or 0, tick_n,
         tick_bad))
      io.stdout:flush()
      tick, tick_n, tick_bad = now, 0, 0
   end
end

function done(summary, latency, requests)
   local total_sent, total_ok, total_bad = {}, {}, {}
   local n_bad, all_samples = 0, {}
   for _, k in ipairs(KINDS) do
      total_sent[k], total_ok[k] = 0, 0
   end
   for _, t in ipairs(threads) do
      local s, o, b = t:get("sent"), t:get("ok"), t:get("bad")
      for _, k in ipairs(KINDS) do
         total_sent[k] = total_sent[k] + s[k]
         total_ok[k] = total_ok[k] + o[k]
      end
      for st, n in pairs(b) do
         total_bad[st] = (total_bad[st] or 0) + n
         n_bad = n_bad + n
      end
      for _, line in ipairs(t:get("samples")) do
         table.insert(all_samples, line)
      end
      -- the interval each thread was in when wrk stopped
      io.write(string.format("TICK %d %d %d %d\n", t:get("tick"),
         t:get("id"), t:get("tick_n"), t:get("tick_bad")))
   end
   for _, k in ipairs(KINDS) do
      io.write(string.format("KIND %s %d %d\n", k, total_sent[k], total_ok[k]))
   end
   for st, n in pairs(total_bad) do
      io.write(string.format("BADSTATUS %d %d\n", st, n))
   end
   for i, line in ipairs(all_samples) do
      if i > 5 then break end
      io.write("SAMPLE " .. line:gsub("\n", " ") .. "\n")
   end
   local e = summary.errors
   io.write(string.format("RESULT %.1f %d %d %d %d %d %d\n",
      summary.requests / summary.duration * 1e6,
      latency:percentile(50), latency:percentile(99), latency.max,
      n_bad, e.connect + e.read + e.write + e.timeout, summary.requests))
end
