"""config/examples/items-http.json: the items API as an HTTP API ($default
stage) with AWS_IAM on every route. Requests are signed as an AWS SDK signs
them (botocore's SigV4Auth / SigV4QueryAuth, service execute-api) with the
credentials the example declares; what is unsigned, badly signed, stale or
tampered with gets API Gateway's 403, and an unknown route its 404 before
any signature is looked at."""

import datetime
import hashlib
import json
import os
import re

from harness import (CruddTestCase, check_http_api_headers, new_id,
                     sigv4_sign, urlquote)

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "..", "config", "examples",
                       "items-http.json")

with open(EXAMPLE, encoding="utf-8") as _f:
    _CRED = json.load(_f)["credentials"][0]
ACCESS_KEY = _CRED["accessKeyId"]
SECRET_KEY = _CRED["secretAccessKey"]

MISMATCH = ("The request signature we calculated does not match the "
            "signature you provided. Check your AWS Secret Access Key and "
            "signing method. Consult the service documentation for details.")
AMZ_DATE_RE = re.compile(r"^\d{8}T\d{6}Z$")


def amz_date(dt):
    return dt.strftime("%Y%m%dT%H%M%SZ")


class ItemsHttpExampleTest(CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    # -- requests ------------------------------------------------------------

    def send(self, method, path, body=None, headers=None):
        """Unsigned."""
        raw = None if body is None else json.dumps(body).encode()
        r = self.srv.request(method, path, raw=raw, headers=headers)
        check_http_api_headers(self, r)
        return r

    def signed(self, method, path, body=None, access_key=ACCESS_KEY,
               secret_key=SECRET_KEY, send_raw=None, **kw):
        """Signed with botocore; send_raw replaces the body after signing."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data else {}
        target, hdrs, data = sigv4_sign(self.srv, method, path, data, headers,
                                        access_key, secret_key, **kw)
        r = self.srv.request(method, target,
                             raw=send_raw if send_raw is not None else data,
                             headers=hdrs)
        check_http_api_headers(self, r)
        return r, target, hdrs

    def assert_forbidden(self, r, message, error_type):
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.json(), {"message": message})
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type)
        self.assertEqual(r.header("Content-Type"), "application/json")

    def signed_get_item(self, iid):
        r, _, _ = self.signed("GET", "/items/" + urlquote(iid))
        return r

    def create(self, item):
        r, _, _ = self.signed("POST", "/items", item)
        self.assertEqual(r.status, 201, r)
        return r

    # -- signed requests reach every route -----------------------------------

    def test_signed_requests_reach_all_six_routes(self):
        iid = new_id("http")
        r = self.create({"id": iid, "name": "pen", "price": 19.99})
        self.assertEqual(r.json(), {"message": "Item created successfully!",
                                    "item": {"id": iid, "name": "pen",
                                             "price": 19.99}})
        self.assertEqual(r.header("Location"), "/items/" + iid)

        r = self.signed_get_item(iid)
        self.assertEqual((r.status, r.json()),
                         (200, {"id": iid, "name": "pen", "price": 19.99}))

        r, _, _ = self.signed("GET", "/items?limit=1000")
        self.assertEqual(r.status, 200, r)
        self.assertIn({"id": iid, "name": "pen", "price": 19.99},
                      r.json()["items"])

        r, _, _ = self.signed("PUT", "/items/" + iid, {"name": "cap"})
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": {"id": iid, "name": "cap"}}))

        r, _, _ = self.signed("PATCH", "/items/" + iid, {"n": 3})
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": {"id": iid, "name": "cap", "n": 3}}))

        r, _, _ = self.signed("DELETE", "/items/" + iid)
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item deleted successfully!",
                                "item": {"id": iid, "name": "cap", "n": 3}}))

        r = self.signed_get_item(iid)
        self.assertEqual((r.status, r.json()),
                         (404, {"message": "Item not found"}))

    def test_query_string_signatures_work_for_get_and_delete(self):
        iid = new_id("q")
        self.create({"id": iid, "v": 1})
        r, target, hdrs = self.signed("GET", "/items/" + iid, query=True)
        self.assertIn("X-Amz-Signature=", target)
        self.assertNotIn("Authorization", hdrs)
        self.assertEqual((r.status, r.json()), (200, {"id": iid, "v": 1}))
        r, _, _ = self.signed("DELETE", "/items/" + iid, query=True)
        self.assertEqual((r.status, r.json()["item"]),
                         (200, {"id": iid, "v": 1}))

    def test_signed_query_parameters_count(self):
        for _ in range(2):
            self.create({"id": new_id("lim")})
        r, _, _ = self.signed("GET", "/items?limit=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["count"], 1)
        self.assertIn("nextToken", r.json())

    def test_percent_encoded_path_is_signed_as_sdks_sign_it(self):
        # the canonical URI is the path URI-encoded once more (%20 → %2520)
        iid = "a b+" + new_id()
        self.create({"id": iid, "v": 2})
        r = self.signed_get_item(iid)
        self.assertEqual((r.status, r.json()), (200, {"id": iid, "v": 2}))

    def test_any_region_is_accepted(self):
        iid = new_id("region")
        self.create({"id": iid})
        r, _, _ = self.signed("GET", "/items/" + iid, region="eu-west-1")
        self.assertEqual((r.status, r.json()), (200, {"id": iid}))

    # -- refusals --------------------------------------------------------------

    def test_unsigned_requests_are_403_missing_authentication_token(self):
        iid = new_id("unsigned")
        for method, path, body in (("GET", "/items", None),
                                   ("GET", "/items/" + iid, None),
                                   ("POST", "/items", {"id": iid}),
                                   ("PUT", "/items/" + iid, {"a": 1}),
                                   ("PATCH", "/items/" + iid, {"a": 1}),
                                   ("DELETE", "/items/" + iid, None)):
            with self.subTest(method=method, path=path):
                self.assert_forbidden(self.send(method, path, body),
                                      "Missing Authentication Token",
                                      "MissingAuthenticationTokenException")
        # nothing reached the function
        self.assertEqual(self.signed_get_item(iid).status, 404)

    def test_wrong_secret_is_403_naming_the_canonical_request(self):
        iid = new_id("wrong")
        self.create({"id": iid})
        r, target, hdrs = self.signed("DELETE", "/items/" + iid,
                                      secret_key=SECRET_KEY + "x")
        date = hdrs["X-Amz-Date"]
        canonical = "\n".join([
            "DELETE", "/items/" + iid, "",
            "host:%s:%d" % (self.srv.host, self.srv.port),
            "x-amz-date:" + date, "", "host;x-amz-date",
            hashlib.sha256(b"").hexdigest()])
        to_sign = "\n".join([
            "AWS4-HMAC-SHA256", date,
            date[:8] + "/us-east-1/execute-api/aws4_request",
            hashlib.sha256(canonical.encode()).hexdigest()])
        self.assert_forbidden(
            r, MISMATCH + "\n\nThe Canonical String for this request should "
            "have been\n'" + canonical + "'\n\nThe String-to-Sign should have "
            "been\n'" + to_sign + "'\n", "InvalidSignatureException")
        # the item is still there
        self.assertEqual(self.signed_get_item(iid).status, 200)

    def test_unknown_access_key_is_403_invalid_security_token(self):
        r, _, _ = self.signed("GET", "/items", access_key="AKIDNOSUCHKEY")
        self.assert_forbidden(
            r, "The security token included in the request is invalid.",
            "UnrecognizedClientException")

    def test_signature_ten_minutes_old_is_403_signature_expired(self):
        old = datetime.datetime.utcnow().replace(microsecond=0) - \
            datetime.timedelta(minutes=10)
        r, _, hdrs = self.signed("GET", "/items", when=old)
        self.assertEqual(hdrs["X-Amz-Date"], amz_date(old))
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "InvalidSignatureException")
        m = re.match(r"^Signature expired: (\S+) is now earlier than (\S+) "
                     r"\((\S+) - 5 min\.\)$", r.json()["message"])
        self.assertTrue(m, r.json())
        self.assertEqual(m.group(1), amz_date(old))
        earliest = datetime.datetime.strptime(m.group(2), "%Y%m%dT%H%M%SZ")
        now = datetime.datetime.strptime(m.group(3), "%Y%m%dT%H%M%SZ")
        self.assertEqual(now - earliest, datetime.timedelta(minutes=5))
        self.assertLess(abs(now - old - datetime.timedelta(minutes=10)),
                        datetime.timedelta(seconds=30))

    def test_signature_ten_minutes_ahead_is_403_not_yet_current(self):
        ahead = datetime.datetime.utcnow().replace(microsecond=0) + \
            datetime.timedelta(minutes=10)
        r, _, _ = self.signed("GET", "/items", when=ahead)
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "InvalidSignatureException")
        m = re.match(r"^Signature not yet current: (\S+) is still later "
                     r"than (\S+) \((\S+) \+ 5 min\.\)$", r.json()["message"])
        self.assertTrue(m, r.json())
        self.assertEqual(m.group(1), amz_date(ahead))

    def test_body_changed_after_signing_is_403(self):
        signed_id, sent_id = new_id("signed"), new_id("sent")
        r, _, _ = self.signed("POST", "/items", {"id": signed_id},
                              send_raw=json.dumps({"id": sent_id}).encode())
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "InvalidSignatureException")
        self.assertTrue(r.json()["message"].startswith(MISMATCH), r.json())
        self.assertEqual(self.signed_get_item(signed_id).status, 404)
        self.assertEqual(self.signed_get_item(sent_id).status, 404)

    def test_credential_scoped_to_another_service_is_403(self):
        r, _, _ = self.signed("GET", "/items", service="s3")
        self.assertEqual(r.status, 403, r)
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "InvalidSignatureException")
        self.assertTrue(r.json()["message"].startswith(
            "Credential should be scoped to correct service: "
            "'execute-api'"), r.json())

    # -- routes and headers ------------------------------------------------------

    def test_unknown_routes_are_404_not_found_before_any_signature_check(self):
        for method, path in (("GET", "/nope"), ("GET", "/prod/items"),
                             ("DELETE", "/items"), ("POST", "/items/x"),
                             ("GET", "/items/a/b")):
            with self.subTest(method=method, path=path, signed=False):
                r = self.send(method, path)
                self.assertEqual((r.status, r.json()),
                                 (404, {"message": "Not Found"}))
                self.assertIsNone(r.header("x-amzn-ErrorType"))
            with self.subTest(method=method, path=path, signed=True):
                r, _, _ = self.signed(method, path)
                self.assertEqual((r.status, r.json()),
                                 (404, {"message": "Not Found"}))

    # -- payloads the signature does not cover (issue 12, finding 10) --------

    def test_unsigned_payload_is_403_and_a_swapped_body_is_not_stored(self):
        iid = new_id("unsigned")
        data = json.dumps({"id": iid, "role": "user"}).encode()
        for declared in ("UNSIGNED-PAYLOAD",
                         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                         "STREAMING-UNSIGNED-PAYLOAD-TRAILER"):
            with self.subTest(declared=declared):
                target, hdrs, _ = sigv4_sign(
                    self.srv, "POST", "/items", data,
                    {"Content-Type": "application/json",
                     "X-Amz-Content-SHA256": declared},
                    ACCESS_KEY, SECRET_KEY)
                self.assertIn("x-amz-content-sha256",
                              hdrs["Authorization"])
                swapped = json.dumps({"id": iid, "role": "admin"}).encode()
                r = self.srv.request("POST", target, raw=swapped,
                                     headers=hdrs)
                check_http_api_headers(self, r)
                self.assert_forbidden(
                    r, "The provided 'x-amz-content-sha256' header does not "
                       "match what was computed. Only S3 accepts an "
                       "unsigned or streaming payload; sign the SHA-256 of "
                       "the body.", "InvalidSignatureException")
        r = self.signed_get_item(iid)
        self.assertEqual((r.status, r.json()),
                         (404, {"message": "Item not found"}))

    def test_a_declared_payload_hash_that_is_right_is_accepted(self):
        iid = new_id("declared")
        data = json.dumps({"id": iid}).encode()
        target, hdrs, _ = sigv4_sign(
            self.srv, "POST", "/items", data,
            {"Content-Type": "application/json",
             "X-Amz-Content-SHA256": hashlib.sha256(data).hexdigest()},
            ACCESS_KEY, SECRET_KEY)
        r = self.srv.request("POST", target, raw=data, headers=hdrs)
        self.assertEqual(r.status, 201, r)

    def test_every_answer_has_apigw_requestid_and_no_x_amzn_requestid(self):
        ids = set()
        r, _, _ = self.signed("GET", "/items")               # 200
        ids.add(r.header("apigw-requestid"))
        ids.add(self.send("GET", "/items").header("apigw-requestid"))  # 403
        ids.add(self.send("GET", "/nope").header("apigw-requestid"))   # 404
        self.assertEqual(len(ids), 3, ids)
