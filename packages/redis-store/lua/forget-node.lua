-- forget-node: remove a dead peer from the node registry once nothing of it is left.
--
-- KEYS[1] heartbeat key of the peer (<ns>verk:node:<peerId>)
-- KEYS[2] node registry set         (<ns>verk_nodes)
-- KEYS[3] the peer's queue set      (<ns>verk:node:<peerId>:queues)
-- ARGV[1] peer node id
-- ARGV[2] in-progress key prefix    (<ns>inprogress:); lists are <prefix><q>:<peerId>
--
-- Returns 1 when this call removed the peer (SREM registry, DEL queue set); 0 when it is alive
-- again (heartbeat key present) or still owns in-progress jobs (nothing changed), or when another
-- node removed it first.
-- In-progress keys are computed here, so this script is not Redis Cluster safe.
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
for _, queue in ipairs(redis.call("SMEMBERS", KEYS[3])) do
  if redis.call("LLEN", ARGV[2] .. queue .. ":" .. ARGV[1]) > 0 then
    return 0
  end
end
redis.call("DEL", KEYS[3])
return redis.call("SREM", KEYS[2], ARGV[1])
