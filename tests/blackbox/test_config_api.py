"""The API part of the config file (apiName, routes, apiKeys, usagePlans,
credentials, cors...): a bad one is refused at start, before anything
listens, with a message naming the file, the key and what is wrong; a good
one starts and serves its routes."""

import json
import os
import shutil
import tempfile
import unittest

from harness import CruddTestCase, run_cli

KEY_A = "a" * 20
KEY_B = "b" * 20


def route(method="GET", path="/x", handler="health", **extra):
    r = {"method": method, "path": path, "handler": handler}
    r.update(extra)
    return r


class BadConfigTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crudd-bb-config-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def refused(self, config, key, *problem):
        """crudd --config <file with config> must exit non-zero without
        listening, and say on stderr the file, key and every problem text."""
        path = os.path.join(self.dir, "api.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        rc, out, err = run_cli(["--config", path, "--port", "0",
                                "--db", os.path.join(self.dir, "crudd.db")],
                               timeout=5.0)
        self.assertNotEqual(rc, 0, err)
        self.assertNotIn("listening on", err)
        self.assertIn(path, err)
        self.assertIn(key, err)
        for text in problem:
            self.assertIn(text, err)
        return err

    def test_unknown_handler_is_refused(self):
        self.refused({"routes": [route(handler="nope")]},
                     "routes[0].handler", 'unknown handler "nope"')

    def test_route_without_a_method_is_refused(self):
        self.refused({"routes": [{"path": "/x", "handler": "health"}]},
                     "routes[0]", "method")

    def test_bad_key_from_is_refused(self):
        self.refused({"routes": [route(path="/x/{id}", handler="get-item",
                                       table="T", partitionKey="id",
                                       keyFrom="header")]},
                     "routes[0].keyFrom", '"path", "query" or "body"')

    def test_respond_without_a_result_is_refused(self):
        self.refused({"routes": [route(handler="respond")]},
                     "routes[0]", '"result"', "respond")

    def test_usage_plan_naming_an_unknown_key_is_refused(self):
        self.refused({"routes": [route()],
                      "apiKeys": [{"name": "real", "value": KEY_A}],
                      "usagePlans": [{"name": "p", "apiKeys": ["ghost"]}]},
                     "usagePlans[0].apiKeys[0]", '"ghost"')

    def test_api_key_value_shorter_than_20_characters_is_refused(self):
        self.refused({"routes": [route()],
                      "apiKeys": [{"name": "k", "value": "a" * 19}]},
                     "apiKeys[0].value", "20")

    def test_key_in_two_usage_plans_is_refused(self):
        self.refused({"routes": [route()],
                      "apiKeys": [{"name": "k", "value": KEY_A}],
                      "usagePlans": [{"name": "p1", "apiKeys": ["k"]},
                                     {"name": "p2", "apiKeys": ["k"]}]},
                     "usagePlans[1].apiKeys[0]", '"p1"')

    def test_api_key_required_without_api_keys_is_refused(self):
        self.refused({"routes": [route(apiKeyRequired=True)]},
                     "routes[0]", '"apiKeys"')

    def test_api_key_required_on_an_http_api_is_refused(self):
        self.refused({"apiType": "HTTP",
                      "routes": [route(apiKeyRequired=True)],
                      "apiKeys": [{"name": "k", "value": KEY_A}]},
                     "routes[0].apiKeyRequired", "an HTTP API has no API keys")

    def test_aws_iam_without_credentials_is_refused(self):
        self.refused({"resources": [{"path": "/items", "table": "T",
                                     "partitionKey": "id",
                                     "authorizationType": "AWS_IAM"}]},
                     "resources[0]", '"credentials"')

    def test_allow_credentials_with_any_origin_is_refused(self):
        self.refused({"routes": [route()],
                      "cors": {"allowOrigins": ["*"],
                               "allowCredentials": True}},
                     "cors", "allowCredentials", '"*"')

    def test_duplicate_route_is_refused(self):
        self.refused({"routes": [route(), route(handler="echo")]},
                     "routes[1]", "duplicate")

    def test_routes_differing_only_in_parameter_names_are_duplicates(self):
        self.refused({"routes": [route(path="/x/{a}"),
                                 route(path="/x/{b}", handler="echo")]},
                     "routes[1]", "duplicate")

    def test_parameter_that_is_not_a_whole_segment_is_refused(self):
        self.refused({"routes": [route(path="/x/pre{id}")]},
                     "routes[0].path", "whole segment")


class GoodConfigTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="crudd-bb-config-")
        cls.path = os.path.join(cls.dir, "api.json")
        with open(cls.path, "w", encoding="utf-8") as f:
            json.dump({
                "apiName": "good", "apiType": "REST", "stage": "v1",
                "apiKeys": [{"name": "k", "value": KEY_A},
                            {"name": "k2", "value": KEY_B}],
                "usagePlans": [{"name": "p", "apiKeys": ["k"],
                                "throttle": {"rateLimit": 100,
                                             "burstLimit": 100}}],
                "cors": {"allowOrigins": ["https://app.example"],
                         "allowCredentials": True},
                "routes": [
                    route(path="/ping", handler="respond",
                          result={"statusCode": 200, "body": "pong",
                                  "headers": {"Content-Type": "text/plain"}}),
                    route(path="/things/{id}", handler="get-item",
                          table="Things", partitionKey="id"),
                    route(method="POST", path="/things", handler="create-item",
                          table="Things", partitionKey="id",
                          apiKeyRequired=True),
                ]}, f)
        cls.shared_args = ("--config", cls.path)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.dir, ignore_errors=True)

    def test_good_config_with_routes_starts_and_serves_them(self):
        r = self.srv.request("GET", "/v1/ping")
        self.assertEqual((r.status, r.body), (200, b"pong"))
        r = self.req("POST", "/v1/things", {"id": "t1"},
                     headers={"x-api-key": KEY_A})
        self.assertEqual(r.status, 201, r)
        r = self.req("GET", "/v1/things/t1")
        self.assertEqual((r.status, r.json()), (200, {"id": "t1"}))
        self.assert_missing_token(self.req("GET", "/v1/items"))
