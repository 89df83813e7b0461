--- @flags allow-oom
-- claim-blocked: follow-up of a blocking `BLMOVE queue inprogress RIGHT LEFT` that returned `job`.
-- Gives the job back when the queue was paused meanwhile, else tops the batch up like `fetch`.
--
-- KEYS[1] queue list        (see fetch.lua)
-- KEYS[2] in-progress list  (see fetch.lua)
-- KEYS[3] pause key         (see fetch.lua)
-- ARGV[1] pause member: the queue name, or "" (see fetch.lua)
-- ARGV[2] job: the raw payload BLMOVE returned (exact bytes)
-- ARGV[3] extraMax: how many more jobs to move at most (integer >= 0)
--
-- Returns {1} when the queue is paused (the job is back at the FRONT of the queue: RPUSH),
--         {0, job, extra1, ...} otherwise, oldest first.
--- @include "paused"
--- @include "move-batch"

if is_paused(KEYS[3], ARGV[1]) then
  -- BLMOVE pushed the job on the LEFT of the in-progress list: search from the left.
  if redis.call("LREM", KEYS[2], 1, ARGV[2]) > 0 then
    redis.call("RPUSH", KEYS[1], ARGV[2])
  end
  return {1}
end
return move_batch({0, ARGV[2]}, KEYS[1], KEYS[2], tonumber(ARGV[3]) or 0)
