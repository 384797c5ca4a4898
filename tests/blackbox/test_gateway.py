"""What API Gateway does around the handler: headers, request ids, stage
prefix, unknown routes, health, the access log and the debug event log."""

import json
import re
import unittest

from harness import CruddTestCase, UUID_RE, new_id


class HeadersTest(CruddTestCase):

    def test_every_response_has_json_content_type_and_request_ids(self):
        item = self.create({"a": 1})
        cases = [("GET", "/items", None), ("GET", "/items/" + item["id"], None),
                 ("GET", "/items/" + new_id(), None),
                 ("POST", "/items", {"a": 1}), ("POST", "/items", [1]),
                 ("PUT", "/items/" + item["id"], {"b": 1}),
                 ("PATCH", "/items/" + item["id"], {"c": 1}),
                 ("GET", "/nope", None), ("DELETE", "/items", None),
                 ("GET", "/_crudd/health", None),
                 ("GET", "/items?limit=0", None),
                 ("DELETE", "/items/" + item["id"], None)]
        for method, path, body in cases:
            with self.subTest(method=method, path=path):
                self.req(method, path, body)     # req() checks the headers

    def test_request_ids_are_unique_lowercase_uuids(self):
        ids = set()
        for i in range(30):
            path = "/items" if i % 3 else "/nope"
            r = self.req("GET", path)
            rid = r.header("x-amzn-RequestId")
            self.assertRegex(rid, UUID_RE)
            ids.add(rid)
        self.assertEqual(len(ids), 30)

    def test_error_responses_have_only_a_message(self):
        r = self.req("GET", "/items/" + new_id())
        self.assertEqual(r.json(), {"message": "Item not found"})

    def test_keep_alive_connection_serves_several_requests(self):
        conn = self.srv.connection()
        try:
            item = None
            for i in range(5):
                r = self.srv.request("POST", "/items", {"i": i}, conn=conn)
                self.assertEqual(r.status, 201, r)
                item = r.json()["item"]
            r = self.srv.request("GET", "/items/" + item["id"], conn=conn)
            self.assertEqual(r.json(), item)
        finally:
            conn.close()


class UnknownRouteTest(CruddTestCase):

    def test_unknown_paths_are_403_missing_authentication_token(self):
        for method, path in (("GET", "/nope"), ("GET", "/items/a/b"),
                             ("GET", "/"), ("POST", "/nope"),
                             ("GET", "/itemsx"), ("GET", "/prod/nope"),
                             ("DELETE", "/items/a/b"), ("GET", "/prod")):
            with self.subTest(method=method, path=path):
                self.assert_missing_token(self.req(method, path))

    def test_known_path_with_missing_method_is_403(self):
        item = self.create({"a": 1})
        for method, path in (("DELETE", "/items"), ("PATCH", "/items"),
                             ("PUT", "/items"),
                             ("POST", "/items/" + item["id"]),
                             ("POST", "/items/abc"),
                             ("POST", "/prod/items/abc"),
                             ("DELETE", "/prod/items")):
            with self.subTest(method=method, path=path):
                self.assert_missing_token(self.req(method, path))
        # and nothing was touched
        self.assert_item_is(item["id"], item)


class StageTest(CruddTestCase):

    def test_every_route_answers_under_the_prod_stage(self):
        r = self.req("POST", "/prod/items", {"name": "staged"})
        self.assertEqual(r.status, 201, r)
        item = r.json()["item"]
        self.assertEqual(r.json()["message"], "Item created successfully!")
        iid = item["id"]
        # same table as the unstaged routes
        self.assert_item_is(iid, item)
        r = self.req("GET", "/prod/items/" + iid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), item)
        r = self.req("GET", "/prod/items")
        self.assertEqual(r.status, 200, r)
        self.assertIn(item, self.list_all(path="/prod/items"))
        r = self.req("PUT", "/prod/items/" + iid, {"name": "put"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["item"], {"id": iid, "name": "put"})
        r = self.req("PATCH", "/prod/items/" + iid, {"x": 1})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["item"], {"id": iid, "name": "put", "x": 1})
        r = self.req("DELETE", "/prod/items/" + iid)
        self.assertEqual(r.status, 200, r)
        self.assert_error(self.req("GET", "/prod/items/" + iid), 404,
                          "Item not found")

    def test_stage_errors_behave_the_same(self):
        self.assert_error(self.req("GET", "/prod/items/" + new_id()), 404,
                          "Item not found")
        self.assert_error(self.req("GET", "/prod/items?limit=0"), 400,
                          "limit must be a positive integer")
        self.assert_error(self.req("POST", "/prod/items", [1]), 400,
                          "Request body must be a JSON object")

    def test_dev_stage_answers_under_dev_and_not_prod(self):
        srv = self.start_server(["--stage", "dev"])
        r = self.req("POST", "/dev/items", {"a": 1}, srv=srv)
        self.assertEqual(r.status, 201, r)
        iid = r.json()["item"]["id"]
        r = self.req("GET", "/dev/items/" + iid, srv=srv)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.req("GET", "/dev/items", srv=srv).status, 200)
        self.assertEqual(self.req("GET", "/items/" + iid, srv=srv).status,
                         200)
        self.assert_missing_token(self.req("GET", "/prod/items", srv=srv))
        self.assert_missing_token(self.req("GET", "/prod/items/" + iid,
                                           srv=srv))
        self.assert_missing_token(self.req("POST", "/prod/items", {"a": 1},
                                           srv=srv))


