"""Many clients at once: no lost creates, exactly one winner per If-Match."""

import threading
import unittest

from harness import CruddTestCase, check_common_headers

CHANGED = "Precondition failed: the item has changed"


def run_threads(n, fn, timeout=60):
    """Run fn(i) in n threads released together; returns the results."""
    results = [None] * n
    errors = []
    barrier = threading.Barrier(n, timeout=timeout)

    def body(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except BaseException as e:       # reported by the caller
            errors.append(e)

    threads = [threading.Thread(target=body, args=(i,), daemon=True)
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    if any(t.is_alive() for t in threads):
        raise AssertionError("threads still running after %d s" % timeout)
    if errors:
        raise errors[0]
    return results


class ConcurrencyTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # a fresh server per test: counts matter

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.srv = self.start_server()

    def test_32_threads_of_20_posts_create_640_distinct_items(self):
        def posts(t):
            out = []
            conn = self.srv.connection()
            try:
                for j in range(20):
                    r = self.srv.request("POST", "/items",
                                         {"t": t, "j": j}, conn=conn)
                    check_common_headers(self, r)
                    self.assertEqual(r.status, 201, r)
                    out.append((r.json()["item"],
                                r.header("x-amzn-RequestId")))
            finally:
                conn.close()
            return out

        results = run_threads(32, posts)
        items = [it for res in results for it, _ in res]
        rids = [rid for res in results for _, rid in res]
        self.assertEqual(len(items), 640)
        self.assertEqual(len({i["id"] for i in items}), 640)
        self.assertEqual(len(set(rids)), 640)
        self.assertEqual({(i["t"], i["j"]) for i in items},
                         {(t, j) for t in range(32) for j in range(20)})

        by_id = {i["id"]: i for i in items}
        ids = sorted(by_id)

        def gets(t):
            conn = self.srv.connection()
            try:
                for iid in ids[t::8]:
                    r = self.srv.request("GET", "/items/" + iid, conn=conn)
                    self.assertEqual(r.status, 200, r)
                    self.assertEqual(r.json(), by_id[iid])
            finally:
                conn.close()

        run_threads(8, gets)
        listed = self.list_all(limit=100)
        self.assertEqual(len(listed), 640)
        self.assertEqual({i["id"] for i in listed}, set(ids))
        listed = self.list_all()
        self.assertEqual(len(listed), 640)

    def conflicting(self, method, body_for):
        item = self.create({"v": "start"})
        etag = self.get_item(item["id"]).header("ETag")

        def one(i):
            return self.srv.request(method, "/items/" + item["id"],
                                    body_for(i), headers={"If-Match": etag})

        results = run_threads(16, one)
        for r in results:
            check_common_headers(self, r)
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [200] + [412] * 15, statuses)
        for r in results:
            if r.status == 412:
                self.assertEqual(r.json(), {"message": CHANGED})
        return item, [r for r in results if r.status == 200][0]

    def test_16_conflicting_puts_with_one_if_match_have_one_winner(self):
        item, win = self.conflicting("PUT", lambda i: {"v": "writer-%d" % i})
        self.assert_item_is(item["id"], win.json()["item"])
        self.assertEqual(self.get_item(item["id"]).header("ETag"),
                         win.header("ETag"))

    def test_16_conflicting_patches_with_one_if_match_have_one_winner(self):
        item, win = self.conflicting("PATCH",
                                     lambda i: {"w%d" % i: i})
        got = self.get_item(item["id"]).json()
        self.assertEqual(got, win.json()["item"])
        self.assertEqual(len([k for k in got if k.startswith("w")]), 1)

    def test_16_conflicting_deletes_with_one_if_match_have_one_winner(self):
        item, win = self.conflicting("DELETE", lambda i: None)
        self.assert_error(self.get_item(item["id"]), 404, "Item not found")


if __name__ == "__main__":
    unittest.main()
