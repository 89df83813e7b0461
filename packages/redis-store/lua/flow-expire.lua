--- @flags allow-oom
-- flow-expire: remove a fetched job that expired before it started (`expires_at` passed) from
-- the in-progress list without running it (no failure, no retry), count it, and release its
-- unique lock if it holds one.
--
-- KEYS[1] in-progress list  (see fetch.lua)
-- KEYS[2] flow counters HASH
-- KEYS[3] the job's unique lock, or KEYS[2] again when it has none
-- ARGV[1] raw: the payload as fetched
-- ARGV[2] the job's jid when it has a lock, else ""
--
-- Returns 1 when removed, 0 when raw was not in the in-progress list (nothing changed).
if redis.call("LREM", KEYS[1], -1, ARGV[1]) == 0 then
  return 0
end
redis.call("HINCRBY", KEYS[2], "expired", 1)
if ARGV[2] ~= "" and redis.call("GET", KEYS[3]) == ARGV[2] then
  redis.call("DEL", KEYS[3])
end
return 1
