-- wrk script: POST the benchmark chat completion; Authorization comes from $BENCH_AUTH (optional).
-- At the end prints one machine-readable line:
--   BENCH_RESULT requests=N duration_us=N rps=F p50_us=N p99_us=N non2xx=N errors=N
wrk.method = "POST"
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"Say hello"}]}'
-- $BENCH_PROMPT_KB (optional): a long conversation of about that many KiB instead, a system prompt and
-- alternating turns of ~3 KiB, written as the SDKs write JSON: UTF-8 as is, quotes and newlines escaped.
local prompt_kb = tonumber(os.getenv("BENCH_PROMPT_KB") or "")
if prompt_kb ~= nil and prompt_kb > 0 then
  local line = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do \\"eiusmod\\" tempor — café naïve.\\n'
  local turn = string.rep(line, 30)
  local messages = { '{"role":"system","content":"You are a helpful assistant."}' }
  local size = #messages[1]
  while size < prompt_kb * 1024 do
    local role = (#messages % 2 == 1) and "user" or "assistant"
    messages[#messages + 1] = '{"role":"' .. role .. '","content":"' .. turn .. '"}'
    size = size + #messages[#messages] + 1
  end
  wrk.body = '{"model":"bench","messages":[' .. table.concat(messages, ",") .. ']}'
end
-- $BENCH_STREAM=1: the short request streamed, with the usage chunk asked for.
if os.getenv("BENCH_STREAM") == "1" then
  wrk.body = '{"model":"bench","stream":true,"stream_options":{"include_usage":true},'
    .. '"messages":[{"role":"user","content":"Say hello"}]}'
end
wrk.headers["Content-Type"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. auth
end

function done(summary, latency, requests)
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "BENCH_RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status, socket_errors))
end
