"""Follow mode (issue 20): the audience's phones follow the presenter's slides, from `make run LAN=1`.

One `Room` per server. The presenter's slide window posts each move (``POST /_follow/move``, the room's
key in ``Authorization: Bearer …``); every phone that opened the follow link holds one server-sent-events
stream (``GET /_follow/events``) and gets the move as ``event: move`` with ``{"path", "slide", "seq"}``.

* **The key** is ``secrets.token_urlsafe(24)`` (192 random bits), made at start, compared with
  ``hmac.compare_digest`` (constant time). Wrong or missing: 403. The body is capped (`MAX_BODY` bytes:
  413 over it, 411 without a length).
* **The target** must be a page of the build's `deck.json` (``/`` + its site-relative path) and a slide
  number in ``0 ≤ slide < slides`` of that page; anything else is 400 with the reason. The phones check
  the same list again before they navigate (`slides/js/follow/follower.js`).
* **Many phones on bad Wi-Fi.** At most `limit` followers at a time (a stream over the bound gets
  ``event: full`` and is closed). Each follower has its own bounded queue, filled without blocking by the
  move; its own thread writes it to the socket with a send timeout. A follower whose queue is full (it
  could not take `QUEUE` events) or whose send times out is dropped, so a slow or vanished phone never
  holds up the others. A comment line every `KEEPALIVE_S` keeps proxies and phones from closing an idle
  stream (and finds vanished clients). A phone that moves to another page closes its stream and opens a
  new one: each follower's thread looks for its peer's close every `POLL_S`, and a full room first
  forgets the streams whose peer has closed, so a room of phones changing page is never "full" of
  their old streams. A new stream starts with ``retry:`` and the current slide, so a
  phone that reconnects resyncs at once. `Room.close` (server stopping) sends ``event: bye``.
"""

from __future__ import annotations

import hmac
import json
import queue
import secrets
import select
import socket
import time
import threading
from dataclasses import dataclass, field
from pathlib import Path

MAX_BODY = 1024
QUEUE = 8
KEEPALIVE_S = 15.0
POLL_S = 1.0
SEND_TIMEOUT_S = 10.0
RETRY_MS = 2000
LIMIT = 256
BYE = object()


class MoveError(ValueError):
    """A move the server refuses (the message says why; HTTP 400)."""


def load_deck(root: Path | str) -> dict[str, int]:
    """{"/hog/": 9, …}: the site's pages (absolute paths on this server) and their slide counts."""
    data = json.loads((Path(root) / "deck.json").read_text(encoding="utf-8"))
    return {"/" + page["path"]: int(page["slides"]) for page in data["pages"]}


def sse(event: str, data: dict) -> bytes:
    """One server-sent event (a single `data:` line: the JSON has no newline)."""
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def peer_closed(connection: socket.socket | None) -> bool:
    """Has the other end closed this connection? (Readable with nothing to read; no byte is consumed.)"""
    if connection is None:
        return False
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


