--- @keys variable
-- once-push: claim an exactly-once marker and, only if this call claimed it, push jobs.
--
-- KEYS[1] marker key (sidekiq: <ns>verk:once:<key>; cluster: <ns>verk:{<q>}:once:<key>, in the
--         slot of the jobs' queue)
-- KEYS[2] the `queues` SET (mode "registry"), or any key of the same slot (mode "none")
-- KEYS[3..n] target queue lists
-- ARGV[1] ttl: milliseconds the marker lives
-- ARGV[2] mode: "registry" (SADD each queue name to KEYS[2]) or "none"
-- ARGV[3..] triples: index into KEYS of the target list, raw payload, queue name
--
-- Returns 1 when the marker was set and every job was LPUSHed, 0 when the marker already
-- existed (nothing written).
if redis.call("SET", KEYS[1], "1", "NX", "PX", tonumber(ARGV[1])) == false then
  return 0
end
for i = 3, #ARGV, 3 do
  redis.call("LPUSH", KEYS[tonumber(ARGV[i])], ARGV[i + 1])
  if ARGV[2] == "registry" then
    redis.call("SADD", KEYS[2], ARGV[i + 2])
  end
end
return 1
