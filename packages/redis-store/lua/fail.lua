--- @flags allow-oom
-- fail: atomically take a failed job out of the in-progress list and apply the outcome.
--
-- KEYS[1] in-progress list  (<ns>inprogress:<q>:<nodeId>)
-- KEYS[2] retry zset        (<ns>retry)
-- KEYS[3] dead zset         (<ns>dead)
-- ARGV[1] raw: the payload as fetched
-- ARGV[2] kind: "retry" | "dead" | "discard"
-- ARGV[3] newRaw: the updated payload to store (ignored for "discard")
-- ARGV[4] score: epoch seconds (float) for the retry/dead set
-- ARGV[5] maxJobs: keep at most this many jobs in the dead set (exactly maxJobs;
--         Sidekiq's ZREMRANGEBYRANK 0 -max keeps max-1)
-- ARGV[6] cutoffScore: drop dead jobs scored strictly below this (epoch seconds)
--
-- Returns 0 when raw was not in the in-progress list (nothing changed), else 1.
if redis.call("LREM", KEYS[1], -1, ARGV[1]) == 0 then
  return 0
end
local kind = ARGV[2]
if kind == "retry" then
  redis.call("ZADD", KEYS[2], ARGV[4], ARGV[3])
elseif kind == "dead" then
  redis.call("ZADD", KEYS[3], ARGV[4], ARGV[3])
  redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", "(" .. ARGV[6])
  local maxJobs = tonumber(ARGV[5])
  redis.call("ZREMRANGEBYRANK", KEYS[3], 0, -(maxJobs + 1))
end
return 1
