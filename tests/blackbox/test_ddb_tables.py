"""DynamoDB control plane: CreateTable, DescribeTable, ListTables,
UpdateTable (GSIs), DeleteTable."""

import time

from ddb_client import (ClientError, DdbTestCase, requires_boto3,
                        unique, S, N)


def ks(*pairs):
    return [{"AttributeName": a, "KeyType": t} for a, t in pairs]


def by_name(indexes):
    return {ix["IndexName"]: ix for ix in indexes or []}


@requires_boto3
class DdbTablesTest(DdbTestCase):

    def test_default_items_table_exists(self):
        names = self.ddb.list_tables()["TableNames"]
        self.assertIn("ItemsTable", names)
        t = self.ddb.describe_table(TableName="ItemsTable")["Table"]
        self.assertEqual(t["TableName"], "ItemsTable")
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["KeySchema"], ks(("id", "HASH")))
        self.assertEqual(t["AttributeDefinitions"],
                         [{"AttributeName": "id", "AttributeType": "S"}])

    def test_create_and_describe_every_key_type_and_index_kind(self):
        name = unique("full")
        gsis = [
            {"IndexName": "byBin", "KeySchema": ks(("gb", "HASH")),
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "byStrNum",
             "KeySchema": ks(("gs", "HASH"), ("gn", "RANGE")),
             "Projection": {"ProjectionType": "INCLUDE",
                            "NonKeyAttributes": ["x", "y"]}},
            {"IndexName": "byStrAll", "KeySchema": ks(("gs", "HASH")),
             "Projection": {"ProjectionType": "ALL"}},
        ]
        lsis = [
            {"IndexName": "byLocal",
             "KeySchema": ks(("pk", "HASH"), ("ls", "RANGE")),
             "Projection": {"ProjectionType": "ALL"}},
        ]
        created = self.ddb.create_table(
            TableName=name,
            KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "gb", "AttributeType": "B"},
                {"AttributeName": "gs", "AttributeType": "S"},
                {"AttributeName": "gn", "AttributeType": "N"},
                {"AttributeName": "ls", "AttributeType": "S"}],
            GlobalSecondaryIndexes=gsis, LocalSecondaryIndexes=lsis,
            BillingMode="PAY_PER_REQUEST")["TableDescription"]
        self.assertEqual(created["TableName"], name)
        self.assertIn(created["TableStatus"], ("CREATING", "ACTIVE"))

        t = self.wait_table_active(name)
        self.assertEqual(t["TableName"], name)
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertEqual(t["KeySchema"], ks(("pk", "HASH"), ("sk", "RANGE")))
        self.assertEqual(
            sorted((a["AttributeName"], a["AttributeType"])
                   for a in t["AttributeDefinitions"]),
            [("gb", "B"), ("gn", "N"), ("gs", "S"), ("ls", "S"),
             ("pk", "S"), ("sk", "N")])
        self.assertEqual(t["ItemCount"], 0)
        self.assertIsInstance(t["TableSizeBytes"], int)
        self.assertTrue(t["TableArn"].endswith(":table/" + name), t)

        g = by_name(t.get("GlobalSecondaryIndexes"))
        self.assertEqual(sorted(g), ["byBin", "byStrAll", "byStrNum"])
        for want in gsis:
            got = g[want["IndexName"]]
            self.assertEqual(got["IndexStatus"], "ACTIVE", got)
            self.assertEqual(got["KeySchema"], want["KeySchema"])
            proj = dict(got["Projection"])
            if "NonKeyAttributes" in proj:
                proj["NonKeyAttributes"] = sorted(proj["NonKeyAttributes"])
            self.assertEqual(proj, want["Projection"])
            self.assertTrue(got["IndexArn"].endswith(
                ":table/%s/index/%s" % (name, want["IndexName"])), got)
        loc = by_name(t.get("LocalSecondaryIndexes"))
        self.assertEqual(sorted(loc), ["byLocal"])
        self.assertEqual(loc["byLocal"]["KeySchema"], lsis[0]["KeySchema"])
        self.assertEqual(loc["byLocal"]["Projection"],
                         {"ProjectionType": "ALL"})

        # binary and numeric keys work end to end
        self.ddb.put_item(TableName=name, Item={
            "pk": S("a"), "sk": N(2), "gb": {"B": b"\x00\xff"},
            "gs": S("g"), "gn": N(7), "ls": S("l"), "x": S("X"),
            "z": S("Z")})
        r = self.ddb.query(TableName=name, IndexName="byBin",
                           KeyConditionExpression="gb = :b",
                           ExpressionAttributeValues={
                               ":b": {"B": b"\x00\xff"}})
        self.assertEqual(r["Items"], [{"pk": S("a"), "sk": N(2),
                                       "gb": {"B": b"\x00\xff"}}])

    def test_create_existing_table_is_resource_in_use(self):
        name = self.create_table()
        self.expect_error("ResourceInUseException", self.create_table,
                          name=name)
        self.expect_error("ResourceInUseException", self.create_table,
                          name="ItemsTable", pk=("id", "S"))

    def test_describe_missing_table(self):
        self.expect_error("ResourceNotFoundException",
                          self.ddb.describe_table, TableName=unique("nope"))

    def test_item_ops_on_missing_table(self):
        missing = unique("nope")
        self.expect_error("ResourceNotFoundException", self.ddb.get_item,
                          TableName=missing, Key={"pk": S("x")})
        self.expect_error("ResourceNotFoundException", self.ddb.put_item,
                          TableName=missing, Item={"pk": S("x")})
        self.expect_error("ResourceNotFoundException", self.ddb.scan,
                          TableName=missing)

    def test_list_tables_pages_in_name_order(self):
        prefix = unique("lt")
        mine = ["%s-%d" % (prefix, i) for i in range(5)]
        for n in mine:
            self.create_table(name=n)

        seen, start, pages = [], None, 0
        while True:
            kw = {"Limit": 2}
            if start:
                kw["ExclusiveStartTableName"] = start
            r = self.ddb.list_tables(**kw)
            pages += 1
            self.assertLessEqual(len(r["TableNames"]), 2, r)
            seen.extend(r["TableNames"])
            start = r.get("LastEvaluatedTableName")
            if start is None:
                break
            self.assertEqual(start, r["TableNames"][-1], r)
            self.assertLess(pages, 200, "ListTables paging does not end")
        self.assertEqual(seen, sorted(seen), "not in name order")
        self.assertEqual(len(seen), len(set(seen)), "a table listed twice")
        for n in mine + ["ItemsTable"]:
            self.assertIn(n, seen)
        self.assertEqual(seen, self.ddb.list_tables()["TableNames"])

        # a page that stops because of Limit says where it stopped
        r = self.ddb.list_tables(ExclusiveStartTableName=mine[1], Limit=2)
        self.assertEqual(r["TableNames"], mine[2:4])
        self.assertEqual(r["LastEvaluatedTableName"], mine[3])
        # the start name need not exist
        r = self.ddb.list_tables(ExclusiveStartTableName=mine[0] + "-", Limit=1)
        self.assertEqual(r["TableNames"], [mine[1]])

    def test_list_tables_limit_bounds(self):
        for limit in (0, 101):
            with self.subTest(limit=limit):
                self.expect_validation(self.lax.list_tables, Limit=limit)

    def test_bad_table_names(self):
        for bad in ("ab", "a b", "bad/name", "x" * 256, "t\u00e9st"):
            with self.subTest(name=bad):
                self.expect_validation(self.create_table, name=bad,
                                       client=self.lax)
        # the edges that are fine: 3 and 255 characters of [a-zA-Z0-9_.-]
        self.create_table(name="a.-_" + unique("")[:8])
        self.create_table(name="Z" * 3)
        self.create_table(name=("y" * 255))

    def test_bad_key_schemas(self):
        cases = {
            "attribute defined but not in a key": dict(
                KeySchema=ks(("pk", "HASH")),
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "other", "AttributeType": "S"}]),
            "key attribute not defined": dict(
                KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"}]),
            "key type BOOL": dict(
                KeySchema=ks(("pk", "HASH")),
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "BOOL"}]),
            "no HASH key": dict(
                KeySchema=ks(("pk", "RANGE")),
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"}]),
            "two HASH keys": dict(
                KeySchema=ks(("pk", "HASH"), ("sk", "HASH")),
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"}]),
        }
        for what, kw in cases.items():
            with self.subTest(what):
                name = unique("badks")
                self.expect_validation(self.lax.create_table, TableName=name,
                                       BillingMode="PAY_PER_REQUEST", **kw)
                self.expect_error("ResourceNotFoundException",
                                  self.ddb.describe_table, TableName=name)

    def test_update_table_adds_and_removes_a_gsi(self):
        name = self.create_table()
        self.ddb.put_item(TableName=name, Item={"pk": S("1"), "g": S("x")})
        self.ddb.put_item(TableName=name, Item={"pk": S("2"), "g": S("x")})
        self.ddb.put_item(TableName=name, Item={"pk": S("3")})
        self.ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "g",
                                   "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "byG", "KeySchema": ks(("g", "HASH")),
                "Projection": {"ProjectionType": "ALL"}}}])
        deadline = time.monotonic() + 5
        while True:
            t = self.ddb.describe_table(TableName=name)["Table"]
            g = by_name(t.get("GlobalSecondaryIndexes"))
            if "byG" in g and g["byG"]["IndexStatus"] == "ACTIVE":
                break
            self.assertLess(time.monotonic(), deadline,
                            "index byG not ACTIVE within 5 s: %r" % (t,))
            time.sleep(0.05)
        self.assertEqual(g["byG"]["KeySchema"], ks(("g", "HASH")))
        # the new index holds the items written before it existed
        r = self.ddb.query(TableName=name, IndexName="byG",
                           KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("x")})
        self.assertEqual(sorted(i["pk"]["S"] for i in r["Items"]), ["1", "2"])
        # ... and the ones written after
        self.ddb.put_item(TableName=name, Item={"pk": S("4"), "g": S("x")})
        r = self.ddb.query(TableName=name, IndexName="byG",
                           KeyConditionExpression="g = :g",
                           ExpressionAttributeValues={":g": S("x")})
        self.assertEqual(r["Count"], 3)
        # a second index of the same name is refused (which 400 DynamoDB
        # answers here is not pinned down: either will do)
        with self.assertRaises(ClientError) as cm:
            self.ddb.update_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "g",
                                       "AttributeType": "S"}],
                GlobalSecondaryIndexUpdates=[{"Create": {
                    "IndexName": "byG", "KeySchema": ks(("g", "HASH")),
                    "Projection": {"ProjectionType": "ALL"}}}])
        self.assertIn(cm.exception.response["Error"]["Code"],
                      ("ValidationException", "ResourceInUseException"))

        self.ddb.update_table(
            TableName=name,
            GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byG"}}])
        deadline = time.monotonic() + 5
        while True:
            t = self.ddb.describe_table(TableName=name)["Table"]
            if "byG" not in by_name(t.get("GlobalSecondaryIndexes")):
                break
            self.assertLess(time.monotonic(), deadline,
                            "index byG still there after 5 s: %r" % (t,))
            time.sleep(0.05)
        self.expect_validation(
            self.ddb.query, TableName=name, IndexName="byG",
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": S("x")})
        # the table itself is untouched
        self.assertEqual(self.ddb.scan(TableName=name)["Count"], 4)

    def test_delete_table(self):
        name = self.create_table()
        self.ddb.put_item(TableName=name, Item={"pk": S("k"), "v": N(1)})
        d = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(d["TableName"], name)
        self.expect_error("ResourceNotFoundException",
                          self.ddb.describe_table, TableName=name)
        self.expect_error("ResourceNotFoundException", self.ddb.get_item,
                          TableName=name, Key={"pk": S("k")})
        self.assertNotIn(name, self._all_tables())
        self.expect_error("ResourceNotFoundException",
                          self.ddb.delete_table, TableName=name)
        # the name is free again, and the new table starts empty
        self.create_table(name=name)
        self.assertEqual(self.ddb.scan(TableName=name)["Count"], 0)

    def _all_tables(self):
        names, kw = [], {}
        for _ in range(100):
            r = self.ddb.list_tables(**kw)
            names += r["TableNames"]
            if "LastEvaluatedTableName" not in r:
                return names
            kw["ExclusiveStartTableName"] = r["LastEvaluatedTableName"]
        return names


VALIDATION = "com.amazon.coral.validate#ValidationException"
INVALID = "One or more parameter values were invalid: "


class DdbCreateTableValidationTest(DdbTestCase):
    """CreateTable refuses what DynamoDB refuses, with its messages, and
    creates nothing."""

    DEFS = [{"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"}]

    def create(self, **kw):
        body = {"TableName": unique("ctv"),
                "KeySchema": ks(("pk", "HASH")),
                "AttributeDefinitions": self.DEFS[:1],
                "BillingMode": "PAY_PER_REQUEST"}
        body.update(kw)
        for k in [k for k, v in body.items() if v is None]:
            del body[k]
        return body["TableName"], self.wire("CreateTable", body)

    def gsi(self, projection, name="byG"):
        ix = {"IndexName": name, "KeySchema": ks(("g", "HASH"))}
        if projection is not None:
            ix["Projection"] = projection
        return ix

    def assert_refused(self, name, r, message):
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {"__type": VALIDATION, "message": message})
        d = self.wire("DescribeTable", {"TableName": name})
        self.assertEqual(d.status, 400, d)
        self.assertTrue(d.json()["__type"].endswith(
            "ResourceNotFoundException"), d.json())

    def test_duplicate_attribute_definition(self):
        name, r = self.create(AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "pk", "AttributeType": "N"}])
        self.assert_refused(name, r, "Attribute Name is duplicated: pk")

    def test_include_without_non_key_attributes(self):
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[
                                  self.gsi({"ProjectionType": "INCLUDE"})])
        self.assert_refused(name, r, INVALID + "ProjectionType is INCLUDE, "
                            "but NonKeyAttributes is not specified")

    def test_all_with_non_key_attributes(self):
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[self.gsi(
                                  {"ProjectionType": "ALL",
                                   "NonKeyAttributes": ["x"]})])
        self.assert_refused(name, r, INVALID + "ProjectionType is ALL, but "
                            "NonKeyAttributes is specified")

    def test_unknown_projection_type(self):
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[
                                  self.gsi({"ProjectionType": "SOME"})])
        self.assert_refused(
            name, r, "1 validation error detected: Value 'SOME' at "
            "'globalSecondaryIndexes.1.member.projection.projectionType' "
            "failed to satisfy constraint: Member must satisfy enum value "
            "set: [ALL, INCLUDE, KEYS_ONLY]")

    def test_missing_projection(self):
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[self.gsi(None)])
        self.assert_refused(
            name, r, "1 validation error detected: Value null at "
            "'globalSecondaryIndexes.1.member.projection' failed to satisfy "
            "constraint: Member must not be null")

    def test_duplicate_index_name(self):
        all_ = {"ProjectionType": "ALL"}
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[self.gsi(all_),
                                                      self.gsi(all_)])
        self.assert_refused(name, r, INVALID + "Duplicate index name: byG")

    def test_on_demand_with_provisioned_throughput(self):
        name, r = self.create(ProvisionedThroughput={
            "ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.assert_refused(name, r, INVALID + "Neither ReadCapacityUnits "
                            "nor WriteCapacityUnits can be specified when "
                            "BillingMode is PAY_PER_REQUEST")

    def test_provisioned_without_throughput(self):
        name, r = self.create(BillingMode="PROVISIONED")
        self.assert_refused(name, r, INVALID + "ReadCapacityUnits and "
                            "WriteCapacityUnits must both be specified when "
                            "BillingMode is PROVISIONED")

    def test_unknown_billing_mode(self):
        name, r = self.create(BillingMode="FREE")
        self.assert_refused(
            name, r, "1 validation error detected: Value 'FREE' at "
            "'billingMode' failed to satisfy constraint: Member must "
            "satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")

    def test_a_valid_include_index_is_created(self):
        name, r = self.create(AttributeDefinitions=self.DEFS,
                              GlobalSecondaryIndexes=[self.gsi(
                                  {"ProjectionType": "INCLUDE",
                                   "NonKeyAttributes": ["x"]})])
        self.assertEqual(r.status, 200, r)


class DdbTableIdTest(DdbTestCase):
    """TableId is a UUID, the same in every answer; BillingModeSummary has
    LastUpdateToPayPerRequestDateTime, as DynamoDB describes an on-demand
    table."""

    UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

    def test_table_id_is_a_stable_uuid(self):
        name = unique("tid")
        r = self.wire("CreateTable", {
            "TableName": name, "KeySchema": ks(("pk", "HASH")),
            "AttributeDefinitions": [{"AttributeName": "pk",
                                      "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"})
        self.assertEqual(r.status, 200, r)
        created = r.json()["TableDescription"]
        self.assertRegex(created["TableId"], self.UUID)
        d = self.wire("DescribeTable", {"TableName": name}).json()["Table"]
        self.assertEqual(d["TableId"], created["TableId"])
        self.assertEqual(d["BillingModeSummary"], {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": d["CreationDateTime"]})
        other = self.wire("DescribeTable", {"TableName": "ItemsTable"})
        self.assertNotEqual(other.json()["Table"]["TableId"], d["TableId"])


class DdbUpdateRefusalsTest(DdbTestCase):
    """UpdateTable with nothing to do, and UpdateTimeToLive changes that
    change nothing or change the attribute while it is on, are refused as
    DynamoDB refuses them."""

    def setUp(self):
        self.name = unique("upd")
        r = self.wire("CreateTable", {
            "TableName": self.name, "KeySchema": ks(("pk", "HASH")),
            "AttributeDefinitions": [{"AttributeName": "pk",
                                      "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"})
        self.assertEqual(r.status, 200, r)

    def ttl(self, enabled, attr="expires"):
        return self.wire("UpdateTimeToLive", {
            "TableName": self.name,
            "TimeToLiveSpecification": {"Enabled": enabled,
                                        "AttributeName": attr}})

    def assert_refused(self, r, message):
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {"__type": VALIDATION, "message": message})

    def test_update_table_with_nothing_to_do(self):
        self.assert_refused(
            self.wire("UpdateTable", {"TableName": self.name}),
            "At least one of ProvisionedThroughput, BillingMode, "
            "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
            "SSESpecification or ReplicaUpdates is required")

    def test_disabling_ttl_that_is_not_enabled(self):
        self.assert_refused(self.ttl(False), "TimeToLive is already disabled")

    def test_enabling_ttl_twice_and_on_another_attribute(self):
        r = self.ttl(True)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"TimeToLiveSpecification": {
            "Enabled": True, "AttributeName": "expires"}})
        self.assert_refused(self.ttl(True), "TimeToLive is already enabled")
        self.assert_refused(self.ttl(True, "other"),
                            "TimeToLive is active on a different "
                            "AttributeName: current AttributeName is expires")
        d = self.wire("DescribeTimeToLive", {"TableName": self.name})
        self.assertEqual(d.json(), {"TimeToLiveDescription": {
            "TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}})
        r = self.ttl(False)
        self.assertEqual(r.status, 200, r)

    def test_empty_ttl_attribute_name(self):
        self.assert_refused(
            self.ttl(True, ""),
            "1 validation error detected: Value '' at "
            "'timeToLiveSpecification.attributeName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1")
