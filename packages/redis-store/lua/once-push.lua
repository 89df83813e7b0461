-- once-push: claim an exactly-once marker and, only if this call claimed it, push jobs.
--
-- KEYS[1] marker key      (<ns>verk:once:<key>)
-- KEYS[2] queues set      (<ns>queues)
-- ARGV[1] ttl: milliseconds the marker lives
-- ARGV[2] keyPrefix: namespace + ":" or "" (queue lists are <keyPrefix>queue:<q>)
-- ARGV[3], ARGV[4], ...: pairs of queue name, raw payload
--
-- Returns 1 when the marker was set and every job was LPUSHed (and its queue SADDed to the
-- queues set), 0 when the marker already existed (nothing written). Queue list keys are
-- computed here, so this script is not Redis Cluster safe.
if redis.call("SET", KEYS[1], "1", "NX", "PX", tonumber(ARGV[1])) == false then
  return 0
end
for i = 3, #ARGV, 2 do
  local queue = ARGV[i]
  redis.call("LPUSH", ARGV[2] .. "queue:" .. queue, ARGV[i + 1])
  redis.call("SADD", KEYS[2], queue)
end
return 1
