--- @flags allow-oom
--- @keys variable
-- promote: the fast path of promotion. Moves due members of a schedule or retry set onto their
-- queue lists inside Redis (the payload never travels to the client), for the common payload
-- shapes only, recognised with anchored patterns and plain `string.find` (C speed; no character
-- loop, no JSON decoding, so the cost per job is copying its bytes):
--   * the queue name is read from the payload's start: `{"jid":"…","class":"…","queue":"<q>"` (Verk),
--     `{"class":"…","queue":"<q>"` (older Verk) or `{"retry":<x>,"queue":"<q>"` (Sidekiq), with no
--     backslash in those values;
--   * the payload has no `"enqueued_at"` anywhere (scheduled jobs), or has it only as its last
--     member, `,"enqueued_at":<number>}` (Verk's retries); the new `enqueued_at` is appended, in
--     integer milliseconds when an integer-ms `created_at` comes before any `{` or `[` (Verk with
--     `timestamps: "milliseconds"`), else in seconds with a fraction (read right by every version).
-- Every other member (another shape, a queue not in KEYS, a target key holding another type) is
-- left in place and counted as `slow`: the caller handles it (lua/move-entries.lua, prepared by
-- the client). A member is pushed only if this call removed it (ZREM), so concurrent promoters
-- never push one twice.
--
-- KEYS[1] source zset (a schedule or retry set)
-- KEYS[2] registry: the `queues` SET (mode "registry": SADD of each target queue name), or any key
--         of the source's slot (mode "none": cluster layout)
-- KEYS[3..n] candidate target queue lists, one per name in ARGV[7..]
-- ARGV[1] mode: "registry" or "none"
-- ARGV[2] now: epoch seconds, the due limit (inclusive)
-- ARGV[3] stamp: the new `enqueued_at` (epoch seconds with a fraction)
-- ARGV[4] budget: stop after moving this many payload bytes (bounds how long one call holds Redis)
-- ARGV[5] max: look at most at this many due members (read one at a time)
-- ARGV[6] stamp in milliseconds (used when the payload's start shows an integer-ms `created_at`)
-- ARGV[7..] the queue names of KEYS[3..], in order
--
-- Returns {moved, slow, looked, bytes}: members pushed, members left for the caller, members read,
-- and the bytes of the members pushed.
local mode, now, stamp, budget = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local index = {}
for i = 7, #ARGV do index[ARGV[i]] = i - 4 end
local max = tonumber(ARGV[5])
local moved, slow, bytes, looked = 0, 0, 0, 0
local kinds, registered = {}, {}
-- One member per read, so a call copies only what it moves: members it pushed leave the set, so the
-- next unseen due member is at offset `slow` (the members it skipped).
while looked < max do
  local member = redis.call("ZRANGE", KEYS[1], "-inf", now, "BYSCORE", "LIMIT", slow, 1)[1]
  if member == nil then break end
  looked = looked + 1
  if moved > 0 and bytes + #member > budget then break end
  local queue = member:match('^{"jid":"[^"\\]*","class":"[^"\\]*","queue":"([^"\\]*)"')
    or member:match('^{"class":"[^"\\]*","queue":"([^"\\]*)"')
    or member:match('^{"retry":[%w%.]*,"queue":"([^"\\]*)"')
  local key = queue and index[queue] and KEYS[index[queue]]
  local head
  if key then
    local last = member:find('"enqueued_at"', 1, true)
    if last == nil then
      head = member:match("^(.*)}%s*$")
    else
      head = member:match('^(.*),"enqueued_at":[%-%d%.eE%+]+}%s*$')
      -- A first "enqueued_at" inside the head is another one (e.g. nested in args): not ours to judge.
      if head and last <= #head then head = nil end
    end
  end
  if head and kinds[key] == nil then kinds[key] = redis.call("TYPE", key)["ok"] end
  if head and (kinds[key] == "list" or kinds[key] == "none") then
    if redis.call("ZREM", KEYS[1], member) == 1 then
      local ms = member:match('^{[^{}%[%]]-"created_at":(%d%d%d%d%d%d%d%d%d%d%d%d%d+)[,}]')
      redis.call("LPUSH", key, head .. ',"enqueued_at":' .. (ms and ARGV[6] or stamp) .. "}")
      if mode == "registry" and not registered[queue] then
        redis.call("SADD", KEYS[2], queue)
        registered[queue] = true
      end
      kinds[key] = "list"
      moved = moved + 1
      bytes = bytes + #member
    else
      slow = slow + 1 -- taken meanwhile: cannot happen inside one script, kept for safety
    end
  else
    slow = slow + 1
  end
end
return {moved, slow, looked, bytes}
