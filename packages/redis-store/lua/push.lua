--- @keys variable
-- push: LPUSH a batch of jobs onto one queue exactly once, even when the client re-sends the call
-- after its reply was lost (a connection cut while the call was in flight): the batch's token is
-- claimed in the same step as the push.
-- Not allowed under maxmemory (no allow-oom flag, and its first write is the token's SET): producers
-- get Redis' OOM error, which the store reports as STORE_FULL.
--
-- KEYS[1] this batch's token key (sidekiq: <ns>verk:push:<token>; cluster: <ns>verk:{<q>}:push:<token>)
-- KEYS[2] the queue list
-- KEYS[3] the `queues` SET (mode "registry"), or the queue list again (mode "none": cluster layout,
--         where the registry lives in another slot and the caller adds the name itself)
-- KEYS[4..n] token keys of earlier batches whose replies arrived: deleted (no longer needed)
-- ARGV[1] token ttl in milliseconds (how long a re-send stays recognisable)
-- ARGV[2] mode: "registry" or "none"
-- ARGV[3] queue name
-- ARGV[4..] payloads, oldest first (the first one ends rightmost and runs first)
--
-- Returns the number of payloads pushed, or -1 when the token already existed (this batch was
-- written before: nothing done).
-- The token's SET comes first: it is the script's first write, which Redis refuses at maxmemory
-- (a DEL first would let every later write through).
local claimed = redis.call("SET", KEYS[1], "1", "NX", "PX", tonumber(ARGV[1]))
for i = 4, #KEYS do
  redis.call("DEL", KEYS[i])
end
if claimed == false then
  return -1
end
local n = #ARGV - 3
if n > 0 then
  redis.call("LPUSH", KEYS[2], unpack(ARGV, 4))
  if ARGV[2] == "registry" then
    redis.call("SADD", KEYS[3], ARGV[3])
  end
end
return n
