"""The lines crudd writes about each request, as API Gateway and Lambda write
them to CloudWatch Logs (src/gateway_log.c has the formats): the access log
line in Common Log Format (the default) or JSON, and Lambda's START / END /
REPORT lines around each invocation of a function.

The access line of a request is written after its Lambda lines, so once it
is in the log, the request's Lambda lines (if any) are there too."""

import json
import math
import os
import re
import socket
import time
from datetime import datetime, timezone

from harness import CruddTestCase, new_id

HERE = os.path.dirname(os.path.abspath(__file__))
LOGS_API = os.path.join(HERE, "configs", "logs-api.json")
LOGS_HTTP = os.path.join(HERE, "configs", "logs-http.json")

API_KEY = "logs-key-0123456789abcdef"     # configs/logs-api.json
MEMORY_SIZE = 512                         # configs/logs-api.json

LAMBDA_LINE_RE = re.compile(r"^(START|END|REPORT) RequestId: ")

# API Gateway's CLF example, then crudd's request path and latency
CLF_RE = re.compile(
    r'^(?P<ip>\S+) (?P<caller>\S+) (?P<user>\S+) '
    r'\[(?P<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] '
    r'"(?P<method>\S+) (?P<resource>\S+) (?P<protocol>\S+)" '
    r'(?P<status>\d{3}) (?P<length>\d+) (?P<rid>\S+) (?P<xrid>\S+) '
    r'(?P<path>\S+) (?P<latency>\d+)us$')

JSON_KEYS = {"requestId", "extendedRequestId", "ip", "caller", "user",
             "requestTime", "requestTimeEpoch", "httpMethod", "resourcePath",
             "path", "status", "protocol", "responseLength",
             "integrationLatency", "responseLatency"}

REPORT_RE = re.compile(
    r"^REPORT RequestId: (?P<rid>\S+)\tDuration: (?P<duration>\d+\.\d{2}) ms"
    r"\tBilled Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB"
    r"\tMax Memory Used: (?P<used>\d+) MB$")


def is_access_line(rid):
    # not a Lambda line, nor a warning about the request ("<rid>: why"),
    # which comes before the access line
    return lambda l: (rid in l and not LAMBDA_LINE_RE.match(l)
                      and not l.startswith(rid + ":"))


class LogTestCase(CruddTestCase):

    def access_line(self, rid, srv=None):
        srv = srv or self.srv
        line = srv.wait_for_log(is_access_line(rid))
        self.assertIsNotNone(line, "no access log line for %s in:\n%s"
                             % (rid, srv.log_text()[-3000:]))
        return line

    def lines_of(self, rid, srv=None):
        """Every line with rid, in order, once its access line is in."""
        srv = srv or self.srv
        self.access_line(rid, srv)
        return [l for l in srv.log_lines() if rid in l]

    def lambda_lines(self, rid, srv=None):
        return [l for l in self.lines_of(rid, srv) if LAMBDA_LINE_RE.match(l)]

    def assert_recent_clf_time(self, text):
        t = datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z")
        self.assertLess(abs(t.timestamp() - time.time()), 60, text)


