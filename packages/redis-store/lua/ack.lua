--- @flags allow-oom
-- ack: remove finished jobs from an in-progress list (many acks in one call).
--
-- KEYS[1] in-progress list  (<ns>inprogress:<q>:<nodeId>)
-- ARGV[1..n] raw payloads, exactly as fetched
--
-- Returns a list of n integers: 1 = removed, 0 = was not in the list (late ack).
-- Removal searches from the RIGHT (LREM -1): the oldest entries are there.
local result = {}
for i = 1, #ARGV do
  result[i] = redis.call("LREM", KEYS[1], -1, ARGV[i])
end
return result
