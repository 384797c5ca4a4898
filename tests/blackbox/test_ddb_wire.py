"""The DynamoDB wire protocol itself, spoken with http.client: no SDK between
the test and the bytes (so these run even without boto3).

DynamoDB's JSON 1.0 protocol: POST / with X-Amz-Target DynamoDB_20120810.<Op>
and Content-Type application/x-amz-json-1.0; errors are 400 with a body
{"__type": "<namespace>#<Name>", "message": ...}; every answer carries
x-amzn-RequestId and x-amz-crc32 (the CRC32 of the body, which the SDKs check).
"""

import zlib

from harness import CruddTestCase
from ddb_client import AMZ_JSON, WireMixin, unique


class DdbWireTest(WireMixin, CruddTestCase):

    def test_list_tables_answers_with_the_default_table(self):
        r = self.wire("ListTables", {})
        self.assertEqual(r.status, 200, r)
        self.check_wire_headers(r)
        j = r.json()
        self.assertIn("TableNames", j)
        self.assertIn("ItemsTable", j["TableNames"])

    def test_missing_authorization_header(self):
        r = self.wire("ListTables", {}, auth=False)
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("Content-Type"), AMZ_JSON)
        self.assertEqual(r.json(), {
            "__type": "com.amazon.coral.service#"
                      "MissingAuthenticationTokenException",
            "message": "Request is missing Authentication Token"})
        self.check_wire_headers(r)

    def test_missing_authorization_header_on_a_write_writes_nothing(self):
        pk = unique("noauth")
        r = self.wire("PutItem", {"TableName": "ItemsTable",
                                  "Item": {"id": {"S": pk}}}, auth=False)
        self.assertEqual(r.status, 400, r)
        g = self.wire("GetItem", {"TableName": "ItemsTable",
                                  "Key": {"id": {"S": pk}}})
        self.assertEqual(g.status, 200, g)
        self.assertNotIn("Item", g.json())

    def test_unknown_operation(self):
        r = self.wire("FrobnicateTable", {})
        self.assert_wire_error(r, "UnknownOperationException")
        self.assertEqual(
            r.json()["__type"],
            "com.amazon.coral.service#UnknownOperationException")

    def test_body_not_json(self):
        r = self.wire("ListTables", raw=b"{this is not json")
        j = self.assert_wire_error(r, "SerializationException")
        self.assertEqual(j["__type"],
                         "com.amazon.coral.service#SerializationException")

    def test_number_where_a_string_is_wanted(self):
        # {"N": 5}: the N member of an AttributeValue is a string on the
        # wire. The whole body is deserialised before anything is looked
        # up, so the answer does not depend on the table existing.
        cases = {
            "existing table": ("GetItem", {
                "TableName": "ItemsTable", "Key": {"id": {"N": 5}}}),
            "nested in a map": ("PutItem", {
                "TableName": "ItemsTable", "Item": {
                    "id": {"S": unique("ser")},
                    "m": {"M": {"x": {"N": 15}}}}}),
            "table that does not exist": ("GetItem", {
                "TableName": "t", "Key": {"id": {"N": 5}}}),
        }
        for what, (op, body) in cases.items():
            with self.subTest(what):
                j = self.assert_wire_error(self.wire(op, body),
                                           "SerializationException")
                self.assertEqual(
                    j.get("message", j.get("Message")),
                    "NUMBER_VALUE cannot be converted to String")

    def test_string_where_a_structure_is_wanted(self):
        r = self.wire("GetItem", {"TableName": "ItemsTable", "Key": "id"})
        self.assert_wire_error(r, "SerializationException")

    def test_error_namespaces(self):
        r = self.wire("DescribeTable", {"TableName": unique("missing")})
        j = self.assert_wire_error(r, "ResourceNotFoundException")
        self.assertEqual(j["__type"], "com.amazonaws.dynamodb.v20120810#"
                                      "ResourceNotFoundException")
        r = self.wire("ListTables", {"Limit": 0})
        j = self.assert_wire_error(r, "ValidationException")
        self.assertEqual(j["__type"],
                         "com.amazon.coral.validate#ValidationException")

    def test_put_get_round_trip_and_crc32(self):
        pk = unique("wire")
        item = {"id": {"S": pk}, "s": {"S": "h\u00e9llo \u2603"},
                "n": {"N": "19.99"}, "b": {"B": "AAEC/w=="},
                "t": {"BOOL": True}, "z": {"NULL": True},
                "l": {"L": [{"S": "x"}, {"N": "1"}]},
                "m": {"M": {"k": {"SS": ["a"]}}}}
        r = self.wire("PutItem", {"TableName": "ItemsTable", "Item": item})
        self.assertEqual(r.status, 200, r)
        self.check_wire_headers(r)
        self.assertEqual(r.json(), {})
        g = self.wire("GetItem", {"TableName": "ItemsTable",
                                  "Key": {"id": {"S": pk}}})
        self.assertEqual(g.status, 200, g)
        self.check_wire_headers(g)
        self.assertEqual(g.json(), {"Item": item})
        # the checksum covers the exact bytes sent
        self.assertEqual(int(g.header("x-amz-crc32")),
                         zlib.crc32(g.body) & 0xffffffff)

    def test_request_ids_differ(self):
        a = self.wire("ListTables", {})
        b = self.wire("ListTables", {})
        self.assertNotEqual(a.header("x-amzn-RequestId"),
                            b.header("x-amzn-RequestId"))


class NestingDepthTest(WireMixin, CruddTestCase):
    """Both faces count nesting the same way: 32 levels of M/L, whatever
    scalar sits innermost (found by fuzz_body: the DynamoDB face counted the
    scalar too, refusing items the REST face stored)."""

    @staticmethod
    def typed(levels):
        v = {"N": "0"}
        for _ in range(levels):
            v = {"L": [v]}
        return v

    def test_32_levels_are_accepted_on_both_faces_and_33_refused(self):
        for face in ("rest", "ddb"):
            for levels, ok in ((32, True), (33, False)):
                with self.subTest(face=face, levels=levels):
                    key = unique("nest")
                    if face == "rest":
                        body = '{"id": "%s", "a": %s0%s}' % (
                            key, "[" * levels, "]" * levels)
                        r = self.req("POST", "/items", raw=body.encode())
                        self.assertEqual(r.status, 201 if ok else 400, r)
                    else:
                        r = self.wire("PutItem", {
                            "TableName": "ItemsTable",
                            "Item": {"id": {"S": key},
                                     "a": self.typed(levels)}})
                        self.assertEqual(r.status, 200 if ok else 400, r)
                    if ok:
                        g = self.wire("GetItem", {"TableName": "ItemsTable",
                                                  "Key": {"id": {"S": key}}})
                        self.assertEqual(g.json()["Item"]["a"],
                                         self.typed(levels))
