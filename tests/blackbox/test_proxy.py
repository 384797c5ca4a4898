"""A REST API's Lambda proxy integration (payload 1.0): how the gateway reads
a function's result (functions returning fixed results,
configs/proxy-results.json and proxy-binary.json) and the IAM identity an
AWS_IAM method passes on in the event (configs/iam-rest-echo.json).

Sources: "Output format of a Lambda function for proxy integration" and
"Return binary media from a Lambda proxy integration" in the API Gateway
Developer Guide. A result API Gateway cannot read is a 502
{"message": "Internal server error"} (logged there as "Malformed Lambda
proxy response")."""

import json
import os

from harness import CruddTestCase, sigv4_sign

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "configs", "proxy-results.json")
BINARY = os.path.join(HERE, "configs", "proxy-binary.json")
BINARY_PNG = os.path.join(HERE, "configs", "proxy-binary-png.json")
IAM = os.path.join(HERE, "configs", "iam-rest-echo.json")


class ProxyResultTest(CruddTestCase):
    shared_args = ("--config", RESULTS)

    def assert_malformed(self, path):
        for p in (path, "/prod" + path):
            with self.subTest(path=p):
                r = self.req("GET", p)
                self.assert_error(r, 502, "Internal server error")
                self.assertIsNone(r.header("x-amzn-ErrorType"))

    def test_status_headers_and_text_body_pass_through(self):
        r = self.srv.request("GET", "/teapot")
        self.assertEqual(r.status, 418, r)
        self.assertEqual(r.header("Content-Type"), "text/plain")
        self.assertEqual(r.body, b"short and stout")
        self.assertTrue(r.header("x-amzn-RequestId"))
        self.assertTrue(r.header("x-amz-apigw-id"))

    def test_result_without_content_type_is_sent_as_application_json(self):
        r = self.req("GET", "/no-content-type")
        self.assertEqual((r.status, r.body), (200, b'{"plain":true}'))
        self.assertEqual(r.headers.get_all("Content-Type"),
                         ["application/json"])

    def test_result_with_an_extra_key_is_502(self):
        self.assert_malformed("/extra-key")

    def test_status_code_abc_is_502(self):
        self.assert_malformed("/status-abc")

    def test_status_code_as_a_numeric_string_is_used(self):
        r = self.req("GET", "/status-string")
        self.assertEqual((r.status, r.json()), (201, {"created": True}))

    def test_missing_status_code_is_502(self):
        self.assert_malformed("/no-status")

    def test_body_that_is_not_a_string_is_502(self):
        self.assert_malformed("/body-object")

    def test_multi_value_header_that_is_not_a_list_is_502(self):
        self.assert_malformed("/mv-not-list")

    def test_headers_and_multi_value_headers_are_merged(self):
        # "If you specify values for both headers and multiValueHeaders, API
        # Gateway merges them into a single list. If the same key-value pair
        # is specified in both, only the values from multiValueHeaders will
        # appear in the merged list."
        r = self.req("GET", "/merged")
        self.assertEqual((r.status, r.body), (200, b"merged"))
        self.assertEqual(r.headers.get_all("X-Single"), ["s"])
        self.assertEqual(r.headers.get_all("X-Multi"), ["m1", "m2"])
        self.assertEqual(r.headers.get_all("X-Both"), ["b1", "b2"])
        self.assertEqual(sorted(r.headers.get_all("X-Diff")),
                         ["multi", "single"])


