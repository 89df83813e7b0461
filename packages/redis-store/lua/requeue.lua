--- @flags allow-oom
-- requeue: put in-progress jobs back at the FRONT of their queue (they run next).
--
-- KEYS[1] in-progress list  (<ns>inprogress:<q>:<nodeId>)
-- KEYS[2] queue list        (<ns>queue:<q>)
-- ARGV[1..n] raw payloads, oldest first
--
-- Returns the number of jobs moved (jobs no longer in progress are skipped).
-- Pushing from newest to oldest with RPUSH leaves the oldest rightmost: it is taken first.
local moved = 0
for i = #ARGV, 1, -1 do
  if redis.call("LREM", KEYS[1], -1, ARGV[i]) > 0 then
    redis.call("RPUSH", KEYS[2], ARGV[i])
    moved = moved + 1
  end
end
return moved
