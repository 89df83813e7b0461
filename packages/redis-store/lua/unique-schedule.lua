--- @keys variable
-- unique-schedule: add jobs to one queue's `schedule` set, each unique job taking its lock (for
-- `unique_for` plus its delay) in the same step: a job whose lock another job holds is dropped.
-- A re-sent call is harmless: a lock held by the same jid counts as taken, ZADD of the same
-- member changes nothing.
-- Not allowed under maxmemory: producers get Redis' OOM error (the store reports STORE_FULL).
--
-- KEYS[1] schedule ZSET (sidekiq: <ns>schedule; cluster: <ns>verk:{<q>}:schedule)
-- KEYS[2] flow counters HASH
-- KEYS[3..] lock keys of the unique jobs
-- ARGV[1..] per job, 5 values: index into KEYS of its lock (0 = not unique), lock ttl ms, jid,
--           score (epoch seconds), raw payload
--
-- Returns {scheduled, i1, holder1, ...}: how many were added, then for each job dropped as a
--         duplicate its 1-based position and the jid holding its lock.
local reply, position = {0}, 0
for i = 1, #ARGV, 5 do
  position = position + 1
  local lock = tonumber(ARGV[i])
  local holder = nil
  if lock > 0 then
    local jid = ARGV[i + 2]
    if redis.call("SET", KEYS[lock], jid, "NX", "PX", tonumber(ARGV[i + 1])) == false then
      holder = redis.call("GET", KEYS[lock]) or ""
      if holder == jid then holder = nil end
    end
  end
  if holder == nil then
    redis.call("ZADD", KEYS[1], ARGV[i + 3], ARGV[i + 4])
    reply[1] = reply[1] + 1
  else
    reply[#reply + 1] = position
    reply[#reply + 1] = holder
  end
end
if #reply > 1 then redis.call("HINCRBY", KEYS[2], "duplicates", (#reply - 1) / 2) end
return reply
