"""Shared parts of the load benchmarks (bench/status_load.py, bench/central_load.py): free ports,
waiting for a server, running `wrk` and reading its report, nginx as the static-file ceiling,
process CPU and memory from /proc, the machine's description, and median (min–max) summaries.
Python 3 standard library only."""
import os, pathlib, re, shutil, socket, statistics, subprocess, sys, time, urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CENTRAL = ROOT / "target/release/motcua-central"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except Exception:
            time.sleep(0.1)
    sys.exit(f"{url} did not come up")


def need_tools(*tools):
    for tool in tools:
        if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
            sys.exit(f"{tool} is missing: apt-get install wrk nginx-light")
    if not CENTRAL.exists():
        sys.exit("build first: cargo build --release -p motcua-central")


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def wrk(url, seconds, connections, headers=(), threads=2, script=None, timeout=None,
        allow_errors=False):
    """Runs wrk once; returns {"rps", "p50", "p99" (ms), "requests", "errors", "non2xx"}.
    Unless `allow_errors`, any error response or socket error ends the benchmark: the figures
    would be meaningless."""
    args = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if timeout:
        args += ["--timeout", f"{timeout}s"]
    if script:
        args += ["-s", str(script)]
    for h in headers:
        args += ["-H", h]
    out = subprocess.run(args + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    pct = {}
    for p in ("50", "99"):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        pct[p] = float(m.group(1)) * _UNITS[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non2xx = int(non2xx.group(1)) if non2xx else 0
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = sum(int(x) for x in sock.groups()) if sock else 0
    if (non2xx or errors) and not allow_errors:
        sys.exit(f"{url}: {non2xx} error responses, {errors} socket errors; the figures would be "
                 f"meaningless\n{out}")
    return {"rps": rps, "p50": pct["50"], "p99": pct["99"], "requests": requests,
            "errors": errors, "non2xx": non2xx}


class Nginx:
    """nginx (2 workers, Debian's nginx-light) on 127.0.0.1:`port` serving `root`; `locations`
    is extra configuration inside the server block."""

    def __init__(self, tmp, port, root, locations="", workers=2):
        self.tmp, self.port = pathlib.Path(tmp), port
        conf = self.tmp / "nginx.conf"
        conf.write_text(f"""
worker_processes {workers};
pid {self.tmp}/nginx.pid;
error_log {self.tmp}/nginx-error.log;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
{locations}
    }}
}}
""")
        self.proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(self.tmp),
                                      "-g", "daemon off;"])

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def pids(self):
        """The master and its workers."""
        pids = [self.proc.pid]
        for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def cpu_seconds(pids):
    """utime + stime of the processes (all their threads), in seconds."""
    total = 0
    for pid in pids:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # fields 14 and 15 of proc(5)
    return total / CLK_TCK


def rss_mib(pids):
    """Resident memory summed over the processes, MiB (VmRSS)."""
    total = 0
    for pid in pids:
        m = re.search(r"^VmRSS:\s+(\d+) kB", pathlib.Path(f"/proc/{pid}/status").read_text(), re.M)
        total += int(m.group(1))
    return total / 1024


def machine():
    """What the figures were measured on: cores, memory, CPU, date (UTC), load."""
    cpu = "?"
    for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cores": os.cpu_count(), "memory_gib": round(mem, 1), "cpu": cpu,
            "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
            "loadavg": os.getloadavg()[0]}


def summary(values, fmt):
    """`median (min–max)`."""
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def ratio(ours, peer):
    peer = statistics.median(peer)
    return statistics.median(ours) / peer if peer else float("nan")
