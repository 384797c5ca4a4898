"""Limits that protect the server: connections in all and per address,
header count and size, idle and request timeouts. Each is configurable and
answered with a status and a {"message"} where HTTP allows one."""

import json
import socket
import time

from harness import CruddTestCase

GET = b"GET /items HTTP/1.1\r\nHost: x\r\n\r\n"


class LimitsTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # every test starts the server with its own limits

    @classmethod
    def tearDownClass(cls):
        pass

    def connect(self, srv):
        s = socket.create_connection((srv.host, srv.port), timeout=5)
        self.addCleanup(s.close)
        return s

    def exchange(self, srv, raw):
        """Send raw bytes on a new connection; (status, body dict or None)."""
        s = self.connect(srv)
        s.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = s.recv(65536)
            if not chunk:
                break
            rest += chunk
        try:
            body = json.loads(rest[:length]) if length else None
        except ValueError:
            body = None
        return status, body

    def closed_by_server(self, s, within):
        """True when the server closes s (recv returns b"") within seconds."""
        s.settimeout(within)
        try:
            return s.recv(1) == b""
        except socket.timeout:
            return False
        except ConnectionResetError:
            return True

    def test_one_connection_over_the_limit_is_503_and_a_new_one_works_later(self):
        # every connection is busy (a body is being read): none can make
        # room, so the new one is refused
        srv = self.start_server(["--max-connections", "3"])
        idle = [self.connect(srv) for _ in range(3)]
        for s in idle:
            s.sendall(b"POST /items HTTP/1.1\r\nHost: x\r\n"
                      b"Content-Length: 10\r\n\r\n{")
        time.sleep(0.2)
        status, body = self.exchange(srv, GET)
        self.assertEqual((status, body), (503, {"message": "Too many connections"}))
        for s in idle:
            s.close()
        time.sleep(0.3)
        self.assertEqual(self.exchange(srv, GET)[0], 200)

    def test_connections_from_one_address_over_its_limit_are_503(self):
        srv = self.start_server(["--max-connections-per-ip", "2"])
        idle = [self.connect(srv) for _ in range(2)]
        time.sleep(0.2)
        status, body = self.exchange(srv, GET)
        self.assertEqual((status, body), (503, {
            "message": "Too many connections from this address"}))
        idle[0].close()
        time.sleep(0.3)
        self.assertEqual(self.exchange(srv, GET)[0], 200)

    def test_more_header_fields_than_the_limit_is_431(self):
        srv = self.start_server(["--max-headers", "10"])
        fields = b"".join(b"X-F%d: v\r\n" % i for i in range(12))
        status, body = self.exchange(
            srv, b"GET /items HTTP/1.1\r\nHost: x\r\n" + fields + b"\r\n")
        self.assertEqual((status, body), (431, {
            "message": "Request Header Fields Too Large"}))
        few = b"".join(b"X-F%d: v\r\n" % i for i in range(5))
        self.assertEqual(self.exchange(
            srv, b"GET /items HTTP/1.1\r\nHost: x\r\n" + few + b"\r\n")[0], 200)

    def test_headers_larger_than_the_limit_are_431(self):
        srv = self.start_server(["--max-header-bytes", "2048"])
        big = b"GET /items HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 3000 + b"\r\n\r\n"
        status, body = self.exchange(srv, big)
        self.assertEqual((status, body), (431, {
            "message": "Request Header Fields Too Large"}))
        fits = b"GET /items HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 1500 + b"\r\n\r\n"
        self.assertEqual(self.exchange(srv, fits)[0], 200)

    def test_the_default_header_cap_is_api_gateways_10240_bytes(self):
        # request line (21 bytes with its CRLF) + "Host: x" (9) + "X-Big: "
        # and its CRLF (9) + the value: 10,240 bytes exactly fit
        srv = self.start_server([])
        line = b"GET /items HTTP/1.1\r\nHost: x\r\nX-Big: "
        self.assertEqual(self.exchange(
            srv, line + b"a" * 10201 + b"\r\n\r\n")[0], 200)
        self.assertEqual(self.exchange(
            srv, line + b"a" * 10202 + b"\r\n\r\n"), (431, {
                "message": "Request Header Fields Too Large"}))

    def test_headers_far_beyond_the_limit_are_431_without_reading_them_all(self):
        srv = self.start_server(["--max-header-bytes", "2048"])
        huge = b"GET /items HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n"
        self.assertEqual(self.exchange(srv, huge)[0], 431)

    def test_an_idle_connection_is_closed_after_the_timeout(self):
        srv = self.start_server(["--timeout-seconds", "1"])
        s = self.connect(srv)
        self.assertTrue(self.closed_by_server(s, within=4.0))
        self.assertEqual(self.exchange(srv, GET)[0], 200)

    def test_a_body_that_trickles_past_the_request_timeout_is_cut_off(self):
        srv = self.start_server(["--request-timeout-seconds", "1"])
        s = self.connect(srv)
        s.sendall(b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                  b"\r\n{\"a\": ")
        deadline = time.monotonic() + 5
        closed = False
        while time.monotonic() < deadline and not closed:
            time.sleep(0.4)
            try:
                s.sendall(b" ")
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = self.closed_by_server(s, within=0.01)
        self.assertTrue(closed, "the slow upload was not cut off")
        # others are served meanwhile and after
        self.assertEqual(self.exchange(srv, GET)[0], 200)
        r = self.req("POST", "/items", {"ok": True}, srv=srv)
        self.assertEqual(r.status, 201, r)

    def slow_heads(self, srv, n):
        """n connections that each sent the start of a request head."""
        socks = []
        for _ in range(n):
            s = self.connect(srv)
            s.sendall(b"GET /items HTTP/1.1\r\nHost: x\r\nX-Slow: a")
            socks.append(s)
        return socks

    def test_a_head_that_trickles_past_the_header_timeout_is_cut_off(self):
        srv = self.start_server(["--header-timeout-seconds", "1"])
        s = self.connect(srv)
        s.sendall(b"GET /items HTTP/1.1\r\nHost: x\r\n")
        deadline = time.monotonic() + 5
        closed = False
        while time.monotonic() < deadline and not closed:
            time.sleep(0.2)
            try:
                s.sendall(b"X-Slow-%d: a\r\n" % int(time.monotonic() * 10))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            closed = self.closed_by_server(s, within=0.01)
        self.assertTrue(closed, "the trickling head was not cut off")
        self.assertEqual(self.exchange(srv, GET)[0], 200)

    def test_slow_heads_over_the_connection_limit_do_not_lock_out_a_new_client(self):
        srv = self.start_server(["--max-connections", "100"])
        slow = self.slow_heads(srv, 300)
        time.sleep(0.3)
        t = time.monotonic()
        self.assertEqual(self.exchange(srv, GET), (200, {"items": [],
                                                         "count": 0}))
        self.assertLess(time.monotonic() - t, 5.0)
        # the longest waiting made room; the newest are still open
        self.assertTrue(self.closed_by_server(slow[0], within=2.0))
        self.assertFalse(self.closed_by_server(slow[-1], within=0.2))

    def test_a_request_being_read_is_never_closed_to_make_room(self):
        srv = self.start_server(["--max-connections", "3"])
        busy = self.connect(srv)
        busy.sendall(b"POST /items HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: 11\r\nConnection: close\r\n\r\n{\"a\"")
        time.sleep(0.2)
        self.slow_heads(srv, 5)
        time.sleep(0.3)
        busy.sendall(b": true}")
        data = b""
        while True:
            chunk = busy.recv(65536)
            if not chunk:
                break
            data += chunk
        self.assertTrue(data.startswith(b"HTTP/1.1 201 Created\r\n"), data)

    def test_limits_are_in_help(self):
        for flag in ("--max-connections", "--max-connections-per-ip",
                     "--max-headers", "--max-header-bytes",
                     "--request-timeout-seconds", "--timeout-seconds",
                     "--header-timeout-seconds"):
            self.assertIn(flag, self._help())

    def _help(self):
        import subprocess
        from harness import CRUDD_BIN
        return subprocess.run([CRUDD_BIN, "--help"], capture_output=True,
                              text=True, timeout=10).stdout
