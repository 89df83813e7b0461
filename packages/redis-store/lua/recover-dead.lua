-- recover-dead: move a batch of a DEAD peer's in-progress jobs back to the front of their queue,
-- counting recoveries per job; a job recovered more than maxRecoveries times goes to the dead set.
--
-- KEYS[1] heartbeat key of the peer (<ns>verk:node:<peerId>)
-- KEYS[2] in-progress list          (<ns>inprogress:<q>:<peerId>)
-- KEYS[3] queue list                (<ns>queue:<q>)
-- KEYS[4] dead zset                 (<ns>dead)
-- ARGV[1] batch: move at most this many jobs (integer >= 1)
-- ARGV[2] maxRecoveries: a job whose recovery count would exceed this goes to the dead set
-- ARGV[3] now: epoch seconds with a fractional part; dead score and `failed_at`
-- ARGV[4] maxJobs: keep at most this many jobs in the dead set
-- ARGV[5] cutoffScore: drop dead jobs scored strictly below this (epoch seconds)
-- ARGV[6] peer node id (named in the poison-pill error_message)
--
-- Returns {-1, 0, 0} when the heartbeat key exists (the peer is alive: nothing is touched),
--         else {moved, dead, remaining}: jobs pushed back on the queue, jobs sent to the dead
--         set, and the in-progress list length afterwards.
--
-- Each job is popped and pushed inside this one script (an LMOVE with an edit in between), so
-- it moves exactly once even when several nodes recover the same peer at the same time.
-- LPOP takes the newest first and RPUSH puts it at the front of the queue, so the oldest ends up
-- rightmost (runs next) and repeated batches keep the original order.
-- The count lives in the payload as a trailing `"recoveries":N` member, edited as a string:
-- payloads are never re-encoded by cjson (it would turn [] into {} and reformat numbers).
-- An unreadable payload is moved unchanged (the runtime dead-letters it on fetch).
--- @include "json-edit"

if redis.call("EXISTS", KEYS[1]) == 1 then
  return {-1, 0, 0}
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    if c == '"' then return '\\"' elseif c == "\\" then return "\\\\" end
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

local batch = tonumber(ARGV[1]) or 0
local maxRecoveries = tonumber(ARGV[2]) or 3
local now = ARGV[3]
local moved, dead = 0, 0
for _ = 1, batch do
  local raw = redis.call("LPOP", KEYS[2])
  if not raw then break end
  local ok, job = pcall(cjson.decode, raw)
  local head = raw:match("^(.*)}%s*$")
  if not ok or type(job) ~= "table" or head == nil then
    redis.call("RPUSH", KEYS[3], raw)
    moved = moved + 1
  else
    local count = (tonumber(job["recoveries"]) or 0) + 1
    if job["recoveries"] ~= nil then head = strip_member(head, "recoveries") end
    local sep = head:match("{%s*$") and "" or ","
    if count > maxRecoveries then
      for _, field in ipairs({"error_class", "error_message", "failed_at"}) do
        if job[field] ~= nil then head = strip_member(head, field) end
      end
      sep = head:match("{%s*$") and "" or ","
      local stamp = stamp_like(job, now)
      local message = "recovered from dead nodes " .. count .. " times (more than maxRecoveries = " ..
        maxRecoveries .. "; last from node " .. ARGV[6] .. "): moved to the dead set as a poison pill"
      redis.call("ZADD", KEYS[4], now, head .. sep .. '"recoveries":' .. count ..
        ',"error_class":"Verk::PoisonPill","error_message":' .. json_string(message) ..
        ',"failed_at":' .. stamp .. "}")
      dead = dead + 1
    else
      redis.call("RPUSH", KEYS[3], head .. sep .. '"recoveries":' .. count .. "}")
      moved = moved + 1
    end
  end
end
if dead > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[4], "-inf", "(" .. ARGV[5])
  redis.call("ZREMRANGEBYRANK", KEYS[4], 0, -(tonumber(ARGV[4]) + 1))
end
return {moved, dead, redis.call("LLEN", KEYS[2])}
