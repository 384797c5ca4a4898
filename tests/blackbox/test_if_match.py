"""If-Match on PUT, PATCH and DELETE: optimistic locking (RFC 9110 13.1.1)."""

import unittest

from harness import CruddTestCase, new_id

CHANGED = "Precondition failed: the item has changed"
WRONG_ETAG = '"0123456789abcdef"'


class IfMatchTest(CruddTestCase):

    def fresh(self):
        """A new item and its current ETag, read with GET."""
        item = self.create({"v": 1, "name": "orig"})
        etag = self.get_item(item["id"]).header("ETag")
        self.assertTrue(etag)
        return item, etag

    def stale(self):
        """An item whose ETag from GET has since been superseded."""
        item, etag = self.fresh()
        r = self.req("PATCH", "/items/" + item["id"], {"v": 2})
        self.assertEqual(r.status, 200, r)
        current = self.get_item(item["id"]).json()
        self.assertNotEqual(self.get_item(item["id"]).header("ETag"), etag)
        return current, etag

    # -- the current ETag succeeds -------------------------------------------

    def test_put_with_current_if_match_is_200(self):
        item, etag = self.fresh()
        r = self.req("PUT", "/items/" + item["id"], {"v": 9},
                     headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "v": 9})

    def test_patch_with_current_if_match_is_200(self):
        item, etag = self.fresh()
        r = self.req("PATCH", "/items/" + item["id"], {"v": 9},
                     headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], dict(item, v=9))

    def test_delete_with_current_if_match_is_200(self):
        item, etag = self.fresh()
        r = self.req("DELETE", "/items/" + item["id"],
                     headers={"If-Match": etag})
        self.assertEqual(r.status, 200, r)
        self.assert_error(self.get_item(item["id"]), 404, "Item not found")

    def test_etag_from_put_response_works_for_the_next_put(self):
        item, etag = self.fresh()
        r1 = self.req("PUT", "/items/" + item["id"], {"v": 2},
                      headers={"If-Match": etag})
        self.assertEqual(r1.status, 200, r1)
        r2 = self.req("PUT", "/items/" + item["id"], {"v": 3},
                      headers={"If-Match": r1.header("ETag")})
        self.assertEqual(r2.status, 200, r2)
        r3 = self.req("PUT", "/items/" + item["id"], {"v": 4},
                      headers={"If-Match": etag})
        self.assert_error(r3, 412, CHANGED)

    def test_etag_from_post_response_works_for_if_match(self):
        r = self.req("POST", "/items", {"v": 1})
        item_id = r.json()["item"]["id"]
        r2 = self.req("PATCH", "/items/" + item_id, {"v": 2},
                      headers={"If-Match": r.header("ETag")})
        self.assertEqual(r2.status, 200, r2)

    # -- a stale or wrong ETag is 412 and changes nothing --------------------

    def test_put_with_stale_if_match_is_412_and_unchanged(self):
        current, etag = self.stale()
        r = self.req("PUT", "/items/" + current["id"], {"v": 99},
                     headers={"If-Match": etag})
        self.assert_error(r, 412, CHANGED)
        self.assert_item_is(current["id"], current)

    def test_patch_with_stale_if_match_is_412_and_unchanged(self):
        current, etag = self.stale()
        r = self.req("PATCH", "/items/" + current["id"], {"v": 99},
                     headers={"If-Match": etag})
        self.assert_error(r, 412, CHANGED)
        self.assert_item_is(current["id"], current)

    def test_delete_with_stale_if_match_is_412_and_unchanged(self):
        current, etag = self.stale()
        r = self.req("DELETE", "/items/" + current["id"],
                     headers={"If-Match": etag})
        self.assert_error(r, 412, CHANGED)
        self.assert_item_is(current["id"], current)

    def test_wrong_if_match_is_412_for_put_patch_delete(self):
        item, _ = self.fresh()
        for method, body in (("PUT", {"v": 5}), ("PATCH", {"v": 5}),
                             ("DELETE", None)):
            for etag in (WRONG_ETAG, '"nonsense"', "garbage"):
                with self.subTest(method=method, etag=etag):
                    r = self.req(method, "/items/" + item["id"], body,
                                 headers={"If-Match": etag})
                    self.assert_error(r, 412, CHANGED)
        self.assert_item_is(item["id"], item)

    # -- If-Match: * ---------------------------------------------------------

    def test_if_match_star_matches_an_existing_item(self):
        for method, body in (("PUT", {"v": 5}), ("PATCH", {"w": 6}),
                             ("DELETE", None)):
            with self.subTest(method=method):
                item, _ = self.fresh()
                r = self.req(method, "/items/" + item["id"], body,
                             headers={"If-Match": "*"})
                self.assertEqual(r.status, 200, r)

    # -- If-Match on a missing item is 412 -----------------------------------

    def test_if_match_on_missing_item_is_412(self):
        for method, body in (("PUT", {"v": 5}), ("PATCH", {"v": 5}),
                             ("DELETE", None)):
            for etag in (WRONG_ETAG, "*"):
                with self.subTest(method=method, etag=etag):
                    item_id = new_id("absent")
                    r = self.req(method, "/items/" + item_id, body,
                                 headers={"If-Match": etag})
                    self.assert_error(r, 412, CHANGED)
                    self.assert_error(self.get_item(item_id), 404,
                                      "Item not found")

    def test_if_match_on_deleted_item_is_412(self):
        item, etag = self.fresh()
        self.assertEqual(self.req("DELETE", "/items/" + item["id"]).status,
                         200)
        r = self.req("PUT", "/items/" + item["id"], {"v": 1},
                     headers={"If-Match": etag})
        self.assert_error(r, 412, CHANGED)
        self.assert_error(self.get_item(item["id"]), 404, "Item not found")

    def test_if_match_list_containing_current_etag_succeeds(self):
        item, etag = self.fresh()
        r = self.req("PATCH", "/items/" + item["id"], {"v": 7},
                     headers={"If-Match": WRONG_ETAG + ", " + etag})
        self.assertEqual(r.status, 200, r)


