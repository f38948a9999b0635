-- wrk script for POST /api/auth/refresh. Refresh tokens rotate: each one is
-- single use, the answer carries the next one, and presenting an old token
-- again revokes its session (reuse detection). So every token is sent
-- exactly once and the chain continues with the token of the answer.
--
-- Usage: wrk -t T -c C ... -s benches/refresh.lua <url> -- <tokens file> <T>
-- The tokens file holds one refresh token per line, each of its own
-- session. Thread k (1..T) takes lines k, k+T, k+2T, ... into a queue:
-- request() pops the oldest token, response() pushes the token of a 200
-- answer. wrk does not tell response() which connection answered, but that
-- does not matter: a token belongs to a session, not to a connection. A
-- thread has C/T connections, each with at most one request in flight, so
-- the queue never runs dry as long as the thread got more tokens than its
-- connections (run.sh gives it half as many again). A lost token (timeout,
-- non-200) shrinks the pool by one; if the queue is empty anyway, the
-- request goes out with a dummy token, is answered 401 and counts as an
-- error ("exhausted").
local queue = {}
local head, tail = 1, 0
-- Globals, read from the main state by done() through thread:get().
non200 = 0
exhausted = 0
tokens = 0
local threads = {}
local headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }

function setup(thread)
  threads[#threads + 1] = thread
  thread:set("tid", #threads)
end

local function push(token)
  tail = tail + 1
  queue[tail] = token
end

local function pop()
  if head > tail then return nil end
  local token = queue[head]
  queue[head] = nil
  head = head + 1
  return token
end

function init(args)
  local nthreads = tonumber(args[2]) or 1
  local n = 0
  for line in io.lines(args[1]) do
    local token = line:match("^%s*(%S+)%s*$")
    if token then
      n = n + 1
      if (n - 1) % nthreads == (tid or 1) - 1 then push(token) end
    end
  end
  tokens = tail
  assert(tokens > 0, "no refresh tokens for thread " .. tostring(tid) .. " in " .. tostring(args[1]))
end

function request()
  local token = pop()
  if not token then
    exhausted = exhausted + 1
    token = "exhausted"
  end
  return wrk.format("POST", "/api/auth/refresh", headers, '{"refresh_token":"' .. token .. '"}')
end

function response(status, hdrs, body)
  if status == 200 then
    local token = body and body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if token then push(token) else non200 = non200 + 1 end
  else
    non200 = non200 + 1
  end
end

-- One machine-readable line for run.sh (latencies in microseconds);
-- errors_status counts every answer that was not a 200 with a new token.
function done(summary, latency, requests)
  local e = summary.errors
  local bad, dry, held = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
    dry = dry + (t:get("exhausted") or 0)
    held = held + (t:get("tokens") or 0)
  end
  io.write(string.format("BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d exhausted=%d tokens=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, bad, e.timeout, dry, held))
end
