"""Disk faults under the store, and transactions across a SIGKILL.

Faults go in through the store's seam (src/store_fault.c): crudd started
with CRUDD_FAULT_FILE=<path> reads that file before every write, sync and
truncate SQLite makes, and fails the call as a full disk ("full"), a
failing disk ("ioerr"), a read-only file ("readonly") or a failing flush
("fsync") would. While a
fault lasts a write gets a clear 503 (DynamoDB face: 500
InternalServerError) and changes nothing; reads go on; once the file is
gone crudd writes again by itself, without a restart.

Requests are raw HTTP (the DynamoDB face too, with a dummy Authorization
header): nothing here needs boto3.
"""

import http.client
import json
import os
import random
import shutil
import tempfile
import threading
import time
import unittest
import uuid

from harness import CruddTestCase, new_id
from ddb_client import WireMixin

TABLE = "ItemsTable"            # the REST face's table, as the DynamoDB face
UNAVAILABLE = "Service unavailable: "
# SQLite's words for each fault, as the client reads them.
MESSAGES = {
    "full": "database or disk is full",
    "ioerr": "disk I/O error",
    "readonly": "attempt to write a readonly database",
    "fsync": "disk I/O error",
}
RECOVERY_TIMEOUT = 5.0          # seconds for writes to work again


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def put_action(item):
    """A TransactWriteItems Put of a plain item (strings and integers)."""
    typed = {k: (S(v) if isinstance(v, str) else N(v))
             for k, v in item.items()}
    return {"Put": {"TableName": TABLE, "Item": typed}}


class FaultTestCase(WireMixin, CruddTestCase):
    """Each test starts its own servers."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def start_faulty(self, db=None):
        """A crudd whose disk fails on demand: set_fault / clear_fault."""
        d = tempfile.mkdtemp(prefix="crudd-fault-")
        self.addCleanup(shutil.rmtree, d, True)
        ctl = os.path.join(d, "fault")
        srv = self.start_server(db=db, env={"CRUDD_FAULT_FILE": ctl})
        srv.fault_file = ctl
        return srv

    def set_fault(self, srv, kind):
        # rename: crudd never reads a half-written control file
        tmp = srv.fault_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(kind + "\n")
        os.rename(tmp, srv.fault_file)

    def clear_fault(self, srv):
        try:
            os.unlink(srv.fault_file)
        except FileNotFoundError:
            pass

    def transact(self, srv, actions, conn=None):
        hdrs = {"Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.TransactWriteItems",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/"
                                 "us-east-1/dynamodb/aws4_request, "
                                 "SignedHeaders=host, Signature=" + "0" * 64}
        raw = json.dumps({"TransactItems": actions}).encode("utf-8")
        return srv.request("POST", "/", raw=raw, headers=hdrs, conn=conn)

    def assert_unavailable(self, r, kind):
        """The REST face's answer to a write the disk refused."""
        self.assert_error(r, 503, UNAVAILABLE + MESSAGES[kind])

    def assert_internal_error(self, r, kind):
        """The DynamoDB face's: 500, as DynamoDB's own faults."""
        self.assertEqual(r.status, 500, r)
        self.check_wire_headers(r)
        j = r.json()
        self.assertTrue(j.get("__type", "").endswith("#InternalServerError"),
                        j)
        self.assertEqual(j.get("message"), UNAVAILABLE + MESSAGES[kind])

    def items_by_id(self, srv):
        return {i["id"]: i for i in self.list_all(srv=srv)}


