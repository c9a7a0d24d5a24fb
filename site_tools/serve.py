"""The one static server: `make run`, the tests and the benchmark all serve `site/` with it.

What a plain `python -m http.server` lacks and the site needs:

* the right MIME types (`.mjs` as JavaScript, `.wasm` as `application/wasm`, `.onnx`, `.whl`);
* pre-compressed copies: `x.js.br` / `x.js.gz` written by the build are sent for `x.js` with
  `Content-Encoding` when the browser accepts them;
* the site's headers: the Content-Security-Policy computed at build time (`site/_headers.json`,
  written by `site_tools.site_hook`), `nosniff`, no referrer, camera for this origin only;
* `ETag` / `If-None-Match` revalidation, and `no-cache` for pages and the service worker so a new build
  is seen at once;
* 127.0.0.1 by default. `--lan` also listens on the machine's LAN address (plain HTTP: the camera and
  service workers need a secure context, so there only the file picker works);
* follow mode (`--lan`, or `--follow` on 127.0.0.1 alone): the phones follow the presenter's slides over
  server-sent events (`site_tools.follow`): ``GET /_follow/events``, ``POST /_follow/move`` (the key printed at
  start), ``GET /_follow/config.json`` (the follow link; the build writes ``{"follow": false}`` there, so a
  static host offers nothing) and ``GET /_follow/qr.svg`` (the follow link's QR code, drawn at start).

Run: ``python -m site_tools.serve [--port 8000] [--lan] [--follow] [--root site]``.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import io
import json
import mimetypes
import os
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from site_tools.follow import MAX_BODY, SEND_TIMEOUT_S, MoveError, Room, load_deck, sse

MIME_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".wasm": "application/wasm",
    ".zip": "application/zip",
    ".whl": "application/zip",
    ".onnx": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".svm": "application/octet-stream",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml",
    ".map": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
}

#: Used when the build wrote no `_headers.json` (e.g. serving an old build): scripts from this origin only.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def content_type(path: Path) -> str:
    return MIME_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def accepted_encodings(header: str | None) -> set[str]:
    """The codings a request's `Accept-Encoding` allows (q=0 excluded)."""
    accepted = set()
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name and "q=0" not in params.replace(" ", "").replace("q=0.", "q=x"):
            accepted.add(name.strip().lower())
    return accepted


