#!/usr/bin/env python3
"""The kiosk against a Chromium kiosk, measured from outside the same way (issue 8).

Both show the same generated catalog (default 10,000 procedures) under the same Xvfb at
1080x1920x24, software rendering (there is no GPU):
  (a) the release kiosk exactly as bench/startup.py runs it (its own database, synced
      beforehand; SLINT_BACKEND=winit-software);
  (b) Debian's Chromium in --kiosk mode showing http://127.0.0.1:PORT/tra-cuu, the central
      server's web search page, which downloads the catalog from /api/v1/catalog on load and
      filters it as you type; a fresh profile each run.
The release central server is started once, before any clock, and serves both.

Per run and per contender:
  * time to the first useful screen: from process start until the screenshots (xwd of the root
    window, back to back, below the top 130 rows as in startup.py) first show the final steady
    picture; for Chromium the run only counts when the window title then says the catalog is
    loaded ("10000 thủ tục");
  * also, for reference, when the first picture of any kind appeared;
  * memory after the same scripted interaction (xdotool: open the search on the kiosk; click the
    search box, type "dang ky khai sinh", wait 1 s, four backspaces, type "tu", wait 1 s):
    PSS and RSS summed over every process of the contender (its descendants and everything in
    its session, so Chromium's zygotes, renderers, GPU and utility processes all count).
Prints median, min and max of each figure and the ratios Chromium / kiosk.

Run: python3 bench/kiosk_vs_chromium.py [--count 10000] [--runs 5]
Needs: xvfb x11-apps xdotool chromium (Debian), and release builds of motcua-kiosk and
motcua-central."""
import argparse, json, os, pathlib, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import startup  # noqa: E402  (screen_hash, xdo, median, paths, screen size)

CHROMIUM = "/usr/bin/chromium"
PORT = 18481
DISPLAY = ":92"


def session_pids(leader):
    """The leader, its descendants, and every process in its session (started with
    start_new_session, so the session id is the leader's pid)."""
    pids = {leader, *startup.children(leader)}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == leader:
                    pids.add(int(entry))
            except (ProcessLookupError, PermissionError):
                pass
    return sorted(pids)


def memory(leader):
    rss = pss = 0
    pids = session_pids(leader)
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup"):
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except (FileNotFoundError, ProcessLookupError):
            pass
    return rss / 1024, pss / 1024, len(pids)


def time_to_steady(t0, seconds, blank):
    """Screenshots back to back for `seconds` after t0: when the final picture first appeared
    and stayed (startup.py's rule), when anything first appeared, and the final picture."""
    shots, pictures = startup.watch(DISPLAY, t0, seconds)
    final = shots[-1][1]
    first = startup.steady_since(shots, pictures)
    drawn = next((t for t, h in shots if h != blank), first)
    return first, drawn, final


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    time.sleep(1.0)  # let the session's other processes go and the screen clear


def type_query(kiosk_pid=None):
    if kiosk_pid:
        startup.xdo(DISPLAY, "mousemove", "540", "620", "click", "1")   # "Tra cứu thủ tục"
        startup.xdo(DISPLAY, "mousemove", "540", "320", "click", "1")   # the search box
        startup.focus(DISPLAY, kiosk_pid)   # Chromium takes the focus itself
    else:
        startup.xdo(DISPLAY, "mousemove", "540", "195", "click", "1")   # the search box
    startup.xdo(DISPLAY, "type", "--delay", "60", "dang ky khai sinh")
    time.sleep(1.0)
    startup.xdo(DISPLAY, "key", "--delay", "60", "BackSpace", "BackSpace", "BackSpace", "BackSpace")
    startup.xdo(DISPLAY, "type", "--delay", "60", "tu")
    time.sleep(1.0)


