--- @flags allow-oom
-- unique-release: release a unique job's lock, but only if that job holds it (after its
-- `unique_for` ran out, an equal job may hold a new lock under the same name).
--
-- KEYS[1] the lock (sidekiq: <ns>verk:unique:<digest>; cluster: <ns>verk:{<q>}:unique:<digest>)
-- ARGV[1] the job's jid
--
-- Returns 1 when the lock was released, 0 when it was held by another job or gone.
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
