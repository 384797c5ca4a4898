"""CORS as API Gateway configures it.

HTTP API ("Configure CORS for HTTP APIs in API Gateway"): preflights are
answered 204 by the gateway, with or without a route; a disallowed origin or
method gets the 204 without CORS headers; the configured headers go on every
response and the function's own CORS headers are ignored.

REST API ("Enable CORS on a resource using the API Gateway console"): the
OPTIONS mock answers 200 with an empty body on each resource; a path with no
resource stays 403; the function's own CORS headers win.

Both: the preflight never reaches the function nor the API key check, and
gateway-made errors (403, 404) carry the CORS headers too.
"""

import os

from harness import CruddTestCase, Server, new_id

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")

APP = "https://app.example.com"
LOCAL = "http://localhost:5173"
EVIL = "https://evil.example.com"


def config(name):
    return ["--config", os.path.join(CONFIGS, name)]


def cors_headers(r):
    """The response's Access-Control-* headers, names lower-cased."""
    return {k.lower(): v for k, v in r.headers.items()
            if k.lower().startswith("access-control-")}


def preflight(origin, method, headers=None):
    h = {"Origin": origin, "Access-Control-Request-Method": method}
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return h


class RestCorsTest(CruddTestCase):
    """cors-rest.json: two origins, credentials, max age, expose headers."""

    shared_args = config("cors-rest.json")

    ALLOWED = {
        "access-control-allow-origin": APP,
        "access-control-allow-credentials": "true",
        "access-control-allow-methods": "GET,POST,PUT,DELETE",
        "access-control-allow-headers": "Content-Type,X-Api-Key",
        "access-control-max-age": "600",
    }

    def assert_preflight(self, r, expected):
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(cors_headers(r), expected)

    def test_preflight_from_an_allowed_origin_is_200_with_the_allow_headers(
            self):
        for path in ("/items", "/items/abc", "/prod/items",
                     "/prod/items/abc"):
            with self.subTest(path=path):
                r = self.req("OPTIONS", path,
                             headers=preflight(APP, "POST", "content-type"))
                self.assert_preflight(r, self.ALLOWED)
                self.assertEqual(r.header("Vary"), "Origin")

    def test_preflight_echoes_each_allowed_origin(self):
        r = self.req("OPTIONS", "/items", headers=preflight(LOCAL, "GET"))
        self.assert_preflight(
            r, dict(self.ALLOWED, **{"access-control-allow-origin": LOCAL}))

    def test_preflight_from_a_disallowed_origin_has_no_cors_headers(self):
        # origins match exactly: another host, scheme, port, a trailing /
        for origin in (EVIL, APP + "/", "http://app.example.com",
                       "https://app.example.com:8443", "HTTPS://APP.EXAMPLE.COM",
                       "null"):
            with self.subTest(origin=origin):
                r = self.req("OPTIONS", "/items",
                             headers=preflight(origin, "POST"))
                self.assert_preflight(r, {})
                self.assertIsNone(r.header("Vary"))

    def test_preflight_does_not_invoke_the_function(self):
        # /hook has an OPTIONS route of its own: a preflight never reaches it
        r = self.req("OPTIONS", "/hook", headers=preflight(APP, "PUT"))
        self.assert_preflight(r, self.ALLOWED)
        # an OPTIONS request that is no preflight does
        r = self.req("OPTIONS", "/hook")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"from": "the function"})
        self.assertEqual(cors_headers(r), {})
        r = self.req("OPTIONS", "/hook", headers={"Origin": APP})
        self.assertEqual(r.json(), {"from": "the function"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)

    def test_preflight_changes_nothing(self):
        item = self.create({"keep": "me"})
        r = self.req("OPTIONS", "/items/" + item["id"],
                     headers=preflight(APP, "DELETE"))
        self.assert_preflight(r, self.ALLOWED)
        self.assert_item_is(item["id"], item)

    def test_preflight_needs_no_api_key(self):
        # the mock OPTIONS method of "Enable CORS" has no API key
        r = self.req("OPTIONS", "/secret", headers=preflight(APP, "GET"))
        self.assert_preflight(r, self.ALLOWED)
        r = self.req("GET", "/secret", headers={"Origin": APP})
        self.assert_error(r, 403, "Forbidden")

    def test_preflight_to_a_path_with_no_resource_is_403(self):
        for path in ("/nope", "/items/a/b", "/prod/nope"):
            with self.subTest(path=path):
                r = self.req("OPTIONS", path, headers=preflight(APP, "GET"))
                self.assert_missing_token(r)
                self.assertEqual(cors_headers(r), {})

    def test_options_without_request_method_is_not_a_preflight(self):
        r = self.req("OPTIONS", "/items", headers={"Origin": APP})
        self.assert_missing_token(r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        self.assertIsNone(r.header("Access-Control-Allow-Methods"))

    def test_real_responses_carry_the_cors_headers(self):
        real = {
            "access-control-allow-origin": APP,
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "ETag,x-amzn-RequestId",
        }
        r = self.req("POST", "/items", {"a": 1}, headers={"Origin": APP})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(cors_headers(r), real)
        self.assertEqual(r.header("Vary"), "Origin")
        item = r.json()["item"]
        for method, path, body, status in (
                ("GET", "/items/" + item["id"], None, 200),
                ("GET", "/prod/items", None, 200),
                ("PUT", "/items/" + item["id"], {"b": 2}, 200),
                ("PATCH", "/items/" + item["id"], {"c": 3}, 200),
                ("DELETE", "/items/" + item["id"], None, 200)):
            with self.subTest(method=method, path=path):
                r = self.req(method, path, body, headers={"Origin": APP})
                self.assertEqual(r.status, status, r)
                self.assertEqual(cors_headers(r), real)
                self.assertEqual(r.header("Vary"), "Origin")

    def test_errors_carry_the_cors_headers(self):
        cases = (
            ("GET", "/items/" + new_id(), 404, "Item not found"),
            ("GET", "/nope", 403, "Missing Authentication Token"),
            ("DELETE", "/items", 403, "Missing Authentication Token"),
            ("GET", "/secret", 403, "Forbidden"),
        )
        for method, path, status, message in cases:
            with self.subTest(method=method, path=path):
                r = self.req(method, path, headers={"Origin": LOCAL})
                self.assert_error(r, status, message)
                self.assertEqual(r.header("Access-Control-Allow-Origin"),
                                 LOCAL)
                self.assertEqual(
                    r.header("Access-Control-Allow-Credentials"), "true")
                self.assertEqual(r.header("Vary"), "Origin")
        r = self.req("POST", "/items", raw=b"{not json",
                     headers={"Origin": APP})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)

    def test_no_cors_headers_without_an_allowed_origin(self):
        for headers in (None, {"Origin": EVIL}):
            with self.subTest(headers=headers):
                r = self.req("GET", "/items", headers=headers)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(cors_headers(r), {})
                self.assertIsNone(r.header("Vary"))
                r = self.req("GET", "/nope", headers=headers)
                self.assert_missing_token(r)
                self.assertEqual(cors_headers(r), {})

    def test_a_function_doing_its_own_cors_keeps_its_headers(self):
        r = self.req("GET", "/own", headers={"Origin": APP})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cors_headers(r), {
            "access-control-allow-origin": "https://own.example.com"})
        self.assertEqual(r.header("Vary"), "Accept")

    def test_a_vary_of_the_function_is_extended(self):
        r = self.req("GET", "/vary", headers={"Origin": APP})
        self.assertEqual(r.header("Vary"), "Accept, Origin")
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)
        r = self.req("GET", "/vary")
        self.assertEqual(r.header("Vary"), "Accept")


