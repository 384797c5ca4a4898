"""Black-box harness: start the real crudd binary, speak HTTP to it, stop it.

Only the Python standard library is used. Every wait is bounded: a test can
fail, but it cannot hang.

    srv = Server()            # ./crudd --port 0 --db <fresh dir>/crudd.db
    r = srv.request("POST", "/items", {"name": "x"})
    r.status, r.headers["ETag"], r.body, r.json()
    srv.stop()                # SIGTERM, asserts exit code 0 within 5 s
"""

import http.client
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
CRUDD_BIN = os.path.abspath(
    os.environ.get("CRUDD_BIN", os.path.join(HERE, "..", "..", "crudd")))

# seconds to wait for "listening on ..." (make memcheck allows more: under
# valgrind, loading seed files before the first line takes seconds)
START_TIMEOUT = float(os.environ.get("CRUDD_START_TIMEOUT", "5"))
STOP_TIMEOUT = 5.0        # seconds allowed between SIGTERM and exit
REQUEST_TIMEOUT = 15.0    # seconds for one HTTP exchange

LISTENING_RE = re.compile(r"^listening on (\S+):(\d+)$")
UUID_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID4_RE = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
ETAG_RE = re.compile(r'^"[0-9a-f]{16}"$')

MISSING_TOKEN = "Missing Authentication Token"


def binary_exists():
    return os.path.isfile(CRUDD_BIN) and os.access(CRUDD_BIN, os.X_OK)


def free_port():
    """A TCP port that was free a moment ago (for 'nothing listens here')."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clean_env():
    """The environment without CRUDD_* settings (CRUDD_BIN aside), so that
    the caller's shell cannot change what a test means."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("CRUDD_") or k == "CRUDD_BIN"}


