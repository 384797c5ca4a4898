"""config/examples/customers.json: an RPC-style customer API behind an API
key, bodies and items in DynamoDB-typed JSON: GET /healthCheck (open),
POST /createCustomer, GET /getCustomerDetails?customerId=..., PUT
/updateCustomer, PATCH /updateCustomerEmail (the email only)."""

import os

from ddb_client import WireMixin
from harness import CruddTestCase, ETAG_RE, new_id, urlquote

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "config", "examples", "customers.json")

API_KEY = "crudd-dev-key-0123456789"
KEY = {"x-api-key": API_KEY}


def S(v):
    return {"S": v}


def N(v):
    return {"N": v}


class CustomersExampleTest(WireMixin, CruddTestCase):
    """One server for the class. Its key's usage plan allows bursts of 100
    requests (refilled at 50 a second): the class sends about 80 with the
    key, so a test that needs many more starts its own server."""

    shared_args = ("--config", EXAMPLE)

    def call(self, method, path, body=None, raw=None, headers=None):
        """A request with the API key."""
        return self.req(method, path, body, raw=raw,
                        headers=dict(KEY, **(headers or {})))

    def details(self, customer_id):
        return self.call("GET", "/getCustomerDetails?customerId=" +
                         urlquote(customer_id))

    def new_customer(self, **attrs):
        cid = new_id("c")
        item = dict({"customerId": S(cid)}, **attrs)
        r = self.call("POST", "/createCustomer", item)
        self.assertEqual(r.status, 201, r)
        return cid, item

    def assert_customer_is(self, cid, expected):
        r = self.details(cid)
        self.assertEqual((r.status, r.json()), (200, expected), r)
        return r

    def assert_forbidden(self, r):
        """API Gateway's answer to a missing or unknown API key."""
        self.assert_error(r, 403, "Forbidden")
        self.assertEqual(r.header("x-amzn-ErrorType"), "ForbiddenException")

    def assert_no_customer(self, cid):
        self.assert_error(self.details(cid), 404, "Item not found")

    # -- GET /healthCheck ------------------------------------------------------

    def test_health_check_needs_no_api_key(self):
        r = self.req("GET", "/healthCheck")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))
        r = self.req("GET", "/prod/healthCheck")
        self.assertEqual((r.status, r.json()), (200, {"status": "ok"}))

    # -- POST /createCustomer --------------------------------------------------

    def test_create_is_201_with_the_typed_item_and_no_location(self):
        cid = new_id("c")
        item = {"customerId": S(cid), "email": S("ann@example.com"),
                "name": S("Ann"), "age": N("42")}
        r = self.call("POST", "/createCustomer", item)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json(), {"message": "Item created successfully!",
                                    "item": item})
        self.assertIsNone(r.header("Location"))
        self.assertRegex(r.header("ETag") or "", ETAG_RE)
        self.assert_customer_is(cid, item)

    def test_create_keeps_every_type_and_stores_numbers_canonical(self):
        cid = new_id("c")
        sent = {"customerId": S(cid), "balance": N("0019.990"),
                "big": N("1e2"), "vip": {"BOOL": True}, "fax": {"NULL": True},
                "tags": {"SS": ["a", "b"]}, "scores": {"NS": ["1.50", "2"]},
                "avatar": {"B": "AAEC"},
                "address": {"M": {"city": S("Oslo"),
                                  "lines": {"L": [S("1 Main St"),
                                                  N("7")]}}}}
        stored = dict(sent, balance=N("19.99"), big=N("100"),
                      scores={"NS": ["1.5", "2"]})
        r = self.call("POST", "/createCustomer", sent)
        self.assertEqual((r.status, r.json()["item"]), (201, stored), r)
        self.assert_customer_is(cid, stored)

    def test_created_customer_is_the_same_item_through_the_dynamodb_api(self):
        cid, item = self.new_customer(email=S("d@example.com"), n=N("1.5"))
        r = self.signed_wire("GetItem", {"TableName": "CustomersTable",
                                  "Key": {"customerId": S(cid)}})
        self.assertEqual((r.status, r.json()), (200, {"Item": item}), r)

    def test_create_without_customer_id_is_400_naming_it(self):
        r = self.call("POST", "/createCustomer", {"email": S("x@y.z")})
        self.assert_error(r, 400, "Missing required key attribute in request "
                                  "body: customerId")

    def test_create_with_a_number_customer_id_is_400_type_mismatch(self):
        r = self.call("POST", "/createCustomer", {"customerId": N("1")})
        self.assert_error(r, 400, "One or more parameter values were invalid: "
                                  "Type mismatch for key customerId "
                                  "expected: S actual: N")

    def test_create_with_an_empty_customer_id_is_400(self):
        r = self.call("POST", "/createCustomer", {"customerId": S("")})
        self.assert_error(r, 400, "One or more parameter values are not "
                                  "valid. The AttributeValue for a key "
                                  "attribute cannot contain an empty string "
                                  "value. Key: customerId")

    def test_create_with_bad_typed_values_is_400_as_dynamodb_says(self):
        cases = [
            ({"age": N("abc")},
             "The parameter cannot be converted to a numeric value: abc"),
            ({"age": {"N": 42}}, "NUMBER_VALUE cannot be converted to String"),
            ({"email": "plain@example.com"},
             "Unexpected value type in payload"),
            ({"email": {}}, "Supplied AttributeValue is empty, must contain "
                            "exactly one of the supported datatypes"),
            ({"email": {"S": "a", "N": "1"}},
             "Supplied AttributeValue has more than one datatypes set, must "
             "contain exactly one of the supported datatypes"),
            ({"email": {"STRING": "a"}},
             "Unknown AttributeValue type: STRING"),
            ({"tags": {"SS": []}}, "One or more parameter values were "
                                   "invalid: An string set  may not be empty"),
            ({"tags": {"SS": ["a", "a"]}}, "One or more parameter values "
                                           "were invalid: Input collection "
                                           "contains duplicates"),
            ({"fax": {"NULL": False}}, "One or more parameter values were "
                                       "invalid: Null attribute value types "
                                       "must have the value of true"),
        ]
        for attrs, message in cases:
            with self.subTest(attrs=attrs):
                cid = new_id("bad")
                r = self.call("POST", "/createCustomer",
                              dict({"customerId": S(cid)}, **attrs))
                self.assert_error(r, 400, message)
                self.assert_no_customer(cid)

    def test_a_bad_typed_value_gets_the_dynamodb_apis_message(self):
        item = {"customerId": S(new_id("c")), "age": N("1e999")}
        rest = self.call("POST", "/createCustomer", item)
        ddb = self.signed_wire("PutItem", {"TableName": "CustomersTable",
                                    "Item": item})
        self.assertEqual(ddb.status, 400, ddb)
        self.assert_error(rest, 400, ddb.json()["message"])

    def test_create_with_a_body_that_is_not_a_json_object_is_400(self):
        r = self.call("POST", "/createCustomer", ["x"])
        self.assert_error(r, 400, "Request body must be a JSON object")
        r = self.call("POST", "/createCustomer", raw=b'{"customerId": ')
        self.assert_error_prefix(r, 400, "Request body is not valid JSON: ")
        r = self.call("POST", "/createCustomer", raw=b"")
        self.assert_error(r, 400, "Request body is not valid JSON: the body "
                                  "is empty")

    def test_create_existing_customer_is_409_and_unchanged(self):
        cid, item = self.new_customer(email=S("first@example.com"))
        r = self.call("POST", "/createCustomer",
                      {"customerId": S(cid), "email": S("second@example.com")})
        self.assert_error(r, 409, "Item already exists")
        self.assert_customer_is(cid, item)

    # -- GET /getCustomerDetails -----------------------------------------------

    def test_get_details_is_200_with_the_typed_item_and_etag(self):
        cid = new_id("c")
        r0 = self.call("POST", "/createCustomer",
                       {"customerId": S(cid), "email": S("e@example.com")})
        r = self.assert_customer_is(cid, {"customerId": S(cid),
                                          "email": S("e@example.com")})
        self.assertEqual(r.header("ETag"), r0.header("ETag"))

    def test_get_details_under_the_stage_is_the_same(self):
        cid, item = self.new_customer(email=S("s@example.com"))
        r = self.call("GET", "/prod/getCustomerDetails?customerId=" + cid)
        self.assertEqual((r.status, r.json()), (200, item), r)

    def test_get_details_of_an_unknown_customer_is_404(self):
        self.assert_no_customer(new_id("missing"))

    def test_get_details_without_customer_id_is_400_naming_it(self):
        r = self.call("GET", "/getCustomerDetails")
        self.assert_error(r, 400, "Missing required request parameters: "
                                  "[customerId]")
        r = self.call("GET", "/getCustomerDetails?id=c1")
        self.assert_error(r, 400, "Missing required request parameters: "
                                  "[customerId]")

    def test_get_details_with_an_empty_customer_id_is_400(self):
        r = self.call("GET", "/getCustomerDetails?customerId=")
        self.assert_error(r, 400, "customerId must be a non-empty string")

    def test_get_details_takes_a_url_encoded_customer_id(self):
        cid = "with space & \u00e9 " + new_id()
        r = self.call("POST", "/createCustomer", {"customerId": S(cid)})
        self.assertEqual(r.status, 201, r)
        self.assert_customer_is(cid, {"customerId": S(cid)})

    # -- PUT /updateCustomer ---------------------------------------------------

    def test_update_customer_replaces_every_attribute(self):
        cid, _ = self.new_customer(email=S("old@example.com"), name=S("Old"),
                                   age=N("30"))
        new = {"customerId": S(cid), "email": S("new@example.com"),
               "phone": S("555-0100")}
        r = self.call("PUT", "/updateCustomer", new)
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": new}), r)
        self.assertRegex(r.header("ETag") or "", ETAG_RE)
        self.assert_customer_is(cid, new)

    def test_update_unknown_customer_is_404_and_creates_nothing(self):
        cid = new_id("missing")
        r = self.call("PUT", "/updateCustomer",
                      {"customerId": S(cid), "email": S("x@example.com")})
        self.assert_error(r, 404, "Item not found")
        self.assert_no_customer(cid)

    def test_update_customer_without_customer_id_is_400(self):
        r = self.call("PUT", "/updateCustomer", {"email": S("x@example.com")})
        self.assert_error(r, 400, "Missing required key attribute in request "
                                  "body: customerId")

    def test_update_customer_with_a_bad_typed_value_is_400_and_unchanged(self):
        cid, item = self.new_customer(email=S("keep@example.com"))
        r = self.call("PUT", "/updateCustomer",
                      {"customerId": S(cid), "age": {"N": "twelve"}})
        self.assert_error(r, 400, "The parameter cannot be converted to a "
                                  "numeric value: twelve")
        self.assert_customer_is(cid, item)

    # -- PATCH /updateCustomerEmail --------------------------------------------

    def test_update_email_changes_only_the_email(self):
        cid, item = self.new_customer(email=S("old@example.com"),
                                      name=S("Ann"), age=N("42"))
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"customerId": S(cid), "email": S("new@example.com")})
        expected = dict(item, email=S("new@example.com"))
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": expected}), r)
        self.assert_customer_is(cid, expected)

    def test_update_email_adds_an_email_the_customer_lacked(self):
        cid, item = self.new_customer(name=S("NoMail"))
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"customerId": S(cid), "email": S("got@example.com")})
        self.assertEqual(r.status, 200, r)
        self.assert_customer_is(cid, dict(item, email=S("got@example.com")))

    def test_update_email_with_another_attribute_is_400_and_unchanged(self):
        cid, item = self.new_customer(email=S("keep@example.com"),
                                      name=S("Ann"))
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"customerId": S(cid), "email": S("x@example.com"),
                       "name": S("Eve")})
        self.assert_error(r, 400, "Attribute name cannot be updated; "
                                  "updatable: email")
        self.assert_customer_is(cid, item)

    def test_update_email_of_an_unknown_customer_is_404(self):
        cid = new_id("missing")
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"customerId": S(cid), "email": S("x@example.com")})
        self.assert_error(r, 404, "Item not found")
        self.assert_no_customer(cid)

    def test_update_email_without_customer_id_is_400(self):
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"email": S("x@example.com")})
        self.assert_error(r, 400, "Missing required key attribute in request "
                                  "body: customerId")

    def test_update_email_with_a_non_string_email_is_400_as_dynamodb_says(
            self):
        cid, item = self.new_customer(email=S("keep@example.com"))
        r = self.call("PATCH", "/updateCustomerEmail",
                      {"customerId": S(cid), "email": {"S": 5}})
        self.assert_error(r, 400, "NUMBER_VALUE cannot be converted to String")
        self.assert_customer_is(cid, item)

    # -- the API key -----------------------------------------------------------

    PROTECTED = (("POST", "/createCustomer"),
                 ("GET", "/getCustomerDetails?customerId=c1"),
                 ("PUT", "/updateCustomer"),
                 ("PATCH", "/updateCustomerEmail"))

    def test_every_route_but_health_check_without_a_key_is_403_forbidden(
            self):
        cid, item = self.new_customer(email=S("k@example.com"))
        body = {"customerId": S(cid), "email": S("nokey@example.com")}
        for method, path in self.PROTECTED:
            with self.subTest(method=method, path=path):
                r = self.req(method, path, None if method == "GET" else body)
                self.assert_forbidden(r)
        self.assert_customer_is(cid, item)

    def test_a_wrong_api_key_is_403_forbidden(self):
        cid, item = self.new_customer(email=S("k@example.com"))
        body = {"customerId": S(cid), "email": S("wrong@example.com")}
        for key in ("crudd-dev-key-0123456780", "dev", API_KEY.upper()):
            for method, path in self.PROTECTED:
                with self.subTest(key=key, method=method, path=path):
                    r = self.req(method, path,
                                 None if method == "GET" else body,
                                 headers={"x-api-key": key})
                    self.assert_forbidden(r)
        self.assert_customer_is(cid, item)

    # -- what the API does not declare -----------------------------------------

    def test_undeclared_methods_and_paths_are_403_missing_token(self):
        for method, path in (("DELETE", "/updateCustomer"),
                             ("GET", "/createCustomer"),
                             ("POST", "/getCustomerDetails"),
                             ("PUT", "/updateCustomerEmail"),
                             ("POST", "/healthCheck"),
                             ("DELETE", "/deleteCustomer"),
                             ("GET", "/items/x")):
            for headers in ({}, KEY):
                with self.subTest(method=method, path=path, key=bool(headers)):
                    body = None if method in ("GET", "DELETE") else {}
                    self.assert_missing_token(
                        self.req(method, path, body, headers=headers))

    def test_customers_table_is_created_with_customer_id_as_its_key(self):
        r = self.signed_wire("DescribeTable", {"TableName": "CustomersTable"})
        self.assertEqual(r.status, 200, r)
        table = r.json()["Table"]
        self.assertEqual(table["KeySchema"],
                         [{"AttributeName": "customerId", "KeyType": "HASH"}])
        self.assertEqual(table["AttributeDefinitions"],
                         [{"AttributeName": "customerId",
                           "AttributeType": "S"}])
