"""API keys, usage plans (throttle and quota) and stage-level throttling, as
API Gateway answers them: 403 Forbidden for a missing or unknown key, 429
Too Many Requests for a throttle, 429 Limit Exceeded for a quota. Throttling
tests count the 429s of a fixed burst; they never measure time (the rates
are so low that no token comes back during a test)."""

import json
import os
import tempfile

from harness import CruddTestCase, Server, new_id

KEY_A = "key-a-0123456789abcdefghij"
KEY_B = "key-b-0123456789abcdefghij"
KEY_FREE = "key-free-0123456789abcdefghij"


def write_config(test, cfg):
    fd, path = tempfile.mkstemp(prefix="crudd-usage-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(cfg, f)
    test.addCleanup(os.unlink, path)
    return path


def api(plans=None, throttle=None, keys=None):
    cfg = {
        "apiName": "usage",
        "apiKeys": keys if keys is not None else [
            {"name": "a", "value": KEY_A},
            {"name": "b", "value": KEY_B},
            {"name": "free", "value": KEY_FREE},
        ],
        "resources": [
            {"path": "/items", "table": "ItemsTable", "partitionKey": "id",
             "apiKeyRequired": True},
        ],
        "routes": [
            {"method": "GET", "path": "/open", "handler": "health"},
            {"method": "GET", "path": "/whoami", "handler": "echo",
             "apiKeyRequired": True},
        ],
    }
    if plans is not None:
        cfg["usagePlans"] = plans
    if throttle is not None:
        cfg["throttle"] = throttle
    return cfg


class ApiKeyTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        fd, cls.config = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(api(), f)
        cls.srv = Server(["--config", cls.config])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.config)

    def assert_forbidden(self, r):
        self.assert_error(r, 403, "Forbidden")
        self.assertEqual(r.header("x-amzn-ErrorType"), "ForbiddenException")

    def test_missing_api_key_is_403_forbidden(self):
        self.assert_forbidden(self.req("GET", "/items"))

    def test_unknown_api_key_is_403_forbidden(self):
        self.assert_forbidden(self.req("GET", "/items",
                                       headers={"x-api-key": "nope"}))
        # a prefix, a longer value and a case change of a real key are all
        # different keys
        for wrong in (KEY_A[:-1], KEY_A + "x", KEY_A.upper(), ""):
            with self.subTest(wrong=wrong):
                self.assert_forbidden(self.req(
                    "GET", "/items", headers={"x-api-key": wrong}))

    def test_known_api_key_reaches_the_function(self):
        iid = new_id("key")
        r = self.req("POST", "/items", {"id": iid, "v": 1},
                     headers={"x-api-key": KEY_B})
        self.assertEqual(r.status, 201, r)
        r = self.req("GET", "/items/" + iid, headers={"X-API-Key": KEY_B})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"id": iid, "v": 1})

    def test_refused_request_does_not_write(self):
        iid = new_id("nokey")
        r = self.req("POST", "/items", {"id": iid})
        self.assert_forbidden(r)
        r = self.req("GET", "/items/" + iid, headers={"x-api-key": KEY_A})
        self.assert_error(r, 404, "Item not found")

    def test_route_without_api_key_required_needs_none(self):
        r = self.req("GET", "/open")
        self.assertEqual(r.status, 200, r)

    def test_unknown_route_is_still_missing_authentication_token(self):
        self.assert_missing_token(self.req("GET", "/nope",
                                           headers={"x-api-key": KEY_A}))

    def test_event_names_the_api_key(self):
        r = self.req("GET", "/whoami", headers={"x-api-key": KEY_A})
        self.assertEqual(r.status, 200, r)
        identity = r.json()["requestContext"]["identity"]
        self.assertEqual(identity["apiKey"], KEY_A)


