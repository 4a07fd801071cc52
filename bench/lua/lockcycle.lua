-- Named-lock cycles: POST /v1/locks/NAME (waits until granted), then DELETE /v1/locks/NAME/<lockId>, again and
-- again. Needs one connection per thread (wrk -t N -c N), so that a response answers this thread's last request.
-- env: HASP_TOKEN, LOCK_NAME
local token = os.getenv("HASP_TOKEN")
local name = os.getenv("LOCK_NAME")
lock_id = nil
cycles = 0  -- globals: done() reads them per thread with thread:get()
errors = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function request()
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if lock_id then
    return wrk.format("DELETE", "/v1/locks/" .. name .. "/" .. lock_id, headers, nil)
  end
  return wrk.format("POST", "/v1/locks/" .. name, headers, '{"timeoutMs":60000,"leaseMs":30000}')
end

function response(status, headers, body)
  if lock_id then
    if status == 204 then
      cycles = cycles + 1
    else
      errors = errors + 1
    end
    lock_id = nil
  elseif status == 201 then
    lock_id = string.match(body, '"lockId"%s*:%s*"([^"]+)"')
  else
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local total, errs = 0, 0
  for _, t in ipairs(threads) do
    total = total + t:get("cycles")
    errs = errs + t:get("errors")
  end
  io.write(string.format("RESULT cycles=%d seconds=%.3f errors=%d non2xx=%d p50_us=%d p99_us=%d\n", total,
    summary.duration / 1e6, errs, summary.errors.status, latency:percentile(50), latency:percentile(99)))
end
