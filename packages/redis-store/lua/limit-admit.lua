--- @flags allow-oom
-- limit-admit: check a fetched job against its per-key limit (worker `limit` with `key`). Within
-- the limit its start is logged and its slot taken; over it, the job leaves the in-progress list
-- for the `schedule` set, unchanged (not a failure, not a retry):
-- - rate: due at its key's next free start, spread one `per / rate` apart from the jobs put back
--   before it (a reservation, not a guarantee: it is checked again when it comes back);
-- - concurrency: also parked in the key's `parked` list, from where `limit-release` moves it to
--   the front of its queue as soon as a job of its key ends; the `schedule` entry (due after one
--   slot TTL) is the fallback for slots freed by expiry (a dead node).
-- Allowed under maxmemory: it moves a job and records bounded bookkeeping.
--
-- KEYS[1] in-progress list  (see fetch.lua)
-- KEYS[2] schedule ZSET     (sidekiq: <ns>schedule; cluster: <ns>verk:{<q>}:schedule)
-- KEYS[3] flow counters HASH
-- KEYS[4] the key's `running` ZSET  (<ns>verk:limit:<class>:key:<key>:running; cluster: in {<q>})
-- KEYS[5] the key's `starts` ZSET
-- KEYS[6] the key's `parked` LIST
-- KEYS[7] the key's `next` STRING (last reserved start, epoch ms)
-- ARGV[1] raw: the payload as fetched
-- ARGV[2] slot member "<nodeId>|<jid>"
-- ARGV[3] concurrency (0 = none)
-- ARGV[4] rate (0 = none)
-- ARGV[5] per: the rate's window, ms
-- ARGV[6] slot ttl, ms
--
-- Returns {1} admitted, {0, retryAtMs, reason} put back (reason "rate" | "concurrency"),
--         {-1} when raw was not in the in-progress list (nothing changed).
--- @include "limit"

local raw = ARGV[1]
if not redis.call("LPOS", KEYS[1], raw) then
  return {-1}
end
local concurrency, rate, per, ttl = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = now_ms()
local ok, wait, reason = limit_check(KEYS[4], KEYS[5], concurrency, rate, per, now)
if ok then
  limit_take(KEYS[4], KEYS[5], concurrency, rate, per, now, ARGV[2], ttl)
  return {1}
end
local at
if reason == "rate" then
  at = now + wait
  local step = math.ceil(per / rate)
  local reserved = tonumber(redis.call("GET", KEYS[7]) or "0")
  if reserved + step > at then at = reserved + step end
  redis.call("SET", KEYS[7], at, "PX", at - now + per)
else
  at = now + ttl
  redis.call("LPUSH", KEYS[6], raw)
  redis.call("PEXPIRE", KEYS[6], 2 * ttl)
end
redis.call("LREM", KEYS[1], -1, raw)
redis.call("ZADD", KEYS[2], string.format("%.3f", at / 1000), raw)
redis.call("HINCRBY", KEYS[3], "limited", 1)
return {0, at, reason}
