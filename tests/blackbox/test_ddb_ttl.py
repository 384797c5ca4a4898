"""Time to live: UpdateTimeToLive / DescribeTimeToLive, and the sweep that
deletes items whose TTL attribute (a Number, epoch seconds) is in the past.
crudd sweeps every second; DynamoDB itself takes up to a few days."""

import time

from ddb_client import DdbTestCase, requires_boto3, S, N

SWEEP_WAIT = 5.0        # seconds an expired item may survive, at most


@requires_boto3
class DdbTtlTest(DdbTestCase):

    def ttl_status(self, table):
        return self.ddb.describe_time_to_live(
            TableName=table)["TimeToLiveDescription"]

    def enable(self, table, attr="exp"):
        r = self.ddb.update_time_to_live(
            TableName=table, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": attr})
        self.assertEqual(r["TimeToLiveSpecification"],
                         {"Enabled": True, "AttributeName": attr})
        deadline = time.monotonic() + 2
        while True:
            d = self.ttl_status(table)
            if d.get("TimeToLiveStatus") != "ENABLING":
                break
            self.assertLess(time.monotonic(), deadline, d)
            time.sleep(0.05)
        self.assertEqual(d, {"TimeToLiveStatus": "ENABLED",
                             "AttributeName": attr})

    def test_enable_and_describe(self):
        t = self.create_table()
        self.assertEqual(self.ttl_status(t), {"TimeToLiveStatus": "DISABLED"})
        self.enable(t)
        # enabling again is refused
        self.expect_validation(
            self.ddb.update_time_to_live, TableName=t,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.expect_error("ResourceNotFoundException",
                          self.ddb.describe_time_to_live,
                          TableName="no-such-table-ttl")

    def test_expired_items_are_swept(self):
        t = self.create_table()
        plain = self.create_table()         # TTL never enabled
        self.enable(t)
        now = int(time.time())
        items = {
            "expired": {"exp": N(now - 10)},
            "future": {"exp": N(now + 3600)},
            "string-exp": {"exp": S(str(now - 10))},
            "no-exp": {"other": N(now - 10)},
        }
        for pk, attrs in items.items():
            self.ddb.put_item(TableName=t, Item=dict(attrs, pk=S(pk)))
        self.ddb.put_item(TableName=plain, Item={"pk": S("expired"),
                                                 "exp": N(now - 10)})
        gone = {"expired"}
        deadline = time.monotonic() + SWEEP_WAIT
        while True:
            left = {pk for pk in gone
                    if self.get(t, {"pk": S(pk)}, ConsistentRead=True)}
            if not left:
                break
            self.assertLess(time.monotonic(), deadline,
                            "still there after %.0f s: %s" % (SWEEP_WAIT,
                                                             sorted(left)))
            time.sleep(0.1)
        for pk in set(items) - gone:
            with self.subTest(pk):
                self.assertEqual(
                    self.get(t, {"pk": S(pk)}, ConsistentRead=True),
                    dict(items[pk], pk=S(pk)))
        self.assertEqual(self.get(plain, {"pk": S("expired")}),
                         {"pk": S("expired"), "exp": N(now - 10)})
        self.assertEqual(sorted(i["pk"]["S"] for i in self.scan_all(t)),
                         sorted(set(items) - gone))
