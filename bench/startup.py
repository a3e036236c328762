#!/usr/bin/env python3
"""Kiosk start-up and memory, measured from outside.

Release build, software renderer, Xvfb at 1080x1920, a generated catalog (default 10,000
procedures) synced into the kiosk's database beforehand. For each run:
  * time from process start until the display shows the loaded home screen: screenshots of the
    root window (xwd) are taken back to back; the loaded screen is the final, steady picture (the
    home screen with the catalog size), and the figure is when it first appeared (a picture that
    differs from it only in the anti-aliasing of a few dozen pixels counts as the same);
  * resident memory (RSS and PSS) after a scripted visit with xdotool: open the search, type a
    query, open a result, go back, browse a field, open a procedure, go home.
Prints the median, min and max of each figure.

Run: python3 bench/startup.py [--count 10000] [--runs 5]
Needs: xvfb x11-apps xdotool (Debian), and `cargo build --release`."""
import argparse, hashlib, os, pathlib, shutil, signal, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parent.parent
KIOSK = ROOT / "target/release/motcua-kiosk"
CENTRAL = ROOT / "target/release/motcua-central"
W, H = 1080, 1920
HEADER_ROWS = 130  # the clock lives in the header; compare only what is below it


# A partial redraw (the header's clock each minute, its connection light) can re-blend the
# anti-aliased edges of a few dozen pixels elsewhere by a step or two: 18-358 bits in all, where
# any change a visitor would see is millions. Such a picture counts as the same picture.
NEARLY_SAME_BITS = 2048


def screen(display):
    """The display's pixels below the header."""
    # xwd failed once (exit status 1) in a full bench/run-all, during a Chromium run, and ended
    # the whole suite: a failed shot is taken again.
    for attempt in range(3):
        shot = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True)
        if shot.returncode == 0:
            break
    else:
        raise RuntimeError(f"xwd failed 3 times ({shot.returncode}): {shot.stderr.decode(errors='replace')}")
    raw = shot.stdout
    header_size = int.from_bytes(raw[0:4], "big")
    bytes_per_line = int.from_bytes(raw[48:52], "big")
    ncolors = int.from_bytes(raw[76:80], "big")
    pixels = raw[header_size + ncolors * 12:]
    return pixels[HEADER_ROWS * bytes_per_line:]


def screen_hash(display):
    return hashlib.sha1(screen(display)).hexdigest()


def nearly_same(a, b):
    if a == b:
        return True
    return len(a) == len(b) and (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).bit_count() < NEARLY_SAME_BITS


def watch(display, t0, seconds):
    """Screenshots back to back for `seconds` after t0: [(time, picture id)] and the distinct
    pictures by id."""
    shots, pictures = [], {}
    while time.monotonic() - t0 < seconds:
        pixels = screen(display)
        picture = hashlib.sha1(pixels).hexdigest()
        pictures.setdefault(picture, pixels)
        shots.append((time.monotonic() - t0, picture))
    return shots, pictures


def steady_since(shots, pictures):
    """When the final picture (or one nearly the same) first appeared and stayed."""
    final = pictures[shots[-1][1]]
    same = {picture: nearly_same(pixels, final) for picture, pixels in pictures.items()}
    return next(t for i, (t, _) in enumerate(shots) if all(same[p] for _, p in shots[i:]))


def memory(pid):
    rss = pss = 0
    for p in [pid] + children(pid):
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except FileNotFoundError:
            pass
    return rss / 1024, pss / 1024


def children(pid):
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    except FileNotFoundError:
        return []
    kids = [int(x) for x in out.split()]
    return kids + [g for k in kids for g in children(k)]


def xdo(display, *args):
    subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": display}, check=True)
    time.sleep(0.4)


def focus(display, pid):
    """Without a window manager nothing gives the kiosk's window the keyboard focus; without
    this, typing never reaches the kiosk."""
    window = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
                            env={**os.environ, "DISPLAY": display}, capture_output=True,
                            text=True, check=True).stdout.split()[0]
    xdo(display, "windowfocus", "--sync", window)


def visit(display, pid):
    xdo(display, "mousemove", "540", "620", "click", "1")          # "Tra cứu thủ tục"
    xdo(display, "mousemove", "540", "320", "click", "1")          # the search box
    focus(display, pid)
    xdo(display, "type", "--delay", "60", "dang ky khai sinh")
    xdo(display, "mousemove", "540", "480", "click", "1")          # first result
    xdo(display, "mousemove", "120", "175", "click", "1")          # back
    xdo(display, "mousemove", "400", "175", "click", "1")          # home
    xdo(display, "mousemove", "540", "1190", "click", "1")         # "Xem theo lĩnh vực"
    xdo(display, "mousemove", "540", "370", "click", "1")          # first field
    xdo(display, "mousemove", "540", "400", "click", "1")          # first procedure
    xdo(display, "mousemove", "400", "175", "click", "1")          # home


def median(values):
    s = sorted(values)
    return s[len(s) // 2], s[0], s[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for tool in ["Xvfb", "xwd", "xdotool"]:
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: apt-get install xvfb x11-apps xdotool")
    if not KIOSK.exists():
        sys.exit("build first: cargo build --release")
    work = pathlib.Path(tempfile.mkdtemp(prefix="motcua-bench-"))
    catalog = work / "catalog.json"
    subprocess.run([CENTRAL, "gen-catalog", "--count", str(args.count), "-o", catalog], check=True)
    central_dir, kiosk_dir = work / "central", work / "kiosk"
    subprocess.run([CENTRAL, "--data-dir", central_dir, "import", catalog], check=True, capture_output=True)
    server = subprocess.Popen([CENTRAL, "--data-dir", central_dir, "serve", "--listen", "127.0.0.1:18480"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    url = "http://127.0.0.1:18480"
    subprocess.run([KIOSK, "--data-dir", kiosk_dir, "--server", url, "sync"], check=True, capture_output=True)
    display = ":91"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", f"{W}x{H}x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    starts, rss_after, pss_after = [], [], []
    try:
        for run in range(args.runs):
            blank = screen_hash(display)
            env = {**os.environ, "DISPLAY": display, "SLINT_BACKEND": "winit-software", "RUST_LOG": "warn"}
            t0 = time.monotonic()
            kiosk = subprocess.Popen([KIOSK, "--data-dir", kiosk_dir, "--server", url], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            shots, pictures = watch(display, t0, 6.0)
            final = shots[-1][1]
            first = steady_since(shots, pictures)
            assert final != blank, "the kiosk never drew anything"
            starts.append(first * 1000)
            visit(display, kiosk.pid)
            time.sleep(1.0)
            rss, pss = memory(kiosk.pid)
            rss_after.append(rss)
            pss_after.append(pss)
            kiosk.send_signal(signal.SIGTERM)
            kiosk.wait(timeout=10)
            print(f"run {run + 1}: loaded screen after {first * 1000:.0f} ms; after the visit RSS {rss:.1f} MiB, PSS {pss:.1f} MiB", flush=True)
    finally:
        xvfb.terminate()
        server.terminate()
        shutil.rmtree(work, ignore_errors=True)
    m, lo, hi = median(starts)
    print(f"start to loaded screen: median {m:.0f} ms (min {lo:.0f}, max {hi:.0f})")
    m, lo, hi = median(rss_after)
    print(f"RSS after the visit: median {m:.1f} MiB (min {lo:.1f}, max {hi:.1f})")
    m, lo, hi = median(pss_after)
    print(f"PSS after the visit: median {m:.1f} MiB (min {lo:.1f}, max {hi:.1f})")


if __name__ == "__main__":
    main()
