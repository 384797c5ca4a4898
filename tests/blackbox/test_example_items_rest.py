"""config/examples/items-rest.json: the items API declared as a REST API with
a prod stage. The six CRUD routes answer at the root and under /prod, unknown
routes get API Gateway's 403, and the functions see the stage and its
variables in their payload 1.0 event (seen through echo functions in
configs/proxy-echo-prod.json, which copies the example's stage)."""

import json
import os

from harness import CruddTestCase, ETAG_RE, new_id, urlquote

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "config", "examples",
                       "items-rest.json")
ECHO = os.path.join(HERE, "configs", "proxy-echo-prod.json")


def example():
    with open(EXAMPLE, encoding="utf-8") as f:
        return json.load(f)


class ItemsRestExampleTest(CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    def crud_cycle(self, prefix):
        """The six routes, one after the other, at prefix + /items."""
        iid = new_id("rest")
        base = prefix + "/items"
        r = self.req("POST", base, {"id": iid, "name": "pen", "price": 19.99})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json(), {"message": "Item created successfully!",
                                    "item": {"id": iid, "name": "pen",
                                             "price": 19.99}})
        self.assertEqual(r.header("Location"), base + "/" + iid)
        self.assertRegex(r.header("ETag"), ETAG_RE)

        r = self.req("GET", base + "/" + iid)
        self.assertEqual((r.status, r.json()),
                         (200, {"id": iid, "name": "pen", "price": 19.99}))

        listed = self.list_all(path=base)
        self.assertIn({"id": iid, "name": "pen", "price": 19.99}, listed)

        r = self.req("PUT", base + "/" + iid, {"name": "cap"})
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": {"id": iid, "name": "cap"}}))

        r = self.req("PATCH", base + "/" + iid, {"price": 2, "name": None})
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": {"id": iid, "price": 2}}))

        r = self.req("DELETE", base + "/" + iid)
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item deleted successfully!",
                                "item": {"id": iid, "price": 2}}))

        self.assert_error(self.req("GET", base + "/" + iid), 404,
                          "Item not found")

    def test_six_routes_answer_at_the_root(self):
        self.crud_cycle("")

    def test_six_routes_answer_under_the_prod_stage(self):
        self.crud_cycle("/prod")

    def test_root_and_prod_share_one_table(self):
        iid = new_id("shared")
        r = self.req("POST", "/prod/items", {"id": iid, "n": 1})
        self.assertEqual(r.status, 201, r)
        self.assert_item_is(iid, {"id": iid, "n": 1})
        r = self.req("DELETE", "/items/" + iid)
        self.assertEqual(r.status, 200, r)
        self.assert_error(self.req("GET", "/prod/items/" + iid), 404,
                          "Item not found")

    def test_unknown_paths_are_403_missing_authentication_token(self):
        for path in ("/nope", "/prod/nope", "/items/a/b", "/prod/items/a/b",
                     "/dev/items", "/prod", "/", "/Items"):
            with self.subTest(path=path):
                self.assert_missing_token(self.req("GET", path))

    def test_known_paths_with_a_missing_method_are_403(self):
        for method, path in (("DELETE", "/items"), ("PUT", "/prod/items"),
                             ("PATCH", "/items"), ("POST", "/items/x"),
                             ("POST", "/prod/items/x"), ("HEAD", "/items"),
                             ("OPTIONS", "/items/x")):
            with self.subTest(method=method, path=path):
                r = self.srv.request(method, path)
                self.assertEqual(r.status, 403, r)
                self.assertEqual(r.header("x-amzn-ErrorType"),
                                 "MissingAuthenticationTokenException")
                if method != "HEAD":
                    self.assertEqual(r.json(),
                                     {"message": "Missing Authentication "
                                                 "Token"})


