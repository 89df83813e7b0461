--- @flags allow-oom
--- @keys variable
-- node-beat: record that a node is alive and which queues it may hold in-progress jobs of.
-- Allowed under maxmemory, so a node can start and keep beating while Redis is full.
--
-- KEYS[1] the node's heartbeat key (sidekiq: <ns>verk:node:<id>; cluster: <ns>{verk}:node:<id>)
-- KEYS[2] node registry set (<ns>verk_nodes; cluster: <ns>{verk}:nodes)
-- KEYS[3] the node's queue set (<ns>verk:node:<id>:queues; cluster: <ns>{verk}:node:<id>:queues)
-- KEYS[4] the data epoch (<ns>verk:epoch; cluster: <ns>{verk}:epoch): a random value written
--         once and never expiring, so it changes only when Redis lost its data (restarted empty,
--         flushed)
-- ARGV[1] node id
-- ARGV[2] beat value: the node's token (a per-process secret) and beat number, "<token>:<n>"
-- ARGV[3] ttl: milliseconds the heartbeat key lives
-- ARGV[4] a fresh random epoch, written when KEYS[4] is missing
-- ARGV[5..] the node's queue names
--
-- Returns {previous, registered, epoch}: the heartbeat value before this beat ("" when there was
-- none: expired or never set), 1 when the node was already in the registry (0 when this beat added
-- it: a first beat, a node its peers declared dead and forgot, or a registry that was lost), and
-- the data epoch after this beat.
local previous = redis.call("GET", KEYS[1])
redis.call("SET", KEYS[1], ARGV[2], "PX", tonumber(ARGV[3]))
local added = redis.call("SADD", KEYS[2], ARGV[1])
if #ARGV >= 5 then
  redis.call("SADD", KEYS[3], unpack(ARGV, 5))
end
local epoch = redis.call("GET", KEYS[4])
if not epoch then
  epoch = ARGV[4]
  redis.call("SET", KEYS[4], epoch)
end
return {previous or "", 1 - added, epoch}
