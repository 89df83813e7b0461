--- @flags allow-oom
--- @keys variable
-- node-beat: record that a node is alive and which queues it may hold in-progress jobs of.
-- Allowed under maxmemory, so a node can start and keep beating while Redis is full.
--
-- KEYS[1] the node's heartbeat key (sidekiq: <ns>verk:node:<id>; cluster: <ns>{verk}:node:<id>)
-- KEYS[2] node registry set (<ns>verk_nodes; cluster: <ns>{verk}:nodes)
-- KEYS[3] the node's queue set (<ns>verk:node:<id>:queues; cluster: <ns>{verk}:node:<id>:queues)
-- ARGV[1] node id
-- ARGV[2] beat value: the node's token (a per-process secret) and beat number, "<token>:<n>"
-- ARGV[3] ttl: milliseconds the heartbeat key lives
-- ARGV[4..] the node's queue names
--
-- Returns {previous, registered}: the heartbeat value before this beat ("" when there was none:
-- expired or never set) and 1 when the node was already in the registry (0 when this beat added
-- it: a first beat, or a registry that was lost).
local previous = redis.call("GET", KEYS[1])
redis.call("SET", KEYS[1], ARGV[2], "PX", tonumber(ARGV[3]))
local added = redis.call("SADD", KEYS[2], ARGV[1])
if #ARGV >= 4 then
  redis.call("SADD", KEYS[3], unpack(ARGV, 4))
end
return {previous or "", 1 - added}
