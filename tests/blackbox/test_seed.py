"""Tables and data without a script (issue 13, item 2): the config's
"tables" are created at start, --seed files (plain JSON, DynamoDB-typed
JSON, the batch-write-item request file, DynamoDB export lines) are loaded
idempotently and all or nothing, and `crudd export` / `crudd import` move
tables to and from such files, on a stopped database file (--db) and
through a running server's API (--endpoint)."""

import gzip
import json
import os
import shutil
import tempfile
import unittest

from harness import CruddTestCase, Server, run_cli
from ddb_client import WireMixin

USERS = {
    "TableName": "Users",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [
        {"AttributeName": "id", "AttributeType": "S"},
        {"AttributeName": "email", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{
        "IndexName": "byEmail",
        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}}],
    "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
    "BillingMode": "PAY_PER_REQUEST",
}
ORDERS = {
    "TableName": "Orders",
    "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                  {"AttributeName": "n", "KeyType": "RANGE"}],
    "AttributeDefinitions": [
        {"AttributeName": "customer", "AttributeType": "S"},
        {"AttributeName": "n", "AttributeType": "N"},
        {"AttributeName": "total", "AttributeType": "N"}],
    "LocalSecondaryIndexes": [{
        "IndexName": "byTotal",
        "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                      {"AttributeName": "total", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"}}],
}


