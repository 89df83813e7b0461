--- @flags allow-oom
--- @keys variable
-- limit-admit: check fetched jobs of one queue and node against their per-key limits (worker
-- `limit` with `key`), in order. Within its limit a job's start is logged and its slot taken;
-- over it, the job leaves the in-progress list for the `schedule` set, unchanged (not a failure,
-- not a retry):
-- - rate: due at its key's next free start, spread one `per / rate` apart from the jobs put back
--   before it (a reservation, not a guarantee: it is checked again when it comes back);
-- - concurrency: also parked in the key's `parked` list, from where `limit-release` moves it to
--   the front of its queue as soon as a job of its key ends; the `schedule` entry (due after one
--   slot TTL) is the fallback for slots freed by expiry (a dead node).
-- Allowed under maxmemory: it moves jobs and records bounded bookkeeping.
--
-- KEYS[1] in-progress list  (see fetch.lua)
-- KEYS[2] schedule ZSET     (sidekiq: <ns>schedule; cluster: <ns>verk:{<q>}:schedule)
-- KEYS[3] flow counters HASH (sidekiq: <ns>verk:flow:<q>; cluster: <ns>verk:{<q>}:flow)
-- KEYS[4..] per job, 4 keys of its key's limit: `running` ZSET, `starts` ZSET, `parked` LIST,
--           `next` STRING (sidekiq: <ns>verk:limit:<class>:key:<key>:<part>; cluster: in {<q>})
-- ARGV[1] slot ttl, ms
-- ARGV[2..] per job, 5 values: raw payload as fetched, slot member "<nodeId>|<jid>",
--           concurrency (0 = none), rate (0 = none), per (ms)
--
-- Returns per job 3 values: status (1 admitted, 0 put back, -1 not in the in-progress list:
-- nothing changed), the epoch ms it is due again (put back; else 0), and the reason
-- ("rate" | "concurrency"; else "").
--- @include "limit"

local ttl = tonumber(ARGV[1])
local now = now_ms()
local limits, order, out = {}, {}, {}
local limited = 0
local k = 4
for i = 2, #ARGV, 5 do
  local raw, member = ARGV[i], ARGV[i + 1]
  local l = limits[KEYS[k]]
  if not l then
    l = { running = KEYS[k], starts = KEYS[k + 1], parked = KEYS[k + 2], next = KEYS[k + 3],
          concurrency = tonumber(ARGV[i + 2]), rate = tonumber(ARGV[i + 3]), per = tonumber(ARGV[i + 4]) }
    limits[KEYS[k]] = l
    order[#order + 1] = l
  end
  k = k + 4
  if not redis.call("LPOS", KEYS[1], raw) then
    out[#out + 1], out[#out + 2], out[#out + 3] = -1, 0, ""
  else
    local ok, wait, reason = limit_check(l, now)
    if ok then
      limit_take(l, now, member, ttl)
      out[#out + 1], out[#out + 2], out[#out + 3] = 1, 0, ""
    else
      local at
      if reason == "rate" then
        at = now + wait
        local step = math.ceil(l.per / l.rate)
        if l.reserved == nil then l.reserved = tonumber(redis.call("GET", l.next) or "0") end
        if l.reserved + step > at then at = l.reserved + step end
        l.reserved, l.reserve = at, true
      else
        at = now + ttl
        redis.call("LPUSH", l.parked, raw)
        l.park = true
      end
      redis.call("LREM", KEYS[1], -1, raw)
      redis.call("ZADD", KEYS[2], string.format("%.3f", at / 1000), raw)
      limited = limited + 1
      out[#out + 1], out[#out + 2], out[#out + 3] = 0, at, reason
    end
  end
end
for _, l in ipairs(order) do
  limit_expire(l)
  if l.reserve then redis.call("SET", l.next, l.reserved, "PX", l.reserved - now + l.per) end
  if l.park then redis.call("PEXPIRE", l.parked, 2 * ttl) end
end
if limited > 0 then redis.call("HINCRBY", KEYS[3], "limited", limited) end
return out
