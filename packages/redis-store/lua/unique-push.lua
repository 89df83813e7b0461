--- @keys variable
-- unique-push: LPUSH a batch of jobs onto one queue, each unique job taking its lock in the same
-- step as its push: a job whose lock is held by another job is dropped (a duplicate). The batch
-- claims a key first, like `push`: a batch token (mode "token": a client re-send after a lost reply
-- finds it and gets the stored outcomes, nothing is written twice) or an exactly-once marker
-- (mode "once", cron ticks: when it exists, nothing is written).
-- Not allowed under maxmemory: producers get Redis' OOM error (the store reports STORE_FULL).
--
-- KEYS[1] the claim: this batch's token (see push.lua) or the once marker
--         (sidekiq: <ns>verk:once:<key>; cluster: <ns>verk:{<q>}:once:<key>)
-- KEYS[2] the queue list
-- KEYS[3] the `queues` SET (registry "registry"), or the queue list again ("none": cluster layout)
-- KEYS[4] flow counters HASH (sidekiq: <ns>verk:flow:<q>; cluster: <ns>verk:{<q>}:flow)
-- KEYS[5..4+d] token keys of earlier batches whose replies arrived: deleted (d = ARGV[5])
-- KEYS[5+d..] the lock keys of the unique jobs (sidekiq: <ns>verk:unique:<digest>;
--         cluster: <ns>verk:{<q>}:unique:<digest>)
-- ARGV[1] claim ttl, ms
-- ARGV[2] claim mode: "token" or "once"
-- ARGV[3] registry mode: "registry" or "none"
-- ARGV[4] queue name
-- ARGV[5] d: how many done token keys follow KEYS[4]
-- ARGV[6..] per job, oldest first, 4 values: index into KEYS of its lock (0 = not unique), lock
--           ttl ms, jid (the lock's value), raw payload
--
-- Returns {pushed, i1, holder1, i2, holder2, ...}: how many jobs were pushed, then for each job
--         dropped as a duplicate its 1-based position in the batch and the jid holding its lock;
--         {-1} in mode "once" when the marker existed (nothing written). A re-sent token batch
--         returns the reply stored with its token when a job was dropped, else {-2} (all pushed).
local d = tonumber(ARGV[5])
for i = 5, 4 + d do
  redis.call("DEL", KEYS[i])
end
if redis.call("SET", KEYS[1], "1", "NX", "PX", tonumber(ARGV[1])) == false then
  if ARGV[2] == "once" then return {-1} end
  local stored = redis.call("GET", KEYS[1])
  if stored and stored ~= "1" then return cjson.decode(stored) end
  return {-2}
end
local reply, raws, position = {0}, {}, 0
for i = 6, #ARGV, 4 do
  position = position + 1
  local lock = tonumber(ARGV[i])
  if lock > 0 and redis.call("SET", KEYS[lock], ARGV[i + 2], "NX", "PX", tonumber(ARGV[i + 1])) == false then
    reply[#reply + 1] = position
    reply[#reply + 1] = redis.call("GET", KEYS[lock]) or ""
  else
    raws[#raws + 1] = ARGV[i + 3]
  end
end
reply[1] = #raws
if #raws > 0 then
  redis.call("LPUSH", KEYS[2], unpack(raws))
  if ARGV[3] == "registry" then redis.call("SADD", KEYS[3], ARGV[4]) end
end
if #reply > 1 then redis.call("HINCRBY", KEYS[4], "duplicates", (#reply - 1) / 2) end
if ARGV[2] == "token" and #reply > 1 then redis.call("SET", KEYS[1], cjson.encode(reply), "KEEPTTL") end
return reply
