-- wrk script: ask for compressed responses, as browsers do, and print one JSON
-- line of results (latencies in microseconds) for bench/drive.py to read.
wrk.headers["Accept-Encoding"] = "gzip"
wrk.headers["Accept"] = "text/html,application/json;q=0.9,*/*;q=0.8"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "errors_status": %d, "errors_connect": %d, "errors_read": %d, "errors_timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.timeout))
end
