"""The OpenAPI 3.0.1 export (GET /openapi.json), as API Gateway exports an
API with its extensions ("Export a REST API from API Gateway", "Export HTTP
APIs from API Gateway"): paths and methods, parameters, bodies, responses,
security schemes, aws_proxy integrations, CORS, binary media types; and what
generators need: an operationId on every operation, the item schemas of the
bodies, `security: []` on open routes. (tests/openapi/test_openapi_tools.py
runs the documents through Redocly, openapi-typescript and tsc.)

Every document is checked against the parts of the OpenAPI 3.0 spec that
importers rely on (structure_errors), and, when npx can fetch it, by
@apidevtools/swagger-cli, the validator Swagger's own tools use (set
CRUDD_SKIP_NPX=1 to skip that one).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from harness import CruddTestCase, free_port

CONFIGS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "configs")

VALIDATOR = "@apidevtools/swagger-cli@4.0.4"
NPX_TIMEOUT = 240


def config(name):
    return ["--config", os.path.join(CONFIGS, name)]


def lambda_uri(function):
    return ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
            "arn:aws:lambda:us-east-1:123456789012:function:%s/invocations"
            % function)


def rest_integration(function):
    return {"type": "aws_proxy", "httpMethod": "POST",
            "uri": lambda_uri(function),
            "passthroughBehavior": "when_no_match"}


def http_integration(function):
    return {"type": "aws_proxy", "httpMethod": "POST",
            "uri": lambda_uri(function), "payloadFormatVersion": "2.0",
            "connectionType": "INTERNET"}


def path_param(name):
    return {"name": name, "in": "path", "required": True,
            "schema": {"type": "string"}}


OPERATIONS = {"get", "put", "post", "delete", "options", "head", "patch",
              "trace", "x-amazon-apigateway-any-method"}
PARAM_IN = {"path", "query", "header", "cookie"}


def structure_errors(doc):
    """What an importer would trip on: the OpenAPI 3.0 required fields, path
    templates and their parameters, $refs and security requirements."""
    errs = []
    if doc.get("openapi") != "3.0.1":
        errs.append("openapi is not 3.0.1")
    info = doc.get("info", {})
    for k in ("title", "version"):
        if not isinstance(info.get(k), str) or not info.get(k):
            errs.append("info.%s missing" % k)
    for s in doc.get("servers", []):
        vars_ = s.get("variables", {})
        for v in re.findall(r"\{([^}]+)\}", s.get("url", "")):
            if "default" not in vars_.get(v, {}):
                errs.append("server variable %s has no default" % v)
    schemes = doc.get("components", {}).get("securitySchemes", {})
    for name, s in schemes.items():
        if s.get("type") != "apiKey" or s.get("in") != "header" \
                or not s.get("name"):
            errs.append("security scheme %s is not a header apiKey" % name)

    def check_refs(node, where):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref is not None:
                parts = ref.split("/")
                target = doc
                for p in parts[1:]:
                    target = target.get(p) if isinstance(target, dict) \
                        else None
                if parts[0] != "#" or target is None:
                    errs.append("%s: $ref %s does not resolve" % (where, ref))
            for k, v in node.items():
                check_refs(v, where + "." + k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                check_refs(v, "%s[%d]" % (where, i))

    check_refs(doc, "#")
    paths = doc.get("paths")
    if not isinstance(paths, dict) or not paths:
        return errs + ["paths missing or empty"]
    seen_ids = set()
    for path, item in paths.items():
        if not path.startswith("/"):
            errs.append("path %s does not start with /" % path)
        placeholders = {p.rstrip("+") for p in re.findall(r"\{([^}]+)\}",
                                                           path)}
        for method, op in item.items():
            where = "%s %s" % (method, path)
            if method not in OPERATIONS:
                errs.append("%s: not an operation" % where)
                continue
            op_id = op.get("operationId")
            if not isinstance(op_id, str) or not re.match(
                    r"^[a-z][A-Za-z0-9]*$", op_id):
                errs.append("%s: operationId %r is not camelCase"
                            % (where, op_id))
            elif op_id in seen_ids:
                errs.append("%s: operationId %s is not unique"
                            % (where, op_id))
            seen_ids.add(op_id)
            if not isinstance(op.get("security"), list):
                errs.append("%s: no security" % where)
            responses = op.get("responses")
            if not responses:
                errs.append("%s: no responses" % where)
            for code, r in (responses or {}).items():
                if not re.match(r"^([1-5][0-9][0-9]|default)$", code):
                    errs.append("%s: response %s" % (where, code))
                if not isinstance(r.get("description"), str):
                    errs.append("%s: response %s has no description"
                                % (where, code))
            declared = set()
            for p in op.get("parameters", []):
                if p.get("in") not in PARAM_IN or not p.get("name") \
                        or "schema" not in p:
                    errs.append("%s: bad parameter %r" % (where, p))
                if p.get("in") == "path":
                    declared.add(p["name"])
                    if p.get("required") is not True:
                        errs.append("%s: path parameter %s not required"
                                    % (where, p["name"]))
            if method != "options" and declared != placeholders:
                errs.append("%s: path parameters %s, template has %s"
                            % (where, sorted(declared), sorted(placeholders)))
            body = op.get("requestBody")
            if body is not None and "$ref" not in body \
                    and not body.get("content"):
                errs.append("%s: requestBody without content" % where)
            for need in op.get("security", []):
                for name in need:
                    if name not in schemes:
                        errs.append("%s: security %s undefined"
                                    % (where, name))
            integration = op.get("x-amazon-apigateway-integration")
            if not integration or integration.get("type") not in (
                    "aws_proxy", "mock"):
                errs.append("%s: no integration" % where)
    return errs


_npx_ok = None


def npx_validator():
    """True when npx can run the validator (fetched once into npm's cache),
    False when it cannot be had here (no npx, no registry)."""
    global _npx_ok
    if _npx_ok is None:
        _npx_ok = False
        if os.environ.get("CRUDD_SKIP_NPX") != "1" and shutil.which("npx"):
            try:
                p = subprocess.run(
                    ["npx", "--yes", VALIDATOR, "--version"],
                    stdin=subprocess.DEVNULL, capture_output=True,
                    timeout=NPX_TIMEOUT)
                _npx_ok = p.returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                pass
    return _npx_ok


class OpenApiCase(CruddTestCase):

    def fetch(self, srv=None, http_api=False):
        r = (srv or self.srv).request("GET", "/openapi.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type"), "application/json")
        if http_api:
            self.assertTrue(r.header("apigw-requestid"))
        else:
            self.assertTrue(r.header("x-amzn-RequestId"))
        return r.json()

    def assert_valid(self, doc):
        self.assertEqual(structure_errors(doc), [])
        if not npx_validator():
            self.skipTest("npx cannot fetch %s here" % VALIDATOR)
        with tempfile.NamedTemporaryFile("w", suffix=".json",
                                         delete=False) as f:
            json.dump(doc, f)
        try:
            p = subprocess.run(["npx", "--yes", VALIDATOR, "validate",
                                f.name], stdin=subprocess.DEVNULL,
                               capture_output=True, text=True,
                               timeout=NPX_TIMEOUT)
        finally:
            os.unlink(f.name)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("is valid", p.stdout)


class DefaultDocumentTest(OpenApiCase):
    """No config file: the items resource on stage prod."""

    def setUp(self):
        self.doc = self.fetch()

    def test_header_and_components(self):
        doc = self.doc
        self.assertEqual(doc["openapi"], "3.0.1")
        self.assertEqual(doc["info"]["title"], "crudd")
        self.assertRegex(doc["info"]["version"], r"^\d+\.\d+\.\d+$")
        self.assertEqual(list(doc["paths"]), ["/items", "/items/{id}"])
        item = {"$ref": "#/components/schemas/ItemsTable"}
        self.assertEqual(doc["components"]["schemas"], {
            "Empty": {"title": "Empty Schema", "type": "object"},
            "Error": {"title": "Error Schema", "type": "object",
                      "required": ["message"],
                      "properties": {"message": {"type": "string"}}},
            # the item as answered: its key required, any attribute
            "ItemsTable": {"type": "object", "required": ["id"],
                           "properties": {"id": {"type": "string",
                                                 "minLength": 1}},
                           "additionalProperties": True},
            # the item as sent: the key optional (made, or from the path)
            "ItemsTableInput": {"type": "object",
                                "properties": {"id": {"type": "string",
                                                      "minLength": 1}},
                                "additionalProperties": True},
            "ItemsTableMessage": {
                "type": "object", "required": ["message", "item"],
                "properties": {"message": {"type": "string"},
                               "item": item}},
            "ItemsTablePage": {
                "type": "object", "required": ["items", "count"],
                "properties": {
                    "items": {"type": "array", "items": item},
                    "count": {"type": "integer", "minimum": 0},
                    "nextToken": {"type": "string"}}},
        })
        for key in ("security", "x-amazon-apigateway-api-key-source",
                    "x-amazon-apigateway-binary-media-types",
                    "x-amazon-apigateway-cors",
                    "x-amazon-apigateway-importexport-version"):
            self.assertNotIn(key, doc)
        self.assertNotIn("securitySchemes", doc["components"])

    def test_each_route_is_an_operation_with_its_integration(self):
        expected = {
            "/items": {
                "post": ("create-item", "createItem", ["201", "400", "409"]),
                "get": ("list-items", "listItems", ["200", "400"])},
            "/items/{id}": {
                "get": ("get-item", "getItem", ["200", "400", "404"]),
                "put": ("put-item", "putItem", ["200", "400", "404", "412"]),
                "patch": ("update-item", "updateItem",
                          ["200", "400", "404", "412"]),
                "delete": ("delete-item", "deleteItem",
                           ["200", "404", "412"])},
        }
        for path, ops in expected.items():
            # and the OPTIONS mock of the default API's CORS
            self.assertEqual(list(self.doc["paths"][path]),
                             list(ops) + ["options"])
            for method, (function, op_id, codes) in ops.items():
                with self.subTest(method=method, path=path):
                    op = self.doc["paths"][path][method]
                    self.assertEqual(op["x-amazon-apigateway-integration"],
                                     rest_integration(function))
                    self.assertEqual(op["summary"], function)
                    self.assertEqual(op["operationId"], op_id)
                    self.assertEqual(list(op["responses"]), codes)
                    # open: said, not left out
                    self.assertEqual(op["security"], [])
                    self.assertEqual("requestBody" in op,
                                     method in ("post", "put", "patch"))

    def test_the_cors_mocks_are_operations_too(self):
        paths = self.doc["paths"]
        for path, op_id, params in (
                ("/items", "optionsItems", None),
                ("/items/{id}", "optionsItem", [path_param("id")])):
            with self.subTest(path=path):
                mock = paths[path]["options"]
                self.assertEqual(mock["operationId"], op_id)
                self.assertEqual(mock["summary"], "CORS preflight")
                self.assertEqual(mock["security"], [])
                self.assertEqual(mock.get("parameters"), params)

    def test_parameters(self):
        paths = self.doc["paths"]
        self.assertEqual(paths["/items"]["get"]["parameters"], [
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1}},
            {"name": "nextToken", "in": "query", "required": False,
             "schema": {"type": "string"}}])
        self.assertNotIn("parameters", paths["/items"]["post"])
        self.assertEqual(paths["/items/{id}"]["get"]["parameters"],
                         [path_param("id")])
        # a write on one item may be conditional (RFC 9110)
        for method in ("put", "patch", "delete"):
            self.assertEqual(paths["/items/{id}"][method]["parameters"], [
                path_param("id"),
                {"name": "If-Match", "in": "header", "required": False,
                 "schema": {"type": "string"}},
                {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"}}])

    def test_bodies_and_responses(self):
        def schema(part):
            return part["content"]["application/json"]["schema"]

        def model(name):
            return {"$ref": "#/components/schemas/" + name}

        paths = self.doc["paths"]
        post = paths["/items"]["post"]
        self.assertEqual(post["requestBody"], {
            "content": {"application/json": {
                "schema": model("ItemsTableInput")}},
            "required": True})
        created = post["responses"]["201"]
        self.assertEqual(created["description"], "201 response")
        self.assertEqual(created["headers"],
                         {"Location": {"schema": {"type": "string"}},
                          "ETag": {"schema": {"type": "string"}}})
        self.assertEqual(schema(created), model("ItemsTableMessage"))
        self.assertEqual(post["responses"]["409"], {
            "description": "409 response",
            "content": {"application/json": {"schema": model("Error")}}})
        self.assertEqual(schema(paths["/items"]["get"]["responses"]["200"]),
                         model("ItemsTablePage"))
        one = paths["/items/{id}"]
        got = one["get"]["responses"]["200"]
        self.assertEqual(schema(got), model("ItemsTable"))
        self.assertEqual(got["headers"],
                         {"ETag": {"schema": {"type": "string"}}})
        for method in ("put", "patch"):
            self.assertEqual(schema(one[method]["requestBody"]),
                             model("ItemsTableInput"))
            self.assertIn("ETag", one[method]["responses"]["200"]["headers"])
        for method in ("put", "patch", "delete"):
            self.assertEqual(schema(one[method]["responses"]["200"]),
                             model("ItemsTableMessage"))
        self.assertNotIn("headers", one["delete"]["responses"]["200"])

    def test_the_schemas_describe_what_crudd_answers(self):
        created = self.req("POST", "/items",
                           {"name": "widget", "price": 19.99})
        self.assertEqual(created.status, 201, created)
        body = created.json()
        self.assertEqual(sorted(body), ["item", "message"])
        self.assertIsInstance(body["message"], str)
        self.assertIsInstance(body["item"]["id"], str)
        self.assertTrue(created.header("Location"))
        self.assertTrue(created.header("ETag"))
        page = self.req("GET", "/items?limit=1").json()
        self.assertLessEqual(set(page), {"items", "count", "nextToken"})
        self.assertIsInstance(page["count"], int)
        self.assertIsInstance(page["items"][0]["id"], str)
        missing = self.req("GET", "/items/no-such-item")
        self.assertEqual(missing.status, 404)
        self.assertEqual(list(missing.json()), ["message"])

    def test_own_paths_are_not_in_the_api(self):
        for path in ("/openapi.json", "/metrics", "/_crudd/health"):
            self.assertNotIn(path, self.doc["paths"])

    def test_servers_name_the_host_the_client_used(self):
        # the Host header: right behind a container's port mapping too
        self.assertEqual(self.doc["servers"], [
            {"url": "http://127.0.0.1:%d/{basePath}" % self.srv.port,
             "variables": {"basePath": {"default": "prod"}}}])
        r = self.srv.request("GET", "/openapi.json",
                             headers={"Host": "localhost:8080"})
        self.assertEqual(r.json()["servers"][0]["url"],
                         "http://localhost:8080/{basePath}")

    def test_servers_are_relative_without_a_usable_host(self):
        # --port 0 and no Host fit for a URL: only the listener knows the
        # port, so the URL is relative to where the document came from
        for host in ("", "evil.example/x?y", "a b"):
            with self.subTest(host=host):
                r = self.srv.request("GET", "/openapi.json",
                                     headers={"Host": host})
                self.assertEqual(r.json()["servers"], [
                    {"url": "/{basePath}",
                     "variables": {"basePath": {"default": "prod"}}}])

    def test_is_valid(self):
        self.assert_valid(self.doc)


class ServersTest(OpenApiCase):

    def test_a_configured_port_is_the_server_url(self):
        port = free_port()
        srv = self.start_server(["--port", str(port)], port_arg=False)
        self.assertEqual(self.fetch(srv)["servers"], [
            {"url": "http://127.0.0.1:%d/{basePath}" % port,
             "variables": {"basePath": {"default": "prod"}}}])
        srv.stop()

    def test_the_default_stage_has_no_base_path(self):
        port = free_port()
        srv = self.start_server(["--port", str(port), "--stage", "$default"],
                                port_arg=False)
        self.assertEqual(self.fetch(srv)["servers"],
                         [{"url": "http://127.0.0.1:%d" % port}])
        srv.stop()

    def test_another_path_serves_it(self):
        srv = self.start_server(["--openapi-path", "/docs/api.json",
                                 "--api-name", "shop"])
        r = srv.request("GET", "/docs/api.json")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["info"]["title"], "shop")
        r = srv.request("GET", "/openapi.json")
        self.assertEqual(r.status, 403, r)
        srv.stop()


class RestFeaturesTest(OpenApiCase):
    """openapi-rest.json: keys, AWS_IAM, a query key, ANY and a greedy
    parameter, binary media types, CORS."""

    shared_args = config("openapi-rest.json")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.srv.request("GET", "/openapi.json")
        cls.doc = r.json()

    def test_top_level(self):
        doc = self.doc
        self.assertEqual(doc["info"]["title"], "orders-api")
        self.assertEqual(doc["servers"][0]["variables"],
                         {"basePath": {"default": "v1"}})
        self.assertEqual(list(doc["paths"]), [
            "/orders", "/orders/{orderId}",
            "/customers/{customerId}/profile", "/lookup",
            "/debug/{proxy+}", "/status"])
        self.assertEqual(doc["x-amazon-apigateway-api-key-source"], "HEADER")
        self.assertEqual(doc["x-amazon-apigateway-binary-media-types"],
                         ["image/png", "application/octet-stream"])
        self.assertNotIn("x-amazon-apigateway-cors", doc)

    def test_security_schemes(self):
        self.assertEqual(self.doc["components"]["securitySchemes"], {
            "api_key": {"type": "apiKey", "name": "x-api-key",
                        "in": "header"},
            "sigv4": {"type": "apiKey", "name": "Authorization",
                      "in": "header",
                      "x-amazon-apigateway-authtype": "awsSigv4"}})

    def test_each_operation_names_what_it_requires(self):
        paths = self.doc["paths"]
        cases = (
            ("/orders", "post", [{"api_key": []}]),
            ("/orders/{orderId}", "delete", [{"api_key": []}]),
            ("/customers/{customerId}/profile", "get", [{"sigv4": []}]),
            ("/lookup", "get", [{"api_key": [], "sigv4": []}]),
            ("/status", "get", []),
            ("/debug/{proxy+}", "x-amazon-apigateway-any-method", []),
        )
        for path, method, security in cases:
            with self.subTest(path=path, method=method):
                op = paths[path][method]
                self.assertEqual(op["security"], security)
                self.assertEqual("403" in op["responses"], bool(security))

    def test_operation_ids(self):
        # a verb (the item function's, else the method's) and the path's
        # nouns, singular for one member; unique in the document
        ids = {(path, method): op["operationId"]
               for path, item in self.doc["paths"].items()
               for method, op in item.items()}
        self.assertEqual(ids, {
            ("/orders", "post"): "createOrder",
            ("/orders", "get"): "listOrders",
            ("/orders", "options"): "optionsOrders",
            ("/orders/{orderId}", "get"): "getOrder",
            ("/orders/{orderId}", "put"): "putOrder",
            ("/orders/{orderId}", "patch"): "updateOrder",
            ("/orders/{orderId}", "delete"): "deleteOrder",
            ("/orders/{orderId}", "options"): "optionsOrder",
            ("/customers/{customerId}/profile", "get"): "getCustomerProfile",
            ("/customers/{customerId}/profile", "options"):
                "optionsCustomerProfile",
            ("/lookup", "get"): "getLookup",
            ("/lookup", "options"): "optionsLookup",
            ("/debug/{proxy+}", "x-amazon-apigateway-any-method"): "anyDebug",
            ("/debug/{proxy+}", "options"): "optionsDebug",
            ("/status", "get"): "getStatus",
            ("/status", "options"): "optionsStatus",
        })

    def test_a_query_key_is_a_required_parameter_not_a_body(self):
        lookup = self.doc["paths"]["/lookup"]["get"]
        self.assertNotIn("requestBody", lookup)
        self.assertEqual(
            lookup["responses"]["200"]["content"]["application/json"],
            {"schema": {"$ref": "#/components/schemas/Customers"}})

    def test_parameters_and_integrations(self):
        paths = self.doc["paths"]
        profile = paths["/customers/{customerId}/profile"]["get"]
        self.assertEqual(profile["parameters"], [path_param("customerId")])
        self.assertEqual(profile["x-amazon-apigateway-integration"],
                         rest_integration("get-item"))
        lookup = paths["/lookup"]["get"]
        self.assertEqual(lookup["parameters"], [
            {"name": "cid", "in": "query", "required": True,
             "schema": {"type": "string"}}])
        anything = paths["/debug/{proxy+}"]["x-amazon-apigateway-any-method"]
        self.assertEqual(anything["parameters"], [path_param("proxy")])
        self.assertEqual(anything["x-amazon-apigateway-integration"],
                         rest_integration("echo"))
        status = paths["/status"]["get"]
        self.assertEqual(
            status["responses"]["200"]["content"]["application/json"],
            {"schema": {"type": "object", "required": ["status"],
                        "properties": {"status": {"type": "string"}}}})
        # echo answers the event: any object
        self.assertEqual(
            anything["responses"]["200"]["content"]["application/json"],
            {"schema": {"type": "object", "additionalProperties": True}})

    def test_cors_is_an_options_mock_on_each_path(self):
        for path, item in self.doc["paths"].items():
            with self.subTest(path=path):
                self.assertIn("options", item)
                self.assertEqual(item["options"]["security"], [])
        mock = self.doc["paths"]["/orders"]["options"]
        self.assertEqual(mock["x-amazon-apigateway-integration"], {
            "type": "mock",
            "requestTemplates": {"application/json": '{"statusCode": 200}'},
            "passthroughBehavior": "when_no_match",
            "responses": {"default": {"statusCode": "200",
                                      "responseParameters": {
                "method.response.header.Access-Control-Allow-Origin":
                    "'https://shop.example.com'",
                "method.response.header.Access-Control-Allow-Methods":
                    "'GET,POST,OPTIONS'",
                "method.response.header.Access-Control-Allow-Headers":
                    "'Content-Type,X-Amz-Date,Authorization,X-Api-Key,"
                    "X-Amz-Security-Token'",
                "method.response.header.Access-Control-Max-Age": "'300'"}}}})
        self.assertEqual(sorted(mock["responses"]["200"]["headers"]), [
            "Access-Control-Allow-Headers", "Access-Control-Allow-Methods",
            "Access-Control-Allow-Origin", "Access-Control-Max-Age"])
        methods = self.doc["paths"]["/debug/{proxy+}"]["options"][
            "x-amazon-apigateway-integration"]["responses"]["default"][
            "responseParameters"][
            "method.response.header.Access-Control-Allow-Methods"]
        self.assertEqual(methods, "'DELETE,GET,HEAD,PATCH,POST,PUT,OPTIONS'")

    def test_the_document_matches_what_crudd_serves(self):
        # the mock's headers are what a preflight gets
        r = self.srv.request("OPTIONS", "/v1/orders", headers={
            "Origin": "https://shop.example.com",
            "Access-Control-Request-Method": "POST"})
        self.assertEqual(r.status, 200, r)
        params = self.doc["paths"]["/orders"]["options"][
            "x-amazon-apigateway-integration"]["responses"]["default"][
            "responseParameters"]
        for name, value in params.items():
            header = name[len("method.response.header."):]
            self.assertEqual(r.header(header), value.strip("'"), header)

    def test_is_valid(self):
        self.assert_valid(self.doc)


class HttpApiTest(OpenApiCase):
    """openapi-http.json: an HTTP API on the $default stage."""

    shared_args = config("openapi-http.json")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        r = cls.srv.request("GET", "/openapi.json")
        cls.doc = r.json()

    def test_served_as_an_http_api_answer(self):
        self.assertEqual(self.fetch(http_api=True)["info"]["title"],
                         "items-http")

    def test_integrations_use_payload_format_2(self):
        for path, item in self.doc["paths"].items():
            for method, op in item.items():
                with self.subTest(path=path, method=method):
                    self.assertEqual(
                        op["x-amazon-apigateway-integration"],
                        http_integration(op["summary"]))
        teapot = self.doc["paths"]["/teapot"]["post"]
        self.assertEqual(list(teapot["responses"]), ["418"])

    def test_cors_is_the_cors_configuration(self):
        self.assertEqual(self.doc["x-amazon-apigateway-cors"], {
            "allowOrigins": ["https://app.example.com"],
            "allowMethods": ["GET", "POST", "DELETE"],
            "allowHeaders": ["content-type"],
            "exposeHeaders": ["etag"],
            "allowCredentials": True,
            "maxAge": 600})
        for item in self.doc["paths"].values():
            self.assertNotIn("options", item)

    def test_top_level(self):
        self.assertEqual(
            self.doc["x-amazon-apigateway-importexport-version"], "1.0")
        self.assertEqual(self.doc["servers"],
                         [{"url": "http://127.0.0.1:%d" % self.srv.port}])
        self.assertEqual(list(self.doc["paths"]),
                         ["/items", "/items/{id}", "/teapot"])

    def test_is_valid(self):
        self.assert_valid(self.doc)


class TypedBodiesTest(OpenApiCase):
    """config/examples/customers.json: RPC-style routes, DynamoDB-typed
    bodies, the key from the body or the query."""

    shared_args = ["--config", os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "config", "examples",
        "customers.json")]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc = cls.srv.request("GET", "/openapi.json").json()

    def test_an_rpc_path_is_its_own_operation_id(self):
        ids = [(path, method, op["operationId"])
               for path, item in self.doc["paths"].items()
               for method, op in item.items()]
        self.assertEqual(ids, [
            ("/healthCheck", "get", "healthCheck"),
            ("/createCustomer", "post", "createCustomer"),
            ("/getCustomerDetails", "get", "getCustomerDetails"),
            ("/updateCustomer", "put", "updateCustomer"),
            ("/updateCustomerEmail", "patch", "updateCustomerEmail")])

    def test_typed_items_are_attribute_values(self):
        schemas = self.doc["components"]["schemas"]
        key = {"type": "object", "required": ["S"],
               "properties": {"S": {"type": "string", "minLength": 1}},
               "additionalProperties": False}
        value = {"$ref": "#/components/schemas/AttributeValue"}
        self.assertEqual(schemas["CustomersTable"], {
            "type": "object", "required": ["customerId"],
            "properties": {"customerId": key},
            "additionalProperties": value})
        # the key comes from the body: the body must carry it
        self.assertEqual(schemas["CustomersTableInput"]["required"],
                         ["customerId"])
        av = schemas["AttributeValue"]
        self.assertEqual((av["minProperties"], av["maxProperties"]), (1, 1))
        self.assertEqual(sorted(av["properties"]), sorted(
            ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]))
        self.assertEqual(av["properties"]["M"]["additionalProperties"], value)
        self.assertEqual(av["properties"]["L"]["items"], value)
        post = self.doc["paths"]["/createCustomer"]["post"]
        self.assertEqual(
            post["requestBody"]["content"]["application/json"]["schema"],
            {"$ref": "#/components/schemas/CustomersTableInput"})
        self.assertEqual(post["security"], [{"api_key": []}])
        self.assertEqual(self.doc["paths"]["/healthCheck"]["get"]["security"],
                         [])

    def test_is_valid(self):
        self.assert_valid(self.doc)


class StructureCheckTest(unittest.TestCase):
    """The structure check itself catches what it is meant to."""

    def test_catches_broken_documents(self):
        doc = {"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
               "paths": {"/a/{id}": {"get": {
                   "responses": {"200": {"description": "ok"}},
                   "security": [{"nope": []}],
                   "x-amazon-apigateway-integration": {"type": "aws_proxy"},
                   "requestBody": {"$ref": "#/components/x"}}}}}
        self.assertEqual(structure_errors(doc), [
            "#.paths./a/{id}.get.requestBody: $ref #/components/x does not "
            "resolve",
            "get /a/{id}: operationId None is not camelCase",
            "get /a/{id}: path parameters [], template has ['id']",
            "get /a/{id}: security nope undefined"])

    def test_catches_operation_ids_and_missing_security(self):
        op = {"operationId": "getA", "responses": {"200": {"description": "ok"}},
              "x-amazon-apigateway-integration": {"type": "aws_proxy"}}
        doc = {"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
               "paths": {"/a": {"get": dict(op, security=[]),
                                "put": op}}}
        self.assertEqual(structure_errors(doc), [
            "put /a: operationId getA is not unique",
            "put /a: no security"])


if __name__ == "__main__":
    unittest.main()
