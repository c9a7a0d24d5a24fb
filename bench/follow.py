"""Follow mode under load (issue 20): `python -m bench follow`.

1. **Fan-out.** `site/` is served by `site_tools.serve` in follow mode on 127.0.0.1 (a free port, a thread of
   this process). `FOLLOWERS` (200) raw sockets each open ``/_follow/events`` and are held open together;
   one thread reads them all through a selector. Then the presenter posts `MOVES` moves, one at a time:
   a move's latency for one follower is from just before the ``POST`` to the moment its ``event: move``
   is read. Reported: the median and the worst over every (follower, move), the followers held, and
   the wall time. Bounded: at most `FOLLOWERS` sockets, `DEADLINE_S` for the whole section; the server is
   shut down at the end. Target (the issue): worst ≤ 1 s.
2. **The burst of one move.** A move makes every phone load the slide's page over plain HTTP. One follower
   in headless Chromium (service workers blocked, as on the plain-HTTP LAN) opens the follow link, then
   the presenter moves to a page with Python widgets (the HOG page) and then to another (the SVM page).
   Counted for each move by the server itself, from the post until the follower's page has loaded and
   says where it is (``data-follow-at``): the responses it wrote (how many of them a 304, the
   revalidation of a file the phone has) and their bytes (status line, headers, body as sent); and the
   demos' workers the page started (Python's, the CNN's; 0: the widgets wait for a tap).
3. **The room's burst.** What that follower's page asked for on the second move (each path, and whether
   the server answered 200 or 304) is asked again by `FOLLOWERS` phones at once, against a server of its
   own process (`python -m export serve --follow`, so its threads do not share this process's GIL): one
   keep-alive connection and one thread per phone, the 304s with the ETag the phone would hold. Reported:
   when the last phone has its page (the burst's wall time) and the median phone's time. Bounded by
   `DEADLINE_S`; the server is stopped at the end.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import statistics
import time
import urllib.request
from pathlib import Path

from bench.browser import _Counter

ROOT = Path(__file__).resolve().parent.parent
SITE = Path(os.environ.get("PYODEMO_SITE", ROOT / "site"))
FOLLOWERS = 200
MOVES = 5
DEADLINE_S = 120.0


def post_move(port: int, key: str, path: str, slide: int) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/_follow/move", method="POST",
        data=json.dumps({"path": path, "slide": slide}).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def fan_out() -> dict:
    from site_tools.serve import serve_in_thread, stop_follow

    server, _ = serve_in_thread(SITE, follow=True)
    port, key = server.server_address[1], server.room.key
    pages = sorted(server.room.deck.items())
    selector = selectors.DefaultSelector()
    buffers: dict[socket.socket, bytes] = {}
    deadline = time.monotonic() + DEADLINE_S
    started = time.monotonic()

    def read_until(predicate) -> dict[socket.socket, float]:
        """Read every socket until `predicate(buffer)` holds for each; {socket: when it first held}."""
        done: dict[socket.socket, float] = {}
        while len(done) < len(buffers):
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(done)} of {len(buffers)} followers answered in time")
            for key_, _ in selector.select(timeout=1.0):
                sock = key_.fileobj
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("the server closed a follower's stream")
                buffers[sock] += chunk
                if sock not in done and predicate(buffers[sock]):
                    done[sock] = time.perf_counter()
                    buffers[sock] = b""
        return done

    try:
        for _ in range(FOLLOWERS):
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            sock.sendall(b"GET /_follow/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            sock.setblocking(False)
            buffers[sock] = b""
            selector.register(sock, selectors.EVENT_READ)
        read_until(lambda b: b"event: waiting" in b)
        held = server.room.count()
        latencies = []
        for i in range(MOVES):
            path, count = pages[i % len(pages)]
            t0 = time.perf_counter()
            post_move(port, key, path, i % count)
            arrived = read_until(lambda b: b"event: move" in b)
            latencies += [t - t0 for t in arrived.values()]
        return {
            "follow_followers_held": held,
            "follow_fanout_moves": MOVES,
            "follow_fanout_median_ms": round(1000 * statistics.median(latencies), 1),
            "follow_fanout_worst_ms": round(1000 * max(latencies), 1),
            "follow_fanout_wall_s": round(time.monotonic() - started, 1),
        }
    finally:
        for sock in list(buffers):
            selector.unregister(sock)
            sock.close()
        stop_follow(server, wait_s=2.0)
        server.shutdown()
        server.server_close()


def counting_follow_server():
    """site_tools.serve in follow mode on a free port; `server.answers` lists (path, status, bytes) of each
    response it wrote (status line, headers and body), the follow stream and the moves left out."""
    import threading
    from urllib.parse import urlsplit

    from site_tools.serve import make_server, start_follow

    server = make_server(SITE, port=0, follow=True)
    answers: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    class Counting(server.RequestHandlerClass):
        def setup(self):
            super().setup()
            self.wfile = _Counter(self.wfile, self)

        def handle_one_request(self):
            self._bench_bytes, self.bench_status = 0, 0
            super().handle_one_request()
            path = urlsplit(getattr(self, "path", "")).path
            if self._bench_bytes and path not in ("/_follow/events", "/_follow/move"):
                with lock:
                    answers.append((path, self.bench_status, self._bench_bytes))

        def send_response(self, code, message=None):
            self.bench_status = int(code)
            super().send_response(code, message)

    server.RequestHandlerClass = Counting
    server.answers = answers
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    start_follow(server, base + "/")
    return server, base


def burst() -> dict:
    from playwright.sync_api import sync_playwright

    from site_tools.browser import CHROMIUM, CHROMIUM_ARGS
    from site_tools.serve import stop_follow

    server, base = counting_follow_server()
    port, key = server.server_address[1], server.room.key
    out = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(service_workers="block", viewport={"width": 390, "height": 844})
            page = context.new_page()
            workers: list = []
            page.on("worker", lambda w: workers.append(w))
            page.goto(f"{base}/?follow")
            page.wait_for_function("() => document.documentElement.dataset.follow === 'waiting'", timeout=120_000)
            page.wait_for_load_state("load")
            for name, path, slide in (("hog", "/hog/", 3), ("svm", "/svm/", 4)):
                server.answers.clear()
                workers.clear()
                post_move(port, key, path, slide)
                page.wait_for_function(f"() => document.documentElement.dataset.followAt === '{path} {slide}'",
                                       timeout=120_000)
                page.wait_for_load_state("load")
                answers = list(server.answers)
                out["requests"] = [(path, status) for path, status, _ in answers]  # the last move's, for room_burst
                out[f"follow_burst_{name}_requests"] = len(answers)
                out[f"follow_burst_{name}_revalidated_304"] = sum(status == 304 for _, status, _ in answers)
                out[f"follow_burst_{name}_kb"] = round(sum(n for _, _, n in answers) / 1000, 1)
                out[f"follow_burst_{name}_demo_workers"] = sum(
                    "python-worker" in w.url or "cnn-worker" in w.url for w in workers)
            browser.close()
    finally:
        stop_follow(server, wait_s=2.0)
        server.shutdown()
        server.server_close()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def room_burst(requests: list[tuple[str, int]]) -> dict:
    """`FOLLOWERS` phones ask for `requests` ([(path, status)]) at once; (wall s, median phone s)."""
    import http.client
    import subprocess
    import sys
    import threading

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "site_tools.serve", "--follow", "--port", str(port),
                               "--root", str(SITE)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        while "Present from this link" not in (line := server.stdout.readline()):
            if not line:
                raise RuntimeError("the follow server did not start")
        headers = {"Accept-Encoding": "br, gzip", "Accept": "*/*"}
        etags = {}
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path, _ in requests:
            probe.request("GET", path, headers=headers)
            response = probe.getresponse()
            response.read()
            etags[path] = response.getheader("ETag")
        probe.close()
        start = threading.Barrier(FOLLOWERS + 1)
        took: list[float] = []
        failed: list[str] = []
        lock = threading.Lock()

        def phone():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
            start.wait()
            t0 = time.perf_counter()
            try:
                for path, status in requests:
                    extra = {"If-None-Match": etags[path]} if status == 304 and etags[path] else {}
                    conn.request("GET", path, headers={**headers, **extra})
                    response = conn.getresponse()
                    response.read()
                    if response.status != status:
                        raise RuntimeError(f"{path}: {response.status}, not {status}")
                with lock:
                    took.append(time.perf_counter() - t0)
            except Exception as error:  # noqa: BLE001 - counted and reported
                with lock:
                    failed.append(str(error))
            finally:
                conn.close()

        threads = [threading.Thread(target=phone, daemon=True) for _ in range(FOLLOWERS)]
        for t in threads:
            t.start()
        start.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join(max(0.0, DEADLINE_S - (time.perf_counter() - t0)))
        wall = time.perf_counter() - t0
        if failed or len(took) < FOLLOWERS:
            raise RuntimeError(f"{len(took)} of {FOLLOWERS} phones got their page; {failed[:3]}")
        return {"follow_room_burst_phones": FOLLOWERS, "follow_room_burst_requests": FOLLOWERS * len(requests),
                "follow_room_burst_wall_s": round(wall, 2), "follow_room_burst_median_phone_s": round(statistics.median(took), 2)}
    finally:
        server.send_signal(2)  # SIGINT: the server says goodbye and stops
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def run() -> dict:
    if not (SITE / "deck.json").is_file():
        raise SystemExit(f"{SITE} has no deck.json: build the site first (mkdocs build)")
    per_phone = burst()
    return {**fan_out(), **{k: v for k, v in per_phone.items() if k != "requests"}, **room_burst(per_phone["requests"])}


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
