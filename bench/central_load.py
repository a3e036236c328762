#!/usr/bin/env python3
"""The central server under a province's load (performance issue, figure 4).

Needs: apt-get install wrk nginx-light ; cargo build --release -p motcua-central
Run:   python3 bench/central_load.py [--runs 3] [--quick] [--json results.json]

One release `motcua-central`, set up before any clock: the generated 10,000-procedure catalog
(`gen-catalog --count 10000 --seed 1`, imported), --dossiers registered through the integration
API with a short history each (so --dossiers distinct status-page tokens), and --kiosks kiosks
added with `motcua-central kiosk add` and enrolled through `POST /api/v1/kiosks/enroll`, each
with its own credential. nginx (2 workers) serves static files of exactly the sizes the server's
answers have on the wire, and is measured in the same run as the ceiling.

(a) wrk on loopback, requests per second and p99, ours next to nginx, for:
    - the full catalog download `GET /api/v1/catalog`, once with `Accept-Encoding: gzip` and once
      with `gzip,br`, what the kiosk's HTTP client sends (the server then answers brotli);
    - the kiosk status API `GET /api/v1/dossiers/<code>`, kiosk credential, over every dossier;
    - the public status page `GET /ho-so/<token>` as a phone asks for it, over every token;
    - the heartbeat `POST /api/v1/kiosks/heartbeat` with the kiosk's JSON body, over every
      kiosk's credential (a wrk Lua script; nginx answers the same POST with a static file).
(b) A fleet: every kiosk sends a heartbeat every --interval seconds (spread evenly over the
    interval), plus --phone-rate status page lookups per second over random tokens, for
    --fleet-seconds. Open loop: each request has a scheduled send time and is sent then whether
    or not earlier ones were answered; latency counts from the scheduled time, so a stalled
    server cannot hide its stall (no coordinated omission). The generator is Python asyncio
    speaking raw HTTP/1.1 over a pool of keep-alive connections (--procs processes). Measured:
    achieved rates, latency p50/p99 per kind, errors, the server's CPU (utime+stime from
    /proc/<pid>/stat over the window, % of one core) and RSS (the server is restarted before
    each window, so the memory is the fleet's own), the generator's CPU and dispatch lag, and a
    probe's write+fsync latency in the server's data directory (every heartbeat is an fsync'd
    SQLite commit, so a busy disk shows in their p99); the same schedule against nginx.
(c) A Markdown table (median of --runs, min–max); --json FILE writes every figure.

The first full catalog download after a server start builds the catalog's JSON and compresses it
(once per catalog version, `central/src/catalog/full_download.rs`): about a second, which the
kiosks asking at that moment wait for. It is timed apart, one request per coding before wrk
starts, so that wrk measures what every later kiosk gets. Timed inside wrk it made the catalog's
p99 look like hundreds of milliseconds: wrk "corrects" its percentiles for coordinated omission,
adding for every slow answer one sample per expected request interval it stalled (at 1.4 ms per
request, a one-second stall of 4 requests adds about 2,800 samples between 1.4 ms and 1 s).

Every request comes from 127.0.0.1, so the status page's per-address rate limit is raised out of
the way (in real use each phone has its own address). wrk or the generator, the server and nginx
share the machine's cores.
"""
import argparse, asyncio, datetime, http.client, json, math, multiprocessing, os, pathlib, random
import re, shutil, signal, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import (CENTRAL, Nginx, cpu_seconds, free_port, machine, need_tools,  # noqa: E402
                      ratio, rss_mib, summary, wait_for, wrk)

KIOSK_UA = "motcua-kiosk/0.1.0"
# What the kiosk's reqwest client sends (checked against `motcua-kiosk sync` and `heartbeat`).
KIOSK_HEADERS = {"Accept": "*/*", "User-Agent": KIOSK_UA, "Accept-Encoding": "gzip,br"}
PHONE_HEADERS = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "vi-VN,vi;q=0.9",
}
HEARTBEAT_PATH = "/api/v1/kiosks/heartbeat"


