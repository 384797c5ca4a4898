"""config/examples/tasks.json: a task API declared route by route: POST and
GET /tasks, GET, PUT and DELETE /tasks/{taskId} on TasksTable (partition key
taskId), and no PATCH."""

import os

from ddb_client import WireMixin
from harness import CruddTestCase, ETAG_RE, UUID4_RE, new_id, urlquote

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "config", "examples", "tasks.json")


class TasksExampleTest(WireMixin, CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    def new_task(self, body):
        r = self.req("POST", "/tasks", body)
        self.assertEqual(r.status, 201, r)
        return r.json()["item"]

    def assert_task_is(self, task_id, expected):
        r = self.req("GET", "/tasks/" + urlquote(task_id))
        self.assertEqual((r.status, r.json()), (200, expected), r)
        return r

    # -- POST /tasks ----------------------------------------------------------

    def test_create_without_task_id_is_201_with_a_new_uuid_and_location(self):
        r = self.req("POST", "/tasks", {"title": "Write tests", "done": False})
        self.assertEqual(r.status, 201, r)
        j = r.json()
        task_id = j["item"]["taskId"]
        self.assertRegex(task_id, UUID4_RE)
        self.assertEqual(j, {"message": "Item created successfully!",
                             "item": {"taskId": task_id,
                                      "title": "Write tests", "done": False}})
        self.assertEqual(r.header("Location"), "/tasks/" + task_id)
        self.assertRegex(r.header("ETag") or "", ETAG_RE)
        self.assert_task_is(task_id, {"taskId": task_id,
                                      "title": "Write tests", "done": False})

    def test_create_with_task_id_keeps_it_and_numbers_exactly(self):
        task_id = new_id("task")
        item = self.new_task({"taskId": task_id, "priority": 2,
                              "estimate": 1.50, "tags": ["a", "b"]})
        expected = {"taskId": task_id, "priority": 2, "estimate": 1.5,
                    "tags": ["a", "b"]}
        self.assertEqual(item, expected)
        r = self.assert_task_is(task_id, expected)
        self.assertIn('"estimate":1.5', r.text)

    def test_create_under_the_stage_gives_a_staged_location(self):
        r = self.req("POST", "/prod/tasks", {"title": "staged"})
        self.assertEqual(r.status, 201, r)
        task_id = r.json()["item"]["taskId"]
        self.assertEqual(r.header("Location"), "/prod/tasks/" + task_id)
        self.assert_task_is(task_id, {"taskId": task_id, "title": "staged"})

    def test_create_existing_task_is_409_and_unchanged(self):
        task_id = new_id("task")
        self.new_task({"taskId": task_id, "title": "first"})
        r = self.req("POST", "/tasks", {"taskId": task_id, "title": "second"})
        self.assert_error(r, 409, "Item already exists")
        self.assert_task_is(task_id, {"taskId": task_id, "title": "first"})

    def test_create_with_a_number_task_id_is_400(self):
        r = self.req("POST", "/tasks", {"taskId": 7, "title": "x"})
        self.assert_error(r, 400, "taskId must be a non-empty string")

    def test_create_with_a_body_that_is_not_an_object_is_400(self):
        r = self.req("POST", "/tasks", ["not", "an", "object"])
        self.assert_error(r, 400, "Request body must be a JSON object")
        r = self.req("POST", "/tasks", raw=b"{nope")
        self.assert_error_prefix(r, 400, "Request body is not valid JSON: ")

    # -- GET /tasks -----------------------------------------------------------

    def test_list_returns_every_task_with_its_count(self):
        srv = self.start_server(["--config", EXAMPLE])
        r = self.req("GET", "/tasks", srv=srv)
        self.assertEqual((r.status, r.json()), (200, {"items": [],
                                                      "count": 0}))
        a = self.create({"taskId": "a", "title": "A"}, srv=srv, path="/tasks")
        b = self.create({"taskId": "b", "title": "B"}, srv=srv, path="/tasks")
        r = self.req("GET", "/tasks", srv=srv)
        self.assertEqual((r.status, r.json()), (200, {"items": [a, b],
                                                      "count": 2}))

    def test_list_pages_with_limit_and_next_token(self):
        srv = self.start_server(["--config", EXAMPLE])
        for t in ("t1", "t2", "t3"):
            self.create({"taskId": t}, srv=srv, path="/tasks")
        r = self.req("GET", "/tasks?limit=2", srv=srv)
        self.assertEqual(r.status, 200, r)
        j = r.json()
        self.assertEqual((j["count"], len(j["items"])), (2, 2))
        r = self.req("GET", "/tasks?limit=2&nextToken=" +
                     urlquote(j["nextToken"]), srv=srv)
        self.assertEqual(r.status, 200, r)
        rest = r.json()
        self.assertEqual(rest["count"], 1)
        self.assertNotIn("nextToken", rest)
        self.assertEqual(sorted(i["taskId"] for i in
                                j["items"] + rest["items"]),
                         ["t1", "t2", "t3"])

    def test_list_with_a_bad_limit_is_400(self):
        r = self.req("GET", "/tasks?limit=zero")
        self.assert_error(r, 400, "limit must be a positive integer")

    # -- GET /tasks/{taskId} --------------------------------------------------

    def test_get_missing_task_is_404(self):
        r = self.req("GET", "/tasks/" + new_id("missing"))
        self.assert_error(r, 404, "Item not found")

    def test_get_task_is_200_with_its_etag(self):
        r0 = self.req("POST", "/tasks", {"title": "etag"})
        task_id = r0.json()["item"]["taskId"]
        r = self.assert_task_is(task_id, {"taskId": task_id,
                                          "title": "etag"})
        self.assertEqual(r.header("ETag"), r0.header("ETag"))

    # -- PUT /tasks/{taskId} --------------------------------------------------

    def test_put_replaces_every_attribute_but_the_task_id(self):
        item = self.new_task({"title": "old", "done": False, "note": "x"})
        task_id = item["taskId"]
        r = self.req("PUT", "/tasks/" + task_id, {"title": "new",
                                                  "done": True})
        expected = {"taskId": task_id, "title": "new", "done": True}
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item updated successfully!",
                                "item": expected}), r)
        self.assert_task_is(task_id, expected)

    def test_put_with_a_different_task_id_in_the_body_is_400_and_unchanged(
            self):
        item = self.new_task({"title": "keep"})
        r = self.req("PUT", "/tasks/" + item["taskId"],
                     {"taskId": "other", "title": "changed"})
        self.assert_error(r, 400, "taskId in body does not match taskId in "
                                  "path")
        self.assert_task_is(item["taskId"], item)

    def test_put_missing_task_is_404_and_creates_nothing(self):
        task_id = new_id("missing")
        r = self.req("PUT", "/tasks/" + task_id, {"title": "x"})
        self.assert_error(r, 404, "Item not found")
        self.assert_error(self.req("GET", "/tasks/" + task_id), 404,
                          "Item not found")

    def test_put_with_a_stale_if_match_is_412(self):
        r0 = self.req("POST", "/tasks", {"title": "v1"})
        task_id = r0.json()["item"]["taskId"]
        self.req("PUT", "/tasks/" + task_id, {"title": "v2"})
        r = self.req("PUT", "/tasks/" + task_id, {"title": "v3"},
                     headers={"If-Match": r0.header("ETag")})
        self.assert_error(r, 412, "Precondition failed: the item has changed")
        self.assert_task_is(task_id, {"taskId": task_id, "title": "v2"})

    # -- DELETE /tasks/{taskId} -----------------------------------------------

    def test_delete_returns_the_old_task_and_then_it_is_gone(self):
        item = self.new_task({"title": "bye"})
        r = self.req("DELETE", "/tasks/" + item["taskId"])
        self.assertEqual((r.status, r.json()),
                         (200, {"message": "Item deleted successfully!",
                                "item": item}), r)
        self.assert_error(self.req("GET", "/tasks/" + item["taskId"]), 404,
                          "Item not found")

    def test_delete_missing_task_is_404(self):
        r = self.req("DELETE", "/tasks/" + new_id("missing"))
        self.assert_error(r, 404, "Item not found")

    # -- what the API does not declare ----------------------------------------

    def test_patch_is_not_declared_so_it_is_403_missing_token(self):
        item = self.new_task({"title": "no patch"})
        r = self.req("PATCH", "/tasks/" + item["taskId"], {"title": "x"})
        self.assert_missing_token(r)
        self.assert_task_is(item["taskId"], item)

    def test_undeclared_methods_and_paths_are_403_missing_token(self):
        for method, path in (("DELETE", "/tasks"), ("PUT", "/tasks"),
                             ("POST", "/tasks/x"), ("GET", "/items"),
                             ("GET", "/items/x"), ("GET", "/tasks/x/y")):
            with self.subTest(method=method, path=path):
                body = {} if method in ("POST", "PUT") else None
                self.assert_missing_token(self.req(method, path, body))

    def test_tasks_table_is_created_with_task_id_as_its_string_key(self):
        r = self.wire("DescribeTable", {"TableName": "TasksTable"})
        self.assertEqual(r.status, 200, r)
        table = r.json()["Table"]
        self.assertEqual(table["KeySchema"],
                         [{"AttributeName": "taskId", "KeyType": "HASH"}])
        self.assertEqual(table["AttributeDefinitions"],
                         [{"AttributeName": "taskId",
                           "AttributeType": "S"}])

    def test_a_task_is_visible_through_the_dynamodb_api(self):
        item = self.new_task({"title": "shared", "n": 3})
        r = self.wire("GetItem", {"TableName": "TasksTable",
                                  "Key": {"taskId": {"S": item["taskId"]}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"Item": {"taskId": {"S": item["taskId"]},
                                             "title": {"S": "shared"},
                                             "n": {"N": "3"}}})