class SiteHandler(BaseHTTPRequestHandler):
    server_version = "pyodemo"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    root: Path
    headers_extra: dict[str, str]
    quiet = True
    room: Room | None = None  # follow mode
    follow_config: bytes = b""
    follow_qr: bytes | None = None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)

    def resolve(self, url_path: str) -> Path | None:
        """Map a URL path to a file below the root, or None (no escaping the root, no dotfiles)."""
        parts = [p for p in unquote(url_path).split("/") if p not in ("", ".")]
        if any(p == ".." or p.startswith(".") for p in parts):
            return None
        path = self.root.joinpath(*parts)
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() else None

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.send_file(head=True)

    def do_GET(self) -> None:  # noqa: N802
        if self.room is not None and urlsplit(self.path).path.startswith(FOLLOW):
            return self.follow_get(urlsplit(self.path).path)
        self.send_file(head=False)

    # --- follow mode (site_tools.follow) ---------------------------------------------------------------

    def do_POST(self) -> None:  # noqa: N802
        if self.room is None or urlsplit(self.path).path != FOLLOW + "move":
            self.close_connection = True
            return self.send_small(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")
        length = self.headers.get("Content-Length")
        if not self.room.authorized(self.headers.get("Authorization")):
            self.close_connection = True
            return self.send_small(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8",
                                   b"only the presenter's slide window (with its key) moves the room\n")
        if length is None or not length.isdigit():
            self.close_connection = True
            return self.send_small(HTTPStatus.LENGTH_REQUIRED, "text/plain; charset=utf-8", b"Content-Length needed\n")
        if int(length) > MAX_BODY:
            self.close_connection = True
            return self.send_small(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "text/plain; charset=utf-8",
                                   f"a move is at most {MAX_BODY} bytes\n".encode())
        try:
            path, slide = self.room.parse_move(self.rfile.read(int(length)))
        except MoveError as error:
            return self.send_small(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", f"{error}\n".encode())
        state = self.room.move(path, slide)
        self.send_small(HTTPStatus.OK, "application/json", json.dumps({**state, "followers": self.room.count()}).encode())

    def follow_get(self, path: str) -> None:
        if path == FOLLOW + "config.json":
            return self.send_small(HTTPStatus.OK, "application/json", self.follow_config)
        if path == FOLLOW + "qr.svg" and self.follow_qr:
            return self.send_small(HTTPStatus.OK, "image/svg+xml", self.follow_qr)
        if path == FOLLOW + "events":
            return self.follow_events()
        self.send_small(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found\n")

    def follow_events(self) -> None:
        """One phone's stream of moves (server-sent events) until it leaves or the server stops."""
        self.close_connection = True
        self.connection.settimeout(SEND_TIMEOUT_S)  # a send blocked this long drops the phone
        follower = self.room.join(self.connection)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Accel-Buffering", "no")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            if follower is None:
                self.wfile.write(b"retry: 60000\n\n" + sse_refused(self.room))
                return
            self.room.stream(follower, self.wfile.write)
        except OSError:
            pass

    def send_small(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def send_file(self, head: bool) -> None:
        url = urlsplit(self.path)
        path = self.resolve(url.path)
        if path is None and not url.path.endswith("/") and self.resolve(url.path + "/"):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", url.path + "/" + (f"?{url.query}" if url.query else ""))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = HTTPStatus.OK
        if path is None:
            status, path = HTTPStatus.NOT_FOUND, self.root / "404.html"
            if not path.is_file():
                self.send_error(HTTPStatus.NOT_FOUND)
                return
        body_path, encoding = path, None
        accepted = accepted_encodings(self.headers.get("Accept-Encoding"))
        for name, suffix in ENCODINGS:
            candidate = path.with_name(path.name + suffix)
            if name in accepted and candidate.is_file():
                body_path, encoding = candidate, name
                break
        stat = body_path.stat()
        etag = '"%s"' % hashlib.blake2b(
            f"{body_path}:{stat.st_mtime_ns}:{stat.st_size}".encode(), digest_size=12
        ).hexdigest()
        if status == HTTPStatus.OK and etag in (self.headers.get("If-None-Match") or ""):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.send_common_headers(path)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type(path))
        self.send_header("Content-Length", str(stat.st_size))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_common_headers(path)
        self.end_headers()
        if head:
            return
        with body_path.open("rb") as f:
            try:
                while chunk := f.read(1 << 16):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def send_common_headers(self, path: Path) -> None:
        self.send_header("Vary", "Accept-Encoding")
        revalidate = path.suffix == ".html" or path.name in ("sw.js", "_headers.json")
        self.send_header("Cache-Control", "no-cache" if revalidate else "public, max-age=0, must-revalidate")
        document = path.suffix in DOCUMENT_SUFFIXES
        for name, value in self.headers_extra.items():
            if document or name not in DOCUMENT_ONLY:
                self.send_header(name, value)


FOLLOW = "/_follow/"


def sse_refused(room: Room) -> bytes:
    """The one event a follower the room cannot take gets: the server is stopping, or the room is full."""
    if room.closed:
        return sse("bye", {"message": "The presenter's server stopped."})
    return sse("full", {"message": f"The room is full: {room.limit} phones already follow the presenter."})


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a room of phones connecting at once (socketserver's default backlog is 5)

    def handle_error(self, request, client_address) -> None:
        """A browser that drops its connection (a closed tab, Lighthouse stopping Chrome) is not the server's
        error: no traceback for it. Anything else is printed, as socketserver does."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


#: Headers that act only on a document or a worker (whose script is a .js/.mjs): a browser ignores them on
#: an image, a wasm module or a model file, where they would add ~0.8 kB to every response (60 of them
#: before the CNN's first answer on a phone).
DOCUMENT_ONLY = {"Content-Security-Policy", "Referrer-Policy", "Permissions-Policy", "Cross-Origin-Opener-Policy"}
DOCUMENT_SUFFIXES = {".html", ".js", ".mjs"}


def site_headers(root: Path) -> dict[str, str]:
    """The security headers for the site, with the CSP the build computed (falls back to DEFAULT_CSP)."""
    csp = DEFAULT_CSP
    written = root / "_headers.json"
    if written.is_file():
        csp = json.loads(written.read_text())["Content-Security-Policy"]
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def make_server(root: Path | str = "site", host: str = "127.0.0.1", port: int = 8000,
                follow: bool = False, follow_limit: int | None = None) -> SiteServer:
    """A ready server (not yet serving). Port 0 picks a free port: `server.server_address[1]`.

    `follow`: follow mode on (`server.room`; `start_follow` sets its link once the address is known)."""
    root = Path(root).resolve()
    if not (root / "index.html").is_file():
        raise ValueError(f"{root} has no index.html: build the site first (make site)")
    attrs = {"root": root, "headers_extra": site_headers(root)}
    if follow:
        if not (root / "deck.json").is_file():
            raise ValueError(f"{root} has no deck.json: rebuild the site (make site) for follow mode")
        attrs["room"] = Room(load_deck(root), **({"limit": follow_limit} if follow_limit else {}))
    handler = type("Handler", (SiteHandler,), attrs)
    server = SiteServer((host, port), handler)
    server.room = handler.room
    return server


def start_follow(server: SiteServer, base_url: str) -> tuple[str, str]:
    """Set the follow link (`base_url` + ``?follow``) and its QR code; returns (follow link, presenter link)."""
    handler = server.RequestHandlerClass
    base = base_url.rstrip("/") + "/"
    link = base + "?follow"
    try:  # segno is in the `docs` extra, which `make run` installs; without it the link is shown as text
        import segno

        buffer = io.BytesIO()
        segno.make(link, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff",
                                         title=f"QR code: {link}")
        handler.follow_qr = buffer.getvalue()
    except ImportError:
        handler.follow_qr = None
    config = {"follow": True, "link": link, "limit": server.room.limit}
    if handler.follow_qr:
        config["qr"] = "_follow/qr.svg"
    handler.follow_config = json.dumps(config).encode()
    return link, f"http://127.0.0.1:{server.server_address[1]}/?present#key={server.room.key}"


def stop_follow(server: SiteServer, wait_s: float = 2.0) -> None:
    """Tell every phone the server stops, and give their threads up to `wait_s` to send it."""
    room = server.room
    if room is None:
        return
    room.close()
    deadline = time.monotonic() + wait_s
    while room.count() and time.monotonic() < deadline:
        time.sleep(0.02)


def serve_in_thread(root: Path | str = "site", host: str = "127.0.0.1", port: int = 0, follow: bool = False,
                    follow_limit: int | None = None):
    """Start a server on a background thread; returns (server, base_url). Call `server.shutdown()`.
    With `follow`, the follow link is this address's (``server.room.key`` moves the room)."""
    server = make_server(root, host, port, follow=follow, follow_limit=follow_limit)
    # (polled every 50 ms instead of 500: `server.shutdown()` returns at once, which tests do many times)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="site-server",
                              daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    if follow:
        start_follow(server, f"http://{host}:{port}/")
    return server, f"http://{host}:{port}"


def lan_address() -> str | None:
    """The address other machines on the LAN reach this one at (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            return s.getsockname()[0]
        except OSError:
            return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_tools.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="site", help="the built site (default: site)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
    parser.add_argument("--lan", action="store_true", help="also listen on the LAN address (file picker only)")
    parser.add_argument("--follow", action=argparse.BooleanOptionalAction, default=None,
                        help="follow mode: phones follow the presenter's slides (default: on with --lan)")
    parser.add_argument("--followers", type=int, default=None, help="at most this many phones follow (default 256)")
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    host = "0.0.0.0" if args.lan else args.host
    follow = args.lan if args.follow is None else args.follow
    try:
        server = make_server(args.root, host, args.port, follow=follow, follow_limit=args.followers)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    server.RequestHandlerClass.quiet = not args.verbose
    port = server.server_address[1]
    print(f"Serving the talk at http://127.0.0.1:{port}/  (Ctrl+C to stop)", flush=True)
    address = None
    if args.lan:
        address = lan_address()
        if address:
            url = f"http://{address}:{port}/try/"
            print(f"Audience on this network: {url}")
            print("Plain HTTP on a LAN is not a secure context: phones can pick or take a photo, not stream the camera.")
            terminal_qr(url)
        else:
            print("No LAN address found; serving on all interfaces anyway.")
    if follow:
        link, presenter = start_follow(server, f"http://{address or '127.0.0.1'}:{port}/")
        print(f"Follow mode: phones that open {link} follow your slides (QR on the title slide).")
        print(f"Present from this link (it holds the key; keep it to yourself): {presenter}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        stop_follow(server)
        server.server_close()
    return 0


def terminal_qr(url: str) -> None:
    try:
        import segno

        segno.make(url).terminal(compact=True)
    except ImportError:
        pass


if __name__ == "__main__":
    raise SystemExit(main())
