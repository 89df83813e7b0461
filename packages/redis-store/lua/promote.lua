-- promote: move due jobs from the schedule or retry set onto their queues.
--
-- KEYS[1] source zset       (<ns>schedule or <ns>retry)
-- KEYS[2] queues set        (<ns>queues)
-- KEYS[3] dead zset         (<ns>dead)
-- ARGV[1] now: epoch seconds, always with a fractional part (e.g. "1764265302.123456");
--         written verbatim as `enqueued_at` and used as the dead score. A job whose
--         `created_at` is in integer milliseconds (Sidekiq 8, Verk `timestamps: "milliseconds"`)
--         gets `enqueued_at` in integer milliseconds instead.
-- ARGV[2] limit: move at most this many jobs
-- ARGV[3] keyPrefix: namespace + ":" or "" (queue lists are <keyPrefix>queue:<q>)
--
-- Returns {moved, dead}: jobs pushed onto queues, invalid entries moved to the dead set.
-- The payload is never re-encoded (cjson would turn [] into {} and reformat numbers):
-- it is decoded only to read `queue`, and the top-level `enqueued_at` is set by editing the
-- string (includes/json-edit.lua).
-- Queue list keys are computed here, so this script is not Redis Cluster safe.
--- @include "json-edit"

local now = ARGV[1]
local jobs = redis.call("ZRANGE", KEYS[1], "-inf", now, "BYSCORE", "LIMIT", 0, tonumber(ARGV[2]))
local moved, dead = 0, 0
for _, raw in ipairs(jobs) do
  local ok, job = pcall(cjson.decode, raw)
  local queue = ok and type(job) == "table" and job["queue"] or nil
  local head = raw:match("^(.*)}%s*$")
  if type(queue) ~= "string" or queue == "" or head == nil then
    redis.call("ZREM", KEYS[1], raw)
    redis.call("ZADD", KEYS[3], now, raw)
    dead = dead + 1
  else
    push_enqueued(head, job, queue, now, ARGV[3], KEYS[2])
    redis.call("ZREM", KEYS[1], raw)
    moved = moved + 1
  end
end
return {moved, dead}