if __name__ == "__main__":
    unittest.main()


EXISTS = "Precondition failed: the item exists"


class IfNoneMatchTest(CruddTestCase):
    """If-None-Match on writes (RFC 9110 §13.1.2): "only if absent"."""

    fresh = IfMatchTest.fresh

    def test_put_with_if_none_match_star_on_an_existing_item_is_412(self):
        item, _ = self.fresh()
        r = self.req("PUT", "/items/" + item["id"], {"v": 99},
                     headers={"If-None-Match": "*"})
        self.assert_error(r, 412, EXISTS)
        self.assert_item_is(item["id"], item)

    def test_put_with_if_none_match_star_on_a_missing_item_is_404(self):
        item_id = new_id("absent")
        r = self.req("PUT", "/items/" + item_id, {"v": 1},
                     headers={"If-None-Match": "*"})
        self.assert_error(r, 404, "Item not found")

    def test_if_none_match_with_the_current_etag_is_412_weak_or_not(self):
        item, etag = self.fresh()
        for value in (etag, "W/" + etag, '"0123456789abcdef", ' + etag):
            with self.subTest(value=value):
                r = self.req("PATCH", "/items/" + item["id"], {"v": 5},
                             headers={"If-None-Match": value})
                self.assert_error(r, 412, EXISTS)
        self.assert_item_is(item["id"], item)

    def test_if_none_match_with_another_etag_writes(self):
        item, _ = self.fresh()
        r = self.req("PUT", "/items/" + item["id"], {"v": 7},
                     headers={"If-None-Match": '"0123456789abcdef"'})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "v": 7})

    def test_delete_with_if_none_match_star_keeps_the_item(self):
        item, _ = self.fresh()
        r = self.req("DELETE", "/items/" + item["id"],
                     headers={"If-None-Match": "*"})
        self.assert_error(r, 412, EXISTS)
        self.assert_item_is(item["id"], item)