class DiskFaultTest(FaultTestCase):

    def check_fault(self, kind):
        srv = self.start_faulty()
        self.assertIsNotNone(srv.wait_for_log(
            lambda l: l.endswith("fault injection enabled: "
                                 + srv.fault_file)), srv.log_text())
        old = self.create({"name": "before", "n": 1}, srv=srv)
        iid = old["id"]
        tx_ids = [new_id("tx") for _ in range(3)]

        self.set_fault(srv, kind)
        new = new_id("during")
        self.assert_unavailable(
            self.req("POST", "/items", {"id": new, "name": "during"},
                     srv=srv), kind)
        self.assert_unavailable(
            self.req("POST", "/items", {"name": "generated id"}, srv=srv),
            kind)
        self.assert_unavailable(
            self.req("PUT", "/items/" + iid, {"name": "put"}, srv=srv), kind)
        self.assert_unavailable(
            self.req("PATCH", "/items/" + iid, {"n": 2}, srv=srv), kind)
        self.assert_unavailable(
            self.req("DELETE", "/items/" + iid, srv=srv), kind)
        # reads are not refused: the file can still be read
        self.assert_item_is(iid, old, srv=srv)
        self.assertEqual(self.list_all(srv=srv), [old])
        self.assert_internal_error(self.wire("PutItem", {
            "TableName": TABLE, "Item": {"id": S(new), "x": N(1)}},
            srv=srv), kind)
        self.assert_internal_error(self.transact(srv, [
            put_action({"id": t, "k": k}) for k, t in enumerate(tx_ids)] + [
            {"Update": {"TableName": TABLE, "Key": {"id": S(iid)},
                        "UpdateExpression": "SET n = :n",
                        "ExpressionAttributeValues": {":n": N(3)}}}]), kind)
        # nothing half-written is visible
        self.assertEqual(self.list_all(srv=srv), [old])
        for t in tx_ids + [new]:
            self.assert_error(self.get_item(t, srv=srv), 404,
                              "Item not found")

        self.clear_fault(srv)
        deadline = time.monotonic() + RECOVERY_TIMEOUT
        while True:
            r = self.req("POST", "/items", {"id": new, "name": "after"},
                         srv=srv)
            if r.status == 201 or time.monotonic() > deadline:
                break
            self.assert_unavailable(r, kind)
            time.sleep(0.05)
        self.assertEqual(r.status, 201, "no recovery within %.0f s: %r"
                         % (RECOVERY_TIMEOUT, r))
        r = self.req("PATCH", "/items/" + iid, {"n": 2}, srv=srv)
        self.assertEqual(r.status, 200, r)
        r = self.transact(srv, [put_action({"id": t, "k": k})
                                for k, t in enumerate(tx_ids)])
        self.assertEqual(r.status, 200, r)
        want = {iid: dict(old, n=2), new: {"id": new, "name": "after"}}
        want.update({t: {"id": t, "k": k} for k, t in enumerate(tx_ids)})
        self.assertEqual(self.items_by_id(srv), want)
        # an orderly stop while the disk fails (its last checkpoint fails
        # too) still exits 0, and loses nothing: the WAL stays
        self.set_fault(srv, kind)
        srv.stop()

        # what was written after the fault is durable
        again = self.start_server(db=srv.db)
        self.assertEqual(self.items_by_id(again), want)
        again.stop()

    def test_disk_full_is_503_changes_nothing_and_recovers(self):
        self.check_fault("full")

    def test_io_error_is_503_changes_nothing_and_recovers(self):
        self.check_fault("ioerr")

    def test_read_only_file_is_503_changes_nothing_and_recovers(self):
        self.check_fault("readonly")

    def test_failed_fsync_is_503_changes_nothing_and_recovers(self):
        self.check_fault("fsync")

    def test_write_failed_at_its_fsync_is_absent_or_whole_after_a_kill(self):
        """The one ambiguity of a failing disk: a commit whose WAL frames
        were written but not synced is refused and invisible, but if crudd
        dies before its next commit overwrites them, SQLite's recovery may
        find it after a restart. Its outcome is unknown (as a DynamoDB 500),
        and it is never half there."""
        srv = self.start_faulty()
        self.create({"id": "kept"}, srv=srv)
        self.set_fault(srv, "fsync")
        body = {"id": "unknown", "payload": "x" * 20000, "n": 3}
        self.assert_unavailable(self.req("POST", "/items", body, srv=srv),
                                "fsync")
        self.assert_error(self.get_item("unknown", srv=srv), 404,
                          "Item not found")
        srv.kill()
        self.clear_fault(srv)
        again = self.start_server(db=srv.db)
        got = self.items_by_id(again)
        self.assertEqual(got.pop("kept"), {"id": "kept"})
        self.assertIn(got, ({}, {"unknown": body}))
        again.stop()

    def test_unknown_word_in_the_control_file_is_no_fault(self):
        srv = self.start_faulty()
        self.set_fault(srv, "nothing-to-see")
        self.create({"name": "fine"}, srv=srv)
        srv.stop()

    def test_faults_under_load_acknowledge_exactly_what_is_kept(self):
        """Writers run while faults come and go (group commit batches,
        WAL checkpoints, big items): every answer is a success or a clear
        503/500, every acknowledged write is there, and no refused one."""
        srv = self.start_faulty()
        lock = threading.Lock()
        acked, refused, odd = {}, set(), []
        stop = threading.Event()

        def rest_writer(w):
            rng = random.Random(w)
            conn = srv.connection()
            while not stop.is_set():
                size = rng.choice((10, 1000, 20000, 60000))
                body = {"id": new_id("w%d" % w), "w": w,
                        "payload": "x" * size}
                try:
                    r = srv.request("POST", "/items", body, conn=conn)
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        odd.append(repr(e))
                    return
                with lock:
                    if r.status == 201:
                        acked[body["id"]] = body
                    elif (r.status == 503 and r.json()["message"]
                          in [UNAVAILABLE + m for m in MESSAGES.values()]):
                        refused.add(body["id"])
                    else:
                        odd.append(r)
            conn.close()

        def txn_writer(w):
            conn = srv.connection()
            while not stop.is_set():
                txid = new_id("t%d" % w)
                items = [{"id": "%s-%d" % (txid, k), "txid": txid, "k": k}
                         for k in range(3)]
                try:
                    r = self.transact(srv, [put_action(i) for i in items],
                                      conn=conn)
                except (OSError, http.client.HTTPException) as e:
                    with lock:
                        odd.append(repr(e))
                    return
                with lock:
                    if r.status == 200:
                        for i in items:
                            acked[i["id"]] = i
                    elif (r.status == 500 and
                          r.json().get("__type", "").endswith(
                              "#InternalServerError")):
                        refused.update(i["id"] for i in items)
                    else:
                        odd.append(r)
            conn.close()

        threads = [threading.Thread(target=rest_writer, args=(w,),
                                    daemon=True) for w in range(4)]
        threads += [threading.Thread(target=txn_writer, args=(w,),
                                     daemon=True) for w in range(4, 6)]
        for t in threads:
            t.start()
        for kind in ["full", "ioerr", "readonly", "fsync"] * 3:
            time.sleep(0.2)
            self.set_fault(srv, kind)
            time.sleep(0.2)
            self.clear_fault(srv)
        time.sleep(0.3)
        stop.set()
        for t in threads:
            t.join(timeout=20)
            self.assertFalse(t.is_alive(), "a writer did not stop")
        self.assertEqual(odd, [])
        self.assertTrue(acked and refused, (len(acked), len(refused)))
        self.assertEqual(set(acked) & refused, set())

        # crudd writes again, and holds exactly the acknowledged writes
        self.create({"id": new_id("last")}, srv=srv)
        present = self.items_by_id(srv)
        for iid, body in acked.items():
            self.assertEqual(present.get(iid), body, iid)
        self.assertEqual(refused & set(present), set())
        self.assertEqual(len(present), len(acked) + 1)
        srv.stop()
        again = self.start_server(db=srv.db)
        self.assertEqual(self.items_by_id(again), present)
        again.stop()