class ItemsRestEventTest(CruddTestCase):
    """The payload 1.0 event under the example's stage (echo functions)."""

    shared_args = ("--config", ECHO)

    def event(self, path, method="GET", body=None):
        r = self.req(method, path, body)
        self.assertEqual(r.status, 200, r)
        return r, r.json()

    def test_echo_config_copies_the_example_stage(self):
        # what the other tests here rely on: same stage, same variables
        with open(ECHO, encoding="utf-8") as f:
            echo = json.load(f)
        self.assertEqual((echo["stage"], echo["stageVariables"]),
                         (example()["stage"], example()["stageVariables"]))

    def test_event_under_the_stage_has_stage_variables_and_both_paths(self):
        r, ev = self.event("/prod/items/abc")
        self.assertEqual(ev["stageVariables"], {"tableName": "ItemsTable"})
        self.assertEqual(ev["stageVariables"], example()["stageVariables"])
        self.assertEqual(ev["resource"], "/items/{id}")
        self.assertEqual(ev["path"], "/items/abc")
        self.assertEqual(ev["httpMethod"], "GET")
        self.assertEqual(ev["pathParameters"], {"id": "abc"})
        ctx = ev["requestContext"]
        self.assertEqual(ctx["stage"], "prod")
        self.assertEqual(ctx["path"], "/prod/items/abc")
        self.assertEqual(ctx["resourcePath"], "/items/{id}")
        self.assertEqual(ctx["httpMethod"], "GET")
        self.assertEqual(ctx["requestId"], r.header("x-amzn-RequestId"))
        self.assertEqual(ctx["extendedRequestId"], r.header("x-amz-apigw-id"))

    def test_collection_event_under_the_stage(self):
        _, ev = self.event("/prod/items")
        self.assertEqual(ev["resource"], "/items")
        self.assertEqual(ev["path"], "/items")
        self.assertIsNone(ev["pathParameters"])
        self.assertIsNone(ev["queryStringParameters"])
        self.assertEqual(ev["stageVariables"], {"tableName": "ItemsTable"})
        self.assertEqual(ev["requestContext"]["stage"], "prod")
        self.assertEqual(ev["requestContext"]["path"], "/prod/items")

    def test_event_at_the_root_still_names_the_stage(self):
        _, ev = self.event("/items")
        self.assertEqual(ev["path"], "/items")
        self.assertEqual(ev["requestContext"]["path"], "/items")
        self.assertEqual(ev["requestContext"]["stage"], "prod")
        self.assertEqual(ev["stageVariables"], {"tableName": "ItemsTable"})

    def test_event_query_parameters_single_and_multi_value(self):
        _, ev = self.event("/prod/items?a=1&b=x%20y&a=2")
        self.assertEqual(ev["queryStringParameters"], {"a": "2", "b": "x y"})
        self.assertEqual(ev["multiValueQueryStringParameters"],
                         {"a": ["1", "2"], "b": ["x y"]})
        self.assertEqual(ev["path"], "/items")

    def test_event_of_a_post_carries_the_body_as_text(self):
        _, ev = self.event("/prod/items", "POST", {"name": "pen"})
        self.assertEqual(ev["httpMethod"], "POST")
        self.assertEqual(ev["body"], '{"name": "pen"}')
        self.assertIs(ev["isBase64Encoded"], False)
        self.assertEqual(ev["headers"]["Content-Type"], "application/json")

    def test_event_keeps_the_path_percent_encoded_as_rest_apis_do(self):
        # A REST API hands the function the path as the client sent it:
        # live captures (hotsock/voker vokerhttp/testdata/apigwv1-request.json,
        # a request to /live/capture/space%20value) show path,
        # requestContext.path and pathParameters all still percent-encoded.
        _, ev = self.event("/prod/items/" + urlquote("a b"))
        self.assertEqual((ev["path"], ev["requestContext"]["path"],
                          ev["pathParameters"]),
                         ("/items/a%20b", "/prod/items/a%20b",
                          {"id": "a%20b"}))