class RestWildcardCorsTest(CruddTestCase):
    """cors-wildcard.json: "*" origins, methods and headers."""

    shared_args = config("cors-wildcard.json")

    def test_preflight_from_any_origin_gets_star(self):
        r = self.req("OPTIONS", "/items/x",
                     headers=preflight(EVIL, "PATCH", "x-custom,authorization"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"")
        # "*" methods and headers are echoed: a literal "*" would not cover
        # Authorization in a browser
        self.assertEqual(cors_headers(r), {
            "access-control-allow-origin": "*",
            "access-control-allow-methods": "PATCH",
            "access-control-allow-headers": "x-custom,authorization",
        })
        self.assertIsNone(r.header("Vary"))

    def test_preflight_without_requested_headers_allows_none(self):
        r = self.req("OPTIONS", "/items", headers=preflight(APP, "POST"))
        self.assertEqual(cors_headers(r), {
            "access-control-allow-origin": "*",
            "access-control-allow-methods": "POST",
        })

    def test_real_response_gets_star_and_nothing_else(self):
        r = self.req("GET", "/items", headers={"Origin": APP})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cors_headers(r),
                         {"access-control-allow-origin": "*"})
        self.assertIsNone(r.header("Vary"))


class RestConsoleDefaultsCorsTest(CruddTestCase):
    """cors-defaults.json: only allowOrigins, so the console's defaults."""

    shared_args = config("cors-defaults.json")

    HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

    def test_preflight_lists_the_resources_methods_and_the_default_headers(
            self):
        for path, methods in (
                ("/items", "GET,POST,OPTIONS"),
                ("/items/abc", "DELETE,GET,PATCH,PUT,OPTIONS"),
                ("/any", "DELETE,GET,HEAD,PATCH,POST,PUT,OPTIONS")):
            with self.subTest(path=path):
                r = self.req("OPTIONS", path, headers=preflight(APP, "PUT"))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.body, b"")
                self.assertEqual(cors_headers(r), {
                    "access-control-allow-origin": APP,
                    "access-control-allow-methods": methods,
                    "access-control-allow-headers": self.HEADERS,
                })

    def test_an_any_route_does_not_take_the_preflight(self):
        r = self.req("OPTIONS", "/any", headers={"Origin": APP})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["httpMethod"], "OPTIONS")
        self.assertEqual(cors_headers(r),
                         {"access-control-allow-origin": APP})


