"""Follow mode's server (site_tools/follow.py, site_tools/serve.py) and the build's deck (site_tools/deck.py).

The server runs on 127.0.0.1 on a free port with a tiny site of its own (two pages); streams are read
from raw sockets. Nothing here waits for a fixed time: a read has a deadline only so a hang fails.
"""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from site_tools import deck, follow
from site_tools.serve import serve_in_thread, stop_follow

DECK = {"pages": [{"path": "", "slides": 4, "anchors": ["a", "b", "c", "d"]},
                  {"path": "hog/", "slides": 2, "anchors": ["h", "i"]}]}
DEADLINE_S = 30.0


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "hog").mkdir()
    (tmp_path / "hog" / "index.html").write_text("<!doctype html><title>hog</title>")
    (tmp_path / "deck.json").write_text(json.dumps(DECK))
    (tmp_path / "_follow").mkdir()
    (tmp_path / "_follow" / "config.json").write_text('{"follow": false}\n')
    return tmp_path


@pytest.fixture
def served(site):
    server, url = serve_in_thread(site, follow=True, follow_limit=3)
    yield server, server.server_address[1]
    stop_follow(server, wait_s=1.0)
    server.shutdown()
    server.server_close()


def post(port: int, body: bytes | str, key: str | None, headers: dict | None = None) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    body = body.encode() if isinstance(body, str) else body
    all_headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {key}"} if key else {}),
                   **(headers or {})}
    conn.request("POST", "/_follow/move", body=body, headers=all_headers)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    return response.status, text


def move(port: int, key: str, path: str, slide) -> tuple[int, str]:
    return post(port, json.dumps({"path": path, "slide": slide}), key)


