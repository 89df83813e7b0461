-- paused (include): whether a queue is paused, in either key layout.
-- Sidekiq layout: `member` is the queue name, tested in the `verk:paused` SET (SISMEMBER).
-- Cluster layout: `member` is "" and `key` is the queue's own pause flag (EXISTS).
local function is_paused(key, member)
  if member == "" then
    return redis.call("EXISTS", key) == 1
  end
  return redis.call("SISMEMBER", key, member) == 1
end
