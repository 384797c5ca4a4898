"""What the DynamoDB face creates survives an orderly restart: tables with
their key schema and indexes, TTL settings, items; deleted tables stay
deleted."""

import time

from harness import CruddTestCase
from ddb_client import make_client, requires_boto3, unique, S, N


def ks(*pairs):
    return [{"AttributeName": a, "KeyType": t} for a, t in pairs]


@requires_boto3
class DdbRestartTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        pass        # each test manages its own servers

    @classmethod
    def tearDownClass(cls):
        pass

    def test_tables_indexes_ttl_and_items_survive_a_restart(self):
        srv = self.start_server()
        c = make_client(srv)
        t, gone = unique("keep"), unique("gone")
        c.create_table(
            TableName=t, KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "byG", "KeySchema": ks(("g", "HASH")),
                "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")
        c.create_table(TableName=gone, KeySchema=ks(("pk", "HASH")),
                       AttributeDefinitions=[{"AttributeName": "pk",
                                              "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        c.update_time_to_live(TableName=t, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "exp"})
        items = [{"pk": S("a"), "sk": N(i), "g": S("x"), "v": N("1.50"),
                  "exp": N(int(time.time()) + 3600)} for i in range(5)]
        for it in items:
            c.put_item(TableName=t, Item=it)
        c.transact_write_items(TransactItems=[
            {"Update": {"TableName": t, "Key": {"pk": S("a"), "sk": N(0)},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": N(1)}}}])
        c.delete_table(TableName=gone)
        before = c.describe_table(TableName=t)["Table"]
        srv.stop()

        srv2 = self.start_server(db=srv.db)
        c2 = make_client(srv2)
        after = c2.describe_table(TableName=t)["Table"]
        for field in ("TableName", "KeySchema", "TableArn"):
            self.assertEqual(after[field], before[field], field)
        self.assertEqual(
            sorted(map(repr, after["AttributeDefinitions"])),
            sorted(map(repr, before["AttributeDefinitions"])))
        self.assertEqual(after["TableStatus"], "ACTIVE")
        gsi = after["GlobalSecondaryIndexes"]
        self.assertEqual([g["IndexName"] for g in gsi], ["byG"])
        self.assertEqual(gsi[0]["Projection"], {"ProjectionType": "KEYS_ONLY"})
        self.assertEqual(
            c2.describe_time_to_live(TableName=t)["TimeToLiveDescription"],
            {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        names = c2.list_tables()["TableNames"]
        self.assertIn(t, names)
        self.assertIn("ItemsTable", names)
        self.assertNotIn(gone, names)

        r = c2.query(TableName=t, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": S("a")})
        want = [dict(it, v=N("1.5")) for it in items]
        want[0]["n"] = N(1)
        self.assertEqual(r["Items"], want)
        r = c2.query(TableName=t, IndexName="byG",
                     KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("x")})
        self.assertEqual(r["Count"], 5)
        srv2.stop()