class ProxyBinaryTest(CruddTestCase):
    shared_args = ("--config", BINARY)

    def test_base64_encoded_body_is_sent_as_its_decoded_bytes(self):
        r = self.srv.request("GET", "/bytes",
                             headers={"Accept": "application/octet-stream"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"\x00\x01\x02\xff")
        self.assertEqual(r.header("Content-Type"), "application/octet-stream")
        self.assertEqual(r.header("Content-Length"), "4")
        self.assertTrue(r.header("x-amzn-RequestId"))


class ProxyBinaryMediaTypeTest(CruddTestCase):
    """binaryMediaTypes decide, for a REST API, whether a Base64 result is
    sent as bytes (the client's Accept names a binary type) or as its text,
    and whether a request body reaches the function Base64-encoded."""
    shared_args = ("--config", BINARY_PNG)

    def test_accepting_client_gets_the_decoded_bytes(self):
        for accept in ("image/png", "image/png, */*;q=0.8"):
            with self.subTest(accept=accept):
                r = self.srv.request("GET", "/png", headers={"Accept": accept})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.body, b"\x89PNG")
                self.assertEqual(r.header("Content-Type"), "image/png")

    def test_other_clients_get_the_base64_text(self):
        for accept in (None, "application/json", "text/html, image/png"):
            with self.subTest(accept=accept):
                r = self.srv.request("GET", "/png",
                             headers={"Accept": accept} if accept else None)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.body, b"iVBORw==")

    def test_binary_request_body_reaches_the_function_base64_encoded(self):
        r = self.srv.request("POST", "/echo", raw=b"\x89PNG\r\n",
                     headers={"Content-Type": "image/png"})
        self.assertEqual(r.status, 200, r)
        ev = r.json()
        self.assertIs(ev["isBase64Encoded"], True)
        self.assertEqual(ev["body"], "iVBORw0K")

    def test_text_that_is_a_binary_type_is_still_base64(self):
        r = self.srv.request("POST", "/echo", raw=b"plain ascii",
                     headers={"Content-Type": "image/png"})
        ev = r.json()
        self.assertIs(ev["isBase64Encoded"], True)
        self.assertEqual(ev["body"], "cGxhaW4gYXNjaWk=")

    def test_text_body_of_another_type_arrives_as_text(self):
        r = self.srv.request("POST", "/echo", raw=b'{"a": 1}',
                     headers={"Content-Type": "application/json"})
        ev = r.json()
        self.assertIs(ev["isBase64Encoded"], False)
        self.assertEqual(ev["body"], '{"a": 1}')


class ProxyIamEventTest(CruddTestCase):
    shared_args = ("--config", IAM)

    def creds(self):
        with open(IAM, encoding="utf-8") as f:
            c = json.load(f)["credentials"][0]
        return c["accessKeyId"], c["secretAccessKey"]

    def test_signed_request_under_the_stage_names_the_access_key(self):
        ak, sk = self.creds()
        for path in ("/prod/whoami", "/whoami"):
            with self.subTest(path=path):
                target, hdrs, _ = sigv4_sign(self.srv, "GET", path, None,
                                             None, ak, sk)
                r = self.req("GET", target, headers=hdrs)
                self.assertEqual(r.status, 200, r)
                identity = r.json()["requestContext"]["identity"]
                self.assertEqual(identity["accessKey"], ak)
                self.assertRegex(identity["accountId"], r"^\d{12}$")

    def test_unsigned_request_to_an_iam_method_is_403_missing_token(self):
        for path in ("/prod/whoami", "/whoami"):
            with self.subTest(path=path):
                self.assert_missing_token(self.req("GET", path))

    def test_wrong_secret_is_403_invalid_signature(self):
        ak, sk = self.creds()
        target, hdrs, _ = sigv4_sign(self.srv, "GET", "/prod/whoami", None,
                                     None, ak, sk + "x")
        r = self.req("GET", target, headers=hdrs)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "InvalidSignatureException")
        self.assertTrue(r.json()["message"].startswith(
            "The request signature we calculated does not match the "
            "signature you provided."), r.json())
        # the canonical request names the path as sent, stage included
        self.assertIn("\nGET\n/prod/whoami\n\n", "\n" + r.json()["message"]
                      .split("should have been\n'", 1)[1])

    def test_open_method_event_has_no_access_key(self):
        r = self.req("GET", "/prod/open")
        self.assertEqual(r.status, 200, r)
        identity = r.json()["requestContext"]["identity"]
        self.assertIsNone(identity["accessKey"])
        self.assertEqual(identity["sourceIp"], "127.0.0.1")
