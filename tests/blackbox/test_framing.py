"""Request framing and the request head, on raw sockets: what a request
smuggler, a slow client or an oversized request line sends, byte for byte.

Every refusal here is a status with a {"message"} and a closed connection
(RFC 9112 §6.3: once the framing is in doubt, the bytes that follow cannot
be trusted to start the next request)."""

import json
import socket
import time

from harness import CruddTestCase, new_id

WAIT = 5.0      # seconds: an answer (and the close) come long before this


class RawTestCase(CruddTestCase):

    def exchange(self, raw, srv=None, timeout=WAIT):
        """Send raw bytes on a new connection and read until the server
        closes it. Returns (status line, body dict or None, closed): closed
        is False when the connection was still open after `timeout`."""
        srv = srv or self.srv
        s = socket.create_connection((srv.host, srv.port), timeout=timeout)
        self.addCleanup(s.close)
        s.sendall(raw)
        data, closed = b"", False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        status = head.split(b"\r\n")[0].decode("latin-1")
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        return status, parsed, closed

    def assert_refused(self, raw, status_line, message, srv=None):
        status, body, closed = self.exchange(raw, srv=srv)
        self.assertEqual(status, status_line)
        self.assertEqual(body, {"message": message})
        self.assertTrue(closed, "the connection was kept open")


class FramingTest(RawTestCase):

    def test_two_different_content_lengths_are_400_and_nothing_hidden_runs(self):
        victim = self.create({"id": new_id("victim")})["id"]
        raw = ("POST /items/zzz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
               "Content-Length: 45\r\n\r\n"
               "DELETE /items/%s HTTP/1.1\r\nHost: x\r\n\r\n" % victim).encode()
        self.assert_refused(raw, "HTTP/1.1 400 Bad Request",
                            "Conflicting Content-Length header fields")
        self.assertEqual(self.get_item(victim).status, 200)

    def test_the_same_content_length_twice_is_one(self):
        raw = (b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
               b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
        status, body, _ = self.exchange(raw)
        self.assertEqual(status, "HTTP/1.1 201 Created")

    def test_content_length_with_chunked_is_400(self):
        raw = (b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assert_refused(raw, "HTTP/1.1 400 Bad Request",
                            "Content-Length with Transfer-Encoding")

    def test_whitespace_before_the_colon_is_400(self):
        raw = (b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
               b"Transfer-Encoding : chunked\r\n\r\n{}")
        self.assert_refused(raw, "HTTP/1.1 400 Bad Request",
                            "Whitespace in a header field name")

    def test_two_transfer_encodings_are_400(self):
        raw = (b"POST /items HTTP/1.1\r\nHost: x\r\n"
               b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"
               b"\r\n0\r\n\r\n")
        self.assert_refused(raw, "HTTP/1.1 400 Bad Request",
                            "More than one Transfer-Encoding header field")

    def test_a_coding_other_than_chunked_is_501_at_once(self):
        for te in (b"gzip, chunked", b"identity", b"chunked, gzip"):
            with self.subTest(te=te):
                raw = (b"POST /items HTTP/1.1\r\nHost: x\r\n"
                       b"Transfer-Encoding: " + te + b"\r\n\r\n0\r\n\r\n")
                self.assert_refused(raw, "HTTP/1.1 501 Not Implemented",
                                    "Transfer-Encoding not implemented")

    def test_a_chunked_body_alone_is_read(self):
        body = b'{"id": "%s"}' % new_id("chunked").encode()
        raw = (b"POST /items HTTP/1.1\r\nHost: x\r\n"
               b"Transfer-Encoding: Chunked\r\nConnection: close\r\n\r\n"
               b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        status, got, _ = self.exchange(raw)
        self.assertEqual(status, "HTTP/1.1 201 Created")
        self.assertEqual(got["message"], "Item created successfully!")