class UsagePlanTest(CruddTestCase):
    srv = None

    @classmethod
    def setUpClass(cls):
        pass

    def start(self, cfg, db=None):
        return self.start_server(["--config", write_config(self, cfg)], db=db)

    def statuses(self, srv, key, n, path="/items"):
        out = []
        for _ in range(n):
            r = self.req("GET", path, headers={"x-api-key": key}, srv=srv)
            out.append(r.status)
            if r.status == 429:
                self.assertIn(r.json(), [{"message": "Too Many Requests"},
                                         {"message": "Limit Exceeded"}])
        return out

    def test_burst_admits_exactly_burst_requests_then_429(self):
        srv = self.start(api(plans=[{
            "name": "slow", "apiKeys": ["a"],
            "throttle": {"rateLimit": 0.001, "burstLimit": 5}}]))
        got = self.statuses(srv, KEY_A, 12)
        self.assertEqual(got, [200] * 5 + [429] * 7)
        r = self.req("GET", "/items", headers={"x-api-key": KEY_A}, srv=srv)
        self.assert_error(r, 429, "Too Many Requests")
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "TooManyRequestsException")

    def test_each_key_has_its_own_bucket(self):
        srv = self.start(api(plans=[{
            "name": "slow", "apiKeys": ["a", "b"],
            "throttle": {"rateLimit": 0.001, "burstLimit": 3}}]))
        self.assertEqual(self.statuses(srv, KEY_A, 5), [200] * 3 + [429] * 2)
        self.assertEqual(self.statuses(srv, KEY_B, 5), [200] * 3 + [429] * 2)

    def test_key_in_no_plan_is_not_limited(self):
        srv = self.start(api(plans=[{
            "name": "slow", "apiKeys": ["a"],
            "throttle": {"rateLimit": 0.001, "burstLimit": 1}}]))
        self.assertEqual(self.statuses(srv, KEY_FREE, 10), [200] * 10)

    def test_quota_admits_exactly_limit_then_limit_exceeded(self):
        srv = self.start(api(plans=[{
            "name": "q", "apiKeys": ["a"],
            "quota": {"limit": 4, "period": "DAY"}}]))
        self.assertEqual(self.statuses(srv, KEY_A, 7), [200] * 4 + [429] * 3)
        r = self.req("GET", "/items", headers={"x-api-key": KEY_A}, srv=srv)
        self.assert_error(r, 429, "Limit Exceeded")
        self.assertEqual(r.header("x-amzn-ErrorType"),
                         "LimitExceededException")

    def test_throttled_requests_do_not_use_quota(self):
        srv = self.start(api(plans=[{
            "name": "both", "apiKeys": ["a"],
            "throttle": {"rateLimit": 0.001, "burstLimit": 2},
            "quota": {"limit": 3, "period": "MONTH"}}]))
        got = [self.req("GET", "/items", headers={"x-api-key": KEY_A},
                        srv=srv) for _ in range(4)]
        self.assertEqual([r.status for r in got], [200, 200, 429, 429])
        self.assertEqual([r.json() for r in got[2:]],
                         [{"message": "Too Many Requests"}] * 2)

    def test_quota_counters_survive_a_restart(self):
        cfg = api(plans=[{"name": "q", "apiKeys": ["a", "b"],
                          "quota": {"limit": 5, "period": "WEEK"}}])
        srv = self.start(cfg)
        self.assertEqual(self.statuses(srv, KEY_A, 3), [200] * 3)
        self.assertEqual(self.statuses(srv, KEY_B, 1), [200])
        db = srv.db
        srv.stop()
        srv2 = self.start(cfg, db=db)
        self.assertEqual(self.statuses(srv2, KEY_A, 4), [200] * 2 + [429] * 2)
        self.assertEqual(self.statuses(srv2, KEY_B, 5), [200] * 4 + [429])

    def test_stage_throttle_limits_every_route(self):
        srv = self.start(api(throttle={"rateLimit": 0.001, "burstLimit": 4}))
        got = []
        for i in range(6):
            path = "/open" if i % 2 else "/items"
            r = self.req("GET", path, headers={"x-api-key": KEY_A}, srv=srv)
            got.append(r.status)
        self.assertEqual(got, [200] * 4 + [429] * 2)
        r = self.req("GET", "/open", srv=srv)
        self.assert_error(r, 429, "Too Many Requests")

    def test_unmatched_routes_do_not_take_stage_tokens(self):
        srv = self.start(api(throttle={"rateLimit": 0.001, "burstLimit": 2}))
        for _ in range(5):
            self.assert_missing_token(self.req("GET", "/nope", srv=srv))
        self.assertEqual(self.statuses(srv, KEY_A, 3, path="/open"),
                         [200, 200, 429])