class SeedTest(WireMixin, CruddTestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="crudd-seed-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.db = os.path.join(self.dir, "crudd.db")

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(content if isinstance(content, str)
                    else json.dumps(content, indent=1))
        return path

    def config(self, extra=None, tables=(USERS, ORDERS)):
        body = {"tables": list(tables)}
        body.update(extra or {})
        return self.write("crudd.json", body)

    def serve(self, *args):
        return self.start_server(("--config", self.config()) + args,
                                 db=self.db)

    def call(self, srv, op, body):
        r = self.wire(op, body, srv=srv)
        self.assertEqual(r.status, 200, r.text)
        return r.json()

    def scan(self, srv, table):
        items = self.call(srv, "Scan", {"TableName": table})["Items"]
        return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))

    def assert_logged(self, srv, text):
        self.assertTrue(srv.wait_for_log(lambda line: text in line),
                        "%r not in the log:\n%s" % (text, srv.log_text()))

    def cli(self, *args):
        return run_cli(list(args), timeout=30)

    # -- tables ---------------------------------------------------------------

    def test_tables_are_created_at_start_with_keys_indexes_and_ttl(self):
        srv = self.serve()
        t = self.call(srv, "DescribeTable", {"TableName": "Users"})["Table"]
        self.assertEqual(t["KeySchema"], USERS["KeySchema"])
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["IndexName"],
                         "byEmail")
        self.assertEqual(t["GlobalSecondaryIndexes"][0]["KeySchema"],
                         [{"AttributeName": "email", "KeyType": "HASH"}])
        ttl = self.call(srv, "DescribeTimeToLive", {"TableName": "Users"})
        self.assertEqual(ttl["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED",
                          "AttributeName": "expires"})
        o = self.call(srv, "DescribeTable", {"TableName": "Orders"})["Table"]
        self.assertEqual(o["KeySchema"], ORDERS["KeySchema"])
        self.assertEqual(o["LocalSecondaryIndexes"][0]["IndexName"],
                         "byTotal")
        self.assert_logged(srv, "table Users: created from %s tables[0]"
                           % os.path.join(self.dir, "crudd.json"))
        srv.stop()
        # a restart keeps them (and says so)
        srv = self.serve()
        self.assert_logged(srv, "table Users: exists, kept with its items")

    def test_a_table_with_another_key_schema_is_refused_and_kept(self):
        srv = self.serve()
        self.call(srv, "PutItem", {"TableName": "Users",
                                   "Item": {"id": {"S": "keep"}}})
        srv.stop()
        other = dict(USERS, AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "N"},
            {"AttributeName": "email", "AttributeType": "S"}])
        cfg = self.config(tables=[other])
        rc, _, err = self.cli("--port", "0", "--db", self.db, "--config", cfg)
        self.assertEqual(rc, 1)
        self.assertIn("tables[0] (Users): the table exists with key schema "
                      "id (S), the config declares id (N)", err)
        self.assertIn("never drops a table", err)
        srv = self.serve()
        self.assertEqual(self.scan(srv, "Users"), [{"id": {"S": "keep"}}])

    def test_a_bad_table_is_a_bad_configuration_before_the_database(self):
        bad = dict(USERS, KeySchema=[{"AttributeName": "nope",
                                      "KeyType": "HASH"}])
        cfg = self.config(tables=[ORDERS, bad])
        rc, _, err = self.cli("--port", "0", "--db", self.db, "--config", cfg)
        self.assertEqual(rc, 2)
        self.assertIn("crudd: bad configuration: %s: tables[1] (Users): "
                      "One or more parameter values were invalid: Some index "
                      "key attributes are not defined" % cfg, err)
        self.assertFalse(os.path.exists(self.db))
        cfg = self.config(tables=[dict(USERS, Replicas=[])])
        rc, _, err = self.cli("--port", "0", "--db", self.db, "--config", cfg)
        self.assertEqual(rc, 2)
        self.assertIn('tables[0] (Users): key "Replicas": unknown', err)

    # -- seed formats -----------------------------------------------------------

    def test_seed_in_every_format(self):
        plain = self.write("plain.json", {"Users": [
            {"id": "u1", "email": "a@x", "age": 30, "tags": ["a", "b"],
             "ok": True, "none": None, "m": {"k": 1.5}}]})
        typed = self.write("typed.json", {"Users": [
            {"id": {"S": "u2"}, "email": {"S": "b@x"},
             "ss": {"SS": ["x", "y"]}}]})
        batch = self.write("batch.json", {"Orders": [
            {"PutRequest": {"Item": {"customer": {"S": "c1"},
                                     "n": {"N": "1"},
                                     "total": {"N": "9.50"}}}}]})
        lines = self.write("Orders.json",
                           '{"Item": {"customer": {"S": "c2"}, '
                           '"n": {"N": "2"}}}\n\n'
                           '{"Item": {"customer": {"S": "c2"}, '
                           '"n": {"N": "3"}}}\n')
        named = self.write("export-0001.json",
                           '{"Item": {"customer": {"S": "c3"}, '
                           '"n": {"N": "4"}}}\n')
        gz = os.path.join(self.dir, "Orders.json.gz")   # as DynamoDB exports
        with gzip.open(gz, "wt") as f:
            f.write('{"Item":{"customer":{"S":"c4"},"n":{"N":"5"}}}\n')
        srv = self.serve("--seed", plain, "--seed", typed, "--seed", batch,
                         "--seed", lines, "--seed", "Orders=" + named,
                         "--seed", gz)
        self.assertEqual(self.scan(srv, "Users"), [
            {"id": {"S": "u1"}, "email": {"S": "a@x"}, "age": {"N": "30"},
             "tags": {"L": [{"S": "a"}, {"S": "b"}]}, "ok": {"BOOL": True},
             "none": {"NULL": True}, "m": {"M": {"k": {"N": "1.5"}}}},
            {"id": {"S": "u2"}, "email": {"S": "b@x"},
             "ss": {"SS": ["x", "y"]}}])
        self.assertEqual(
            [(i["customer"]["S"], i["n"]["N"]) for i in
             self.scan(srv, "Orders")],
            [("c1", "1"), ("c2", "2"), ("c2", "3"), ("c3", "4"),
             ("c4", "5")])
        self.assert_logged(srv, "seed %s: 2 items put" % lines)
        self.assert_logged(srv, "seed Orders=%s: 1 item put" % named)
        # the GSI was kept in step
        q = self.call(srv, "Query", {
            "TableName": "Users", "IndexName": "byEmail",
            "KeyConditionExpression": "email = :e",
            "ExpressionAttributeValues": {":e": {"S": "b@x"}}})
        self.assertEqual(q["Count"], 1)

    def test_plain_numbers_are_exact(self):
        seed = self.write("users.json",
                          '{"Users": [{"id": "big", "email": "e",\n'
                          '  "n": 123456789012345678901234567890,\n'
                          '  "f": 0.10000000000000000000000000000000000001,'
                          ' "price": 19.990, "e": 1e2}]}')
        srv = self.serve("--seed", seed)
        self.assertEqual(self.scan(srv, "Users"), [
            {"id": {"S": "big"}, "email": {"S": "e"},
             "n": {"N": "123456789012345678901234567890"},
             "f": {"N": "0.10000000000000000000000000000000000001"},
             "price": {"N": "19.99"}, "e": {"N": "100"}}])

    def test_seed_from_the_config_key_is_idempotent_across_restarts(self):
        seed = self.write("users.json", {"Users": [
            {"id": "u%d" % i, "email": "%d@x" % i} for i in range(60)]})
        self.config({"seed": seed})
        srv = self.start_server(("--config", os.path.join(self.dir,
                                                          "crudd.json")),
                                db=self.db)
        first = self.scan(srv, "Users")
        self.assertEqual(len(first), 60)
        # a change made meanwhile is overwritten by the seed's item
        self.call(srv, "PutItem", {"TableName": "Users",
                                   "Item": {"id": {"S": "u1"},
                                            "email": {"S": "changed"}}})
        srv.stop()
        srv = self.start_server(("--config", os.path.join(self.dir,
                                                          "crudd.json")),
                                db=self.db)
        self.assertEqual(self.scan(srv, "Users"), first)
        t = self.call(srv, "DescribeTable", {"TableName": "Users"})["Table"]
        self.assertEqual(t["ItemCount"], 60)

    def test_a_bad_item_names_file_line_and_item_and_loads_nothing(self):
        bad = self.write("bad.json",
                         '{"Users": [\n'
                         '  {"id": "ok1", "email": "a@x"},\n'
                         '  {"id": "ok2",\n'
                         '   "email": 5}\n'
                         ']}\n')
        rc, _, err = self.cli("--port", "0", "--db", self.db, "--config",
                              self.config(), "--seed", bad)
        self.assertEqual(rc, 1)
        self.assertIn("crudd: %s:3: item 2 of table Users: One or more "
                      "parameter values were invalid: Type mismatch for "
                      "Index Key email Expected: S Actual: N IndexName: "
                      "byEmail" % bad, err)
        srv = self.serve()
        self.assertEqual(self.scan(srv, "Users"), [])
        srv.stop()
        lines = self.write("Orders.jsonl",
                           '{"Item": {"customer": {"S": "a"}, '
                           '"n": {"N": "1"}}}\n'
                           '{"Item": {"customer": {"S": "a"}}}\n')
        rc, _, err = self.cli("import", "--db", self.db, lines)
        self.assertEqual(rc, 1)
        self.assertIn("crudd import: %s:2: item 2 of table Orders: One or "
                      "more parameter values were invalid: Missing the key "
                      "n in the item" % lines, err)
        broken = self.write("broken.jsonl", '{"Item": {"customer": '
                            '{"S": "a"}, "n": {"N": "1"}}}\n{"Item": \n')
        rc, _, err = self.cli("import", "--db", self.db,
                              "Orders=" + broken)
        self.assertEqual(rc, 1)
        self.assertIn("%s:2: item 2 of table Orders: not valid JSON" % broken,
                      err)
        rc, _, err = self.cli("import", "--db", self.db,
                              "Nope=" + lines)
        self.assertEqual(rc, 1)
        self.assertIn("%s: table Nope: ResourceNotFoundException: Requested "
                      "resource not found: Table: Nope not found (declare it "
                      "in the config's \"tables\")" % lines, err)
        rc, _, err = self.cli("import", "--db", self.db,
                              os.path.join(self.dir, "missing.json"))
        self.assertEqual(rc, 1)
        self.assertIn("missing.json: No such file or directory", err)
        srv = self.serve()
        self.assertEqual(self.scan(srv, "Orders"), [])

    # -- export and import ----------------------------------------------------

    def seeded(self):
        seed = self.write("seed.json", {
            "Users": [{"id": "u%d" % i, "email": "%d@x" % i,
                       "n": i * 1.25} for i in range(40)],
            "Orders": [{"customer": "c%d" % (i % 3), "n": i, "total": i}
                       for i in range(30)]})
        return self.serve("--seed", seed)

    def test_export_and_import_on_stopped_database_files(self):
        srv = self.seeded()
        users, orders = self.scan(srv, "Users"), self.scan(srv, "Orders")
        srv.stop()
        rc, out, err = self.cli("export", "--db", self.db)
        self.assertEqual(rc, 0, err)
        exported = json.loads(out)
        self.assertEqual(len(exported["Users"]), 40)
        self.assertEqual(exported["Orders"][0].keys(), {"PutRequest"})
        rc, lines, err = self.cli("export", "--db", self.db, "--table",
                                  "Users", "--format", "jsonl")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(lines.splitlines()), 40)
        self.assertEqual(json.loads(lines.splitlines()[0]).keys(), {"Item"})
        rc, _, err = self.cli("export", "--db", self.db, "--format", "jsonl")
        self.assertEqual(rc, 1)
        self.assertIn("name one with --table", err)
        batch = self.write("all.json", out)
        jsonl = self.write("Users.jsonl", lines)
        # into a second database with the same tables
        other = os.path.join(self.dir, "other.db")
        s2 = self.start_server(("--config", self.config()), db=other)
        s2.stop()
        rc, _, err = self.cli("import", "--db", other, batch)
        self.assertEqual(rc, 0, err)
        self.assertIn("all.json: 70 items put", err)
        rc, _, err = self.cli("import", "--db", other, jsonl)
        self.assertEqual(rc, 0, err)
        s2 = self.start_server(("--config", self.config()), db=other)
        self.assertEqual(self.scan(s2, "Users"), users)
        self.assertEqual(self.scan(s2, "Orders"), orders)

    def test_import_into_a_new_file_creates_the_configs_tables(self):
        srv = self.seeded()
        users, orders = self.scan(srv, "Users"), self.scan(srv, "Orders")
        srv.stop()
        rc, out, err = self.cli("export", "--db", self.db)
        self.assertEqual(rc, 0, err)
        backup = self.write("backup.json", out)
        fresh = os.path.join(self.dir, "fresh.db")
        rc, _, err = self.cli("import", "--db", fresh, "--config",
                              self.config(), backup)
        self.assertEqual(rc, 0, err)
        self.assertIn("table Users: created from", err)
        self.assertIn("backup.json: 70 items put", err)
        s2 = self.start_server(("--config", self.config()), db=fresh)
        self.assertEqual(self.scan(s2, "Users"), users)
        self.assertEqual(self.scan(s2, "Orders"), orders)
        s2.stop()
        rc, _, err = self.cli("import", "--db", fresh, backup)
        self.assertEqual(rc, 0, err)   # idempotent: the same 70 items
        s2 = self.start_server(("--config", self.config()), db=fresh)
        self.assertEqual(self.scan(s2, "Users"), users)

    def test_export_and_import_through_a_running_server(self):
        srv = self.seeded()
        users = self.scan(srv, "Users")
        url = "http://127.0.0.1:%d" % srv.port
        # the file is held by the server: --db is refused, pointing at
        # --endpoint
        rc, _, err = self.cli("export", "--db", self.db)
        self.assertEqual(rc, 1)
        self.assertIn("in use by another process", err)
        self.assertIn("--endpoint", err)
        rc, out, err = self.cli("export", "--endpoint", url, "--table",
                                "Users")
        self.assertEqual(rc, 0, err)
        self.assertEqual(list(json.loads(out)), ["Users"])
        path = self.write("users.json", out)
        other = os.path.join(self.dir, "other.db")
        s2 = self.start_server(("--config", self.config()), db=other)
        rc, _, err = self.cli("import", "--endpoint",
                              "http://127.0.0.1:%d/" % s2.port, path)
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.scan(s2, "Users"), users)
        self.assertEqual(self.scan(s2, "Orders"), [])
        # a bad file through the API loads nothing either
        bad = self.write("bad.json", {"Users": [{"id": "new"},
                                                {"email": "x"}]})
        rc, _, err = self.cli("import", "--endpoint",
                              "http://127.0.0.1:%d" % s2.port, bad)
        self.assertEqual(rc, 1)
        self.assertIn("item 2 of table Users", err)
        self.assertEqual(self.scan(s2, "Users"), users)
        s2.stop()
        rc, _, err = self.cli("import", "--endpoint",
                              "http://127.0.0.1:%d" % s2.port, path)
        self.assertEqual(rc, 1)
        self.assertIn("cannot connect", err)

    def test_endpoint_requests_are_signed_with_the_shells_keys(self):
        keys = {"AWS_ACCESS_KEY_ID": "AKIDSEED", "AWS_SECRET_ACCESS_KEY": "s"}
        srv = self.start_server(("--config", self.config(),
                                 "--dynamodb-auth", "sigv4"), db=self.db,
                                env=keys)
        url = "http://127.0.0.1:%d" % srv.port
        seed = self.write("Users.jsonl", '{"Item": {"id": {"S": "s1"}}}\n')
        rc, _, err = run_cli(["import", "--endpoint", url, seed], env=keys)
        self.assertEqual(rc, 0, err)
        rc, out, err = run_cli(["export", "--endpoint", url, "--table",
                                "Users", "--format", "jsonl"], env=keys)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, '{"Item":{"id":{"S":"s1"}}}\n')
        rc, _, err = run_cli(["export", "--endpoint", url],
                             env=dict(keys, AWS_SECRET_ACCESS_KEY="wrong"))
        self.assertEqual(rc, 1)
        self.assertIn("crudd export: InvalidSignatureException", err)

    def test_usage_errors_and_help(self):
        rc, out, _ = self.cli("--help")
        self.assertEqual(rc, 0)
        for word in ("--seed", "crudd export", "crudd import", '"tables"'):
            self.assertIn(word, out)
        rc, _, err = self.cli("import", "--db", self.db)
        self.assertEqual(rc, 2)
        self.assertIn("import needs a FILE", err)
        rc, _, err = self.cli("export", "--db", self.db)
        self.assertEqual(rc, 1)
        self.assertIn("no such database file", err)
        rc, _, err = self.cli("export", "--db", self.db, "--endpoint",
                              "http://x:1")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main()
