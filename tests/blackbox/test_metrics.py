"""GET /metrics: API Gateway's CloudWatch metrics (Count, 4XXError,
5XXError, Latency, IntegrationLatency) per API, stage, resource and method,
in Prometheus text format 0.0.4 (include/metrics.h has the names).

Each test that counts starts its own server, so that the numbers it reads
are exactly those of the requests it made. crudd's own paths (health,
metrics, OpenAPI) are not part of the API: they are not counted, so a scrape
never changes what the next one reads. The metrics path is answered before
any route: a route declared at the same path answers only under the stage
prefix."""

import os
import re

from harness import CruddTestCase, new_id

HERE = os.path.dirname(os.path.abspath(__file__))
METRICS_API = os.path.join(HERE, "configs", "metrics-api.json")

CONTENT_TYPE = "text/plain; version=0.0.4"
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')

COUNTERS = ("apigateway_Count_total", "apigateway_4XXError_total",
            "apigateway_5XXError_total")
HISTOGRAMS = ("apigateway_Latency", "apigateway_IntegrationLatency")


def parse_labels(text):
    labels, at = {}, 0
    while at < len(text):
        m = LABEL_RE.match(text, at)
        if not m:
            raise AssertionError("bad label set %r" % text)
        labels[m.group(1)] = m.group(2)
        at = m.end()
        if at < len(text):
            if text[at] != ",":
                raise AssertionError("bad label set %r" % text)
            at += 1
    return labels


class Scrape:
    """One exposition: samples by name and labels, checked as parsed."""

    def __init__(self, text):
        self.samples = {}
        self.types = {}
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ")
                self.types[name] = kind
                continue
            if not line or line.startswith("#"):
                continue
            m = SAMPLE_RE.match(line)
            if not m:
                raise AssertionError("not a sample line: %r" % line)
            labels = parse_labels(m.group(2) or "")
            key = (m.group(1), tuple(sorted(labels.items())))
            if key in self.samples:
                raise AssertionError("sample repeated: %r" % line)
            self.samples[key] = float(m.group(3))

    def value(self, name, **labels):
        key = (name, tuple(sorted(labels.items())))
        if key not in self.samples:
            raise AssertionError("no sample %s%r" % (name, labels))
        return self.samples[key]

    def series(self):
        """Label sets of the Count series (api, stage, resource, method)."""
        return [dict(k[1]) for k in self.samples
                if k[0] == "apigateway_Count_total"]


class MetricsTestCase(CruddTestCase):

    def scrape(self, srv=None, path="/metrics"):
        r = (srv or self.srv).request("GET", path)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.header("Content-Type").startswith(CONTENT_TYPE),
                        r.header("Content-Type"))
        return Scrape(r.text)

    def assert_series(self, s, labels, count, e4xx=0, e5xx=0,
                      integration=None):
        """The counters of one series, and its histograms consistent."""
        got = (s.value("apigateway_Count_total", **labels),
               s.value("apigateway_4XXError_total", **labels),
               s.value("apigateway_5XXError_total", **labels),
               s.value("apigateway_Latency_count", **labels),
               s.value("apigateway_IntegrationLatency_count", **labels))
        want = (count, e4xx, e5xx, count,
                count if integration is None else integration)
        self.assertEqual(got, want, labels)
        for h in HISTOGRAMS:
            n = s.value(h + "_count", **labels)
            self.assertEqual(s.value(h + "_bucket", le="+Inf", **labels), n)
            buckets = sorted(
                (float(dict(k[1])["le"]), v) for k, v in s.samples.items()
                if k[0] == h + "_bucket"
                and {x: y for x, y in k[1] if x != "le"} == labels)
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), (h, labels))
            if n == 0:
                self.assertEqual(s.value(h + "_sum", **labels), 0)


class MetricsFormatTest(MetricsTestCase):

    def test_every_family_is_typed_and_every_series_labelled(self):
        s = self.scrape()
        for name in COUNTERS:
            self.assertEqual(s.types.get(name), "counter", name)
        for name in HISTOGRAMS:
            self.assertEqual(s.types.get(name), "histogram", name)
        series = s.series()
        self.assertIn({"api": "crudd", "stage": "prod", "resource": "/items",
                       "method": "GET"}, series)
        self.assertIn({"api": "crudd", "stage": "prod",
                       "resource": "/items/{id}", "method": "DELETE"}, series)
        for labels in series:
            self.assertEqual(set(labels), {"api", "stage", "resource",
                                           "method"}, labels)


