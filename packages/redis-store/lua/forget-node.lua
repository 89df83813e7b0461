--- @flags allow-oom
--- @keys variable
-- forget-node: remove a dead peer from the node registry once nothing of it is left.
--
-- KEYS[1] heartbeat key of the peer (sidekiq: <ns>verk:node:<peer>; cluster: <ns>{verk}:node:<peer>)
-- KEYS[2] node registry set         (<ns>verk_nodes; cluster: <ns>{verk}:nodes)
-- KEYS[3] the peer's queue set      (<ns>verk:node:<peer>:queues; cluster: <ns>{verk}:node:<peer>:queues)
-- KEYS[4..n] the peer's in-progress lists, one per queue of KEYS[3] (Sidekiq layout). In the
--         cluster layout they live in other slots: the caller checked they are empty and passes none.
-- ARGV[1] peer node id
--
-- Returns 1 when this call removed the peer (SREM registry, DEL queue set); 0 when it is alive
-- again (heartbeat key present) or still owns in-progress jobs (nothing changed), or when another
-- node removed it first.
if redis.call("EXISTS", KEYS[1]) == 1 then
  return 0
end
for i = 4, #KEYS do
  if redis.call("LLEN", KEYS[i]) > 0 then
    return 0
  end
end
redis.call("DEL", KEYS[3])
return redis.call("SREM", KEYS[2], ARGV[1])
