-- POST one command to a queue per request: durable appends.
-- env: HASP_TOKEN, QUEUE
local token = os.getenv("HASP_TOKEN")
local queue = os.getenv("QUEUE")
wrk.method = "POST"
wrk.path = "/v1/queues/" .. queue .. "/commands"
wrk.body = '{"command":"bench"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local errors = 0
function response(status, headers, body)
  if status ~= 201 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("RESULT requests=%d seconds=%.3f non2xx=%d socket_errors=%d p50_us=%d p99_us=%d\n",
    summary.requests, summary.duration / 1e6, non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
