--- @flags allow-oom
-- limit-release: give concurrency slots of one limit back when their jobs' handlers ended. For
-- each slot then free: for a class-wide limit, a wake token for a fetch waiting on it (at most
-- `concurrency` tokens are kept); for a per-key limit, the oldest job parked by that key goes back
-- to the FRONT of its queue (it runs next), taken out of the `schedule` set where it waited as a
-- fallback (parked entries already promoted from there are skipped).
--
-- KEYS[1] the limit's `running` ZSET
-- KEYS[2] the limit's `wake` LIST (class-wide) or `parked` LIST (per key)
-- KEYS[3] schedule ZSET     (per key; else any key of the slot)
-- KEYS[4] queue list        (per key; else any key of the slot)
-- ARGV[1] concurrency
-- ARGV[2] mode: "wake" (class-wide) or "unpark" (per key)
-- ARGV[3..] slot members "<nodeId>|<jid>"
--
-- Returns the number of slots that were held (removed); the others had expired already.
--- @include "limit"

local concurrency = tonumber(ARGV[1])
local removed = redis.call("ZREM", KEYS[1], unpack(ARGV, 3))
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now_ms())
local free = math.min(concurrency - redis.call("ZCARD", KEYS[1]), #ARGV - 2)
if free <= 0 then
  return removed
end
if ARGV[2] == "wake" then
  for _ = 1, free do redis.call("RPUSH", KEYS[2], "1") end
  redis.call("LTRIM", KEYS[2], -concurrency, -1)
  redis.call("PEXPIRE", KEYS[2], 60000)
else
  local moved, popped = 0, 0
  while moved < free and popped < 100 + free do
    local raw = redis.call("RPOP", KEYS[2])
    if not raw then break end
    popped = popped + 1
    if redis.call("ZREM", KEYS[3], raw) == 1 then
      redis.call("RPUSH", KEYS[4], raw)
      moved = moved + 1
    end
  end
end
return removed
