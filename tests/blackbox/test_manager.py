"""POST /DynamoDBManager: the tutorial's operation dispatcher, configured by
config/examples/dynamodb-manager.json."""

import json
import os

from harness import CruddTestCase

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "config", "examples", "dynamodb-manager.json")


class ManagerTest(CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    def op(self, body):
        return self.req("POST", "/DynamoDBManager", body=body)

    def test_create_then_read_returns_the_item_with_exact_numbers(self):
        r = self.op({"operation": "create", "tableName": "ItemsTable",
                     "payload": {"Item": {"id": "m1", "n": 5, "p": 19.99}}})
        self.assertEqual((r.status, r.json()), (200, {}), r)
        r = self.op({"operation": "read", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "m1"}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text, '{"Item": {"id":"m1","n":5,"p":19.99}}')

    def test_created_item_is_visible_through_rest(self):
        self.op({"operation": "create", "tableName": "ItemsTable",
                 "payload": {"Item": {"id": "m2", "name": "pen"}}})
        r = self.req("GET", "/items/m2")
        self.assertEqual((r.status, r.json()), (200, {"id": "m2", "name": "pen"}))

    def test_update_with_expression_returns_updated_new(self):
        self.op({"operation": "create", "tableName": "ItemsTable",
                 "payload": {"Item": {"id": "m3", "n": 1}}})
        r = self.op({"operation": "update", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "m3"},
                                 "UpdateExpression": "SET n = n + :d",
                                 "ExpressionAttributeValues": {":d": 2},
                                 "ReturnValues": "UPDATED_NEW"}})
        self.assertEqual((r.status, r.json()), (200, {"Attributes": {"n": 3}}))

    def test_delete_with_all_old_then_read_is_empty(self):
        self.op({"operation": "create", "tableName": "ItemsTable",
                 "payload": {"Item": {"id": "m4", "x": True}}})
        r = self.op({"operation": "delete", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "m4"}, "ReturnValues": "ALL_OLD"}})
        self.assertEqual(r.json(), {"Attributes": {"id": "m4", "x": True}})
        r = self.op({"operation": "read", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "m4"}}})
        self.assertEqual((r.status, r.json()), (200, {}))

    def test_list_returns_items_and_counts(self):
        r = self.op({"operation": "list", "tableName": "ItemsTable",
                     "payload": {}})
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual(j["Count"], len(j["Items"]))
        self.assertEqual(j["ScannedCount"], j["Count"])

    def test_echo_returns_the_payload(self):
        payload = {"a": [1, {"b": None}], "s": "x"}
        r = self.op({"operation": "echo", "payload": payload})
        self.assertEqual((r.status, r.json()), (200, payload))

    def test_ping_is_pong(self):
        r = self.op({"operation": "ping"})
        self.assertEqual((r.status, r.json()), (200, "pong"))

    def test_unknown_operation_is_502_as_a_raising_lambda(self):
        r = self.op({"operation": "nope"})
        self.assert_error(r, 502, "Internal server error")

    def test_failed_condition_is_502(self):
        self.op({"operation": "create", "tableName": "ItemsTable",
                 "payload": {"Item": {"id": "m5"}}})
        r = self.op({"operation": "update", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "m5"},
                                 "UpdateExpression": "SET a = :v",
                                 "ConditionExpression": "attribute_not_exists(id)",
                                 "ExpressionAttributeValues": {":v": 1}}})
        self.assert_error(r, 502, "Internal server error")

    def test_missing_table_is_502(self):
        r = self.op({"operation": "read", "tableName": "NoSuchTable",
                     "payload": {"Key": {"id": "x"}}})
        self.assert_error(r, 502, "Internal server error")

    def test_only_post_is_routed(self):
        self.assert_missing_token(self.req("GET", "/DynamoDBManager"))

    def test_create_with_an_empty_attribute_name_is_refused(self):
        # both other faces refuse it ("An AttributeName may not be empty"):
        # the function raises, so API Gateway answers 502
        r = self.op({"operation": "create", "tableName": "ItemsTable",
                     "payload": {"Item": {"id": "e2", "": "x"}}})
        self.assert_error(r, 502, "Internal server error")
        self.assertEqual(self.req("GET", "/items/e2").status, 404)
        self.assertTrue(any("An AttributeName may not be empty" in line
                            for line in self.srv.log_lines()))

    def test_update_with_a_key_of_an_empty_name_is_refused(self):
        r = self.op({"operation": "update", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "e3", "": "x"},
                                 "UpdateExpression": "SET n = :d",
                                 "ExpressionAttributeValues": {":d": 2}}})
        self.assert_error(r, 502, "Internal server error")
        self.assertEqual(self.req("GET", "/items/e3").status, 404)

    def test_update_of_a_name_with_a_nul_is_refused(self):
        # an attribute name with U+0000 could be stored but not read back
        r = self.op({"operation": "create", "tableName": "ItemsTable",
                     "payload": {"Item": {"id": "e4"}}})
        self.assertEqual(r.status, 200, r)
        r = self.op({"operation": "update", "tableName": "ItemsTable",
                     "payload": {"Key": {"id": "e4"},
                                 "UpdateExpression": "SET #n = :d",
                                 "ExpressionAttributeNames": {"#n": "a\0b"},
                                 "ExpressionAttributeValues": {":d": 2}}})
        self.assert_error(r, 502, "Internal server error")
        r = self.req("GET", "/items/e4")
        self.assertEqual((r.status, r.json()), (200, {"id": "e4"}))