def heartbeat_body(n, uptime):
    """The JSON a kiosk sends (src/operations/heartbeat.rs), 258 bytes or so."""
    return json.dumps({
        "version": "0.1.0", "uptime_secs": uptime, "catalog_cursor": "c31fb0f9063fa500.10000",
        "catalog_synced_at": 1795431376 - n, "outbox_depth": n % 3,
        "outbox_oldest_age_secs": None if n % 3 == 0 else 40 + n % 50, "last_errors": [],
        "disk_free_bytes": 56301187072 - n * 4096, "printer": "ready" if n % 2 else "none",
        "config_version": 0, "config_error": None,
    }, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Setup: catalog, server, dossiers, kiosks


class Http:
    """A keep-alive client for the setup requests."""

    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        hdrs = {"Content-Type": "application/json"} if data else {}
        hdrs.update(headers or {})
        self.conn.request(method, path, body=data, headers=hdrs)
        response = self.conn.getresponse()
        raw = response.read()  # chunked transfer undone, content encoding kept
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), raw


def setup_server(a, tmp):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    catalog = tmp / "catalog.json"
    subprocess.run([CENTRAL, "gen-catalog", "--count", str(a.count), "--seed", "1", "-o", catalog],
                   check=True, capture_output=True)
    (tmp / "central.toml").write_text(
        f'listen = "127.0.0.1:{port}"\ndata_dir = "{tmp}/central"\n'
        "status_page_per_minute = 1000000000\nstatus_page_burst = 1000000000\n")
    cli = [str(CENTRAL), "--config", str(tmp / "central.toml")]
    subprocess.run(cli + ["import", catalog], check=True, capture_output=True)
    procedures = [p["code"] for p in json.loads(catalog.read_text())["procedures"]]
    return port, cli, start_server(cli, port), procedures


def timed_get(port, path, headers):
    """One GET on a new connection, ms until the whole answer was read."""
    started = time.monotonic()
    status, _, _ = Http(port).call("GET", path, None, headers)
    assert status == 200, (port, path, status)
    return (time.monotonic() - started) * 1000


