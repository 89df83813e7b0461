--- @flags allow-oom
-- fetch: move up to `max` jobs from a queue into this node's in-progress list.
-- Allowed under maxmemory (OOM): it moves jobs, it does not grow memory, and draining a queue
-- is what frees memory.
--
-- KEYS[1] queue list        (sidekiq: <ns>queue:<q>; cluster: <ns>verk:{<q>}:queue)
-- KEYS[2] in-progress list  (sidekiq: <ns>inprogress:<q>:<node>; cluster: <ns>verk:{<q>}:inprogress:<node>)
-- KEYS[3] pause key         (sidekiq: the <ns>verk:paused set; cluster: the flag <ns>verk:{<q>}:paused)
-- ARGV[1] pause member: the queue name (SISMEMBER KEYS[3]), or "" (EXISTS KEYS[3])
-- ARGV[2] max: how many jobs to move at most (integer >= 0)
--
-- Returns {1} when the queue is paused (nothing moved),
--         {0, job1, job2, ...} otherwise, oldest first (possibly {0}).
--- @include "paused"
--- @include "move-batch"

if is_paused(KEYS[3], ARGV[1]) then
  return {1}
end
return move_batch({0}, KEYS[1], KEYS[2], tonumber(ARGV[2]) or 0)
