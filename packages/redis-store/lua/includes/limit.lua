-- limit (include): the checks of one class's (or one key's) concurrency and rate limits.
-- Times are epoch milliseconds by the server's clock (TIME), so every node agrees.
-- `running` ZSET: concurrency slots, member "<nodeId>|<jid>" scored by its expiry; expired slots
--   (a node that stopped renewing: dead or away) are dropped before counting.
-- `starts` ZSET: a sliding log of the starts of the last `per` ms, scored by start time; a start is
--   allowed while fewer than `rate` starts lie in (now - per, now].
local function now_ms()
  local t = redis.call("TIME")
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A limit's state for one script call: `l` = { running, starts, concurrency, rate, per }. The
-- first check drops expired entries and counts; later checks of the same call use the counts.
local function limit_load(l, now)
  if l.loaded then return end
  l.loaded = true
  if l.concurrency > 0 then
    redis.call("ZREMRANGEBYSCORE", l.running, "-inf", now)
    l.held = redis.call("ZCARD", l.running)
  end
  if l.rate > 0 then
    redis.call("ZREMRANGEBYSCORE", l.starts, "-inf", now - l.per)
    l.started = redis.call("ZCARD", l.starts)
  end
end

-- Returns true, or false with the ms to wait (> 0) and the reason ("concurrency" or "rate").
-- For concurrency the wait is when the oldest slot expires unless renewed (an upper bound: a
-- release wakes waiters earlier).
local function limit_check(l, now)
  limit_load(l, now)
  if l.concurrency > 0 and l.held >= l.concurrency then
    local first = redis.call("ZRANGE", l.running, 0, 0, "WITHSCORES")
    return false, math.max(1, tonumber(first[2]) - now), "concurrency"
  end
  if l.rate > 0 and l.started >= l.rate then
    local first = redis.call("ZRANGE", l.starts, 0, 0, "WITHSCORES")
    return false, math.max(1, tonumber(first[2]) + l.per - now), "rate"
  end
  return true
end

-- Record an allowed start: take the slot `member` (alive `ttl` ms) and log the start.
local function limit_take(l, now, member, ttl)
  if l.concurrency > 0 then
    redis.call("ZADD", l.running, now + ttl, member)
    l.held = l.held + 1
    l.touched_running = ttl
  end
  if l.rate > 0 then
    redis.call("ZADD", l.starts, now, now .. "|" .. member)
    l.started = l.started + 1
    l.touched_starts = true
  end
end

-- After the call: keep the keys alive past their newest entry (they expire once unused).
local function limit_expire(l)
  if l.touched_running then redis.call("PEXPIRE", l.running, 2 * l.touched_running) end
  if l.touched_starts then redis.call("PEXPIRE", l.starts, 2 * l.per) end
end
