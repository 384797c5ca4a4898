#!/usr/bin/env python3
"""bench/soak_side.py — the soak's side shapes, run beside wrk's mix against
the same crudd (bench/soak.sh starts it; the standard library only).

    soak_side.py PORT SECONDS

slow: SOAK_SLOW_CLIENTS connections (default 1200, more than crudd's
  default maxConnections) each trickle one byte of a request head that never
  ends every SOAK_SLOW_INTERVAL seconds (default 5), as a slowloris does; a
  connection crudd closes is opened again, so that as many stay open. Once
  a second a new client asks GET /_crudd/health on a fresh connection: it
  must be answered 200 within 5 s however many slow ones are open.
heavy: a DynamoDB client that keeps large string sets moving through the
  one writer thread: a PutItem of an item with SOAK_HEAVY_SET_MEMBERS
  members (default 12000, ~160 KB; its ADDs grow it to ~320 KB, under the
  400 KB item limit), then UpdateItem ADD of a quarter as
  many new members at a time until the set is twice that, then again. Each
  call must be answered 200 within SOAK_HEAVY_MAX_SECONDS (default 2: a
  set operation must cost O(n log n), not hold every write for seconds).

SOAK_SLOW_CLIENTS=0 or SOAK_HEAVY_SET_MEMBERS=0 leaves that shape out.

Prints one line per shape, "SIDE <shape> ..." with its counts, and
"SIDE FAIL <reason>" for each check that failed; exits 0 either way (soak.sh
reads the lines).
"""

import http.client
import json
import os
import socket
import sys
import threading
import time

PROBE_TIMEOUT = 5.0
HEAVY_TIMEOUT = 30.0      # the socket's; the check is SOAK_HEAVY_MAX_SECONDS


def env_int(name, default):
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


class Side:
    def __init__(self, port, seconds):
        self.port = port
        self.until = time.monotonic() + seconds
        self.lock = threading.Lock()
        self.fails = []

    def fail(self, why):
        with self.lock:
            if len(self.fails) < 20:
                self.fails.append(why)

    def running(self):
        return time.monotonic() < self.until

    # -- slow clients -------------------------------------------------------

    def open_slow(self):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect_ex(("127.0.0.1", self.port))
        except OSError:
            s.close()
            return None
        return s

    def slow(self, n, interval):
        head = b"GET /items HTTP/1.1\r\nHost: soak\r\nX-Slow: "
        socks = [[self.open_slow(), 0] for _ in range(n)]
        reopened = 0
        while self.running():
            for e in socks:
                s, sent = e
                if s is None:
                    e[0], e[1] = self.open_slow(), 0
                    reopened += 1
                    continue
                byte = head[sent:sent + 1] or b"a"
                try:
                    s.send(byte)
                    e[1] = sent + 1
                except BlockingIOError:
                    pass
                except OSError:
                    s.close()
                    e[0], e[1] = self.open_slow(), 0
                    reopened += 1
            end = time.monotonic() + interval
            while self.running() and time.monotonic() < end:
                time.sleep(0.2)
        still = sum(1 for s, _ in socks if s is not None)
        for s, _ in socks:
            if s is not None:
                s.close()
        self.slow_result = (n, reopened, still)

    def probes(self):
        ok = bad = 0
        worst = 0.0
        while self.running():
            t = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port,
                                               timeout=PROBE_TIMEOUT)
                c.request("GET", "/_crudd/health")
                r = c.getresponse()
                r.read()
                c.close()
                took = time.monotonic() - t
                if r.status == 200 and took <= PROBE_TIMEOUT:
                    ok += 1
                else:
                    bad += 1
                    self.fail("health probe: %d after %.1f s" % (r.status,
                                                                 took))
            except OSError as e:
                took = time.monotonic() - t
                bad += 1
                self.fail("health probe: %s after %.1f s" % (e, took))
            worst = max(worst, took)
            time.sleep(max(0.0, 1.0 - took))
        self.probe_result = (ok, bad, worst)

    # -- heavy sets -----------------------------------------------------------

    def ddb(self, conn, op, body):
        conn.request("POST", "/", body=json.dumps(body), headers={
            "X-Amz-Target": "DynamoDB_20120810." + op,
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=soak"})
        r = conn.getresponse()
        return r.status, r.read()

    def heavy(self, members, limit):
        calls = bad = 0
        worst = 0.0
        key = {"id": {"S": "soak-heavy-set"}}
        rounds = 0
        conn = None
        while self.running():
            ops = [("PutItem", {"TableName": "ItemsTable", "Item": dict(
                key, ss={"SS": ["r%d-%07d" % (rounds, i)
                                for i in range(members)]})})]
            step = max(1, members // 4)
            for first in range(members, 2 * members, step):
                ops.append(("UpdateItem", {
                    "TableName": "ItemsTable", "Key": key,
                    "UpdateExpression": "ADD ss :v",
                    "ExpressionAttributeValues": {":v": {"SS": [
                        "r%d-%07d" % (rounds, i)
                        for i in range(first, first + step)]}}}))
            for op, body in ops:
                if not self.running():
                    break
                t = time.monotonic()
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(
                            "127.0.0.1", self.port, timeout=HEAVY_TIMEOUT)
                    status, text = self.ddb(conn, op, body)
                except OSError as e:
                    status, text = 0, str(e).encode()
                    conn = None
                took = time.monotonic() - t
                calls += 1
                worst = max(worst, took)
                if status != 200 or took > limit:
                    bad += 1
                    self.fail("heavy %s: %d after %.1f s: %s"
                              % (op, status, took, text[:200]))
            rounds += 1
        self.heavy_result = (calls, bad, worst)


def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    side = Side(port, seconds)
    n = env_int("SOAK_SLOW_CLIENTS", 1200)
    interval = env_int("SOAK_SLOW_INTERVAL", 5)
    members = env_int("SOAK_HEAVY_SET_MEMBERS", 12000)
    limit = float(env_int("SOAK_HEAVY_MAX_SECONDS", 2))
    threads = [threading.Thread(target=side.probes)]
    if n > 0:
        threads.append(threading.Thread(target=side.slow, args=(n, interval)))
    if members > 0:
        threads.append(threading.Thread(target=side.heavy,
                                        args=(members, limit)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok, bad, worst = side.probe_result
    if n > 0:
        n, reopened, still = side.slow_result
        print("SIDE slow %d slow clients, %d reopened after crudd closed "
              "them, %d open at the end" % (n, reopened, still))
    print("SIDE probe health probes %d answered, %d not, slowest %.3f s"
          % (ok, bad, worst))
    if members > 0:
        calls, hbad, hworst = side.heavy_result
        print("SIDE heavy %d set calls of %d-member sets, %d failed or over "
              "%.0f s, slowest %.3f s" % (calls, members, hbad, limit, hworst))
        if calls == 0:
            side.fail("no heavy set call was made")
    if ok == 0:
        side.fail("no health probe was answered")
    for why in side.fails:
        print("SIDE FAIL " + why)


if __name__ == "__main__":
    main()
