--- @flags allow-oom
-- recover: move a batch of a (dead or restarted) node's in-progress jobs back to the front of the queue.
--
-- KEYS[1] in-progress list  (<ns>inprogress:<q>:<nodeId>)
-- KEYS[2] queue list        (<ns>queue:<q>)
-- ARGV[1] batch: move at most this many jobs (integer >= 1)
--
-- Returns {moved, remaining}: remaining = length of the in-progress list afterwards.
-- LMOVE LEFT->RIGHT takes the newest first, so the oldest ends up rightmost (runs next)
-- and repeated batches keep the original order.
local moved = 0
local batch = tonumber(ARGV[1]) or 0
for _ = 1, batch do
  if not redis.call("LMOVE", KEYS[1], KEYS[2], "LEFT", "RIGHT") then break end
  moved = moved + 1
end
return {moved, redis.call("LLEN", KEYS[1])}
