"""GET, PUT, PATCH and DELETE /items/{id}."""

import unittest

from harness import CruddTestCase, ETAG_RE, new_id, urlquote


class GetTest(CruddTestCase):

    def test_get_existing_item_is_200_with_the_item_and_etag(self):
        body = {"name": "a", "n": 1, "l": [1, "two", None, False]}
        item = self.create(body)
        r = self.assert_item_is(item["id"], dict(body, id=item["id"]))
        self.assertRegex(r.header("ETag") or "", ETAG_RE)

    def test_get_missing_item_is_404(self):
        r = self.get_item(new_id("missing"))
        self.assert_error(r, 404, "Item not found")

    def test_get_item_with_url_encoded_id(self):
        item_id = "with space and \u00e9 " + new_id()
        self.create({"id": item_id, "v": 1})
        r = self.req("GET", "/items/" + urlquote(item_id))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"id": item_id, "v": 1})


    def test_get_with_an_id_that_names_no_possible_item_is_404(self):
        # not UTF-8, a broken escape: no item can have such a key (a NUL,
        # %00, is 400 for any path: test_framing.TargetTest)
        for raw in ("%FF", "ab%FFcd", "a%zz", "%C3"):
            with self.subTest(raw=raw):
                self.assert_error(self.req("GET", "/items/" + raw), 404,
                                  "Item not found")

    def test_get_finds_ascii_and_non_ascii_ids_alike(self):
        for item_id in ("plain-" + new_id(), "a/b?c#d " + new_id(),
                        "\u00e9t\u00e9-" + new_id(), "\U0001f600" + new_id()):
            with self.subTest(item_id=item_id):
                self.create({"id": item_id, "v": 1})
                r = self.req("GET", "/items/" + urlquote(item_id))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json(), {"id": item_id, "v": 1})
                self.assertRegex(r.header("ETag"), ETAG_RE)


class PutTest(CruddTestCase):

    def test_put_replaces_every_attribute_but_id(self):
        item = self.create({"a": 1, "b": {"c": 2}, "keep": "no"})
        r = self.req("PUT", "/items/" + item["id"], {"a": 10, "z": "new"})
        self.assertEqual(r.status, 200, r)
        expected = {"id": item["id"], "a": 10, "z": "new"}
        self.assertEqual(r.json(), {"message": "Item updated successfully!",
                                    "item": expected})
        self.assert_item_is(item["id"], expected)

    def test_put_with_equal_id_in_body_is_200(self):
        item = self.create({"a": 1})
        r = self.req("PUT", "/items/" + item["id"],
                     {"id": item["id"], "a": 2})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "a": 2})

    def test_put_empty_object_leaves_only_the_id(self):
        item = self.create({"a": 1, "b": 2})
        r = self.req("PUT", "/items/" + item["id"], {})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"]})

    def test_put_returns_a_new_etag(self):
        r0 = self.req("POST", "/items", {"a": 1})
        item_id = r0.json()["item"]["id"]
        old = r0.header("ETag")
        r = self.req("PUT", "/items/" + item_id, {"a": 2})
        self.assertEqual(r.status, 200, r)
        self.assertRegex(r.header("ETag") or "", ETAG_RE)
        self.assertNotEqual(r.header("ETag"), old)
        self.assertEqual(self.get_item(item_id).header("ETag"),
                         r.header("ETag"))

    def test_put_with_different_id_in_body_is_400_and_unchanged(self):
        item = self.create({"a": 1})
        r = self.req("PUT", "/items/" + item["id"], {"id": "other", "a": 2})
        self.assert_error(r, 400, "id in body does not match id in path")
        self.assert_item_is(item["id"], item)
        self.assert_error(self.get_item("other"), 404, "Item not found")

    def test_put_with_bad_id_type_in_body_is_400(self):
        item = self.create({"a": 1})
        for bad in (1, None, True):
            with self.subTest(id=bad):
                r = self.req("PUT", "/items/" + item["id"], {"id": bad})
                self.assertEqual(r.status, 400, r)
                self.assertEqual(list(r.json()), ["message"])
        self.assert_item_is(item["id"], item)

    def test_put_not_json_is_400_and_unchanged(self):
        item = self.create({"a": 1})
        r = self.req("PUT", "/items/" + item["id"], raw=b"{nope")
        self.assert_error_prefix(r, 400, "Request body is not valid JSON")
        self.assert_item_is(item["id"], item)

    def test_put_non_object_is_400(self):
        item = self.create({"a": 1})
        for raw in (b"[1]", b'"s"', b"7", b"null"):
            with self.subTest(raw=raw):
                r = self.req("PUT", "/items/" + item["id"], raw=raw)
                self.assert_error(r, 400,
                                  "Request body must be a JSON object")
        self.assert_item_is(item["id"], item)

    def test_put_invalid_utf8_is_400(self):
        item = self.create({"a": 1})
        r = self.req("PUT", "/items/" + item["id"], raw=b'{"a": "\xff"}')
        self.assert_error(r, 400, "Request body is not valid UTF-8")
        self.assert_item_is(item["id"], item)

    def test_put_item_over_400kb_is_400_and_unchanged(self):
        item = self.create({"a": 1})
        r = self.req("PUT", "/items/" + item["id"], {"big": "x" * 410000})
        self.assert_error(r, 400,
                          "Item size has exceeded the maximum allowed size")
        self.assert_item_is(item["id"], item)

    def test_put_missing_item_is_404_and_creates_nothing(self):
        item_id = new_id("ghost")
        r = self.req("PUT", "/items/" + item_id, {"a": 1})
        self.assert_error(r, 404, "Item not found")
        self.assert_error(self.get_item(item_id), 404, "Item not found")