class ClfAccessLogTest(LogTestCase):
    """The default format: API Gateway's CLF example plus path and latency."""

    def clf(self, rid):
        line = self.access_line(rid)
        m = CLF_RE.match(line)
        self.assertIsNotNone(m, "not the CLF access line format: %r" % line)
        return m

    def test_matched_request_logs_the_resource_template_and_the_path(self):
        item = self.create({"name": "clf"})
        path = "/items/" + item["id"]
        r = self.req("GET", path)
        self.assertEqual(r.status, 200)
        m = self.clf(r.header("x-amzn-RequestId"))
        self.assertEqual(m["ip"], "127.0.0.1")
        self.assertEqual((m["caller"], m["user"]), ("-", "-"))
        self.assert_recent_clf_time(m["time"])
        self.assertEqual(m["method"], "GET")
        self.assertEqual(m["resource"], "/items/{id}")
        self.assertEqual(m["protocol"], "HTTP/1.1")
        self.assertEqual(m["status"], "200")
        self.assertEqual(int(m["length"]), len(r.body))
        self.assertEqual(m["rid"], r.header("x-amzn-RequestId"))
        self.assertEqual(m["xrid"], r.header("x-amz-apigw-id"))
        self.assertEqual(m["path"], path)

    def test_stage_prefix_stays_in_the_path_not_in_the_resource(self):
        r = self.req("GET", "/prod/items")
        self.assertEqual(r.status, 200)
        m = self.clf(r.header("x-amzn-RequestId"))
        self.assertEqual(m["resource"], "/items")
        self.assertEqual(m["path"], "/prod/items")

    def test_unmatched_request_has_no_resource(self):
        path = "/" + new_id("nowhere")
        r = self.req("DELETE", path)
        self.assert_missing_token(r)
        m = self.clf(r.header("x-amzn-RequestId"))
        self.assertEqual(m["method"], "DELETE")
        self.assertEqual(m["resource"], "-")
        self.assertEqual(m["status"], "403")
        self.assertEqual(int(m["length"]), len(r.body))
        self.assertEqual(m["rid"], r.header("x-amzn-RequestId"))
        self.assertEqual(m["path"], path)

    def test_unmatched_request_is_logged_with_the_nearest_routes(self):
        name = new_id("itemz")
        r = self.req("GET", "/%s/1" % name)
        self.assert_missing_token(r)
        line = self.srv.wait_for_log(
            lambda l: l.startswith("no route for GET /%s/1;" % name))
        self.assertEqual(
            line, "no route for GET /%s/1; nearest routes: POST /items, "
            "GET /items, GET /items/{id}, PUT /items/{id}, "
            "PATCH /items/{id}, DELETE /items/{id}" % name)

    def test_a_method_the_path_lacks_names_the_methods_it_has(self):
        r = self.req("PUT", "/items")
        self.assert_missing_token(r)
        line = self.srv.wait_for_log(
            lambda l: l.startswith("no route for PUT /items;"))
        self.assertEqual(line, "no route for PUT /items; nearest routes: "
                         "POST /items, GET /items")

    def test_a_refused_preflight_says_the_api_has_no_cors(self):
        srv = self.start_server(["--config", os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "configs",
            "items-declared.json")])
        r = srv.request("OPTIONS", "/items", headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 403, r)
        line = srv.wait_for_log(
            lambda l: l.startswith("no route for OPTIONS /items;"))
        self.assertIsNotNone(line, srv.log_text()[-2000:])
        self.assertTrue(line.endswith(
            '(a CORS preflight: this API declares no "cors", so browsers '
            'refuse its answers)'), line)
        srv.stop()

    def test_health_check_has_an_access_line(self):
        r = self.req("GET", "/_crudd/health")
        self.assertEqual(r.status, 200)
        m = self.clf(r.header("x-amzn-RequestId"))
        self.assertEqual((m["resource"], m["path"]), ("-", "/_crudd/health"))

    def test_quote_and_backslash_in_the_path_cannot_break_the_line(self):
        # sent raw: a client controls these bytes
        rid = self.raw_get('/items/a"b\\c')
        m = self.clf(rid)
        self.assertEqual(m["path"], '/items/a\\"b\\\\c')
        self.assertEqual(m["resource"], "/items/{id}")

    def raw_get(self, target):
        with socket.create_connection((self.srv.host, self.srv.port),
                                      timeout=10) as s:
            s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close"
                       "\r\n\r\n" % target).encode("latin-1"))
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        m = re.search(rb"(?im)^x-amzn-RequestId: *(\S+)\r$", data)
        self.assertIsNotNone(m, data[:500])
        return m.group(1).decode()


