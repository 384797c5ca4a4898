"""An HTTP API (apiType "HTTP"): the payload 2.0 event its functions get
(seen through echo functions, configs/http-echo.json), how it reads their
results (payload 2.0 rules: statusCode may be left out, cookies become
Set-Cookie headers, malformed is 500), and the IAM identity an AWS_IAM
route passes on (configs/iam-http-echo.json).

Sources: "Working with AWS Lambda proxy integrations for HTTP APIs" (the 2.0
event and response formats) in the API Gateway Developer Guide."""

import datetime
import json
import os
import re
import time

from harness import CruddTestCase, Response, check_http_api_headers, sigv4_sign

HERE = os.path.dirname(os.path.abspath(__file__))
ECHO = os.path.join(HERE, "configs", "http-echo.json")
IAM = os.path.join(HERE, "configs", "iam-http-echo.json")


class HttpApiTestCase(CruddTestCase):

    def get(self, path, headers=None, method="GET", raw=None):
        r = self.srv.request(method, path, raw=raw, headers=headers)
        check_http_api_headers(self, r)
        return r

    def echo(self, path, headers=None, method="GET", raw=None):
        r = self.get(path, headers, method, raw)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        return r, r.json()

    def send_header_lines(self, path, header_lines):
        """GET with header lines as given (a name may repeat)."""
        c = self.srv.connection()
        try:
            c.putrequest("GET", path)
            for name, value in header_lines:
                c.putheader(name, value)
            c.endheaders()
            resp = c.getresponse()
            r = Response(resp.status, resp.msg, resp.read())
        finally:
            c.close()
        check_http_api_headers(self, r)
        return r


class HttpApiEventTest(HttpApiTestCase):
    shared_args = ("--config", ECHO)

    def test_event_is_payload_2_0_with_route_key_and_raw_strings(self):
        query = "b=2&a=1&a=x%20y&p=a+b&e="
        r, ev = self.echo("/echo/abc?" + query,
                          {"User-Agent": "bb-test/1.0",
                           "X-Custom-Header": "Val"})
        self.assertEqual(ev["version"], "2.0")
        self.assertEqual(ev["routeKey"], "GET /echo/{id}")
        self.assertEqual(ev["rawPath"], "/echo/abc")
        self.assertEqual(ev["rawQueryString"], query)
        self.assertEqual(ev["queryStringParameters"],
                         {"b": "2", "a": "1,x y", "p": "a b", "e": ""})
        self.assertEqual(ev["pathParameters"], {"id": "abc"})
        self.assertEqual(ev["headers"]["x-custom-header"], "Val")
        self.assertEqual(ev["headers"]["user-agent"], "bb-test/1.0")
        self.assertEqual(ev["headers"]["host"],
                         "%s:%d" % (self.srv.host, self.srv.port))
        for name in ev["headers"]:
            self.assertEqual(name, name.lower())
        ctx = ev["requestContext"]
        self.assertEqual(ctx["http"], {"method": "GET", "path": "/echo/abc",
                                       "protocol": "HTTP/1.1",
                                       "sourceIp": "127.0.0.1",
                                       "userAgent": "bb-test/1.0"})
        self.assertEqual(ctx["stage"], "$default")
        self.assertEqual(ctx["routeKey"], "GET /echo/{id}")
        self.assertIs(ev["isBase64Encoded"], False)
        # what 2.0 leaves out: no body without one, no cookies without a
        # Cookie header, no stage variables when there are none, and none
        # of the 1.0 keys
        for key in ("body", "cookies", "stageVariables", "resource", "path",
                    "httpMethod", "multiValueHeaders",
                    "multiValueQueryStringParameters"):
            self.assertNotIn(key, ev)

    def test_event_without_query_has_empty_raw_query_and_no_parameters(self):
        _, ev = self.echo("/echo/abc")
        self.assertEqual(ev["rawQueryString"], "")
        self.assertNotIn("queryStringParameters", ev)

    def test_request_id_in_the_event_is_the_apigw_requestid_header(self):
        # an HTTP API's apigw-requestid is its $context.requestId
        r, ev = self.echo("/echo/id")
        self.assertEqual(ev["requestContext"]["requestId"],
                         r.header("apigw-requestid"))

    def test_time_epoch_is_the_request_time_in_milliseconds(self):
        before = int(time.time() * 1000)
        _, ev = self.echo("/echo/t")
        after = int(time.time() * 1000)
        ctx = ev["requestContext"]
        self.assertIsInstance(ctx["timeEpoch"], int)
        self.assertTrue(before - 1000 <= ctx["timeEpoch"] <= after + 1000,
                        (before, ctx["timeEpoch"], after))
        when = datetime.datetime.fromtimestamp(ctx["timeEpoch"] // 1000,
                                               datetime.timezone.utc)
        self.assertEqual(ctx["time"],
                         when.strftime("%d/%b/%Y:%H:%M:%S +0000"))

    def test_cookies_come_from_the_cookie_header_and_leave_the_headers(self):
        _, ev = self.echo("/echo/c", {"Cookie": "c1=v1; c2=v2"})
        self.assertEqual(ev["cookies"], ["c1=v1", "c2=v2"])
        self.assertNotIn("cookie", ev["headers"])

    def test_repeated_headers_are_joined_with_commas(self):
        r = self.send_header_lines("/echo/h", [("X-Multi", "one"),
                                               ("x-multi", "two")])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["headers"]["x-multi"], "one,two")

    def test_body_of_a_post_is_the_text_sent(self):
        _, ev = self.echo("/echo/p", {"Content-Type": "application/json"},
                          "POST", b'{"a": 1}')
        self.assertEqual(ev["routeKey"], "POST /echo/{id}")
        self.assertEqual(ev["requestContext"]["http"]["method"], "POST")
        self.assertEqual(ev["body"], '{"a": 1}')
        self.assertIs(ev["isBase64Encoded"], False)

    def test_binary_body_is_base64_encoded(self):
        _, ev = self.echo("/echo/b",
                          {"Content-Type": "application/octet-stream"},
                          "POST", b"\x00\xff\xfe")
        self.assertEqual(ev["body"], "AP/+")
        self.assertIs(ev["isBase64Encoded"], True)

    def test_encoded_path_arrives_decoded_as_http_apis_deliver_it(self):
        # Unlike a REST API, an HTTP API hands the function the path
        # percent-decoded: live captures (hotsock/voker
        # vokerhttp/testdata/ingress-paths.json and apigwv2-request.json)
        # show /capture/space%20value arriving as rawPath and
        # requestContext.http.path "/capture/space value".
        _, ev = self.echo("/echo/a%20b")
        self.assertEqual((ev["rawPath"], ev["requestContext"]["http"]["path"],
                          ev["pathParameters"]),
                         ("/echo/a b", "/echo/a b", {"id": "a b"}))


