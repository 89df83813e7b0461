--- @flags allow-oom
-- recover-peer: put named in-progress jobs of a DEAD peer back at the front of their queue (or, for
-- poison pills, into the dead set), re-checking in the same step that the peer is still dead.
-- The caller reads the peer's list and prepares each replacement payload (the `recoveries`
-- counter, poison-pill fields), so this script never parses JSON.
--
-- KEYS[1] the peer's alive marker for this queue (sidekiq: its heartbeat key <ns>verk:node:<peer>;
--         cluster: <ns>verk:{<q>}:alive:<peer>)
-- KEYS[2] the peer's in-progress list of the queue
-- KEYS[3] the queue list
-- KEYS[4] the dead zset of the queue
-- ARGV[1] dead score: epoch seconds with a fraction
-- ARGV[2] dead maxJobs
-- ARGV[3] dead cutoff (epoch seconds; dead jobs scored below it are dropped)
-- ARGV[4..] entries, 3 values each, NEWEST FIRST (LRANGE 0 -1 order):
--   op "back" (RPUSH the replacement onto the queue: the front) or "dead" (ZADD it to the dead set),
--   member (exact bytes as in the list), replacement payload
--
-- Returns {-1} when the marker exists (the peer is alive: nothing is touched), else
-- {back, dead, remaining}: entries moved each way (a member no longer in the list is skipped)
-- and the in-progress list's length afterwards. Processing newest first with RPUSH leaves the
-- oldest job rightmost, so it runs next and the original order is kept.
if redis.call("EXISTS", KEYS[1]) == 1 then
  return {-1}
end
local back, dead = 0, 0
for i = 4, #ARGV, 3 do
  local op, member, replacement = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  if redis.call("LREM", KEYS[2], -1, member) > 0 then
    if op == "dead" then
      redis.call("ZADD", KEYS[4], ARGV[1], replacement)
      dead = dead + 1
    else
      redis.call("RPUSH", KEYS[3], replacement)
      back = back + 1
    end
  end
end
if dead > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[4], "-inf", "(" .. ARGV[3])
  redis.call("ZREMRANGEBYRANK", KEYS[4], 0, -(tonumber(ARGV[2]) + 1))
end
return {back, dead, redis.call("LLEN", KEYS[2])}