@dataclass(eq=False)
class Follower:
    connection: socket.socket | None = None
    events: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=QUEUE))
    dropped: bool = False

    def offer(self, item) -> bool:
        """Queue `item` without waiting; a follower that cannot take it is dropped (False)."""
        try:
            self.events.put_nowait(item)
            return True
        except queue.Full:
            self.drop()
            return False

    def drop(self) -> None:
        """Stop this follower: its thread sees `dropped`, a send it is blocked in fails at once."""
        self.dropped = True
        if self.connection is not None:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Room:
    """The presenter's current slide, the key that moves it, and the phones that follow it."""

    def __init__(self, deck: dict[str, int], key: str | None = None, limit: int = LIMIT) -> None:
        if not deck:
            raise ValueError("follow mode needs the build's deck.json with at least one page")
        self.deck = dict(deck)
        self.key = key or secrets.token_urlsafe(24)
        self.limit = limit
        self.lock = threading.Lock()
        self.followers: set[Follower] = set()
        self.state: dict | None = None
        self.seq = 0
        self.closed = False
        self.dropped = 0
        self.refused = 0

    # --- the presenter ----------------------------------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        """Is `header` (``Authorization``) ``Bearer <the key>``? Constant-time comparison."""
        scheme, _, given = (header or "").partition(" ")
        ok = hmac.compare_digest(given.strip().encode(), self.key.encode())
        return scheme.lower() == "bearer" and ok

    def parse_move(self, body: bytes) -> tuple[str, int]:
        """(path, slide) of a move's JSON body ``{"path": "/hog/", "slide": 2}``, or MoveError."""
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise MoveError("the body is not JSON") from None
        if not isinstance(data, dict):
            raise MoveError('the body must be a JSON object {"path": ..., "slide": ...}')
        path, slide = data.get("path"), data.get("slide")
        if not isinstance(path, str) or path not in self.deck:
            raise MoveError(f"{str(path)[:80]!r} is not a page of this talk")
        if not isinstance(slide, int) or isinstance(slide, bool) or not 0 <= slide < self.deck[path]:
            raise MoveError(f"slide {str(slide)[:20]} is not a slide of {path} (0 to {self.deck[path] - 1})")
        return path, slide

    def move(self, path: str, slide: int) -> dict:
        """Make (path, slide) the current slide and queue it for every follower; returns the state."""
        with self.lock:
            self.seq += 1
            self.state = {"path": path, "slide": slide, "seq": self.seq}
            event = sse("move", self.state)
            for follower in list(self.followers):
                if not follower.offer(event):
                    self.followers.discard(follower)
                    self.dropped += 1
            return self.state

    # --- the phones -------------------------------------------------------------------------------

    def join(self, connection: socket.socket | None = None) -> Follower | None:
        """A new follower with the current slide queued, or None when the room is full or closed."""
        with self.lock:
            if len(self.followers) >= self.limit:
                self._forget_the_gone()
            if self.closed or len(self.followers) >= self.limit:
                self.refused += 1
                return None
            follower = Follower(connection)
            self.followers.add(follower)
            follower.offer(sse("move", self.state) if self.state else sse("waiting", {}))
            return follower

    def leave(self, follower: Follower) -> None:
        with self.lock:
            self.followers.discard(follower)

    def count(self) -> int:
        """How many phones follow now. A stream whose phone has gone (e.g. its page left for the next slide's
        page, which opened a stream of its own) is forgotten here first, instead of counting until its own
        thread notices (within `POLL_S`) or a write to it fails."""
        with self.lock:
            self._forget_the_gone()
            return len(self.followers)

    def _forget_the_gone(self) -> None:
        """Drop the followers whose phone closed its stream (with the lock held)."""
        for old in [f for f in self.followers if peer_closed(f.connection)]:
            old.drop()
            self.followers.discard(old)

    def close(self) -> None:
        """The server stops: every follower gets ``event: bye`` (or is dropped if it cannot take it)."""
        with self.lock:
            self.closed = True
            for follower in list(self.followers):
                follower.offer(BYE)

    def stream(self, follower: Follower, write) -> None:
        """Write `follower`'s events with `write(bytes)` until it leaves, is dropped or the room closes."""
        try:
            write(f"retry: {RETRY_MS}\n\n".encode())
            quiet_since = time.monotonic()
            while not follower.dropped:
                try:
                    item = follower.events.get(timeout=POLL_S)
                except queue.Empty:
                    if peer_closed(follower.connection):
                        return
                    if time.monotonic() - quiet_since < KEEPALIVE_S:
                        continue
                    item = b": keep-alive\n\n"
                quiet_since = time.monotonic()
                if item is BYE:
                    write(sse("bye", {"message": "The presenter's server stopped."}))
                    return
                write(item)
        except OSError:  # the phone went away, or a send timed out (socket.timeout is an OSError)
            with self.lock:
                self.dropped += 1
        finally:
            self.leave(follower)
