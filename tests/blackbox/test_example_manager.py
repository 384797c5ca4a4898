"""config/examples/dynamodb-manager.json: the routes it declares. The
manager's operations themselves are test_manager.py's; here: POST
/DynamoDBManager answers at the root and under /prod, it is its only method,
and the items resource beside it shares its tables."""

import os

from harness import CruddTestCase, new_id

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "config", "examples", "dynamodb-manager.json")


class ManagerExampleRoutesTest(CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    def test_manager_answers_at_the_root_and_under_prod(self):
        for path in ("/DynamoDBManager", "/prod/DynamoDBManager"):
            with self.subTest(path=path):
                r = self.req("POST", path, {"operation": "ping"})
                self.assertEqual((r.status, r.json()), (200, "pong"))

    def test_manager_route_takes_only_post(self):
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            for path in ("/DynamoDBManager", "/prod/DynamoDBManager"):
                with self.subTest(method=method, path=path):
                    self.assert_missing_token(self.req(method, path))

    def test_manager_has_no_item_routes(self):
        self.assert_missing_token(self.req("GET", "/DynamoDBManager/x"))
        self.assert_missing_token(self.req("POST", "/dynamodbmanager",
                                           {"operation": "ping"}))

    def test_items_and_manager_share_the_items_table(self):
        iid = new_id("mgr")
        r = self.req("POST", "/prod/items", {"id": iid, "name": "pen"})
        self.assertEqual(r.status, 201, r)
        r = self.req("POST", "/prod/DynamoDBManager",
                     {"operation": "read", "tableName": "ItemsTable",
                      "payload": {"Key": {"id": iid}}})
        self.assertEqual((r.status, r.json()),
                         (200, {"Item": {"id": iid, "name": "pen"}}))
        other = new_id("mgr")
        r = self.req("POST", "/DynamoDBManager",
                     {"operation": "create", "tableName": "ItemsTable",
                      "payload": {"Item": {"id": other, "n": 2}}})
        self.assertEqual(r.status, 200, r)
        self.assert_item_is(other, {"id": other, "n": 2})
        self.assertEqual(self.req("GET", "/prod/items/" + other).json(),
                         {"id": other, "n": 2})
