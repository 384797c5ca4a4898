"""What survives a restart: an orderly SIGTERM, and SIGKILL under load."""

import http.client
import random
import threading
import time
import unittest

from harness import CruddTestCase, Server


class DurabilityTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # each test manages its own servers

    @classmethod
    def tearDownClass(cls):
        pass

    def test_items_survive_a_sigterm_restart(self):
        srv = self.start_server()
        items = {}
        for i in range(10):
            item = self.create({"i": i, "s": "v%d" % i, "f": 19.99}, srv=srv)
            items[item["id"]] = item
        ids = sorted(items)
        r = self.req("PUT", "/items/" + ids[0], {"replaced": True}, srv=srv)
        self.assertEqual(r.status, 200)
        items[ids[0]] = r.json()["item"]
        r = self.req("PATCH", "/items/" + ids[1], {"s": None, "p": 1},
                     srv=srv)
        self.assertEqual(r.status, 200)
        items[ids[1]] = r.json()["item"]
        self.assertEqual(self.req("DELETE", "/items/" + ids[2],
                                  srv=srv).status, 200)
        del items[ids[2]]
        etag = self.get_item(ids[3], srv=srv).header("ETag")
        srv.stop()

        srv2 = self.start_server(db=srv.db)
        got = {i["id"]: i for i in self.list_all(srv=srv2)}
        self.assertEqual(got, items)
        self.assert_error(self.get_item(ids[2], srv=srv2), 404,
                          "Item not found")
        # an ETag stays valid across a restart
        self.assertEqual(self.get_item(ids[3], srv=srv2).header("ETag"), etag)
        srv2.stop()

    def test_sigkill_under_load_loses_no_acknowledged_write(self):
        rounds, writers, run_for = 3, 8, 1.5
        db = None
        acked = {}                  # id -> body acknowledged with 201
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
                    k = rng.choice((1, 10, 100, 1000, 4000))
                    body = {"payload": "x" * k, "len": k, "round": rnd,
                            "writer": w, "seq": seq,
                            "nested": {"len": k, "tail": "end"}}
                    seq += 1
                    try:
                        if conn is None:
                            conn = srv.connection(timeout=5)
                        r = srv.request("POST", "/items", body, conn=conn)
                    except (OSError, http.client.HTTPException):
                        if conn is not None:
                            conn.close()
                        conn = None
                        if not srv.alive():
                            return
                        time.sleep(0.01)
                        continue
                    if r.status == 201:
                        item = r.json()["item"]
                        with lock:
                            acked[item["id"]] = body
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
                               "round %d: no write was acknowledged" % rnd)

            srv2 = self.start_server(db=db)
            present = {i["id"]: i for i in self.list_all(srv=srv2)}
            with lock:
                snapshot = dict(acked)
            missing = [i for i in snapshot if i not in present]
            self.assertEqual(missing, [], "round %d: %d acknowledged items "
                             "lost" % (rnd, len(missing)))
            for iid, body in snapshot.items():
                self.assertEqual(present[iid], dict(body, id=iid))
            for iid, item in present.items():
                k = item.get("len")
                complete = (isinstance(k, int) and item.get("payload") == "x" * k
                            and item.get("nested") == {"len": k, "tail": "end"}
                            and set(item) == {"id", "payload", "len", "round",
                                              "writer", "seq", "nested"})
                self.assertTrue(complete, "half-written item %s: %r"
                                % (iid, {a: (v if a != "payload" else len(v))
                                         for a, v in item.items()}))
            srv2.stop()


if __name__ == "__main__":
    unittest.main()
