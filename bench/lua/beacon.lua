-- POST the tracker's batches as a reader's browser sends them: for each page
-- view, the first batch on load (view, engaged, depth), six periodic ones
-- (engaged time, depth, the section being read) and the last one on pagehide
-- (with the end of the body). Page view ids are unique per run and thread.
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")

local run = tonumber(os.getenv("BENCH_RUN") or "1")
local page = tonumber(os.getenv("BENCH_PAGE") or "1")
local origin = os.getenv("BENCH_ORIGIN")
local sent = 0
local sections = {
  "3f1c2a9e-8b7d-4c61-9e2f-0a1b2c3d4e5f",
  "7d2e4b10-1c9a-4f3e-8a6b-5c4d3e2f1a0b",
}
local batches_per_view = 8

wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
wrk.headers["Origin"] = origin
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0 Safari/537.36"

function batch(view, s)
  local id = string.format("%08x%08x%016x", run, tid, view)
  local t = 1000 + s * 500
  local engaged = s * 400
  local events
  if s == 0 then
    events = '{"k":"view"},{"k":"engaged","ms":0},{"k":"depth","pct":18}'
  elseif s < batches_per_view - 1 then
    events = string.format(
      '{"k":"engaged","ms":%d},{"k":"depth","pct":%d},'
        .. '{"k":"section","id":"%s","ms":%d}',
      engaged, 18 + s * 10, sections[1 + s % 2], engaged)
  else
    events = string.format(
      '{"k":"engaged","ms":%d},{"k":"depth","pct":100},{"k":"end"},'
        .. '{"k":"section","id":"%s","ms":%d}',
      engaged, sections[2], engaged)
  end
  return string.format('{"v":"%s","p":%d,"s":%d,"t":%d,"e":[%s]}', id, page, s, t, events)
end

function request()
  local view = math.floor(sent / batches_per_view)
  local s = sent % batches_per_view
  sent = sent + 1
  return wrk.format(nil, nil, nil, batch(view, s))
end
