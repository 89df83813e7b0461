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

-- Returns true, or false with the ms to wait (> 0) and the reason ("concurrency" or "rate").
-- For concurrency the wait is when the oldest slot expires unless renewed (an upper bound: a
-- release wakes waiters earlier).
local function limit_check(running, starts, concurrency, rate, per, now)
  if concurrency > 0 then
    redis.call("ZREMRANGEBYSCORE", running, "-inf", now)
    if redis.call("ZCARD", running) >= concurrency then
      local first = redis.call("ZRANGE", running, 0, 0, "WITHSCORES")
      return false, math.max(1, tonumber(first[2]) - now), "concurrency"
    end
  end
  if rate > 0 then
    redis.call("ZREMRANGEBYSCORE", starts, "-inf", now - per)
    if redis.call("ZCARD", starts) >= rate then
      local first = redis.call("ZRANGE", starts, 0, 0, "WITHSCORES")
      return false, math.max(1, tonumber(first[2]) + per - now), "rate"
    end
  end
  return true
end

-- Record an allowed start: take the slot `member` (alive `ttl` ms) and log the start.
local function limit_take(running, starts, concurrency, rate, per, now, member, ttl)
  if concurrency > 0 then
    redis.call("ZADD", running, now + ttl, member)
    redis.call("PEXPIRE", running, 2 * ttl)
  end
  if rate > 0 then
    redis.call("ZADD", starts, now, now .. "|" .. member)
    redis.call("PEXPIRE", starts, 2 * per)
  end
end
