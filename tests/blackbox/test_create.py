"""POST /items: creating items, and every way a create is refused."""

import json
import unittest

from harness import CruddTestCase, ETAG_RE, UUID4_RE, new_id


class CreateTest(CruddTestCase):

    def test_post_object_is_201_with_location_etag_and_generated_uuid4(self):
        body = {"name": "widget", "qty": 3, "tags": ["a", "b"],
                "dims": {"w": 1, "h": 2}, "ok": True, "none": None}
        r = self.req("POST", "/items", body)
        self.assertEqual(r.status, 201, r)
        j = r.json()
        self.assertEqual(set(j), {"message", "item"})
        self.assertEqual(j["message"], "Item created successfully!")
        item = j["item"]
        self.assertRegex(item["id"], UUID4_RE)
        self.assertEqual(item, dict(body, id=item["id"]))
        self.assertEqual(r.header("Location"), "/items/" + item["id"])
        self.assertRegex(r.header("ETag") or "", ETAG_RE)

    def test_post_then_get_returns_the_same_item(self):
        body = {"name": "gadget", "price": 5, "nested": {"l": [1, {"x": "y"}]}}
        item = self.create(body)
        self.assert_item_is(item["id"], dict(body, id=item["id"]))

    def test_post_etag_matches_the_etag_of_a_following_get(self):
        r = self.req("POST", "/items", {"v": 1})
        self.assertEqual(r.status, 201, r)
        g = self.get_item(r.json()["item"]["id"])
        self.assertEqual(g.status, 200, g)
        self.assertEqual(g.header("ETag"), r.header("ETag"))

    def test_two_posts_get_different_ids(self):
        a = self.create({"n": 1})["id"]
        b = self.create({"n": 1})["id"]
        self.assertNotEqual(a, b)

    def test_post_with_string_id_uses_that_id(self):
        item_id = new_id("given")
        r = self.req("POST", "/items", {"id": item_id, "name": "x"})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json(), {"message": "Item created successfully!",
                                    "item": {"id": item_id, "name": "x"}})
        self.assertEqual(r.header("Location"), "/items/" + item_id)
        self.assert_item_is(item_id, {"id": item_id, "name": "x"})

    def test_post_empty_object_creates_item_with_only_an_id(self):
        item = self.create({})
        self.assertEqual(list(item), ["id"])
        self.assert_item_is(item["id"], {"id": item["id"]})

    def test_post_keeps_unicode_strings(self):
        body = {"s": "h\u00e9llo \u4e16\u754c \U0001f600", "q": "a\"b\\c\n"}
        item = self.create(body)
        self.assert_item_is(item["id"], dict(body, id=item["id"]))

    def test_post_with_an_empty_attribute_name_is_400_and_stores_nothing(self):
        # found by fuzz_body: DynamoDB refuses an empty attribute name, so an
        # item holding one could never be written back through that face
        r = self.req("POST", "/items", {"id": "empty-name", "": 1})
        self.assert_error(r, 400, "One or more parameter values were invalid: "
                                  "An AttributeName may not be empty")
        self.assertEqual(self.get_item("empty-name").status, 404)

    def test_post_not_json_is_400(self):
        for raw in (b'{"name": ', b"not json", b"{'a': 1}", b'{"a": 1}x',
                    b""):
            with self.subTest(raw=raw):
                r = self.req("POST", "/items", raw=raw)
                self.assert_error_prefix(r, 400,
                                         "Request body is not valid JSON")

    def test_post_json_that_is_not_an_object_is_400(self):
        for raw in (b"[]", b'[{"a": 1}]', b'"string"', b"42", b"1.5",
                    b"null", b"true"):
            with self.subTest(raw=raw):
                r = self.req("POST", "/items", raw=raw)
                self.assert_error(r, 400,
                                  "Request body must be a JSON object")

    def test_post_with_id_not_a_nonempty_string_is_400(self):
        for bad in (1, 1.5, True, False, None, ""):
            with self.subTest(id=bad):
                r = self.req("POST", "/items", {"id": bad, "name": "x"})
                self.assert_error(r, 400, "id must be a non-empty string")

    def test_post_with_id_an_array_or_object_is_400(self):
        for bad in ([], ["a"], {}, {"a": "b"}):
            with self.subTest(id=bad):
                r = self.req("POST", "/items", {"id": bad})
                self.assert_error(r, 400, "id must be a non-empty string")

    def test_post_with_taken_id_is_409_and_leaves_item_unchanged(self):
        item_id = new_id("dup")
        self.create({"id": item_id, "v": "first"})
        r = self.req("POST", "/items", {"id": item_id, "v": "second",
                                        "extra": 1})
        self.assert_error(r, 409, "Item already exists")
        self.assert_item_is(item_id, {"id": item_id, "v": "first"})

    def test_post_invalid_utf8_is_400(self):
        for raw in (b'{"name": "\xff"}', b'{"name": "\xc3\x28"}',
                    b'{"\xe2\x82": 1}'):
            with self.subTest(raw=raw):
                r = self.req("POST", "/items", raw=raw)
                self.assert_error(r, 400, "Request body is not valid UTF-8")

    def test_post_item_of_390000_chars_is_201(self):
        body = {"big": "a" * 390000}
        item = self.create(body)
        r = self.get_item(item["id"])
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json()["big"], body["big"])

    def test_post_item_over_400kb_is_400_and_not_stored(self):
        item_id = new_id("huge")
        r = self.req("POST", "/items", {"id": item_id, "big": "a" * 410000})
        self.assert_error(r, 400,
                          "Item size has exceeded the maximum allowed size")
        self.assert_error(self.get_item(item_id), 404, "Item not found")

    def test_post_id_of_2048_bytes_is_201(self):
        item_id = "k" * 2048
        r = self.req("POST", "/items", {"id": item_id})
        self.assertEqual(r.status, 201, r)
        self.assert_item_is(item_id, {"id": item_id})

    def test_post_id_over_2048_bytes_is_400(self):
        for item_id in ("k" * 2049, "\u00e9" * 1025):   # 2049 and 2050 bytes
            with self.subTest(n=len(item_id.encode())):
                r = self.req("POST", "/items", {"id": item_id})
                self.assert_error_prefix(
                    r, 400, "One or more parameter values were invalid")

    def test_post_body_over_10mb_is_413(self):
        size = 10 * 1024 * 1024 + 1
        raw = b'{"a": "' + b"x" * (size - 9) + b'"}'
        self.assertEqual(len(raw), size)
        r = self.srv.send_huge("POST", "/items", raw)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.json(), {"message": "Request Too Long"})
        self.assertEqual(r.header("Content-Type"), "application/json")
        # and the server is still fine afterwards
        self.assertEqual(self.req("GET", "/_crudd/health").status, 200)

    def test_post_33_nested_objects_is_400(self):
        nested = {"leaf": 1}
        for _ in range(32):
            nested = {"n": nested}          # 33 nested objects
        item_id = new_id("deep")
        r = self.req("POST", "/items", {"id": item_id, "n": nested})
        self.assert_error(r, 400, "Item nesting exceeds 32 levels")
        self.assert_error(self.get_item(item_id), 404, "Item not found")

    def test_post_31_nested_objects_is_201(self):
        nested = {"leaf": 1}
        for _ in range(30):
            nested = {"n": nested}          # 31 nested objects
        body = {"n": nested}
        item = self.create(body)
        self.assert_item_is(item["id"], dict(body, id=item["id"]))

    def test_post_with_charset_in_content_type_is_accepted(self):
        r = self.req("POST", "/items", {"a": 1},
                     headers={"Content-Type":
                              "application/json; charset=utf-8"})
        self.assertEqual(r.status, 201, r)


if __name__ == "__main__":
    unittest.main()
