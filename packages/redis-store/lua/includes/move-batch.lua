-- move-batch (include): take up to `max` jobs from the RIGHT of `source` onto the LEFT of `target`
-- (LMOVE), appending each to `result`; stops early when `source` is empty.
local function move_batch(result, source, target, max)
  for _ = 1, max do
    local job = redis.call("LMOVE", source, target, "RIGHT", "LEFT")
    if not job then break end
    result[#result + 1] = job
  end
  return result
end