class TransactionKillTest(FaultTestCase):

    def test_sigkill_leaves_each_transaction_all_or_nothing(self):
        """Rounds of TransactWriteItems under SIGKILL: 2-3 Puts and a
        counter Update per transaction. After a restart every acknowledged
        transaction is there whole, and every transaction seen at all is
        whole (all its items, exact content, counted once)."""
        rounds, writers, run_for = 3, 6, 1.5
        db = None
        acked = {}                  # txid -> [items]
        lock = threading.Lock()
        for rnd in range(rounds):
            srv = self.start_server(db=db)
            db = srv.db
            stop = threading.Event()

            def writer(w, srv=srv, stop=stop, rnd=rnd):
                rng = random.Random(rnd * 1000 + w)
                seq = 0
                conn = None
                while not stop.is_set():
                    txid = "tx-%d-%d-%d-%s" % (rnd, w, seq, uuid.uuid4().hex)
                    n = rng.choice((2, 3))
                    size = rng.choice((1, 100, 4000, 30000))
                    items = [{"id": "%s-%d" % (txid, k), "txid": txid,
                              "round": rnd, "writer": w, "seq": seq, "k": k,
                              "n": n, "payload": "x" * size}
                             for k in range(n)]
                    actions = [put_action(i) for i in items] + [{"Update": {
                        "TableName": TABLE,
                        "Key": {"id": S("ctr-%d-%d" % (rnd, w))},
                        "UpdateExpression": "ADD txns :one",
                        "ExpressionAttributeValues": {":one": N(1)}}}]
                    seq += 1
                    try:
                        if conn is None:
                            conn = srv.connection(timeout=5)
                        r = self.transact(srv, actions, conn=conn)
                    except (OSError, http.client.HTTPException):
                        if conn is not None:
                            conn.close()
                        conn = None
                        if not srv.alive():
                            return
                        time.sleep(0.01)
                        continue
                    if r.status == 200:
                        with lock:
                            acked[txid] = items
                if conn is not None:
                    conn.close()

            threads = [threading.Thread(target=writer, args=(w,), daemon=True)
                       for w in range(writers)]
            before = len(acked)
            for t in threads:
                t.start()
            time.sleep(run_for)
            srv.proc.kill()             # SIGKILL mid-load
            srv.proc.wait(timeout=5)
            stop.set()
            for t in threads:
                t.join(timeout=10)
                self.assertFalse(t.is_alive(), "a writer did not stop")
            self.assertGreater(len(acked) - before, 0,
                               "round %d: no transaction was acknowledged"
                               % rnd)

            srv2 = self.start_server(db=db)
            present = self.items_by_id(srv2)
            with lock:
                snapshot = dict(acked)
            for txid, items in snapshot.items():
                for i in items:
                    self.assertEqual(present.get(i["id"]), i,
                                     "round %d: acknowledged %s lost or "
                                     "changed" % (rnd, i["id"]))
            groups, counters = {}, {}
            for iid, item in present.items():
                if iid.startswith("ctr-"):
                    counters[iid] = item
                    continue
                groups.setdefault(item.get("txid"), []).append(item)
            seen = {}               # (round, writer) -> transactions present
            for txid, items in groups.items():
                first = items[0]
                n = first.get("n")
                self.assertEqual(len(items), n, "round %d: transaction %s "
                                 "is half there: %d of %r items"
                                 % (rnd, txid, len(items), n))
                size = len(first["payload"])
                want = [{"id": "%s-%d" % (txid, k), "txid": txid,
                         "round": first["round"], "writer": first["writer"],
                         "seq": first["seq"], "k": k, "n": n,
                         "payload": "x" * size} for k in range(n)]
                self.assertEqual(sorted(items, key=lambda i: i["k"]), want)
                key = (first["round"], first["writer"])
                seen[key] = seen.get(key, 0) + 1
            # each transaction's counter Update committed with its Puts
            for (r, w), count in seen.items():
                self.assertEqual(counters.get("ctr-%d-%d" % (r, w)),
                                 {"id": "ctr-%d-%d" % (r, w), "txns": count})
            self.assertEqual(len(counters), len(seen))
            srv2.stop()


if __name__ == "__main__":
    unittest.main()


class FileSizeLimitTest(CruddTestCase):
    """Under a file size limit (ulimit -f) a write past it fails with EFBIG
    and takes the disk-full path; SIGXFSZ must not kill the server."""

    @classmethod
    def setUpClass(cls):
        pass

    @classmethod
    def tearDownClass(cls):
        pass

    def test_a_write_past_the_file_size_limit_is_503_and_the_server_lives(self):
        srv = self.start_server(wrapper=["prlimit", "--fsize=2000000", "--"])
        kept = self.create({"id": "fsize-kept", "v": "x"}, srv=srv)
        big = "x" * 300000
        refused = None
        for i in range(40):
            r = srv.request("POST", "/items", {"id": "fsize-%d" % i, "v": big})
            if r.status != 201:
                refused = r
                break
        self.assertIsNotNone(refused, "2 MB limit never reached")
        self.assertEqual(refused.status, 503, refused)
        self.assertTrue(refused.json()["message"].startswith(UNAVAILABLE),
                        refused)
        self.assertTrue(srv.alive(), "crudd died under the file size limit")
        r = self.get_item("fsize-kept", srv=srv)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), kept)
        srv.stop()
