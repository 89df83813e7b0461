-- fetch: move up to `max` jobs from a queue into this node's in-progress list.
--
-- KEYS[1] queue list        (<ns>queue:<q>)
-- KEYS[2] in-progress list  (<ns>inprogress:<q>:<nodeId>)
-- KEYS[3] paused set        (<ns>verk:paused)
-- ARGV[1] queue name (member checked in the paused set)
-- ARGV[2] max: how many jobs to move at most (integer >= 0)
--
-- Returns {1} when the queue is paused (nothing moved),
--         {0, job1, job2, ...} otherwise, oldest first (possibly {0}).
--- @include "move-batch"

if redis.call("SISMEMBER", KEYS[3], ARGV[1]) == 1 then
  return {1}
end
return move_batch({0}, KEYS[1], KEYS[2], tonumber(ARGV[2]) or 0)
