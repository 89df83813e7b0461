--- @flags allow-oom
--- @keys variable
-- fetch-limited: `fetch` for a queue whose classes have class-wide limits (worker `limit` without
-- `key`): jobs are moved from the queue into this node's in-progress list, oldest first, while the
-- next one's limit allows it (taking its slot and logging its start); the first job over its limit
-- stays at the head of the queue and the fetch returns how long to wait. Jobs of classes without
-- a limit move as in `fetch`. With `blocked`, a job a blocking BLMOVE already moved into the
-- in-progress list is checked first and put back at the front of the queue when over its limit.
-- Allowed under maxmemory (OOM): it moves jobs and records bounded bookkeeping.
--
-- KEYS[1] queue list        (see fetch.lua)
-- KEYS[2] in-progress list  (see fetch.lua)
-- KEYS[3] pause key         (see fetch.lua)
-- KEYS[4] flow counters HASH (sidekiq: <ns>verk:flow:<q>; cluster: <ns>verk:{<q>}:flow)
-- KEYS[5..] per limited class, 2 keys: its `running` ZSET and `starts` ZSET
--           (sidekiq: <ns>verk:limit:<class>:<part>; cluster: <ns>verk:{<q>}:limit:<class>:<part>)
-- ARGV[1] pause member: the queue name, or "" (see fetch.lua)
-- ARGV[2] max: how many jobs to move at most (integer >= 0)
-- ARGV[3] node id (slot members are "<nodeId>|<jid>")
-- ARGV[4] slot ttl: ms a concurrency slot lives unless renewed
-- ARGV[5] blocked: the raw payload a BLMOVE moved to the LEFT of the in-progress list, or ""
-- ARGV[6..] per limited class, 5 values: class name, needle (the name as a JSON string, to skip
--           decoding payloads that cannot be of the class; "" = always decode), concurrency
--           (0 = none), rate (0 = none), per ms
--
-- Returns {1} when the queue is paused (a `blocked` job is back at the front of the queue),
--         {0, waitMs, reason, job1, job2, ...} otherwise, oldest first: waitMs = 0 when no limit
--         held the fetch back, else the ms until the head job's limit next allows it (an upper
--         bound for "concurrency"), and reason = "concurrency" | "rate" ("" when waitMs = 0).
--- @include "paused"
--- @include "limit"

local blocked = ARGV[5]
local function give_back()
  if blocked ~= "" and redis.call("LREM", KEYS[2], 1, blocked) > 0 then
    redis.call("RPUSH", KEYS[1], blocked)
  end
end

if is_paused(KEYS[3], ARGV[1]) then
  give_back()
  return {1}
end

local node, ttl = ARGV[3], tonumber(ARGV[4])
local limits, needles, all = {}, {}, {}
local k = 5
for i = 6, #ARGV, 5 do
  local l = { running = KEYS[k], starts = KEYS[k + 1], concurrency = tonumber(ARGV[i + 2]),
              rate = tonumber(ARGV[i + 3]), per = tonumber(ARGV[i + 4]) }
  limits[ARGV[i]] = l
  all[#all + 1] = l
  needles[#needles + 1] = ARGV[i + 1]
  k = k + 2
end

-- The limit of a payload's class (by `class`, else ActiveJob's `wrapped`) and its jid, or nil.
local function limit_of(raw)
  local candidate = false
  for _, needle in ipairs(needles) do
    if needle == "" or string.find(raw, needle, 1, true) then
      candidate = true
      break
    end
  end
  if not candidate then return nil end
  local ok, job = pcall(cjson.decode, raw)
  if not ok or type(job) ~= "table" then return nil end
  local l = (type(job.class) == "string" and limits[job.class]) or
            (type(job.wrapped) == "string" and limits[job.wrapped]) or nil
  if not l then return nil end
  return l, (type(job.jid) == "string" and job.jid or "")
end

local now = now_ms()
-- True when `raw` may start now (its slot and start recorded), else false, wait, reason.
local function admit(raw)
  local l, jid = limit_of(raw)
  if not l then return true end
  local ok, wait, reason = limit_check(l, now)
  if not ok then return false, wait, reason end
  limit_take(l, now, node .. "|" .. jid, ttl)
  return true
end
local function finish(result)
  for _, l in ipairs(all) do limit_expire(l) end
  return result
end

local result = {0, 0, ""}
local max = tonumber(ARGV[2]) or 0
if blocked ~= "" then
  local ok, wait, reason = admit(blocked)
  if not ok then
    give_back()
    redis.call("HINCRBY", KEYS[4], "limited", 1)
    return finish({0, wait, reason})
  end
  result[#result + 1] = blocked
  max = max - 1
end
for _ = 1, max do
  local head = redis.call("LMOVE", KEYS[1], KEYS[2], "RIGHT", "LEFT")
  if not head then break end
  local ok, wait, reason = admit(head)
  if not ok then
    -- Over its limit: back to the head of the queue, where it was.
    redis.call("LMOVE", KEYS[2], KEYS[1], "LEFT", "RIGHT")
    result[2], result[3] = wait, reason
    if #result == 3 then redis.call("HINCRBY", KEYS[4], "limited", 1) end
    break
  end
  result[#result + 1] = head
end
return finish(result)
