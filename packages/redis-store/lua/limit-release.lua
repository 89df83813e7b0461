--- @flags allow-oom
-- limit-release: give a concurrency slot back when its job's handler ended. When a slot is then
-- free: for a class-wide limit, a wake token for a fetch waiting on it (at most `concurrency`
-- tokens are kept); for a per-key limit, the oldest job parked by that key goes back to the FRONT
-- of its queue (it runs next), taken out of the `schedule` set where it waited as a fallback
-- (parked entries already promoted from there are skipped).
--
-- KEYS[1] the limit's `running` ZSET
-- KEYS[2] the limit's `wake` LIST (class-wide) or `parked` LIST (per key)
-- KEYS[3] schedule ZSET     (per key; else any key of the slot)
-- KEYS[4] queue list        (per key; else any key of the slot)
-- ARGV[1] slot member "<nodeId>|<jid>"
-- ARGV[2] concurrency
-- ARGV[3] mode: "wake" (class-wide) or "unpark" (per key)
--
-- Returns 1 when the slot was held (removed), 0 when it had expired already.
--- @include "limit"

local removed = redis.call("ZREM", KEYS[1], ARGV[1])
local concurrency = tonumber(ARGV[2])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now_ms())
if redis.call("ZCARD", KEYS[1]) >= concurrency then
  return removed
end
if ARGV[3] == "wake" then
  redis.call("RPUSH", KEYS[2], "1")
  redis.call("LTRIM", KEYS[2], -concurrency, -1)
  redis.call("PEXPIRE", KEYS[2], 60000)
else
  for _ = 1, 100 do
    local raw = redis.call("RPOP", KEYS[2])
    if not raw then break end
    if redis.call("ZREM", KEYS[3], raw) == 1 then
      redis.call("RPUSH", KEYS[4], raw)
      break
    end
  end
end
return removed