def run_cli(args, timeout=10.0, env=None):
    """Run crudd to completion (for --help, --version, bad configs...).

    Returns (exit code, stdout text, stderr text). Kills it after `timeout`
    seconds and raises AssertionError then.
    """
    full_env = clean_env()
    if env:
        full_env.update(env)
    p = subprocess.Popen([CRUDD_BIN] + list(args), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=full_env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate(timeout=5)
        raise AssertionError("crudd %r did not exit within %.0f s"
                             % (args, timeout))
    return (p.returncode, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"))


class Response:
    """One HTTP answer: status, headers (case-insensitive), body bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers      # http.client.HTTPMessage: case-insensitive
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8")

    def json(self, exact=False):
        """The body parsed; with exact=True floats come back as Decimal."""
        if exact:
            return json.loads(self.body.decode("utf-8"), parse_float=Decimal)
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        return self.headers.get(name)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:300])


def check_common_headers(tc, r):
    """What every crudd response carries, whatever its status."""
    tc.assertEqual(r.header("Content-Type"), "application/json",
                   "Content-Type of %r" % (r,))
    rid = r.header("x-amzn-RequestId")
    tc.assertIsNotNone(rid, "x-amzn-RequestId missing in %r" % (r,))
    tc.assertRegex(rid, UUID_RE, "x-amzn-RequestId is not a lowercase UUID")
    apigw = r.header("x-amz-apigw-id")
    tc.assertTrue(apigw, "x-amz-apigw-id missing or empty in %r" % (r,))


class Server:
    """One crudd process on a free port with (by default) a fresh database.

    db: a path to reuse (restart tests) or None for <fresh temp dir>/crudd.db.
    args: extra command-line arguments. env: extra environment variables.
    port_arg / db_arg: False to leave that flag out (config/env tests).
    wrapper: a command that execs crudd (e.g. ["taskset", "-c", "0"]).
    """

    def __init__(self, args=(), db=None, env=None, port_arg=True,
                 db_arg=True, wrapper=()):
        if not binary_exists():
            raise AssertionError("crudd binary not found at " + CRUDD_BIN)
        self.tmpdir = tempfile.mkdtemp(prefix="crudd-bb-")
        self.db = db if db is not None else os.path.join(self.tmpdir,
                                                         "crudd.db")
        cmd = list(wrapper) + [CRUDD_BIN]
        if port_arg:
            cmd += ["--port", "0"]
        if db_arg:
            cmd += ["--db", self.db]
        cmd += list(args)
        full_env = clean_env()
        if env:
            full_env.update(env)
        self.cmd = cmd
        self.lines = []             # every stderr line after the first
        self.first_line = None
        self._lines_lock = threading.Lock()
        self._first = queue.Queue()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=full_env,
                                     cwd=self.tmpdir)
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        try:
            first = self._first.get(timeout=START_TIMEOUT)
        except queue.Empty:
            self.kill()
            raise AssertionError("crudd printed nothing within %.0f s: %r"
                                 % (START_TIMEOUT, cmd))
        if first is None:
            rc = self.proc.wait(timeout=5)
            raise AssertionError("crudd exited (%r) before listening: %r\n%s"
                                 % (rc, cmd, self.log_text()))
        self.first_line = first
        m = LISTENING_RE.match(first)
        if not m:
            self.kill()
            raise AssertionError("first stderr line is not 'listening on "
                                 "ADDRESS:PORT': %r" % (first,))
        self.address = m.group(1)
        self.port = int(m.group(2))
        host = self.address.strip("[]")
        self.host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host

    # -- stderr -------------------------------------------------------------

    def _drain(self):
        first = True
        try:
            for raw in self.proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if first:
                    first = False
                    self._first.put(line)
                    continue
                with self._lines_lock:
                    self.lines.append(line)
        finally:
            if first:
                self._first.put(None)

    def log_lines(self):
        with self._lines_lock:
            return list(self.lines)

    def log_text(self):
        return "\n".join(self.log_lines())

    def wait_for_log(self, predicate, timeout=3.0):
        """The first stderr line satisfying predicate, or None after timeout."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_lines():
                if predicate(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.02)

    # -- HTTP ---------------------------------------------------------------

    def connection(self, timeout=REQUEST_TIMEOUT):
        return http.client.HTTPConnection(self.host, self.port,
                                          timeout=timeout)

    def request(self, method, path, body=None, headers=None, raw=None,
                timeout=REQUEST_TIMEOUT, conn=None):
        """One request on a new connection (or `conn`, kept open).

        body: a Python value sent as JSON; raw: bytes sent as they are.
        """
        hdrs = {}
        data = None
        if raw is not None:
            data = raw
        elif body is not None:
            data = json.dumps(body).encode("utf-8")
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        own = conn is None
        c = conn or self.connection(timeout)
        try:
            c.request(method, path, body=data, headers=hdrs)
            resp = c.getresponse()
            payload = resp.read()
            return Response(resp.status, resp.msg, payload)
        finally:
            if own:
                c.close()

    def send_huge(self, method, path, body, timeout=REQUEST_TIMEOUT):
        """Send a large body while reading the answer at the same time.

        The server may answer (413) before the body is in and then close the
        connection; the send side then fails with EPIPE/ECONNRESET, which is
        ignored. Returns a Response, or raises AssertionError if no complete
        status line and headers could be read.
        """
        sock = socket.create_connection((self.host, self.port),
                                        timeout=timeout)
        head = ("%s %s HTTP/1.1\r\nHost: %s:%d\r\n"
                "Content-Type: application/json\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n"
                % (method, path, self.host, self.port, len(body))).encode()
        stop = threading.Event()

        def sender():
            try:
                sock.sendall(head)
                view = memoryview(body)
                step = 64 * 1024
                for off in range(0, len(body), step):
                    if stop.is_set():
                        return
                    sock.sendall(view[off:off + step])
            except OSError:
                pass

        t = threading.Thread(target=sender, daemon=True)
        t.start()
        received = bytearray()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    chunk = sock.recv(65536)
                except socket.timeout:
                    break
                except OSError:
                    break           # reset after the answer: fine
                if not chunk:
                    break
                received += chunk
                resp = _parse_response(bytes(received))
                if resp is not None:
                    return resp
        finally:
            stop.set()
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            t.join(timeout=5)
        resp = _parse_response(bytes(received), closed=True)
        if resp is None:
            raise AssertionError("no complete HTTP answer to a %d-byte body; "
                                 "got %r" % (len(body), bytes(received[:200])))
        return resp

    # -- lifecycle ----------------------------------------------------------

    def alive(self):
        return self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Send sig and return the exit code; AssertionError unless it is 0
        within STOP_TIMEOUT seconds."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("crudd did not exit within %.0f s of %s"
                                 % (STOP_TIMEOUT, signal.Signals(sig).name))
        finally:
            self._reader.join(timeout=2)
        if rc != 0:
            raise AssertionError("crudd exited %r after %s; stderr tail:\n%s"
                                 % (rc, signal.Signals(sig).name,
                                    "\n".join(self.log_lines()[-20:])))
        return rc

    def kill(self):
        """SIGKILL, no questions asked."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(timeout=2)

    def cleanup(self):
        self.kill()
        shutil.rmtree(self.tmpdir, ignore_errors=True)


class CruddTestCase(unittest.TestCase):
    """Base class: one server per class (shared_args), or fresh ones per test
    through self.start_server(). Tests make their own ids, so the order of
    tests never matters."""

    shared_args = ()
    srv = None

    @classmethod
    def setUpClass(cls):
        cls.srv = Server(cls.shared_args)

    @classmethod
    def tearDownClass(cls):
        srv, cls.srv = cls.srv, None
        if srv is not None:
            try:
                srv.stop()
            finally:
                srv.cleanup()

    def start_server(self, *a, **kw):
        s = Server(*a, **kw)
        self.addCleanup(s.cleanup)
        return s

    # -- requests with the common checks --------------------------------------

    def req(self, method, path, body=None, headers=None, raw=None, srv=None,
            **kw):
        r = (srv or self.srv).request(method, path, body=body,
                                      headers=headers, raw=raw, **kw)
        check_common_headers(self, r)
        return r

    def create(self, body, srv=None, path="/items"):
        r = self.req("POST", path, body, srv=srv)
        self.assertEqual(r.status, 201, r)
        return r.json()["item"]

    def get_item(self, item_id, srv=None):
        return self.req("GET", "/items/" + item_id, srv=srv)

    def assert_error(self, r, status, message):
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.json(), {"message": message})

    def assert_error_prefix(self, r, status, prefix):
        self.assertEqual(r.status, status, r)
        j = r.json()
        self.assertIsInstance(j, dict)
        self.assertEqual(list(j.keys()), ["message"], j)
        self.assertIsInstance(j["message"], str)
        self.assertTrue(j["message"].startswith(prefix),
                        "%r does not start with %r" % (j["message"], prefix))

    def assert_missing_token(self, r):
        self.assert_error(r, 403, MISSING_TOKEN)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "MissingAuthenticationTokenException")

    def assert_item_is(self, item_id, expected, srv=None):
        r = self.get_item(item_id, srv=srv)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), expected)
        return r

    def list_all(self, srv=None, limit=None, path="/items", max_pages=100000):
        """Walk every page; returns the items in page order."""
        items = []
        token = None
        for _ in range(max_pages):
            q = []
            if limit is not None:
                q.append("limit=%d" % limit)
            if token is not None:
                q.append("nextToken=" + urlquote(token))
            r = self.req("GET", path + ("?" + "&".join(q) if q else ""),
                         srv=srv)
            self.assertEqual(r.status, 200, r)
            page = r.json()
            self.assertEqual(page["count"], len(page["items"]), page)
            items.extend(page["items"])
            token = page.get("nextToken")
            if token is None:
                return items
            self.assertIsInstance(token, str)
        self.fail("more than %d pages" % max_pages)


def _parse_response(data, closed=False):
    """A Response if `data` holds a full HTTP/1.1 answer (head and the body
    its Content-Length announces), else None."""
    import email.parser
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end].decode("iso-8859-1")
    lines = head.split("\r\n")
    m = re.match(r"^HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None
    status = int(m.group(1))
    if status == 100:           # interim answer: look at what follows
        return _parse_response(data[end + 4:], closed)
    msg = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(
        "\r\n".join(lines[1:]) + "\r\n\r\n", headersonly=True)
    rest = data[end + 4:]
    length = msg.get("Content-Length")
    if length is None:
        # no length: the body runs to the close (parse again once closed)
        return Response(status, msg, rest) if closed else None
    if len(rest) < int(length):
        return None
    return Response(status, msg, rest[:int(length)])


def urlquote(s):
    from urllib.parse import quote
    return quote(s, safe="")


def new_id(prefix="t"):
    import uuid
    return "%s-%s" % (prefix, uuid.uuid4())


# -- HTTP APIs and AWS_IAM (Signature Version 4) ------------------------------

def check_http_api_headers(tc, r):
    """What every HTTP API (apiType "HTTP") response carries: apigw-requestid,
    and neither of a REST API's x-amzn-RequestId and x-amz-apigw-id."""
    rid = r.header("apigw-requestid")
    tc.assertTrue(rid, "apigw-requestid missing or empty in %r" % (r,))
    tc.assertIsNone(r.header("x-amzn-RequestId"),
                    "an HTTP API sends no x-amzn-RequestId: %r" % (r,))
    tc.assertIsNone(r.header("x-amz-apigw-id"),
                    "an HTTP API sends no x-amz-apigw-id: %r" % (r,))


def sigv4_sign(srv, method, path, data=None, headers=None, access_key=None,
               secret_key=None, region="us-east-1", service="execute-api",
               query=False, expires=3600, when=None):
    """Sign a request to srv as an AWS SDK does, with botocore's SigV4Auth
    (Authorization header) or, with query=True, SigV4QueryAuth (the
    signature in the query string, valid `expires` seconds).

    path may hold a query string; data is bytes or None; when: a naive UTC
    datetime.datetime to sign as of (None: now). Returns (path with the
    query, headers dict, data) to send unchanged."""
    import datetime
    import types
    from unittest import mock
    from urllib.parse import urlsplit

    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = "http://%s:%d%s" % (srv.host, srv.port, path)
    req = AWSRequest(method=method, url=url, data=data,
                     headers=dict(headers or {}))
    creds = Credentials(access_key, secret_key)
    if query:
        auth = botocore.auth.SigV4QueryAuth(creds, service, region, expires)
    else:
        auth = botocore.auth.SigV4Auth(creds, service, region)
    if when is None:
        auth.add_auth(req)
    else:
        class Fixed(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return when
        fake = types.SimpleNamespace(datetime=Fixed,
                                     timedelta=datetime.timedelta)
        with mock.patch.object(botocore.auth, "datetime", fake):
            auth.add_auth(req)
    parts = urlsplit(req.url)
    target = parts.path + ("?" + parts.query if parts.query else "")
    return target, dict(req.headers.items()), data
