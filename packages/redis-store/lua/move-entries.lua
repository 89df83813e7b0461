--- @flags allow-oom
--- @keys variable
-- move-entries: move named members of a schedule, retry or dead set (promotion of due jobs, and the
-- operators' retry / enqueue-now / kill / delete). An entry is moved only if THIS call removed it
-- from the source set (ZREM returned 1), so concurrent promoters and operators never move one
-- twice and never lose one. The caller reads the members (exact bytes) and prepares every new
-- payload, so this script never parses JSON: its cost per entry is copying bytes, whatever their size.
--
-- KEYS[1] source zset       (a schedule, retry or dead set)
-- KEYS[2] dead zset         (where "dead" entries go; trimmed when any is added)
-- KEYS[3] registry or outbox: the `queues` SET (Sidekiq layout: SADD of each target queue name)
--         or the source queue's outbox LIST (cluster layout: entries bound for another slot)
-- KEYS[4..n] target queue lists
-- ARGV[1] mode: "registry" (KEYS[3] is the queues set) or "outbox" (KEYS[3] is an outbox list)
-- ARGV[2] dead score: epoch seconds with a fraction (time of death for "dead" entries)
-- ARGV[3] dead maxJobs: keep at most this many jobs in the dead set
-- ARGV[4] dead cutoff: drop dead jobs scored strictly below this (epoch seconds)
-- ARGV[5..] entries, 5 values each:
--   op      "push"   (LPUSH payload onto KEYS[target]; SADD name to the registry in "registry" mode),
--           "outbox" (RPUSH payload, an outbox record, onto KEYS[3]),
--           "dead"   (ZADD payload to KEYS[2] at the dead score),
--           "delete" (only ZREM the member)
--   member  the exact stored member
--   payload the bytes to write ("" for "delete")
--   target  index into KEYS of the target list ("push"), else "0"
--   name    the target queue name ("push" in "registry" mode), else ""
--
-- Returns one integer per entry, in order: 1 = done; 0 = the member was not in the source set any
-- more (taken by someone else: nothing done); -1 = the target key holds something other than a
-- list (left in place: the caller dead-letters it with a message).
local mode = ARGV[1]
local result = {}
local killed = 0
for i = 5, #ARGV, 5 do
  local op, member, payload, target, name = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3]), ARGV[i + 4]
  if op == "push" then
    local kind = redis.call("TYPE", KEYS[target])["ok"]
    if kind ~= "list" and kind ~= "none" then
      result[#result + 1] = -1
    elseif redis.call("ZREM", KEYS[1], member) == 1 then
      redis.call("LPUSH", KEYS[target], payload)
      if mode == "registry" then redis.call("SADD", KEYS[3], name) end
      result[#result + 1] = 1
    else
      result[#result + 1] = 0
    end
  elseif redis.call("ZREM", KEYS[1], member) == 1 then
    if op == "outbox" then
      redis.call("RPUSH", KEYS[3], payload)
    elseif op == "dead" then
      redis.call("ZADD", KEYS[2], ARGV[2], payload)
      killed = killed + 1
    elseif op ~= "delete" then
      return redis.error_reply("move-entries: unknown op " .. tostring(op))
    end
    result[#result + 1] = 1
  else
    result[#result + 1] = 0
  end
end
if killed > 0 then
  redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", "(" .. ARGV[4])
  redis.call("ZREMRANGEBYRANK", KEYS[2], 0, -(tonumber(ARGV[3]) + 1))
end
return result
