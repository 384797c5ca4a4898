"""GET /items: a Scan, paged with limit and nextToken.

Each test starts its own server with a fresh database, because counts
depend on everything stored."""

import unittest

from harness import CruddTestCase, urlquote


class ListTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # no shared server: every test has a fresh one

    @classmethod
    def tearDownClass(cls):
        pass

    def setUp(self):
        self.srv = self.start_server()

    def fill(self, n):
        items = {}
        for i in range(n):
            item = self.create({"n": i, "name": "item %d" % i})
            items[item["id"]] = item
        return items

    def test_list_of_empty_table_is_empty(self):
        r = self.req("GET", "/items")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"items": [], "count": 0})

    def test_list_returns_all_items_and_count_without_next_token(self):
        items = self.fill(3)
        r = self.req("GET", "/items")
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(set(j), {"items", "count"})
        self.assertEqual(j["count"], 3)
        self.assertEqual(sorted(j["items"], key=lambda i: i["id"]),
                         sorted(items.values(), key=lambda i: i["id"]))

    def test_list_does_not_show_deleted_items(self):
        items = self.fill(3)
        gone = sorted(items)[1]
        self.assertEqual(self.req("DELETE", "/items/" + gone).status, 200)
        j = self.req("GET", "/items").json()
        self.assertEqual(j["count"], 2)
        self.assertEqual({i["id"] for i in j["items"]}, set(items) - {gone})

    def test_walking_pages_of_2_over_5_items_returns_each_once(self):
        items = self.fill(5)
        seen = []
        token = None
        sizes = []
        for _ in range(10):
            path = "/items?limit=2"
            if token is not None:
                path += "&nextToken=" + urlquote(token)
            r = self.req("GET", path)
            self.assertEqual(r.status, 200, r)
            j = r.json()
            self.assertEqual(j["count"], len(j["items"]))
            self.assertLessEqual(j["count"], 2)
            sizes.append(j["count"])
            seen.extend(j["items"])
            if "nextToken" not in j:
                self.assertEqual(set(j), {"items", "count"})
                break
            self.assertIsInstance(j["nextToken"], str)
            self.assertTrue(j["nextToken"])
            token = j["nextToken"]
        else:
            self.fail("paging did not end")
        self.assertEqual(sizes, [2, 2, 1])
        self.assertEqual(len(seen), 5)
        self.assertEqual({i["id"] for i in seen}, set(items))
        for i in seen:
            self.assertEqual(i, items[i["id"]])

    def test_limit_equal_to_item_count_has_no_next_token(self):
        self.fill(3)
        j = self.req("GET", "/items?limit=3").json()
        self.assertEqual(j["count"], 3)
        self.assertNotIn("nextToken", j)

    def test_limit_larger_than_item_count_returns_all(self):
        self.fill(3)
        j = self.req("GET", "/items?limit=100").json()
        self.assertEqual(j["count"], 3)
        self.assertNotIn("nextToken", j)

    def test_limit_1_pages_one_item_at_a_time(self):
        items = self.fill(3)
        got = self.list_all(limit=1)
        self.assertEqual(sorted(i["id"] for i in got), sorted(items))

    def test_bad_limit_is_400(self):
        self.fill(1)
        for bad in ("0", "-1", "abc", "1.5", "", "2x", "1e1"):
            with self.subTest(limit=bad):
                r = self.req("GET", "/items?limit=" + bad)
                self.assert_error(r, 400, "limit must be a positive integer")

    def test_garbage_next_token_is_400(self):
        self.fill(3)
        for bad in ("garbage", "!!!", "x"):
            with self.subTest(token=bad):
                r = self.req("GET", "/items?nextToken=" + urlquote(bad))
                self.assert_error(r, 400, "nextToken is invalid")

    def test_tampered_next_token_is_400(self):
        self.fill(4)
        j = self.req("GET", "/items?limit=1").json()
        token = j["nextToken"]
        mid = len(token) // 2
        flipped = "B" if token[mid] == "A" else "A"
        bad = token[:mid] + flipped + token[mid + 1:]
        self.assertNotEqual(bad, token)
        r = self.req("GET", "/items?limit=1&nextToken=" + urlquote(bad))
        self.assert_error(r, 400, "nextToken is invalid")
        # the genuine token still works
        r = self.req("GET", "/items?limit=1&nextToken=" + urlquote(token))
        self.assertEqual(r.status, 200, r)

    def test_list_pages_respect_1mb(self):
        # 4 items of ~300 KB: a page may hold at most 1 MB, so one request
        # without limit cannot return them all at once
        ids = set()
        for i in range(4):
            ids.add(self.create({"n": i, "blob": "b" * 300000})["id"])
        r = self.req("GET", "/items")
        self.assertEqual(r.status, 200)
        j = r.json()
        self.assertLess(j["count"], 4)
        self.assertIn("nextToken", j)
        got = self.list_all()
        self.assertEqual(sorted(i["id"] for i in got), sorted(ids))


if __name__ == "__main__":
    unittest.main()
