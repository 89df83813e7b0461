--- @flags allow-oom
-- lease: acquire, renew or release a named lease held by a token (leader election).
--
-- KEYS[1] lease key       (<ns>verk:lease:<name>), a string holding the holder's token
-- ARGV[1] op: "acquire" (take it if free or extend it if held by the token),
--             "renew" (extend only if held by the token) or "release" (delete only if held by the token)
-- ARGV[2] token: the caller's unique token
-- ARGV[3] ttl: milliseconds the lease lasts from now (ignored by "release")
--
-- Returns 1 when the caller holds the lease after the call ("acquire"/"renew") or released it
-- ("release"), else 0. Compare-and-act in one script, so a holder never extends or deletes a
-- lease another node took after its own expired.
local current = redis.call("GET", KEYS[1])
local op = ARGV[1]
if op == "acquire" then
  if current == false then
    redis.call("SET", KEYS[1], ARGV[2], "PX", tonumber(ARGV[3]))
    return 1
  end
  if current == ARGV[2] then
    redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[3]))
    return 1
  end
  return 0
elseif op == "renew" then
  if current == ARGV[2] then
    redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[3]))
    return 1
  end
  return 0
elseif op == "release" then
  if current == ARGV[2] then
    redis.call("DEL", KEYS[1])
    return 1
  end
  return 0
end
return redis.error_reply("lease: unknown op " .. tostring(op))
