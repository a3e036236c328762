#!/usr/bin/env python3
"""Dossier status under load: the public status page (what a receipt's QR opens on phones) and the
kiosk status API, driven by `wrk` on loopback against the release `motcua-central`, next to nginx
serving a static file of the same size in the same run (the ceiling to compare with).

Needs: apt-get install wrk nginx-light ; cargo build --release -p motcua-central
Run:   python3 bench/status_load.py [--runs 3] [--seconds 10] [--connections 32]
Prints a Markdown table (median, min, max of the runs) for docs/BENCHMARKS.md.

The server runs with its demo data (300 background dossiers, 12 showcase ones) and the status
page's per-address rate limit raised out of the way: every request comes from 127.0.0.1 here, where
in real use each phone has its own address. wrk, the server and nginx share the machine's cores.
"""
import argparse, json, os, pathlib, re, shutil, signal, statistics, subprocess, sys, tempfile
import time, urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from benchlib import CENTRAL, Nginx, free_port, need_tools, summary, wait_for  # noqa: E402
import benchlib  # noqa: E402


def wrk(url, seconds, connections, headers=()):
    r = benchlib.wrk(url, seconds, connections, headers)
    return r["rps"], r["p99"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    a = ap.parse_args()
    need_tools("wrk", "nginx")

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="motcua-load-"))
    tmp.chmod(0o755)  # nginx workers run as www-data when started by root
    port, nginx_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    (tmp / "central.toml").write_text(
        f'listen = "127.0.0.1:{port}"\ndata_dir = "{tmp}/central"\n'
        "status_page_per_minute = 1000000000\nstatus_page_burst = 1000000000\n")
    cli = [str(CENTRAL), "--config", str(tmp / "central.toml")]
    server = subprocess.Popen(cli + ["serve", "--demo"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    nginx = None
    try:
        wait_for(f"{base}/api/v1/health")
        dossiers = json.loads(subprocess.run(cli + ["dossier", "list", "--json"], check=True,
                                             capture_output=True, text=True).stdout)
        shown = next(d for d in dossiers if d.get("status") == 5 or d.get("status") == "5")
        detail = json.loads(subprocess.run(cli + ["dossier", "show", shown["code"], "--json"],
                                           check=True, capture_output=True, text=True).stdout)
        page_url = detail["status_url"]
        enroll_code = subprocess.run(cli + ["kiosk", "add", "bench"], check=True,
                                     capture_output=True, text=True).stdout
        enroll_code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2}", enroll_code).group(0)
        request = urllib.request.Request(f"{base}/api/v1/kiosks/enroll", method="POST",
                                         data=json.dumps({"code": enroll_code}).encode(),
                                         headers={"content-type": "application/json"})
        credential = json.load(urllib.request.urlopen(request))["credential"]
        api_url = f"{base}/api/v1/dossiers/{shown['code']}"
        auth = f"Authorization: Bearer {credential}"

        page_bytes = urllib.request.urlopen(page_url).read()
        api_req = urllib.request.Request(api_url, headers={"Authorization": f"Bearer {credential}"})
        api_bytes = urllib.request.urlopen(api_req).read()
        www = tmp / "www"
        www.mkdir()
        (www / "page.html").write_bytes(b"x" * len(page_bytes))
        (www / "api.json").write_bytes(b"x" * len(api_bytes))
        nginx = Nginx(tmp, nginx_port, www)
        wait_for(f"http://127.0.0.1:{nginx_port}/page.html")

        cases = [
            ("public status page `/ho-so/<token>`", page_url, [], len(page_bytes),
             f"http://127.0.0.1:{nginx_port}/page.html"),
            ("kiosk status API `/api/v1/dossiers/<code>`", api_url, [auth], len(api_bytes),
             f"http://127.0.0.1:{nginx_port}/api.json"),
        ]
        results = []
        for name, url, headers, size, static in cases:
            ours, peer = [], []
            for _ in range(a.runs):
                ours.append(wrk(url, a.seconds, a.connections, headers))
                peer.append(wrk(static, a.seconds, a.connections))
            results.append((name, size, ours, peer))
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=10)
        if nginx:
            nginx.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    cpu = os.cpu_count()
    mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    print(f"Machine: {cpu} cores, {mem} GiB; {time.strftime('%Y-%m-%d')}; wrk -t2 -c{a.connections} "
          f"-d{a.seconds}s, {a.runs} runs each, median (min–max)\n")
    print("| figure | motcua-central | nginx, static file of the same size | ratio |")
    print("|---|---|---|---|")
    for name, size, ours, peer in results:
        rps = lambda v: f"{v:,.0f} req/s"
        ms = lambda v: f"{v:.2f} ms"
        our_rps, peer_rps = [r for r, _ in ours], [r for r, _ in peer]
        our_p99, peer_p99 = [p for _, p in ours], [p for _, p in peer]
        print(f"| {name} ({size:,} bytes): throughput | {summary(our_rps, rps)} | "
              f"{summary(peer_rps, rps)} | {statistics.median(our_rps) / statistics.median(peer_rps):.2f}× |")
        print(f"| {name}: p99 latency | {summary(our_p99, ms)} | {summary(peer_p99, ms)} | "
              f"{statistics.median(our_p99) / statistics.median(peer_p99):.1f}× |")


if __name__ == "__main__":
    main()