class HttpApiCorsTest(CruddTestCase):
    """cors-http.json: an HTTP API's corsConfiguration."""

    shared_args = config("cors-http.json")

    ALLOWED = {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "GET,POST",
        "access-control-allow-headers": "content-type,authorization",
        "access-control-max-age": "300",
    }

    def hreq(self, method, path, body=None, headers=None):
        """An HTTP API answer: apigw-requestid, no REST request ids."""
        r = self.srv.request(method, path, body=body, headers=headers)
        self.assertTrue(r.header("apigw-requestid"), r)
        self.assertIsNone(r.header("x-amzn-RequestId"))
        return r

    def test_preflight_is_204_with_the_allow_headers(self):
        r = self.hreq("OPTIONS", "/items",
                      headers=preflight(APP, "POST", "content-type"))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(cors_headers(r), self.ALLOWED)
        self.assertEqual(r.header("Vary"), "Origin")

    def test_preflight_is_answered_without_a_route(self):
        r = self.hreq("OPTIONS", "/nowhere/at/all",
                      headers=preflight(APP, "GET"))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(cors_headers(r), self.ALLOWED)

    def test_disallowed_origin_or_method_gets_204_without_cors_headers(self):
        for origin, method in ((EVIL, "GET"), (APP, "DELETE"),
                               (APP, "PATCH"), (APP + "/", "GET")):
            with self.subTest(origin=origin, method=method):
                r = self.hreq("OPTIONS", "/items",
                              headers=preflight(origin, method))
                self.assertEqual(r.status, 204, r)
                self.assertEqual(r.body, b"")
                self.assertEqual(cors_headers(r), {})

    def test_real_responses_carry_the_cors_headers(self):
        r = self.hreq("POST", "/items", {"a": 1}, headers={"Origin": APP})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(cors_headers(r), {
            "access-control-allow-origin": APP,
            "access-control-expose-headers": "etag",
        })
        self.assertEqual(r.header("Vary"), "Origin")

    def test_not_found_carries_the_cors_headers(self):
        r = self.hreq("GET", "/nowhere", headers={"Origin": APP})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"message": "Not Found"})
        self.assertEqual(r.header("Access-Control-Allow-Origin"), APP)

    def test_the_functions_cors_headers_are_ignored(self):
        r = self.hreq("GET", "/own", headers={"Origin": APP})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cors_headers(r), {
            "access-control-allow-origin": APP,
            "access-control-expose-headers": "etag",
        })
        for headers in (None, {"Origin": EVIL}):
            with self.subTest(headers=headers):
                r = self.hreq("GET", "/own", headers=headers)
                self.assertEqual(cors_headers(r), {})


