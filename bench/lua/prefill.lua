-- POST commands to a queue until each thread has sent its share of COUNT, then stop.
-- env: HASP_TOKEN, QUEUE, COUNT, THREADS
local token = os.getenv("HASP_TOKEN")
local queue = os.getenv("QUEUE")
local per_thread = math.ceil(tonumber(os.getenv("COUNT")) / tonumber(os.getenv("THREADS")))
wrk.method = "POST"
wrk.path = "/v1/queues/" .. queue .. "/commands"
wrk.body = '{"command":"prefill"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token

local sent = 0
function request()
  sent = sent + 1
  if sent > per_thread then
    wrk.thread:stop()
  end
  return wrk.format()
end
