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
-- Returns one string per job: "" = scheduled, "-" .. holder jid = dropped.
local outcomes, dropped = {}, 0
for i = 1, #ARGV, 5 do
  local lock = tonumber(ARGV[i])
  local outcome = ""
  if lock > 0 then
    local jid = ARGV[i + 2]
    if redis.call("SET", KEYS[lock], jid, "NX", "PX", tonumber(ARGV[i + 1])) == false then
      local holder = redis.call("GET", KEYS[lock]) or ""
      if holder ~= jid then outcome = "-" .. holder end
    end
  end
  outcomes[#outcomes + 1] = outcome
  if outcome == "" then
    redis.call("ZADD", KEYS[1], ARGV[i + 3], ARGV[i + 4])
  else
    dropped = dropped + 1
  end
end
if dropped > 0 then redis.call("HINCRBY", KEYS[2], "duplicates", dropped) end
return outcomes