class PatchTest(CruddTestCase):

    def patch(self, item_id, body, **kw):
        return self.req("PATCH", "/items/" + item_id, body, **kw)

    def test_patch_sets_given_attributes_and_keeps_the_others(self):
        item = self.create({"a": 1, "b": "two", "c": [1, 2]})
        r = self.patch(item["id"], {"b": "deux", "d": True})
        self.assertEqual(r.status, 200, r)
        expected = {"id": item["id"], "a": 1, "b": "deux", "c": [1, 2],
                    "d": True}
        self.assertEqual(r.json(), {"message": "Item updated successfully!",
                                    "item": expected})
        self.assert_item_is(item["id"], expected)

    def test_patch_null_removes_an_attribute(self):
        item = self.create({"a": 1, "b": 2})
        r = self.patch(item["id"], {"b": None})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["item"], {"id": item["id"], "a": 1})
        self.assert_item_is(item["id"], {"id": item["id"], "a": 1})

    def test_patch_null_for_absent_attribute_is_harmless(self):
        item = self.create({"a": 1})
        r = self.patch(item["id"], {"nothere": None})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "a": 1})

    def test_patch_merges_nested_objects_recursively(self):
        item = self.create({"m": {"x": 1, "y": {"p": 1, "q": 2}, "z": 3},
                            "k": 0})
        r = self.patch(item["id"], {"m": {"y": {"q": None, "r": 5},
                                          "z": None, "w": "new"}})
        self.assertEqual(r.status, 200, r)
        expected = {"id": item["id"], "k": 0,
                    "m": {"x": 1, "y": {"p": 1, "r": 5}, "w": "new"}}
        self.assertEqual(r.json()["item"], expected)
        self.assert_item_is(item["id"], expected)

    def test_patch_object_onto_non_object_replaces_it_without_nulls(self):
        # RFC 7396: a non-object target is treated as {} before merging
        item = self.create({"a": 1})
        r = self.patch(item["id"], {"a": {"b": 1, "c": None}})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "a": {"b": 1}})

    def test_patch_replaces_arrays_whole(self):
        item = self.create({"l": [1, 2, 3]})
        r = self.patch(item["id"], {"l": [9]})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "l": [9]})

    def test_patch_empty_object_changes_nothing(self):
        item = self.create({"a": 1})
        r = self.patch(item["id"], {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["item"], item)
        self.assert_item_is(item["id"], item)

    def test_patch_with_equal_id_is_200(self):
        item = self.create({"a": 1})
        r = self.patch(item["id"], {"id": item["id"], "a": 2})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(item["id"], {"id": item["id"], "a": 2})

    def test_patch_id_null_is_400_and_unchanged(self):
        item = self.create({"a": 1})
        r = self.patch(item["id"], {"id": None, "a": 2})
        self.assert_error(r, 400, "id in body does not match id in path")
        self.assert_item_is(item["id"], item)

    def test_patch_different_id_is_400_and_unchanged(self):
        item = self.create({"a": 1})
        r = self.patch(item["id"], {"id": "someone-else", "a": 2})
        self.assert_error(r, 400, "id in body does not match id in path")
        self.assert_item_is(item["id"], item)

    def test_patch_returns_a_new_etag(self):
        item = self.create({"a": 1})
        old = self.get_item(item["id"]).header("ETag")
        r = self.patch(item["id"], {"a": 2})
        self.assertEqual(r.status, 200, r)
        self.assertRegex(r.header("ETag") or "", ETAG_RE)
        self.assertNotEqual(r.header("ETag"), old)
        self.assertEqual(self.get_item(item["id"]).header("ETag"),
                         r.header("ETag"))

    def test_patch_missing_item_is_404_and_creates_nothing(self):
        item_id = new_id("ghost")
        r = self.patch(item_id, {"a": 1})
        self.assert_error(r, 404, "Item not found")
        self.assert_error(self.get_item(item_id), 404, "Item not found")

    def test_patch_not_json_is_400(self):
        item = self.create({"a": 1})
        r = self.req("PATCH", "/items/" + item["id"], raw=b'{"a":')
        self.assert_error_prefix(r, 400, "Request body is not valid JSON")
        self.assert_item_is(item["id"], item)

    def test_patch_non_object_is_400(self):
        item = self.create({"a": 1})
        for raw in (b"[]", b'"s"', b"3", b"null"):
            with self.subTest(raw=raw):
                r = self.req("PATCH", "/items/" + item["id"], raw=raw)
                self.assert_error(r, 400,
                                  "Request body must be a JSON object")
        self.assert_item_is(item["id"], item)

    def test_patch_invalid_utf8_is_400(self):
        item = self.create({"a": 1})
        r = self.req("PATCH", "/items/" + item["id"], raw=b'{"a": "\xfe"}')
        self.assert_error(r, 400, "Request body is not valid UTF-8")
        self.assert_item_is(item["id"], item)

    def test_patch_making_item_over_400kb_is_400_and_unchanged(self):
        item = self.create({"a": "y" * 250000})
        r = self.patch(item["id"], {"b": "z" * 250000})
        self.assert_error(r, 400,
                          "Item size has exceeded the maximum allowed size")
        self.assert_item_is(item["id"], item)


class DeleteTest(CruddTestCase):

    def test_delete_is_200_with_the_old_item_then_get_is_404(self):
        body = {"a": 1, "b": {"c": [1, 2]}}
        item = self.create(body)
        r = self.req("DELETE", "/items/" + item["id"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"message": "Item deleted successfully!",
                                    "item": dict(body, id=item["id"])})
        self.assert_error(self.get_item(item["id"]), 404, "Item not found")

    def test_delete_twice_is_404_the_second_time(self):
        item = self.create({"a": 1})
        self.assertEqual(self.req("DELETE", "/items/" + item["id"]).status,
                         200)
        r = self.req("DELETE", "/items/" + item["id"])
        self.assert_error(r, 404, "Item not found")

    def test_delete_missing_item_is_404(self):
        r = self.req("DELETE", "/items/" + new_id("never"))
        self.assert_error(r, 404, "Item not found")

    def test_id_can_be_reused_after_delete(self):
        item_id = new_id("reuse")
        self.create({"id": item_id, "v": 1})
        self.assertEqual(self.req("DELETE", "/items/" + item_id).status, 200)
        self.create({"id": item_id, "v": 2})
        self.assert_item_is(item_id, {"id": item_id, "v": 2})


if __name__ == "__main__":
    unittest.main()