class HttpApiOriginsOnlyCorsTest(CruddTestCase):
    """cors-http-nomethods.json: only allowOrigins: a browser then allows
    the CORS-safelisted methods and headers, and nothing more."""

    shared_args = config("cors-http-nomethods.json")

    def test_safelisted_method_is_allowed_without_allow_methods(self):
        for method in ("GET", "HEAD", "POST"):
            with self.subTest(method=method):
                r = self.srv.request("OPTIONS", "/items",
                                     headers=preflight(APP, method, "x-a"))
                self.assertEqual(r.status, 204, r)
                self.assertEqual(cors_headers(r),
                                 {"access-control-allow-origin": APP})

    def test_other_methods_are_not(self):
        r = self.srv.request("OPTIONS", "/items",
                             headers=preflight(APP, "DELETE"))
        self.assertEqual(r.status, 204, r)
        self.assertEqual(cors_headers(r), {})


class DefaultCorsTest(CruddTestCase):
    """The default API (no config file, or one that declares no API), and
    config/crudd.json as shipped, answer CORS for any origin, so that a
    front end served from another port just works."""

    DEFAULTS = {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "GET,POST,OPTIONS",
        "access-control-allow-headers": "Content-Type,X-Amz-Date,"
        "Authorization,X-Api-Key,X-Amz-Security-Token",
    }

    def test_preflight_of_the_default_api_is_answered(self):
        r = self.req("OPTIONS", "/items",
                     headers=preflight(LOCAL, "POST", "content-type"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, b"")
        self.assertEqual(cors_headers(r), self.DEFAULTS)

    def test_item_preflight_lists_the_item_methods(self):
        r = self.req("OPTIONS", "/items/abc", headers=preflight(APP, "PUT"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Access-Control-Allow-Methods"),
                         "DELETE,GET,PATCH,PUT,OPTIONS")

    def test_answers_carry_the_wildcard_origin(self):
        r = self.req("POST", "/items", body={"name": "pen"},
                     headers={"Origin": LOCAL})
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")

    def test_the_shipped_config_answers_any_origin(self):
        srv = self.start_server(["--config", os.path.join(
            CONFIGS, "..", "..", "..", "config", "crudd.json")])
        r = srv.request("OPTIONS", "/items", headers=preflight(EVIL, "GET"))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cors_headers(r), self.DEFAULTS)
        srv.stop()


class NoCorsTest(CruddTestCase):
    """A declared API without "cors" has no preflight answer and no CORS
    header, as in the cloud."""

    shared_args = config("items-declared.json")

    def test_preflight_is_an_unknown_route(self):
        r = self.req("OPTIONS", "/items", headers=preflight(APP, "POST"))
        self.assert_missing_token(r)
        self.assertEqual(cors_headers(r), {})

    def test_responses_have_no_cors_headers(self):
        r = self.req("GET", "/items", headers={"Origin": APP})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(cors_headers(r), {})
        self.assertIsNone(r.header("Vary"))

    def test_http_api_preflight_is_404(self):
        srv = self.start_server(config("items-declared.json") +
                                ["--api-type", "HTTP"])
        r = srv.request("OPTIONS", "/items", headers=preflight(APP, "POST"))
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"message": "Not Found"})
        self.assertEqual(cors_headers(r), {})
        srv.stop()


if __name__ == "__main__":
    import unittest
    unittest.main()
