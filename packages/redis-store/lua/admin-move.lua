-- admin-move: operator actions on entries of the schedule, retry or dead set (verk CLI, admin API).
-- Each entry is moved only if THIS call removed it from the source set (ZREM returned 1), so an
-- entry taken meanwhile by a scheduler (promote) or another operator is never moved twice.
--
-- KEYS[1] source zset       (<ns>schedule, <ns>retry or <ns>dead)
-- KEYS[2] queues set        (<ns>queues)
-- KEYS[3] dead zset         (<ns>dead)
-- ARGV[1] action: "enqueue" (push onto its queue as is, like Sidekiq's add_to_queue),
--                 "retry"   (push onto its queue with retry_count decremented by 1 when present,
--                            like Sidekiq's SortedEntry#retry),
--                 "kill"    (add to the dead set scored `now`, then trim it)
-- ARGV[2] now: epoch seconds with a fractional part; written verbatim as `enqueued_at` (integer
--         milliseconds instead when the job's `created_at` is in milliseconds) and the dead score
-- ARGV[3] keyPrefix: namespace + ":" or "" (queue lists are <keyPrefix>queue:<q>)
-- ARGV[4] maxJobs: keep at most this many jobs in the dead set ("kill")
-- ARGV[5] cutoffScore: drop dead jobs scored strictly below this ("kill")
-- ARGV[6..n] raw members, exactly as stored
--
-- Returns one integer per raw member, in order:
--   1 = moved; 0 = not in the source set any more (nothing done);
--  -1 = left in place: not a JSON object with a non-empty string `queue` ("enqueue"/"retry").
-- Payloads are never re-encoded with cjson ([] would become {}): `enqueued_at` and
-- `retry_count` are edited in the string. Queue list keys are computed here (not Cluster safe).
--- @include "json-edit"

local action, now, prefix = ARGV[1], ARGV[2], ARGV[3]

local function push(raw)
  local ok, job = pcall(cjson.decode, raw)
  local queue = ok and type(job) == "table" and job["queue"] or nil
  local head = raw:match("^(.*)}%s*$")
  if type(queue) ~= "string" or queue == "" or head == nil then return -1 end
  if redis.call("ZREM", KEYS[1], raw) == 0 then return 0 end
  if action == "retry" and type(job["retry_count"]) == "number" then
    head = add_member(strip_member(head, "retry_count"), "retry_count", tostring(job["retry_count"] - 1))
  end
  push_enqueued(head, job, queue, now, prefix, KEYS[2])
  return 1
end

local result = {}
local killed = 0
for i = 6, #ARGV do
  local raw = ARGV[i]
  if action == "kill" then
    if redis.call("ZREM", KEYS[1], raw) == 1 then
      redis.call("ZADD", KEYS[3], now, raw)
      killed = killed + 1
      result[#result + 1] = 1
    else
      result[#result + 1] = 0
    end
  elseif action == "enqueue" or action == "retry" then
    result[#result + 1] = push(raw)
  else
    return redis.error_reply("admin-move: unknown action " .. tostring(action))
  end
end
if killed > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[3], "-inf", "(" .. ARGV[5])
  redis.call("ZREMRANGEBYRANK", KEYS[3], 0, -(tonumber(ARGV[4]) + 1))
end
return result