class MetricsCountTest(MetricsTestCase):
    """Exact counts after a known sequence of requests."""

    def labels(self, resource, method):
        return {"api": "shop", "stage": "v1", "resource": resource,
                "method": method}

    def test_counts_of_a_known_sequence(self):
        srv = self.start_server(["--config", METRICS_API])
        for path in ("/items", "/items", "/v1/items"):
            self.assertEqual(self.req("GET", path, srv=srv).status, 200)
        for _ in range(2):
            r = self.req("GET", "/items/" + new_id("missing"), srv=srv)
            self.assertEqual(r.status, 404)
        self.assert_missing_token(self.req("GET", "/" + new_id("nowhere"),
                                           srv=srv))
        self.assertEqual(self.req("GET", "/broken", srv=srv).status, 502)

        s = self.scrape(srv)
        self.assert_series(s, self.labels("/items", "GET"), 3)
        self.assert_series(s, self.labels("/items/{id}", "GET"), 2, e4xx=2)
        # no route: a gateway answer, no integration ran
        self.assert_series(s, self.labels("", ""), 1, e4xx=1, integration=0)
        self.assert_series(s, self.labels("/broken", "GET"), 1, e5xx=1)
        self.assert_series(s, self.labels("/items", "POST"), 0)
        total = sum(v for k, v in s.samples.items()
                    if k[0] == "apigateway_Count_total")
        self.assertEqual(total, 7)

    def test_scrapes_and_health_checks_are_not_counted(self):
        srv = self.start_server(["--config", METRICS_API])
        self.scrape(srv)
        self.assertEqual(self.req("GET", "/_crudd/health", srv=srv).status,
                         200)
        self.assertEqual(srv.request("GET", "/openapi.json").status, 200)
        s = self.scrape(srv)
        total = sum(v for k, v in s.samples.items()
                    if k[0] in COUNTERS + ("apigateway_Latency_count",))
        self.assertEqual(total, 0)

    def test_a_request_is_counted_once_the_client_has_its_answer(self):
        srv = self.start_server(["--config", METRICS_API])
        for i in range(1, 4):
            self.assertEqual(self.req("GET", "/items", srv=srv).status, 200)
            s = self.scrape(srv)
            self.assert_series(s, self.labels("/items", "GET"), i)


class MetricsPathTest(MetricsTestCase):

    def test_metrics_path_flag_moves_the_endpoint(self):
        srv = self.start_server(["--metrics-path", "/_crudd/metrics"])
        self.scrape(srv, "/_crudd/metrics")
        # the old path is now just an unknown route of the API, and counted
        self.assert_missing_token(self.req("GET", "/metrics", srv=srv))
        s = self.scrape(srv, "/_crudd/metrics")
        self.assert_series(s, {"api": "crudd", "stage": "prod",
                               "resource": "", "method": ""}, 1, e4xx=1,
                           integration=0)

    def test_metrics_path_in_the_environment(self):
        srv = self.start_server(env={"CRUDD_METRICS_PATH": "/m"})
        self.scrape(srv, "/m")

    def test_route_at_the_metrics_path_does_not_shadow_the_metrics(self):
        srv = self.start_server(["--config", METRICS_API])
        self.scrape(srv)
        # the declared route still answers under the stage prefix
        r = self.req("GET", "/v1/metrics", srv=srv)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"from": "route"})
        s = self.scrape(srv)
        self.assert_series(s, {"api": "shop", "stage": "v1",
                               "resource": "/metrics", "method": "GET"}, 1)


class HttpApiMetricsTest(MetricsTestCase):
    """An HTTP API's error metrics are 4xx and 5xx, as CloudWatch names them
    for HTTP APIs ("Monitor CloudWatch metrics for HTTP APIs"); a REST API
    keeps 4XXError and 5XXError."""

    shared_args = ["--api-type", "HTTP", "--stage", "$default"]

    def test_error_counters_have_the_http_api_names(self):
        r = self.srv.request("GET", "/items/" + new_id("nope"))
        self.assertEqual(r.status, 404, r)
        s = self.scrape()
        labels = {"api": "crudd", "stage": "$default",
                  "resource": "/items/{id}", "method": "GET"}
        self.assertEqual(s.value("apigateway_4xx_total", **labels), 1)
        self.assertEqual(s.value("apigateway_5xx_total", **labels), 0)
        self.assertEqual(s.types["apigateway_4xx_total"], "counter")
        self.assertNotIn("apigateway_4XXError_total", s.types)
        self.assertNotIn("apigateway_5XXError_total", s.types)
