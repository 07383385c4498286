/**
 * Lua for the Redis store: each change to an inbox is one atomic script, following the model in
 * memory-inbox.ts. Inbox values are `<version>\t<json>` so a script compares versions without
 * decoding JSON. Keys: the inbox hash (owner\nid → value), the per-owner alert counts, the set of
 * repositories with work.
 */

/** KEYS: inbox, owners, repos. ARGV: repo, maxOwners, maxPerOwner, then (owner, field, version, value)*. */
export const ENQUEUE = `
local maxOwners = tonumber(ARGV[2])
local maxPer = tonumber(ARGV[3])
local newOwners = {}
local newCount = 0
for i = 4, #ARGV, 4 do
  local owner = ARGV[i]
  if redis.call('HEXISTS', KEYS[2], owner) == 0 and not newOwners[owner] then
    newOwners[owner] = true
    newCount = newCount + 1
  end
end
if newCount > 0 and redis.call('HLEN', KEYS[2]) + newCount > maxOwners then
  return {-1, redis.call('HLEN', KEYS[2])}
end
local stored, capped = 0, 0
for i = 4, #ARGV, 4 do
  local owner, field, version, value = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local have = redis.call('HGET', KEYS[1], field)
  if have then
    if string.sub(have, 1, #version + 1) ~= version .. '\\t' then
      redis.call('HSET', KEYS[1], field, value)
      stored = stored + 1
    end
  else
    local n = tonumber(redis.call('HGET', KEYS[2], owner) or '0')
    if n >= maxPer then
      capped = capped + 1
    else
      redis.call('HINCRBY', KEYS[2], owner, 1)
      redis.call('HSET', KEYS[1], field, value)
      stored = stored + 1
    end
  end
end
if stored > 0 then redis.call('SADD', KEYS[3], ARGV[1]) end
return {stored, capped}
`;

/** KEYS: inbox, owners, repos. ARGV: repo, then (owner, field, version)*. */
export const CONSUME = `
local removed = 0
for i = 2, #ARGV, 3 do
  local owner, field, version = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local have = redis.call('HGET', KEYS[1], field)
  if have and string.sub(have, 1, #version + 1) == version .. '\\t' then
    redis.call('HDEL', KEYS[1], field)
    if redis.call('HINCRBY', KEYS[2], owner, -1) <= 0 then redis.call('HDEL', KEYS[2], owner) end
    removed = removed + 1
  end
end
if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
return removed
`;

/** KEYS: the delivery keys. ARGV: ttl ms. 1 when none was seen (all now recorded), else 0. */
export const CLAIM = `
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then return 0 end
end
for _, k in ipairs(KEYS) do redis.call('SET', k, '1', 'PX', ARGV[1]) end
return 1
`;
