--- @flags allow-oom
-- limit-renew: extend the concurrency slots a live node holds (called on its heartbeats), so
-- they expire only when the node stops renewing (dies, or cannot reach Redis). Slots that
-- expired meanwhile are not taken again.
--
-- KEYS[1] the limit's `running` ZSET
-- ARGV[1] ttl: ms the slots live from now
-- ARGV[2..] slot members "<nodeId>|<jid>"
--
-- Returns the number of slots still held (renewed).
--- @include "limit"

local ttl = tonumber(ARGV[1])
local expiry = now_ms() + ttl
local kept = 0
for i = 2, #ARGV do
  if redis.call("ZSCORE", KEYS[1], ARGV[i]) then
    redis.call("ZADD", KEYS[1], "XX", expiry, ARGV[i])
    kept = kept + 1
  end
end
if kept > 0 then redis.call("PEXPIRE", KEYS[1], 2 * ttl) end
return kept
