--- @flags allow-oom
--- @keys variable
-- register-node: add a starting node to the node registry and record the queues it may hold
-- in-progress jobs of. Allowed under maxmemory (two small set entries), so a node can start while
-- Redis is full and drain the queues that fill it.
--
-- KEYS[1] node registry set (<ns>verk_nodes; cluster: <ns>{verk}:nodes)
-- KEYS[2] the node's queue set (<ns>verk:node:<id>:queues; cluster: <ns>{verk}:node:<id>:queues)
-- ARGV[1] node id
-- ARGV[2..] the node's queue names (none: only the registry entry is written)
--
-- Returns 1 when the node was added to the registry, 0 when it was already there.
local added = redis.call("SADD", KEYS[1], ARGV[1])
if #ARGV >= 2 then
  redis.call("SADD", KEYS[2], unpack(ARGV, 2))
end
return added