def start_server(cli, port):
    server = subprocess.Popen(cli + ["serve"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RUST_LOG": "warn"})
    wait_for(f"http://127.0.0.1:{port}/api/v1/health")
    return server


def stop_server(server):
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)


def peak_rss_mib(pid):
    """VmHWM: the most resident memory the process has had, MiB."""
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", text, re.M).group(1)) / 1024


def warm_up(port, credentials, tokens):
    """A few untimed requests of each kind after a restart."""
    http_ = Http(port)
    for n, path in enumerate(tokens[:50]):
        assert http_.call("GET", path, headers=PHONE_HEADERS)[0] == 200
    for n, credential in enumerate(credentials[:20]):
        status, _, raw = http_.call("POST", HEARTBEAT_PATH, json.loads(heartbeat_body(n, n)),
                                    {**KIOSK_HEADERS, "Authorization": f"Bearer {credential}"})
        assert status == 200, raw


def register_dossiers(a, port, cli, procedures):
    """--dossiers dossiers through the integration API, each with 0–3 status events; returns
    [(code, status page path)]."""
    out = subprocess.run(cli + ["integration", "add", "bench"], check=True, capture_output=True,
                         text=True).stdout
    token = re.search(r"mi_[0-9a-f]+", out).group(0)
    auth = {"Authorization": f"Bearer {token}"}
    http_ = Http(port)
    today = datetime.date.today()
    rng = random.Random(4)
    history = [(4, "Đang thẩm định hồ sơ tại phòng chuyên môn"),
               (5, "Đề nghị bổ sung bản sao giấy tờ theo hướng dẫn"), (4, None)]
    dossiers = []
    for i in range(a.dossiers):
        received = today - datetime.timedelta(days=1 + i % 30)
        code = f"G00.01-{received:%Y%m%d}-{1000000 + i:07d}"
        status, _, raw = http_.call("PUT", f"/api/v1/integration/dossiers/{code}", {
            "procedure_code": rng.choice(procedures), "received_on": received.isoformat(),
            "due_on": (received + datetime.timedelta(days=12)).isoformat()}, auth)
        assert status in (200, 201), (status, raw)
        view = json.loads(raw)
        for n, (st, note) in enumerate(history[: i % 4]):
            event = {"event_id": f"bench-{i}-{n}", "dossier_code": code, "status": st}
            if note:
                event["note"] = note
            status, _, raw = http_.call("POST", "/api/v1/integration/status-events", event, auth)
            assert status == 200, (status, raw)
        dossiers.append((code, "/" + view["status_url"].split("/", 3)[3]))
    return dossiers


def enroll_kiosks(a, port, cli):
    """--kiosks kiosks: `kiosk add` one after the other (concurrent ones fail with "database is
    locked"), then `POST /api/v1/kiosks/enroll`."""
    codes = []
    for i in range(a.kiosks):
        out = subprocess.run(cli + ["kiosk", "add", f"bench-{i:05d}"], check=True,
                             capture_output=True, text=True).stdout
        codes.append(re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}", out).group(0))
    http_ = Http(port)
    credentials = []
    for code in codes:
        status, _, raw = http_.call("POST", "/api/v1/kiosks/enroll", {"code": code})
        assert status == 200, (status, raw)
        credentials.append(json.loads(raw)["credential"])
    return credentials


# ---------------------------------------------------------------------------------------------
# (a) wrk


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(path, method, headers, items):
    """A wrk script cycling through prebuilt requests; items: (path, extra headers, body)."""
    rows = []
    for p, extra, body in items:
        h = ", ".join(f"[{lua_str(k)}] = {lua_str(v)}" for k, v in {**headers, **extra}.items())
        rows.append(f"  {{{lua_str(p)}, {{{h}}}, {lua_str(body) if body else 'nil'}}},")
    path.write_text(f"""-- generated by bench/central_load.py
local items = {{
{chr(10).join(rows)}
}}
local reqs = {{}}
local i = 0
local threads = 0
function setup(thread)
  thread:set("first", threads * 7919)
  threads = threads + 1
end
function init(args)
  for k, it in ipairs(items) do
    reqs[k] = wrk.format({lua_str(method)}, it[1], it[2], it[3])
  end
  i = (first or 0) % #reqs
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
""")
    return path


def wire_size(port, method, path, headers, body=None):
    """The body's size on the wire (after content encoding), and its encoding."""
    status, hdrs, raw = Http(port).call(method, path, body, headers)
    assert status == 200, (path, status, raw[:300])
    return len(raw), hdrs.get("content-encoding", "identity")


def median_size(port, requests):
    """The median wire size of GETs spread over `requests` (answers differ in size with the
    dossier's history)."""
    sizes = [wire_size(port, "GET", p, h) for p, h in requests[:: max(1, len(requests) // 40)]]
    assert len({enc for _, enc in sizes}) == 1, sizes
    return int(statistics.median(n for n, _ in sizes)), sizes[0][1]


def wrk_cases(a, tmp, port, dossiers, credentials):
    """[(name, ours: (url, kwargs), nginx path, nginx kwargs, size, encoding)] and the static
    files nginx needs."""
    base = f"http://127.0.0.1:{port}"
    files, cases = {}, []
    for label, enc in (("`Accept-Encoding: gzip`", "gzip"),
                       ("`Accept-Encoding: gzip,br` as kiosks send it", "gzip,br")):
        headers = {**KIOSK_HEADERS, "Accept-Encoding": enc}
        size, used = wire_size(port, "GET", "/api/v1/catalog", headers)
        name = f"catalog-{used}.bin"
        files[name] = size
        hdr_list = [f"{k}: {v}" for k, v in headers.items()]
        kw = dict(connections=a.catalog_connections, timeout=60, headers=hdr_list)
        cases.append((f"full catalog `/api/v1/catalog`, {label}", f"{base}/api/v1/catalog", kw,
                      f"/{name}", kw, size, used))

    # Kiosk status API, over every dossier, each request with one of the kiosks' credentials.
    rng = random.Random(7)
    api_items = [(f"/api/v1/dossiers/{code}",
                  {"Authorization": f"Bearer {rng.choice(credentials)}"}, None)
                 for code, _ in dossiers]
    size, used = median_size(port, [(p, {**KIOSK_HEADERS, **h}) for p, h, _ in api_items])
    files["api.bin"] = size
    ours = lua_script(tmp / "api.lua", "GET", KIOSK_HEADERS, api_items)
    kw = dict(connections=a.connections, script=ours)
    cases.append(("kiosk status API `/api/v1/dossiers/<code>`, kiosk credential", f"{base}/", kw,
                  "/", dict(kw), size, used))

    # Public status page, over every token, as a phone asks for it.
    page_items = [(p, {}, None) for _, p in dossiers]
    size, used = median_size(port, [(p, PHONE_HEADERS) for p, _, _ in page_items])
    files["page.bin"] = size
    ours = lua_script(tmp / "page.lua", "GET", PHONE_HEADERS, page_items)
    kw = dict(connections=a.connections, script=ours)
    cases.append(("public status page `/ho-so/<token>`, as phones ask", f"{base}/", kw, "/",
                  dict(kw), size, used))

    # Heartbeat POST, over every kiosk's credential.
    hb_headers = {**KIOSK_HEADERS, "Content-Type": "application/json"}
    hb_items = [(HEARTBEAT_PATH, {"Authorization": f"Bearer {c}"}, heartbeat_body(n, 3600 + n))
                for n, c in enumerate(credentials)]
    size, used = wire_size(port, "POST", HEARTBEAT_PATH, {**hb_headers, **hb_items[0][1]},
                           json.loads(hb_items[0][2]))
    files["heartbeat.bin"] = size
    ours = lua_script(tmp / "heartbeat.lua", "POST", hb_headers, hb_items)
    kw = dict(connections=a.connections, script=ours)
    cases.append((f"heartbeat `POST {HEARTBEAT_PATH}`, kiosk credential and body", f"{base}/", kw,
                  "/", dict(kw), size, used))
    return cases, files


NGINX_LOCATIONS = f"""
        location /api/v1/dossiers/ {{ try_files /api.bin =404; }}
        location /ho-so/ {{ try_files /page.bin =404; }}
        # A POST to a static file is refused (405); answer it with the file instead.
        location = {HEARTBEAT_PATH} {{ error_page 405 =200 /heartbeat.bin; return 405; }}
"""


# ---------------------------------------------------------------------------------------------
# (b) the fleet: an open-loop load generator, asyncio, raw HTTP/1.1, keep-alive pool

def build_events(w, procs, credentials, tokens, a, host):
    """This worker's share of the schedule: [(offset s, kind, request bytes)], kind 0 heartbeat,
    1 phone lookup. Kiosk i sends at i*interval/kiosks + k*interval; lookups are evenly spaced."""
    events = []
    kiosks = len(credentials)
    for i in range(w, kiosks, procs):
        first = i * a.interval / kiosks
        k = 0
        while first + k * a.interval < a.fleet_seconds:
            off = first + k * a.interval
            body = heartbeat_body(i, 3600 + int(off)).encode()
            head = (f"POST {HEARTBEAT_PATH} HTTP/1.1\r\ncontent-type: application/json\r\n"
                    f"authorization: Bearer {credentials[i]}\r\naccept: */*\r\n"
                    f"user-agent: {KIOSK_UA}\r\naccept-encoding: gzip,br\r\nhost: {host}\r\n"
                    f"content-length: {len(body)}\r\n\r\n").encode()
            events.append((off, 0, head + body))
            k += 1
    rng = random.Random(1000 + w)
    phone = "".join(f"{k}: {v}\r\n" for k, v in PHONE_HEADERS.items())
    for j in range(w, int(a.fleet_seconds * a.phone_rate), procs):
        req = f"GET {rng.choice(tokens)} HTTP/1.1\r\nHost: {host}\r\n{phone}\r\n".encode()
        events.append((j / a.phone_rate, 1, req))
    events.sort(key=lambda e: e[0])
    return events


async def read_response(reader):
    """Status and whether the connection stays open; the body is read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    low = head.lower()
    m = re.search(rb"\r\ncontent-length:\s*(\d+)", low)
    if m:
        await reader.readexactly(int(m.group(1)))
    elif b"\r\ntransfer-encoding: chunked" in low:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                break
            await reader.readexactly(size + 2)
    else:
        await reader.read()
        return status, False
    return status, b"\r\nconnection: close" not in low


async def fleet_async(port, events, t0, timeout, warm):
    # Idle connections, most recently used last; "stale": found closed by the server (its idle
    # timeout) when taken, and dropped, as an HTTP client's pool does; "reconnects": a request
    # that failed on a reused connection and was sent again on a new one.
    idle, counters = [], {"opened": 0, "stale": 0, "reconnects": 0}

    async def connect():
        counters["opened"] += 1
        return await asyncio.open_connection("127.0.0.1", port)

    for _ in range(warm):
        idle.append(await connect())
    lat = ([], [])         # ms from the scheduled send time to the last byte of the answer
    lag = []               # ms from the scheduled send time to the write
    errors = [dict(), dict()]

    def error(kind, what):
        errors[kind][what] = errors[kind].get(what, 0) + 1

    async def one(kind, data, due):
        lag.append((time.monotonic() - due) * 1000)
        for attempt in (0, 1):
            conn, reused = None, False
            try:
                async with asyncio.timeout(timeout):
                    while attempt == 0 and idle and conn is None:
                        conn = idle.pop()
                        if conn[0].at_eof() or conn[1].is_closing():
                            conn[1].close()
                            conn = None
                            counters["stale"] += 1
                    reused = conn is not None
                    if conn is None:
                        conn = await connect()
                    conn[1].write(data)
                    status, keep = await read_response(conn[0])
            except (OSError, ValueError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError) as e:
                if conn:
                    conn[1].close()
                if reused and attempt == 0:  # the server closed an idle connection: once more
                    counters["reconnects"] += 1
                    continue
                error(kind, type(e).__name__)
                return
            except TimeoutError:
                if conn:
                    conn[1].close()
                error(kind, "timeout")
                return
            done = time.monotonic()
            (idle.append(conn) if keep else conn[1].close())
            if status == 200:
                lat[kind].append((done - due) * 1000)
            else:
                error(kind, f"HTTP {status}")
            return

    await asyncio.sleep(max(0.0, t0 - time.monotonic()))
    cpu0 = os.times()
    tasks = []
    for off, kind, data in events:
        due = t0 + off
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(kind, data, due)))
    await asyncio.gather(*tasks)
    cpu1 = os.times()
    for _, w in idle:
        w.close()
    return {"lat": lat, "lag": lag, "errors": errors, **counters,
            "cpu": cpu1.user + cpu1.system - cpu0.user - cpu0.system}


def fleet_worker(pipe, port, events, t0, timeout, warm):
    try:
        pipe.send(asyncio.run(fleet_async(port, events, t0, timeout, warm)))
    except BaseException as e:  # report instead of hanging the parent
        pipe.send({"failed": repr(e)})
    pipe.close()


def percentile(values, p):
    """Nearest rank."""
    if not values:
        return float("nan")
    values = sorted(values)
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


def fsync_probe(directory, start, end, every=0.1):
    """Milliseconds each write-and-fsync of 4 KiB in `directory` took, every `every` s between
    `start` and `end` (monotonic): how long the disk makes an fsync wait meanwhile, as every
    heartbeat's commit waits for one (the server's SQLite runs with synchronous=FULL)."""
    times = []
    path = pathlib.Path(directory) / "fsync-probe"
    with open(path, "wb") as f:
        time.sleep(max(0.0, start - time.monotonic()))
        n = 0
        while time.monotonic() < end:
            t = time.monotonic()
            f.write(os.urandom(4096))
            f.flush()
            os.fsync(f.fileno())
            times.append((time.monotonic() - t) * 1000)
            n += 1
            time.sleep(max(0.0, start + n * every - time.monotonic()))
    path.unlink()
    return times


def fleet(a, port, pids, credentials, tokens, probe_dir):
    """One fleet window against the server at `port`, whose processes are `pids`."""
    ctx = multiprocessing.get_context("fork")
    t0 = time.monotonic() + 3.0  # workers build their requests and open connections first
    workers = []
    for w in range(a.procs):
        events = build_events(w, a.procs, credentials, tokens, a, f"127.0.0.1:{port}")
        recv, send = ctx.Pipe(duplex=False)
        p = ctx.Process(target=fleet_worker, args=(send, port, events, t0, a.timeout, 8))
        p.start()
        send.close()
        workers.append((p, recv, events))
    scheduled = [sum(1 for _, _, ev in workers for e in ev if e[1] == k) for k in (0, 1)]
    fsyncs = []
    probe = threading.Thread(target=lambda: fsyncs.extend(
        fsync_probe(probe_dir, t0, t0 + a.fleet_seconds)))
    probe.start()
    time.sleep(max(0.0, t0 - time.monotonic()))
    cpu0 = cpu_seconds(pids)
    time.sleep(max(0.0, t0 + a.fleet_seconds - time.monotonic()))
    cpu1 = cpu_seconds(pids)
    rss = rss_mib(pids)
    results = []
    for p, recv, _ in workers:
        results.append(recv.recv())
        p.join()
    probe.join()
    for r in results:
        if "failed" in r:
            sys.exit(f"a load generator process failed: {r['failed']}")
    out = {"server_cpu_pct": 100 * (cpu1 - cpu0) / a.fleet_seconds, "server_rss_mib": rss,
           "generator_cpu_pct": 100 * sum(r["cpu"] for r in results) / a.fleet_seconds,
           "connections_opened": sum(r["opened"] for r in results),
           "stale": sum(r["stale"] for r in results),
           "reconnects": sum(r["reconnects"] for r in results),
           "fsync_p50_ms": percentile(fsyncs, 50), "fsync_p99_ms": percentile(fsyncs, 99),
           "fsync_max_ms": max(fsyncs)}
    lag = [x for r in results for x in r["lag"]]
    out["dispatch_lag_p99_ms"] = percentile(lag, 99)
    out["dispatch_lag_max_ms"] = max(lag)
    for k, kind in enumerate(("heartbeat", "phone")):
        lat = [x for r in results for x in r["lat"][k]]
        errs = {}
        for r in results:
            for what, n in r["errors"][k].items():
                errs[what] = errs.get(what, 0) + n
        out[kind] = {"scheduled": scheduled[k], "ok": len(lat),
                     "rate": len(lat) / a.fleet_seconds, "p50": percentile(lat, 50),
                     "p99": percentile(lat, 99), "max": max(lat) if lat else float("nan"),
                     "errors": sum(errs.values()), "error_kinds": errs}
    return out


# ---------------------------------------------------------------------------------------------


def fmt_ratio(r):
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10, help="each wrk measurement")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections, small requests")
    ap.add_argument("--catalog-connections", type=int, default=4,
                    help="wrk connections for the full catalog (kiosks syncing at once)")
    ap.add_argument("--fleet-seconds", type=float, default=60)
    ap.add_argument("--kiosks", type=int, default=2000)
    ap.add_argument("--interval", type=float, default=30, help="heartbeat period, seconds")
    ap.add_argument("--phone-rate", type=float, default=200, help="status lookups per second")
    ap.add_argument("--dossiers", type=int, default=2000, help="distinct status page tokens")
    ap.add_argument("--count", type=int, default=10000, help="procedures in the catalog")
    ap.add_argument("--procs", type=int, default=1, help="load generator processes")
    ap.add_argument("--timeout", type=float, default=10, help="fleet request timeout, seconds")
    ap.add_argument("--only", choices=("wrk", "fleet"), help="skip the other part")
    ap.add_argument("--quick", action="store_true",
                    help="one run, 3 s per wrk measurement, 15 s of fleet (unless given)")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON")
    a = ap.parse_args()
    if a.quick:  # unless given explicitly
        for name, value in (("runs", 1), ("seconds", 3), ("fleet_seconds", 15)):
            if getattr(a, name) == ap.get_default(name):
                setattr(a, name, value)
    need_tools("wrk", "nginx")

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="motcua-central-load-"))
    tmp.chmod(0o755)  # nginx workers run as www-data when started by root
    server = nginx = None
    try:
        t = time.monotonic()
        port, cli, server, procedures = setup_server(a, tmp)
        dossiers = register_dossiers(a, port, cli, procedures)
        credentials = enroll_kiosks(a, port, cli)
        print(f"setup: {a.count} procedures, {len(dossiers)} dossiers, {len(credentials)} kiosks "
              f"enrolled in {time.monotonic() - t:.0f} s", file=sys.stderr)
        cases, files = wrk_cases(a, tmp, port, dossiers, credentials)
        www = tmp / "www"
        www.mkdir()
        for name, size in files.items():
            (www / name).write_bytes(b"x" * size)
        nginx_port = free_port()
        nginx = Nginx(tmp, nginx_port, www, NGINX_LOCATIONS)
        wait_for(nginx.url("/page.bin"))
        tokens = [p for _, p in dossiers]

        wrk_results = {name: ([], []) for name, *_ in cases}
        first_request = {name: ([], []) for name, *_ in cases if "catalog" in name}
        wrk_memory = []
        fleet_results = ([], [])
        for run in range(a.runs):
            if a.only != "fleet":
                # A fresh server process for each part of each run, so the memory figures are
                # that part's own.
                stop_server(server)
                server = start_server(cli, port)
                for name, url, kw, npath, nkw, size, _ in cases:
                    if name in first_request:  # see the module doc
                        headers = dict(h.split(": ", 1) for h in kw["headers"])
                        first_request[name][0].append(timed_get(port, "/api/v1/catalog", headers))
                        first_request[name][1].append(timed_get(nginx_port, npath, headers))
                    pair = [("ours", url, kw), ("nginx", nginx.url(npath), nkw)]
                    for who, u, k in (pair if run % 2 == 0 else pair[::-1]):
                        r = wrk(u, a.seconds, **k)
                        wrk_results[name][who == "nginx"].append(r)
                        print(f"run {run + 1} {who:5} {name[:40]:40} {r['rps']:9.1f} req/s  "
                              f"p99 {r['p99']:8.2f} ms", file=sys.stderr)
                    if "catalog" in name:  # the last of the catalog cases: peak over both
                        catalog_memory = (peak_rss_mib(server.pid), rss_mib(nginx.pids()))
                wrk_memory.append(catalog_memory)
            if a.only != "wrk":
                stop_server(server)
                server = start_server(cli, port)
                warm_up(port, credentials, tokens)
                for who, p, pids in ((("ours", port, [server.pid]),
                                      ("nginx", nginx_port, nginx.pids()))[:: 1 - 2 * (run % 2)]):
                    r = fleet(a, p, pids, credentials, tokens, tmp / "central")
                    fleet_results[who == "nginx"].append(r)
                    print(f"run {run + 1} {who:5} fleet: heartbeats {r['heartbeat']['rate']:.1f}/s "
                          f"p99 {r['heartbeat']['p99']:.2f} ms, phones {r['phone']['rate']:.1f}/s "
                          f"p99 {r['phone']['p99']:.2f} ms, errors "
                          f"{r['heartbeat']['errors'] + r['phone']['errors']}, CPU "
                          f"{r['server_cpu_pct']:.1f} %, RSS {r['server_rss_mib']:.1f} MiB, "
                          f"generator CPU {r['generator_cpu_pct']:.1f} %, lag p99 "
                          f"{r['dispatch_lag_p99_ms']:.2f} ms, fsync p99 "
                          f"{r['fsync_p99_ms']:.1f} max {r['fsync_max_ms']:.0f} ms, connections "
                          f"{r['connections_opened']} (stale {r['stale']}, resent "
                          f"{r['reconnects']}), errors {r['heartbeat']['error_kinds']} "
                          f"{r['phone']['error_kinds']}", file=sys.stderr)
    finally:
        if server:
            stop_server(server)
        if nginx:
            nginx.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    m = machine()
    print(f"Machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['cpu']}; {m['date_utc']} UTC; "
          f"load average {m['loadavg']:.1f}. Median of {a.runs} runs (min–max).\n")
    rows = []  # for --json: what bench/run-all puts in its summary table

    def emit(figure, ours, peer, ratio_, shown=None):
        rows.append({"figure": figure, "ours": ours, "peer": peer, "ratio": ratio_})
        print(f"{shown or '| ' + figure + ' |'} {ours} | {peer} | {ratio_} |")

    rps = lambda v: f"{v:,.1f} req/s" if v < 100 else f"{v:,.0f} req/s"
    ms = lambda v: f"{v:.2f} ms" if v < 100 else f"{v:,.0f} ms"
    if a.only != "fleet":
        print(f"wrk -t2, {a.seconds} s each, -c{a.connections} (catalog: "
              f"-c{a.catalog_connections}); nginx serves a static file of the same size.\n")
        print("| figure | motcua-central | nginx, static file of the same size | ratio |")
        print("|---|---|---|---|")
        for name, _, _, _, _, size, enc in cases:
            ours, peer = wrk_results[name]
            orps, prps = [r["rps"] for r in ours], [r["rps"] for r in peer]
            op99, pp99 = [r["p99"] for r in ours], [r["p99"] for r in peer]
            what = f"{size:,} bytes" + ("" if enc == "identity" else f" {enc}")
            emit(f"{name} ({what}): throughput", summary(orps, rps), summary(prps, rps),
                 fmt_ratio(ratio(orps, prps)))
            emit(f"{name}: p99 latency", summary(op99, ms), summary(pp99, ms),
                 fmt_ratio(ratio(op99, pp99)))
            if name in first_request:
                ofirst, pfirst = first_request[name]
                emit(f"{name}: the first request after a server start (prepared once per catalog "
                     "version), not in the wrk figures", summary(ofirst, ms), summary(pfirst, ms),
                     fmt_ratio(ratio(ofirst, pfirst)))
        mib = lambda v: f"{v:.0f} MiB"
        ours_m, peer_m = [m_[0] for m_ in wrk_memory], [m_[1] for m_ in wrk_memory]
        emit("peak RSS over the catalog cases (server: VmHWM of a fresh process; nginx: RSS of "
             "master and workers)", summary(ours_m, mib), summary(peer_m, mib),
             fmt_ratio(ratio(ours_m, peer_m)))
        print()
    if a.only != "wrk":
        ours, peer = fleet_results
        print(f"Fleet: {a.kiosks} kiosks, a heartbeat each every {a.interval:g} s "
              f"({a.kiosks / a.interval:.1f}/s), plus {a.phone_rate:g} status page lookups/s over "
              f"{len(tokens)} tokens; {a.fleet_seconds:g} s, open loop, latency from the "
              f"scheduled send time; {a.procs} generator process(es).\n")
        print("| figure | motcua-central | nginx, static files of the same sizes | ratio |")
        print("|---|---|---|---|")

        def row(label, get, fmt, show_ratio=True):
            o, p = [get(r) for r in ours], [get(r) for r in peer]
            rt = fmt_ratio(ratio(o, p)) if show_ratio else "—"
            emit(f"fleet: {label}", summary(o, fmt), summary(p, fmt), rt, f"| {label} |")

        per_s = lambda v: f"{v:.1f}/s"
        pct = lambda v: f"{v:.1f} %"
        count = lambda v: f"{v:,.0f}"
        for kind, label in (("heartbeat", "heartbeats"), ("phone", "phone status lookups")):
            row(f"{label}: answered (200) per second", lambda r: r[kind]["rate"], per_s)
            row(f"{label}: p50 latency", lambda r: r[kind]["p50"], ms)
            row(f"{label}: p99 latency", lambda r: r[kind]["p99"], ms)
            row(f"{label}: errors", lambda r: r[kind]["errors"], count, False)
        row("server CPU over the window, % of one core", lambda r: r["server_cpu_pct"], pct)
        row("RSS at the end of the window (a fresh server process; nginx: master and workers)", lambda r: r["server_rss_mib"],
            lambda v: f"{v:.1f} MiB")
        row("disk: write + fsync of 4 KiB in the server's data directory, 10/s, p99",
            lambda r: r["fsync_p99_ms"], ms, False)
        row("disk: the same, slowest", lambda r: r["fsync_max_ms"], ms, False)
        row("load generator: CPU, % of one core", lambda r: r["generator_cpu_pct"], pct, False)
        row("load generator: dispatch lag p99 (send time − scheduled)",
            lambda r: r["dispatch_lag_p99_ms"], ms, False)

    if a.json:
        pathlib.Path(a.json).write_text(json.dumps({
            "benchmark": "central_load", "machine": m, "args": vars(a), "rows": rows,
            "wrk": [{"figure": name, "bytes": size, "encoding": enc,
                     "ours": wrk_results[name][0], "nginx": wrk_results[name][1],
                     "first_request_ms": first_request.get(name)}
                    for name, _, _, _, _, size, enc in cases] if a.only != "fleet" else [],
            "catalog_peak_rss_mib": [{"ours": o, "nginx": n} for o, n in wrk_memory],
            "fleet": {"ours": fleet_results[0], "nginx": fleet_results[1]},
        }, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