class JsonAccessLogTest(LogTestCase):
    """accessLogFormat json: API Gateway's JSON example and a few more
    $context variables, every value a string, "-" for none."""

    shared_args = ("--config", LOGS_API, "--access-log-format", "json")

    def json_line(self, rid):
        line = self.access_line(rid)
        j = json.loads(line)
        self.assertEqual(set(j), JSON_KEYS, line)
        for k, v in j.items():
            self.assertIsInstance(v, str, "%s in %s" % (k, line))
        return j

    def test_matched_request_has_the_context_values(self):
        item = self.create({"name": "json"})
        path = "/items/" + item["id"]
        before = time.time()
        r = self.req("GET", path)
        self.assertEqual(r.status, 200)
        j = self.json_line(r.header("x-amzn-RequestId"))
        self.assertEqual(j["requestId"], r.header("x-amzn-RequestId"))
        self.assertEqual(j["extendedRequestId"], r.header("x-amz-apigw-id"))
        self.assertEqual(j["ip"], "127.0.0.1")
        self.assertEqual((j["caller"], j["user"]), ("-", "-"))
        self.assert_recent_clf_time(j["requestTime"])
        epoch_ms = int(j["requestTimeEpoch"])
        self.assertLess(abs(epoch_ms / 1000 - before), 5, j)
        self.assertEqual(
            datetime.fromtimestamp(epoch_ms // 1000, timezone.utc)
            .strftime("%d/%b/%Y:%H:%M:%S +0000"), j["requestTime"])
        self.assertEqual(j["httpMethod"], "GET")
        self.assertEqual(j["resourcePath"], "/items/{id}")
        self.assertEqual(j["path"], path)
        self.assertEqual(j["status"], "200")
        self.assertEqual(j["protocol"], "HTTP/1.1")
        self.assertEqual(int(j["responseLength"]), len(r.body))
        self.assertRegex(j["integrationLatency"], r"^\d+$")
        self.assertRegex(j["responseLatency"], r"^\d+$")
        self.assertLessEqual(int(j["integrationLatency"]),
                             int(j["responseLatency"]))

    def test_function_error_is_logged_with_its_status(self):
        r = self.req("POST", "/items", raw=b"not json")
        self.assertEqual(r.status, 400)
        j = self.json_line(r.header("x-amzn-RequestId"))
        self.assertEqual((j["httpMethod"], j["resourcePath"], j["status"]),
                         ("POST", "/items", "400"))
        self.assertEqual(int(j["responseLength"]), len(r.body))

    def test_unmatched_request_has_no_resource_and_no_integration(self):
        path = "/" + new_id("nowhere")
        r = self.req("GET", path)
        self.assert_missing_token(r)
        j = self.json_line(r.header("x-amzn-RequestId"))
        self.assertEqual(j["resourcePath"], "-")
        self.assertEqual(j["path"], path)
        self.assertEqual(j["status"], "403")
        self.assertEqual(int(j["responseLength"]), len(r.body))
        self.assertEqual(j["integrationLatency"], "-")

    def test_request_refused_before_the_function_has_no_integration(self):
        r = self.req("GET", "/private")
        self.assert_error(r, 403, "Forbidden")
        j = self.json_line(r.header("x-amzn-RequestId"))
        self.assertEqual((j["resourcePath"], j["status"]), ("/private", "403"))
        self.assertEqual(j["integrationLatency"], "-")

    def test_rest_api_path_stays_percent_encoded(self):
        r = self.req("GET", "/prod/nope%FF%22%20x")
        self.assertEqual(r.status, 403)
        j = self.json_line(r.header("x-amzn-RequestId"))
        self.assertEqual(j["path"], "/prod/nope%FF%22%20x")


class LambdaLinesTest(LogTestCase):
    """START / END / REPORT per invocation, with the request id."""

    shared_args = ("--config", LOGS_API)

    def assert_invocation_lines(self, rid):
        # warnings about the request (a malformed result) may come between
        lines = [l for l in self.lines_of(rid)
                 if LAMBDA_LINE_RE.match(l) or is_access_line(rid)(l)]
        self.assertEqual(len(lines), 4, lines)
        self.assertEqual(lines[0], "START RequestId: %s Version: $LATEST" % rid)
        self.assertEqual(lines[1], "END RequestId: %s" % rid)
        m = REPORT_RE.match(lines[2])
        self.assertIsNotNone(m, "not Lambda's REPORT line: %r" % lines[2])
        self.assertEqual(m["rid"], rid)
        self.assertEqual(int(m["size"]), MEMORY_SIZE)
        duration, billed = float(m["duration"]), int(m["billed"])
        # billed per whole millisecond, rounded up (Duration is shown cut
        # to two decimals)
        self.assertGreaterEqual(billed, 1)
        self.assertGreaterEqual(billed, math.ceil(duration))
        self.assertLess(billed - duration, 1.01)
        self.assertGreater(int(m["used"]), 0)
        self.assertTrue(is_access_line(rid)(lines[3]), lines[3])
        return lines

    def test_one_invocation_writes_start_end_report_then_the_access_line(self):
        item = self.create({"name": "lambda"})
        r = self.req("GET", "/items/" + item["id"])
        self.assertEqual(r.status, 200)
        self.assert_invocation_lines(r.header("x-amzn-RequestId"))

    def test_function_answering_404_was_still_invoked(self):
        r = self.req("GET", "/items/" + new_id("missing"))
        self.assertEqual(r.status, 404)
        self.assert_invocation_lines(r.header("x-amzn-RequestId"))

    def test_malformed_result_is_502_after_a_full_invocation(self):
        r = self.req("GET", "/broken")
        self.assert_error(r, 502, "Internal server error")
        self.assert_invocation_lines(r.header("x-amzn-RequestId"))

    def test_no_lambda_lines_for_an_unmatched_route(self):
        r = self.req("GET", "/" + new_id("nowhere"))
        self.assert_missing_token(r)
        self.assertEqual(self.lambda_lines(r.header("x-amzn-RequestId")), [])

    def test_no_lambda_lines_for_a_health_check(self):
        r = self.req("GET", "/_crudd/health")
        self.assertEqual(r.status, 200)
        self.assertEqual(self.lambda_lines(r.header("x-amzn-RequestId")), [])

    def test_no_lambda_lines_when_the_api_key_is_missing(self):
        r = self.req("GET", "/private")
        self.assert_error(r, 403, "Forbidden")
        self.assertEqual(self.lambda_lines(r.header("x-amzn-RequestId")), [])
        r = self.req("GET", "/private", headers={"x-api-key": API_KEY})
        self.assertEqual(r.status, 200)
        self.assert_invocation_lines(r.header("x-amzn-RequestId"))

    def test_memory_size_flag_overrides_the_file(self):
        srv = self.start_server(["--config", LOGS_API, "--memory-size",
                                 "1769"])
        r = self.req("GET", "/items", srv=srv)
        self.assertEqual(r.status, 200)
        rid = r.header("x-amzn-RequestId")
        report = [l for l in self.lines_of(rid, srv)
                  if l.startswith("REPORT ")]
        self.assertEqual(len(report), 1, report)
        self.assertIn("\tMemory Size: 1769 MB\t", report[0])


class QuietLogTest(LogTestCase):
    """Both kinds of lines are info: --log-level warn drops them."""

    shared_args = ("--log-level", "warn")

    def test_warn_level_writes_no_access_or_lambda_lines(self):
        r = self.req("GET", "/items")
        self.assertEqual(r.status, 200)
        rid = r.header("x-amzn-RequestId")
        srv, type(self).srv = self.srv, None
        try:
            srv.stop()
            self.assertEqual([l for l in srv.log_lines() if rid in l], [])
        finally:
            srv.cleanup()


class HttpApiLogTest(LogTestCase):
    """An HTTP API logs the apigw-requestid its client got, and the route
    key in place of resourcePath."""

    shared_args = ("--config", LOGS_HTTP)

    def http_req(self, method, path, body=None):
        r = self.srv.request(method, path, body)
        rid = r.header("apigw-requestid")
        self.assertTrue(rid, r)
        return r, rid

    def test_json_line_has_the_route_key_and_the_apigw_requestid(self):
        r, rid = self.http_req("POST", "/items", {"name": "http"})
        self.assertEqual(r.status, 201, r)
        r, rid = self.http_req("GET", "/items/" + r.json()["item"]["id"])
        self.assertEqual(r.status, 200, r)
        j = json.loads(self.access_line(rid))
        self.assertEqual(j["requestId"], rid)
        self.assertEqual(j["routeKey"], "GET /items/{id}")
        self.assertNotIn("resourcePath", j)
        self.assertEqual(int(j["responseLength"]), len(r.body))
        lines = self.lines_of(rid)
        self.assertEqual(lines[0], "START RequestId: %s Version: $LATEST" % rid)

    def test_decoded_path_that_is_not_utf8_still_gives_a_json_line(self):
        r, rid = self.http_req("GET", "/nope%FF%22%20x")
        self.assertEqual(r.status, 404)
        j = json.loads(self.access_line(rid))
        self.assertEqual(j["path"], '/nope\ufffd" x')

    def test_unmatched_route_key_is_a_dash(self):
        r, rid = self.http_req("GET", "/" + new_id("nowhere"))
        self.assertEqual(r.status, 404)
        j = json.loads(self.access_line(rid))
        self.assertEqual((j["routeKey"], j["status"]), ("-", "404"))
        self.assertEqual(self.lambda_lines(rid), [])
