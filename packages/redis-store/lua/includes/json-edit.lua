-- json-edit (include): edit top-level members of a job's JSON as text, so a payload is never
-- re-encoded by cjson (which turns [] into {} and reformats numbers).
-- A "head" is the payload without its closing `}`.

-- Index just past the JSON value starting at `i` (string, number, literal, object or array).
local function json_value_end(s, i)
  local c = s:sub(i, i)
  if c == '"' then
    local j = i + 1
    while j <= #s do
      local d = s:sub(j, j)
      if d == "\\" then j = j + 2
      elseif d == '"' then return j + 1
      else j = j + 1 end
    end
    return nil
  elseif c == "{" or c == "[" then
    local depth, j, in_string = 0, i, false
    while j <= #s do
      local d = s:sub(j, j)
      if in_string then
        if d == "\\" then j = j + 1 elseif d == '"' then in_string = false end
      elseif d == '"' then in_string = true
      elseif d == "{" or d == "[" then depth = depth + 1
      elseif d == "}" or d == "]" then
        depth = depth - 1
        if depth == 0 then return j + 1 end
      end
      j = j + 1
    end
    return nil
  end
  local _, e = s:find("^[%w%.%+%-]+", i)
  return e and e + 1 or nil
end

-- Remove the top-level member `name` (key, value and one separating comma) from `head`.
-- Members nested in args are never touched. Returns head unchanged when there is none.
local function strip_member(head, name)
  local i = head:find("{", 1, true)
  if not i then return head end
  i = i + 1
  while true do
    local key_start = head:find("[^%s,]", i)
    if not key_start or head:sub(key_start, key_start) ~= '"' then return head end
    local key_end = json_value_end(head, key_start)
    if not key_end then return head end
    local colon = head:find("[^%s]", key_end)
    if not colon or head:sub(colon, colon) ~= ":" then return head end
    local value_start = head:find("[^%s]", colon + 1)
    if not value_start then return head end
    local value_end = json_value_end(head, value_start)
    if not value_end then return head end
    if head:sub(key_start + 1, key_end - 2) == name then
      local before, after = head:sub(1, key_start - 1), head:sub(value_end)
      local b = before:match("^(.-),%s*$")
      if b then return b .. after end
      local a = after:match("^%s*,(.*)$")
      if a then return before .. a end
      return before .. after
    end
    i = value_end
  end
end

-- Append `"name":<json>` to `head` (still without its closing `}`).
local function add_member(head, name, json)
  local sep = head:match("{%s*$") and "" or ","
  return head .. sep .. '"' .. name .. '":' .. json
end

-- `now` (epoch seconds with a fraction) in the unit of the job's times: integer milliseconds when
-- its `created_at` is in milliseconds (Sidekiq 8 / Verk `timestamps: "milliseconds"`).
local function stamp_like(job, now)
  if type(job["created_at"]) == "number" and job["created_at"] > 1e11 then
    return string.format("%.0f", tonumber(now) * 1000)
  end
  return now
end

-- Push a job onto its queue as Sidekiq's client does: a fresh top-level `enqueued_at`, LPUSH, and
-- the queue name in the `queues` set.
local function push_enqueued(head, job, queue, now, prefix, queues_key)
  head = strip_member(head, "enqueued_at")
  redis.call("LPUSH", prefix .. "queue:" .. queue, add_member(head, "enqueued_at", stamp_like(job, now)) .. "}")
  redis.call("SADD", queues_key, queue)
end
