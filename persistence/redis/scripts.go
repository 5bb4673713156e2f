package redis

import goredis "github.com/redis/go-redis/v9"

// The Lua scripts. Keys arrive as KEYS and every other value (owner, token,
// TTL, channel) as ARGV: nothing a caller passes is ever part of a script's
// text. Times are the server's (TIME). Tokens are formatted with '%.0f'
// (Lua numbers are doubles, exact for integers below 2^53).

// nextToken sets fence = max(fence + 1, the server's clock in µs) and
// leaves it in tok: strictly increasing per key, and across a restart of a
// server that kept nothing, as long as its clock did not go back.
const nextToken = `
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now_ms = math.floor(now_us / 1000)
local function next_token(fence)
  local last = tonumber(redis.call('GET', fence) or '0')
  local tok = string.format('%.0f', math.max(last + 1, now_us))
  redis.call('SET', fence, tok)
  return tok
end
`

// KEYS: lock, fence. ARGV: owner, ttl ms. Returns {1, token} or {0, pttl}.
var acquireScript = goredis.NewScript(nextToken + `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return {0, redis.call('PTTL', KEYS[1])}
end
local tok = next_token(KEYS[2])
redis.call('HSET', KEYS[1], 'o', ARGV[1], 't', tok)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, tok}
`)

// ownsLock is true when the lock hash names ARGV[1] as owner with token
// ARGV[2] (any token for '0').
const ownsLock = `
local v = redis.call('HMGET', KEYS[1], 'o', 't')
local owns = v[1] == ARGV[1] and (ARGV[2] == '0' or v[2] == ARGV[2])
`

// KEYS: lock. ARGV: owner, token, channel, key. Returns 1 if released.
var releaseScript = goredis.NewScript(ownsLock + `
if not owns then return 0 end
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`)

// KEYS: lock. ARGV: owner, token, ttl ms. Returns the token or nil.
var extendScript = goredis.NewScript(ownsLock + `
if not owns then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return v[2]
`)

// KEYS: lock. ARGV: channel, key. Returns 1 if a holder was removed.
var forceScript = goredis.NewScript(`
if redis.call('DEL', KEYS[1]) == 0 then return 0 end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
`)

// KEYS: lock, fence. Returns {held, token, pttl}.
var inspectScript = goredis.NewScript(`
local tok = redis.call('HGET', KEYS[1], 't')
if tok then return {1, tok, redis.call('PTTL', KEYS[1])} end
return {0, redis.call('GET', KEYS[2]) or '0', 0}
`)

// sweep drops the expired permits of KEYS[1] (a sorted set of owners by
// expiry in ms) and their tokens in KEYS[3].
const sweep = `
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now_ms)
for _, o in ipairs(gone) do
  redis.call('ZREM', KEYS[1], o)
  redis.call('HDEL', KEYS[3], o)
end
local function keep(ttl)
  local left = redis.call('PTTL', KEYS[1])
  if left < tonumber(ttl) then
    redis.call('PEXPIRE', KEYS[1], ttl)
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
`

// KEYS: permits, fence, tokens. ARGV: owner, limit, ttl ms. Returns {1,
// token} or {0, ms until the first permit expires}.
var acquirePermitScript = goredis.NewScript(nextToken + sweep + `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local left = 0
  if first[2] then left = tonumber(first[2]) - now_ms end
  return {0, left}
end
local tok = next_token(KEYS[2])
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[3]), ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], tok)
keep(ARGV[3])
return {1, tok}
`)

// ownsPermit is true when ARGV[1] holds a live permit of KEYS[1] with
// token ARGV[2] (any token for '0').
const ownsPermit = `
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local exp = redis.call('ZSCORE', KEYS[1], ARGV[1])
local tok = redis.call('HGET', KEYS[2], ARGV[1])
local owns = exp and tonumber(exp) > now_ms and (ARGV[2] == '0' or tok == ARGV[2])
`

// KEYS: permits, tokens. ARGV: owner, token. Returns 1 if released.
var releasePermitScript = goredis.NewScript(ownsPermit + `
if not owns then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
`)

// KEYS: permits, tokens. ARGV: owner, token, ttl ms. Returns the token or
// nil.
var extendPermitScript = goredis.NewScript(ownsPermit + `
if not owns then return false end
redis.call('ZADD', KEYS[1], 'XX', now_ms + tonumber(ARGV[3]), ARGV[1])
local left = redis.call('PTTL', KEYS[1])
if left < tonumber(ARGV[3]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return tok
`)

// KEYS: permits. Returns {held, ms until the first live permit expires}.
var inspectPermitsScript = goredis.NewScript(`
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now_ms, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local left = 0
if live[2] then left = tonumber(live[2]) - now_ms end
return {redis.call('ZCOUNT', KEYS[1], '(' .. now_ms, '+inf'), left}
`)

// KEYS: breaker. ARGV: expected version, record, channel, name. Returns 1 if
// written (and announced), 0 on a version conflict.
var casScript = goredis.NewScript(`
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then return 0 end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'r', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
`)