class Stream:
    """One follower: a raw socket reading server-sent events."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE_S)
        self.sock.sendall(b"GET /_follow/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1])
        self.headers = head.decode("latin-1").lower()

    def _until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("the server closed the stream")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def event(self) -> tuple[str, dict | None]:
        """The next event (name, data), skipping comments and `retry:` blocks."""
        while True:
            block = self._until(b"\n\n").decode()
            fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line and not line.startswith(":"))
            if "event" in fields:
                return fields["event"], json.loads(fields["data"]) if "data" in fields else None

    def closed(self) -> bool:
        """True once the server has ended the stream (reads what is left)."""
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                return True
            self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


# --- the deck the build writes ------------------------------------------------------------------------

def test_slide_anchors_count_only_headings_that_are_direct_children_of_the_article():
    html = """<html><body><h1>site title, outside</h1>
      <article class="md-content__inner md-typeset"><h1 id="t">Title</h1><p>x<br>y</p><img src=a.png>
      <h2 id="one">One</h2><div class="admonition"><h2 id="inner">not a slide</h2></div>
      <details><summary>s</summary><h2>nor this</h2></details><h2>Two, no id</h2></article>
      <h2 id="after">after the article</h2></body></html>"""
    assert deck.slide_anchors(html) == ["t", "one", ""]


def test_nav_paths_follow_the_navigation_and_directory_urls():
    nav = [{"Title": "index.md"}, {"HOG": "hog.md"}, {"More": [{"A": "a/index.md"}, "b.md"]},
           {"Out": "https://example.org/x.md"}, {"again": "hog.md"}]
    assert deck.nav_paths(nav) == ["", "hog/", "a/", "b/"]


def test_slide_addresses_use_the_heading_anchor_except_for_the_title_slide():
    assert deck.slide_address("https://x.org/talk", "hog/", ["h", "i"], 0) == "https://x.org/talk/hog/"
    assert deck.slide_address("https://x.org/talk/", "hog/", ["h", "i"], 1) == "https://x.org/talk/hog/#i"
    codes = deck.slide_qr_codes("https://x.org/", DECK["pages"])
    assert [c["url"] for c in codes["pages"]["hog/"]] == ["https://x.org/hog/", "https://x.org/hog/#i"]
    assert all(c["svg"].startswith("data:image/svg+xml") for p in codes["pages"].values() for c in p)


# --- the room: key, validation, fan-out ---------------------------------------------------------------

def room(limit=4) -> follow.Room:
    return follow.Room({"/": 4, "/hog/": 2}, key="k" * 32, limit=limit)


def test_the_key_is_random_and_checked_as_a_bearer_token():
    assert follow.Room({"/": 1}).key != follow.Room({"/": 1}).key
    assert len(follow.Room({"/": 1}).key) >= 32
    r = room()
    assert r.authorized("Bearer " + "k" * 32)
    assert r.authorized("bearer " + "k" * 32)
    for bad in (None, "", "k" * 32, "Bearer", "Bearer " + "k" * 31, "Bearer " + "k" * 33, "Basic " + "k" * 32):
        assert not r.authorized(bad), bad


@pytest.mark.parametrize("body, reason", [
    (b"not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "JSON object"),
    (b'{"path": "/nowhere/", "slide": 0}', "not a page"),
    (b'{"path": "https://evil.example/", "slide": 0}', "not a page"),
    (b'{"path": "//evil.example/", "slide": 0}', "not a page"),
    (b'{"path": "hog/", "slide": 0}', "not a page"),
    (b'{"slide": 0}', "not a page"),
    (b'{"path": "/hog/", "slide": 2}', "not a slide"),
    (b'{"path": "/hog/", "slide": -1}', "not a slide"),
    (b'{"path": "/hog/", "slide": 1.0}', "not a slide"),
    (b'{"path": "/hog/", "slide": "1"}', "not a slide"),
    (b'{"path": "/hog/", "slide": true}', "not a slide"),
    (b'{"path": "/hog/"}', "not a slide"),
])
def test_a_move_outside_the_talk_is_refused_with_its_reason(body, reason):
    with pytest.raises(follow.MoveError, match=reason):
        room().parse_move(body)


def test_a_move_inside_the_talk_is_accepted():
    assert room().parse_move(b'{"path": "/hog/", "slide": 1}') == ("/hog/", 1)
    assert room().parse_move(b'{"path": "/", "slide": 3, "extra": 1}') == ("/", 3)


def test_a_follower_that_cannot_keep_up_is_dropped_and_the_others_get_every_move():
    r = room()
    stuck = r.join()  # nobody drains its queue
    fast = r.join()
    received = []
    for i in range(follow.QUEUE + 2):
        r.move("/", i % 4)
        while not fast.events.empty():
            received.append(fast.events.get_nowait())
    assert stuck.dropped and stuck not in r.followers
    assert not fast.dropped and r.count() == 1
    assert sum(b"event: move" in item for item in received) == follow.QUEUE + 2
    assert r.dropped == 1


def test_a_new_follower_starts_at_the_current_slide_and_a_full_room_refuses():
    r = room(limit=2)
    first = r.join()
    assert b"event: waiting" in first.events.get_nowait()
    r.move("/hog/", 1)
    second = r.join()
    assert b'"path":"/hog/","slide":1' in second.events.get_nowait()
    assert r.join() is None and r.refused == 1
    r.leave(first)
    assert r.join() is not None


def test_the_count_leaves_out_a_phone_that_went_to_another_page():
    """The speaker view shows the count a move answers with: the stream of a page a phone left for the next
    slide's page is closed at the phone's end, and counts no more, before the server ever writes to it."""
    r = room()
    ends = [socket.socketpair() for _ in range(2)]  # (server's end, phone's end)
    for server_end, _ in ends:
        assert r.join(server_end) is not None
    assert r.count() == 2
    ends[0][1].close()  # the phone's old page closed its stream
    assert r.count() == 1
    for server_end, phone_end in ends:
        server_end.close()
        phone_end.close()


# --- the server ------------------------------------------------------------------------------------

def test_the_presenter_moves_every_follower_and_a_reconnect_resyncs(served):
    server, port = served
    key = server.room.key
    a, b = Stream(port), Stream(port)
    assert a.status == 200 and "text/event-stream" in a.headers and "no-store" in a.headers
    assert a.event() == ("waiting", {}) and b.event() == ("waiting", {})
    status, text = move(port, key, "/hog/", 1)
    assert status == 200 and json.loads(text)["followers"] == 2
    for stream in (a, b):
        name, data = stream.event()
        assert (name, data["path"], data["slide"]) == ("move", "/hog/", 1)
    b.close()  # a phone's Wi-Fi drops, then it reconnects: it gets the current slide at once
    c = Stream(port)
    name, data = c.event()
    assert (name, data["path"], data["slide"], data["seq"]) == ("move", "/hog/", 1, 1)
    a.close()
    c.close()


def test_without_the_key_nobody_moves(served):
    server, port = served
    follower = Stream(port)
    assert follower.event() == ("waiting", {})
    for key in (None, "wrong", server.room.key[:-1]):
        status, text = move(port, key, "/hog/", 1)
        assert status == 403 and "presenter" in text
    assert server.room.state is None and server.room.seq == 0
    move(port, server.room.key, "/", 2)  # the next event the follower sees is the presenter's
    assert follower.event()[1]["slide"] == 2
    follower.close()


def test_bad_bodies_get_a_clear_status(served):
    server, port = served
    key = server.room.key
    status, text = post(port, b"x" * (follow.MAX_BODY + 1), key)
    assert status == 413 and "at most" in text
    status, text = post(port, "{not json", key)
    assert status == 400 and "not JSON" in text
    status, text = move(port, key, "/hog/", 7)
    assert status == 400 and "not a slide of /hog/" in text
    status, text = move(port, key, "https://evil.example/", 0)
    assert status == 400 and "not a page" in text
    # no Content-Length (a chunked body): refused before anything is read
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    conn.putrequest("POST", "/_follow/move")
    conn.putheader("Authorization", f"Bearer {key}")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    conn.send(b"0\r\n\r\n")
    assert conn.getresponse().status == 411
    conn.close()
    assert server.room.state is None


def test_over_the_bound_a_follower_is_told_the_room_is_full(served):
    server, port = served
    streams = [Stream(port) for _ in range(server.room.limit)]
    for s in streams:
        assert s.event()[0] == "waiting"
    extra = Stream(port)
    name, data = extra.event()
    assert name == "full" and "full" in data["message"] and str(server.room.limit) in data["message"]
    assert extra.closed()
    for s in streams:
        s.close()


def test_a_vanished_follower_is_forgotten_and_the_others_still_follow(served):
    server, port = served
    key = server.room.key
    gone, stays = Stream(port), Stream(port)
    gone.event(), stays.event()
    gone.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    gone.close()  # reset, not a polite close
    deadline = time.monotonic() + DEADLINE_S
    slide = 0
    while server.room.count() > 1:  # each move makes the server write to the vanished phone, until it notices
        assert time.monotonic() < deadline, "the vanished follower was never dropped"
        slide = (slide + 1) % 4
        move(port, key, "/", slide)
        assert stays.event()[1]["slide"] == slide
    move(port, key, "/hog/", 0)
    assert stays.event()[1]["path"] == "/hog/"
    stays.close()


def test_a_full_room_first_forgets_the_streams_whose_phone_left(served):
    server, port = served
    streams = [Stream(port) for _ in range(server.room.limit)]
    for s in streams:
        s.event()
    streams[0].close()  # this phone moved to another page: its old stream is closed, the server not told yet
    new = Stream(port)
    assert new.event() == ("waiting", {})
    for s in streams[1:] + [new]:
        s.close()


def test_when_the_server_stops_followers_are_told(served):
    server, port = served
    stream = Stream(port)
    stream.event()
    stop_follow(server, wait_s=DEADLINE_S)
    name, data = stream.event()
    assert name == "bye" and "stopped" in data["message"]
    assert stream.closed()
    assert Stream(port).event()[0] == "bye"  # a stopping server takes nobody new


def test_config_and_qr_on_a_follow_server(served):
    server, port = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
    conn.request("GET", "/_follow/config.json")
    config = json.loads(conn.getresponse().read())
    assert config["follow"] is True and config["link"] == f"http://127.0.0.1:{port}/?follow"
    assert server.room.key not in json.dumps(config)
    conn.request("GET", "/" + config["qr"])
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "image/svg+xml"
    assert response.read().startswith(b"<?xml")
    conn.close()


def test_without_follow_mode_the_endpoints_do_not_exist(site):
    server, url = serve_in_thread(site)
    port = server.server_address[1]
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=DEADLINE_S)
        conn.request("GET", "/_follow/config.json")
        assert json.loads(conn.getresponse().read()) == {"follow": False}  # the build's static file
        conn.request("GET", "/_follow/events")
        assert conn.getresponse().status == 404
        conn.close()
        assert post(port, '{"path": "/", "slide": 0}', "anything")[0] == 404
    finally:
        server.shutdown()
        server.server_close()


def test_a_dropped_connection_is_no_server_error_but_a_bug_still_prints(served, capsys):
    """A tab closed mid-answer, or Lighthouse stopping Chrome, resets the connection: no traceback for it."""
    server, _ = served
    for error, printed in ((ConnectionResetError(104, "Connection reset by peer"), False),
                           (BrokenPipeError(32, "Broken pipe"), False), (ValueError("a bug"), True)):
        try:
            raise error
        except Exception:
            server.handle_error(None, ("127.0.0.1", 1))
        assert ("Traceback" in capsys.readouterr().err) is printed, error