class HttpApiResultTest(HttpApiTestCase):
    shared_args = ("--config", ECHO)

    def test_result_without_status_code_is_200_with_it_as_the_json_body(self):
        r = self.get("/inferred")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.json(), {"hello": "world", "n": [1, 2]})

    def test_cookies_in_a_result_become_one_set_cookie_header_each(self):
        r = self.get("/cookies")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.headers.get_all("Set-Cookie"),
                         ["a=1; Path=/; HttpOnly", "b=2"])
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertEqual(r.body, b"ok")

    def test_malformed_result_is_500_internal_server_error(self):
        r = self.get("/malformed")
        self.assertEqual((r.status, r.json()),
                         (500, {"message": "Internal Server Error"}))
        self.assertEqual(r.header("Content-Type"), "application/json")

    def test_unknown_route_is_404_not_found(self):
        for method, path in (("GET", "/nope"), ("POST", "/inferred"),
                             ("GET", "/echo"), ("GET", "/echo/a/b")):
            with self.subTest(method=method, path=path):
                r = self.get(path, method=method)
                self.assertEqual((r.status, r.json()),
                                 (404, {"message": "Not Found"}))
                self.assertIsNone(r.header("x-amzn-ErrorType"))


class HttpApiIamEventTest(HttpApiTestCase):
    shared_args = ("--config", IAM)

    def creds(self):
        with open(IAM, encoding="utf-8") as f:
            c = json.load(f)["credentials"][0]
        return c["accessKeyId"], c["secretAccessKey"]

    def test_signed_event_names_the_access_key_in_authorizer_iam(self):
        ak, sk = self.creds()
        target, hdrs, _ = sigv4_sign(self.srv, "GET", "/whoami", None, None,
                                     ak, sk)
        r = self.get(target, hdrs)
        self.assertEqual(r.status, 200, r)
        iam = r.json()["requestContext"]["authorizer"]["iam"]
        self.assertEqual(iam["accessKey"], ak)
        self.assertRegex(iam["accountId"], re.compile(r"^\d{12}$"))

    def test_unsigned_request_to_the_iam_route_is_403(self):
        r = self.get("/whoami")
        self.assertEqual((r.status, r.json()),
                         (403, {"message": "Missing Authentication Token"}))
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "MissingAuthenticationTokenException")

    def test_open_route_event_has_no_authorizer(self):
        r, ev = self.echo("/open")
        self.assertNotIn("authorizer", ev["requestContext"])