def run_kiosk(kiosk_dir, url, window):
    blank = startup.screen_hash(DISPLAY)
    env = {**os.environ, "DISPLAY": DISPLAY, "SLINT_BACKEND": "winit-software", "RUST_LOG": "warn"}
    t0 = time.monotonic()
    proc = subprocess.Popen([startup.KIOSK, "--data-dir", kiosk_dir, "--server", url], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        first, drawn, final = time_to_steady(t0, window, blank)
        assert final != blank, "the kiosk never drew anything"
        type_query(kiosk_pid=proc.pid)
        return (first * 1000, *memory(proc.pid), drawn * 1000)
    finally:
        stop(proc)


def run_chromium(url, count, window):
    blank = startup.screen_hash(DISPLAY)
    profile = tempfile.mkdtemp(prefix="motcua-chromium-")
    env = {**os.environ, "DISPLAY": DISPLAY}
    args = [CHROMIUM, "--kiosk", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-sandbox", "--disable-gpu",
            f"--user-data-dir={profile}", f"--window-size={startup.W},{startup.H}",
            "--window-position=0,0", f"{url}/tra-cuu"]
    t0 = time.monotonic()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        first, drawn, final = time_to_steady(t0, window, blank)
        assert final != blank, "Chromium never drew anything"
        loaded = subprocess.run(["xdotool", "search", "--name", f"{count} thủ tục"],
                                env=env, capture_output=True, text=True).stdout.split()
        assert loaded, "the page did not show the loaded catalog within the window"
        type_query()
        return (first * 1000, *memory(proc.pid), drawn * 1000)
    finally:
        stop(proc)
        shutil.rmtree(profile, ignore_errors=True)


def attempt(label, name, run, tries=3):
    """A run that failed (nothing drawn, the page not loaded in time) is reported and redone."""
    for n in range(tries):
        try:
            return run()
        except AssertionError as error:
            print(f"{label} {name:8}: attempt {n + 1} failed ({error}); redone", flush=True)
    sys.exit(f"{name} failed {tries} times")


def summary(values):
    m, lo, hi = startup.median(values)
    return m, lo, hi


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs of each first")
    parser.add_argument("--kiosk-window", type=float, default=6.0, help="seconds of screenshots (startup.py: 6)")
    parser.add_argument("--chromium-window", type=float, default=15.0, help="seconds of screenshots")
    parser.add_argument("--json", help="also write the figures here, for bench/run-all")
    args = parser.parse_args()
    for tool in ["Xvfb", "xwd", "xdotool", CHROMIUM]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install xvfb x11-apps xdotool chromium")
    if not startup.KIOSK.exists() or not startup.CENTRAL.exists():
        sys.exit("build first: cargo build --release -p motcua-kiosk -p motcua-central")
    work = pathlib.Path(tempfile.mkdtemp(prefix="motcua-vs-"))
    catalog = work / "catalog.json"
    subprocess.run([startup.CENTRAL, "gen-catalog", "--count", str(args.count), "--seed", "1", "-o", catalog], check=True)
    central_dir, kiosk_dir = work / "central", work / "kiosk"
    subprocess.run([startup.CENTRAL, "--data-dir", central_dir, "import", catalog], check=True, capture_output=True)
    server = subprocess.Popen([startup.CENTRAL, "--data-dir", central_dir, "serve", "--listen", f"127.0.0.1:{PORT}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    url = f"http://127.0.0.1:{PORT}"
    subprocess.run([startup.KIOSK, "--data-dir", kiosk_dir, "--server", url, "sync"], check=True, capture_output=True)
    xvfb = subprocess.Popen(["Xvfb", DISPLAY, "-screen", "0", f"{startup.W}x{startup.H}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    results = {"kiosk": [], "chromium": []}
    try:
        for run in range(-args.warmup, args.runs):
            label = "warm-up" if run < 0 else f"run {run + 1}"
            k = attempt(label, "kiosk", lambda: run_kiosk(kiosk_dir, url, args.kiosk_window))
            c = attempt(label, "chromium", lambda: run_chromium(url, args.count, args.chromium_window))
            for name, r in [("kiosk", k), ("chromium", c)]:
                print(f"{label} {name:8}: first picture after {r[4]:5.0f} ms, loaded screen after {r[0]:5.0f} ms; "
                      f"after the interaction "
                      f"RSS {r[1]:7.1f} MiB, PSS {r[2]:7.1f} MiB over {r[3]} processes", flush=True)
                if run >= 0:
                    results[name].append(r)
    finally:
        xvfb.terminate()
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)
    print()
    print(f"{'figure':28} {'kiosk median (min-max)':>28} {'chromium median (min-max)':>30} {'ratio':>7}")
    for i, figure, unit, fmt in [(0, "start to loaded screen", "ms", ".0f"), (4, "start to first picture", "ms", ".0f"), (2, "PSS after the interaction", "MiB", ".1f"),
                                 (1, "RSS after the interaction", "MiB", ".1f")]:
        k = summary([r[i] for r in results["kiosk"]])
        c = summary([r[i] for r in results["chromium"]])
        ks = f"{k[0]:{fmt}} ({k[1]:{fmt}}-{k[2]:{fmt}}) {unit}"
        cs = f"{c[0]:{fmt}} ({c[1]:{fmt}}-{c[2]:{fmt}}) {unit}"
        print(f"{figure:28} {ks:>28} {cs:>30} {c[0] / k[0]:6.1f}x")
    procs = [r[3] for r in results["chromium"]]
    print(f"chromium processes counted: {min(procs)}-{max(procs)}")
    if args.json:
        figures = {"start_to_loaded_ms": 0, "start_to_first_picture_ms": 4, "pss_mib": 2, "rss_mib": 1}
        pathlib.Path(args.json).write_text(json.dumps({
            name: {figure: summary([r[i] for r in results[name]]) for figure, i in figures.items()}
            for name in results
        }, indent=1))


if __name__ == "__main__":
    main()