class HealthTest(CruddTestCase):

    def test_health_is_200_ok(self):
        r = self.req("GET", "/_crudd/health")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"status": "ok"})


# Lambda's START / END / REPORT lines carry the request id too (so that one
# search finds all of a request); the access log line is the other one.
LAMBDA_LINE_RE = re.compile(r"^(START|END|REPORT) RequestId: ")


def access_line(rid):
    return lambda l: rid in l and not LAMBDA_LINE_RE.match(l)


class AccessLogTest(CruddTestCase):

    def test_access_log_line_has_method_path_status_bytes_latency_and_id(self):
        path = "/items/" + new_id("logged")
        r = self.req("GET", path)
        self.assertEqual(r.status, 404)
        rid = r.header("x-amzn-RequestId")
        line = self.srv.wait_for_log(access_line(rid))
        self.assertIsNotNone(line, "no access log line with the request id "
                             "%s in:\n%s" % (rid, self.srv.log_text()[-2000:]))
        self.assertRegex(line, r"\bGET\b")
        self.assertIn(path, line)
        self.assertRegex(line, r"\b404\b")
        self.assertRegex(line, r"\b%d\b" % len(r.body))
        self.assertRegex(line, r"\b\d+us\b")

    def test_one_access_log_line_per_request(self):
        rids = []
        for i in range(5):
            r = self.req("POST", "/items", {"i": i})
            self.assertEqual(r.status, 201)
            rids.append(r.header("x-amzn-RequestId"))
        for rid in rids:
            line = self.srv.wait_for_log(access_line(rid))
            self.assertIsNotNone(line, rid)
            self.assertRegex(line, r"\bPOST\b")
            self.assertRegex(line, r"\b201\b")
            matching = [l for l in self.srv.log_lines()
                        if access_line(rid)(l) and "httpMethod" not in l]
            self.assertEqual(len(matching), 1, matching)


class DebugEventLogTest(CruddTestCase):
    shared_args = ("--log-level", "debug")

    def find_event(self, rid):
        def is_event(line):
            return ("httpMethod" in line and "requestContext" in line
                    and rid in line)
        line = self.srv.wait_for_log(is_event)
        self.assertIsNotNone(line, "no proxy event line for %s in:\n%s"
                             % (rid, self.srv.log_text()[-3000:]))
        start, end = line.find("{"), line.rfind("}")
        self.assertGreaterEqual(start, 0)
        return json.loads(line[start:end + 1])

    def test_debug_log_prints_the_proxy_event_as_json(self):
        iid = new_id("dbg")
        self.create({"id": iid, "a": 1})
        r = self.req("GET", "/items/" + iid + "?x=1",
                     headers={"X-Custom": "hello"})
        self.assertEqual(r.status, 200)
        ev = self.find_event(r.header("x-amzn-RequestId"))
        self.assertEqual(ev["resource"], "/items/{id}")
        self.assertEqual(ev["path"], "/items/" + iid)
        self.assertEqual(ev["httpMethod"], "GET")
        self.assertEqual(ev["pathParameters"], {"id": iid})
        self.assertEqual(ev["queryStringParameters"], {"x": "1"})
        headers = {k.lower(): v for k, v in ev["headers"].items()}
        self.assertEqual(headers.get("x-custom"), "hello")
        ctx = ev["requestContext"]
        self.assertEqual(ctx["requestId"], r.header("x-amzn-RequestId"))
        self.assertEqual(ctx["stage"], "prod")
        self.assertEqual(ctx["resourcePath"], "/items/{id}")
        self.assertEqual(ctx["httpMethod"], "GET")
        self.assertIn("isBase64Encoded", ev)

    def test_debug_event_of_a_post_carries_the_body(self):
        r = self.req("POST", "/items", {"marker": "m-123"})
        self.assertEqual(r.status, 201)
        ev = self.find_event(r.header("x-amzn-RequestId"))
        self.assertEqual(ev["resource"], "/items")
        self.assertEqual(ev["httpMethod"], "POST")
        self.assertEqual(json.loads(ev["body"]), {"marker": "m-123"})

    def test_debug_event_under_stage_has_unprefixed_path(self):
        iid = new_id("dbgs")
        self.create({"id": iid})
        r = self.req("GET", "/prod/items/" + iid)
        self.assertEqual(r.status, 200)
        ev = self.find_event(r.header("x-amzn-RequestId"))
        self.assertEqual(ev["path"], "/items/" + iid)
        self.assertEqual(ev["requestContext"]["path"], "/prod/items/" + iid)
        self.assertEqual(ev["pathParameters"], {"id": iid})


if __name__ == "__main__":
    unittest.main()
