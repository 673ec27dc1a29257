-- wrk script for scripts/bench: POSTs JSON-RPC bodies over keep-alive connections.
--
--   wrk -t T -c T -d SECS -s scripts/bench_wrk.lua URL -- fixed BODYFILE
--       every request carries the one JSON body in BODYFILE (eth_call load); runs for -d.
--   wrk -t T -c T -d SECS -s scripts/bench_wrk.lua URL -- list PREFIX
--       thread i (one connection per thread: -t == -c) sends the lines of PREFIX.i in order, one
--       JSON body per line (pre-signed transactions of one sender, so nonces arrive in order), and
--       stops after the answer to its last line; -d is only the upper bound.
--
-- Every answer is checked: HTTP status 200 and a body with "result" (not "error"). done() prints one
-- machine-readable line that scripts/bench_driver.py parses:
--   BENCH requests=N duration_us=D ok=N rpc_errors=N http_errors=N socket_errors=N ... first_error=...
--
-- wrk quirks handled here: (1) wrk calls request() once on thread 0 before the run to check the script,
-- so list mode picks the line by the number of answers so far (exact with one connection per thread);
-- (2) wrk's own duration is always -d, so list mode times itself (first request → last answer, with
-- clock_gettime through LuaJIT's FFI), reported as list_us, and touches PREFIX.done.i when its list is
-- done so the driver can end wrk early with SIGINT.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local threads = {}
local next_id = 0

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

local function read_all(path)
    local f = assert(io.open(path, "rb"))
    local s = f:read("*a")
    f:close()
    return s
end

function init(args)
    mode = args[1]
    local headers = { ["Content-Type"] = "application/json" }
    reqs = {}
    if mode == "fixed" then
        reqs[1] = wrk.format("POST", "/", headers, read_all(args[2]))
    elseif mode == "list" then
        prefix = args[2]
        for line in io.lines(args[2] .. "." .. id) do
            if #line > 0 then reqs[#reqs + 1] = wrk.format("POST", "/", headers, line) end
        end
    else
        error("bench_wrk.lua: mode must be fixed or list, got " .. tostring(mode))
    end
    -- Sent only if wrk asks for a request after the list is done (it stops first in practice).
    spare = wrk.format("POST", "/", headers, '{"jsonrpc":"2.0","id":0,"method":"eth_chainId","params":[]}')
    answered, ok, rpc_errors, http_errors = 0, 0, 0, 0
    t_first, t_last = 0, 0
    first_error = ""
end

function request()
    if mode == "fixed" then return reqs[1] end
    if t_first == 0 and answered == 0 then t_first = now_us() end
    local i = answered + 1
    if i > #reqs then return spare end
    return reqs[i]
end

function response(status, headers, body)
    answered = answered + 1
    if status ~= 200 then
        http_errors = http_errors + 1
        if first_error == "" then first_error = "HTTP " .. status .. " " .. string.sub(body or "", 1, 200) end
    elseif string.find(body, '"result"', 1, true) and not string.find(body, '"error"', 1, true) then
        ok = ok + 1
    else
        rpc_errors = rpc_errors + 1
        if first_error == "" then first_error = string.sub(body, 1, 300) end
    end
    if mode == "list" and answered == #reqs then
        t_last = now_us()
        local f = io.open(prefix .. ".done." .. id, "w")
        if f then f:close() end
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local t_ok, t_rpc, t_http, first = 0, 0, 0, ""
    local t0, t1, finished = nil, 0, 0
    for _, t in ipairs(threads) do
        local a, b = t:get("t_first") or 0, t:get("t_last") or 0
        if a > 0 and (t0 == nil or a < t0) then t0 = a end
        if b > t1 then t1 = b end
        if b > 0 then finished = finished + 1 end
        t_ok = t_ok + (t:get("ok") or 0)
        t_rpc = t_rpc + (t:get("rpc_errors") or 0)
        t_http = t_http + (t:get("http_errors") or 0)
        local fe = t:get("first_error")
        if first == "" and fe and fe ~= "" then first = fe end
    end
    local e = summary.errors
    local sock = e.connect + e.read + e.write + e.timeout
    first = string.gsub(first, "[\r\n]", " ")
    io.write(string.format(
        "BENCH requests=%d duration_us=%d list_us=%d finished=%d ok=%d rpc_errors=%d http_errors=%d socket_errors=%d p50_us=%d p99_us=%d first_error=%s\n",
        summary.requests, summary.duration, (t0 and finished == #threads) and (t1 - t0) or 0, finished,
        t_ok, t_rpc, t_http, sock,
        latency:percentile(50), latency:percentile(99), first))
end
