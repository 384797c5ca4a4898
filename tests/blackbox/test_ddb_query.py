"""Query and Scan: key conditions in DynamoDB's order (numbers numerically,
strings by bytes), paging with Limit / ExclusiveStartKey, filters, COUNT,
global and local secondary indexes, parallel scan."""

from ddb_client import DdbTestCase, requires_boto3, unique, S, N


def ks(*pairs):
    return [{"AttributeName": a, "KeyType": t} for a, t in pairs]


def sks(items):
    """The numeric sort keys of typed items, in the order given."""
    return [int(i["sk"]["N"]) for i in items]


@requires_boto3
class DdbQueryTest(DdbTestCase):
    """Table Q (pk S, sk N): partition p1 holds sk 1..20, partition p2 sk 1..3.
    In p1, sk <= 10 carry cat "c"; sk % 4 == 0 carry color "red" and rnk
    "r%02d" % (21 - sk) (so rnk order is the reverse of sk order); every item
    carries val = 10 * sk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._make_tables()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def _make_tables(cls):
        ddb = cls.ddb
        cls.q = unique("query")
        ddb.create_table(
            TableName=cls.q,
            KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
            AttributeDefinitions=[
                {"AttributeName": a, "AttributeType": t}
                for a, t in (("pk", "S"), ("sk", "N"), ("cat", "S"),
                             ("color", "S"), ("val", "N"), ("rnk", "S"))],
            GlobalSecondaryIndexes=[
                {"IndexName": "gKeys",
                 "KeySchema": ks(("cat", "HASH"), ("sk", "RANGE")),
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "gInc", "KeySchema": ks(("cat", "HASH")),
                 "Projection": {"ProjectionType": "INCLUDE",
                                "NonKeyAttributes": ["color"]}},
                {"IndexName": "gAll",
                 "KeySchema": ks(("color", "HASH"), ("val", "RANGE")),
                 "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[
                {"IndexName": "lRnk",
                 "KeySchema": ks(("pk", "HASH"), ("rnk", "RANGE")),
                 "Projection": {"ProjectionType": "ALL"}}],
            BillingMode="PAY_PER_REQUEST")
        cls.items = {}
        batch = []
        for sk in range(1, 21):
            it = {"pk": S("p1"), "sk": N(sk), "val": N(10 * sk),
                  "pad": S("x" * 10)}
            if sk <= 10:
                it["cat"] = S("c")
            if sk % 4 == 0:
                it["color"] = S("red")
                it["rnk"] = S("r%02d" % (21 - sk))
            cls.items[sk] = it
            batch.append(it)
        for sk in range(1, 4):
            batch.append({"pk": S("p2"), "sk": N(sk), "val": N(10 * sk)})
        cls.s = unique("strsk")
        ddb.create_table(
            TableName=cls.s, KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
            AttributeDefinitions=[{"AttributeName": "pk",
                                   "AttributeType": "S"},
                                  {"AttributeName": "sk",
                                   "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        cls.p = unique("par")
        ddb.create_table(
            TableName=cls.p, KeySchema=ks(("pk", "HASH")),
            AttributeDefinitions=[{"AttributeName": "pk",
                                   "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")

        def write(table, items):
            for i in range(0, len(items), 25):
                r = ddb.batch_write_item(RequestItems={table: [
                    {"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
                assert r.get("UnprocessedItems", {}) == {}, r
        write(cls.q, batch)
        write(cls.s, [{"pk": S("s"), "sk": S(v)}
                      for v in ("a#1", "a#2", "a#10", "b#1", "a", "ab", "A#1",
                                "a#\u00e9")])
        write(cls.p, [{"pk": S("p%02d" % i)} for i in range(40)])

    def query(self, **kw):
        return self.ddb.query(TableName=self.q, **kw)

    def p1(self, cond="", values=None, **kw):
        vals = {":p": S("p1")}
        vals.update(values or {})
        return self.query(KeyConditionExpression="pk = :p" + cond,
                          ExpressionAttributeValues=vals, **kw)

    # -- key conditions ------------------------------------------------------

    def test_between_is_numeric(self):
        r = self.p1(" AND sk BETWEEN :a AND :b", {":a": N(2), ":b": N(10)})
        self.assertEqual(sks(r["Items"]), list(range(2, 11)))
        self.assertEqual(r["Count"], 9)
        self.assertEqual(r["Items"][0], self.items[2])
        self.assertNotIn("LastEvaluatedKey", r)

    def test_sort_key_comparisons(self):
        cases = {
            "sk = :v": [9], "sk < :v": list(range(1, 9)),
            "sk <= :v": list(range(1, 10)), "sk > :v": list(range(10, 21)),
            "sk >= :v": list(range(9, 21)),
        }
        for cond, want in cases.items():
            with self.subTest(cond):
                r = self.p1(" AND " + cond, {":v": N(9)})
                self.assertEqual(sks(r["Items"]), want)
        r = self.p1(" AND sk > :v", {":v": N("2.5")})
        self.assertEqual(sks(r["Items"]), list(range(3, 21)))
        r = self.p1(" AND sk < :v", {":v": N("-1e10")})
        self.assertEqual(r["Items"], [])

    def test_whole_partition_and_other_partitions(self):
        self.assertEqual(sks(self.p1()["Items"]), list(range(1, 21)))
        r = self.query(KeyConditionExpression="#k = :p",
                       ExpressionAttributeNames={"#k": "pk"},
                       ExpressionAttributeValues={":p": S("p2")})
        self.assertEqual(sks(r["Items"]), [1, 2, 3])
        r = self.query(KeyConditionExpression="pk = :p",
                       ExpressionAttributeValues={":p": S("none")})
        self.assertEqual((r["Items"], r["Count"], r["ScannedCount"]),
                         ([], 0, 0))
        self.assertNotIn("LastEvaluatedKey", r)

    def test_begins_with_on_a_string_sort_key(self):
        r = self.ddb.query(
            TableName=self.s,
            KeyConditionExpression="pk = :p AND begins_with(sk, :pre)",
            ExpressionAttributeValues={":p": S("s"), ":pre": S("a#")})
        # byte order: "a#1" < "a#10" < "a#2" < "a#\xc3\xa9"
        self.assertEqual([i["sk"]["S"] for i in r["Items"]],
                         ["a#1", "a#10", "a#2", "a#\u00e9"])
        r = self.ddb.query(TableName=self.s,
                           KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S("s")})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]],
                         ["A#1", "a", "a#1", "a#10", "a#2", "a#\u00e9", "ab",
                          "b#1"])

    def test_scan_index_forward_false(self):
        r = self.p1(ScanIndexForward=False)
        self.assertEqual(sks(r["Items"]), list(range(20, 0, -1)))
        r = self.p1(" AND sk BETWEEN :a AND :b", {":a": N(2), ":b": N(10)},
                    ScanIndexForward=False, Limit=4)
        self.assertEqual(sks(r["Items"]), [10, 9, 8, 7])
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p1"), "sk": N(7)})
        r = self.p1(" AND sk BETWEEN :a AND :b", {":a": N(2), ":b": N(10)},
                    ScanIndexForward=False, Limit=4,
                    ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(sks(r["Items"]), [6, 5, 4, 3])

    def test_limit_and_exclusive_start_key_visit_every_item_once(self):
        seen, start = [], None
        for page in range(1, 30):
            kw = {"Limit": 3}
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.p1(**kw)
            self.assertLessEqual(len(r["Items"]), 3)
            seen += sks(r["Items"])
            start = r.get("LastEvaluatedKey")
            if start is None:
                break
            # the key of the last item returned, and nothing else
            self.assertEqual(start, {"pk": S("p1"),
                                     "sk": r["Items"][-1]["sk"]})
        self.assertEqual(seen, list(range(1, 21)))
        self.assertEqual(page, 7)
        # a page cut by Limit says where it stopped
        r = self.p1(Limit=20)
        self.assertEqual(len(r["Items"]), 20)
        r = self.p1(Limit=19)
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p1"), "sk": N(19)})
        # an ExclusiveStartKey needs not name an existing item
        r = self.p1(ExclusiveStartKey={"pk": S("p1"), "sk": N("4.5")})
        self.assertEqual(sks(r["Items"]), list(range(5, 21)))

    def test_limit_bounds(self):
        self.expect_validation(self.lax.query, TableName=self.q,
                               KeyConditionExpression="pk = :p",
                               ExpressionAttributeValues={":p": S("p1")},
                               Limit=0)

    def test_filter_expression_count_and_scanned_count(self):
        r = self.p1(FilterExpression="color = :red",
                    values={":red": S("red")})
        self.assertEqual(sks(r["Items"]), [4, 8, 12, 16, 20])
        self.assertEqual((r["Count"], r["ScannedCount"]), (5, 20))
        # Limit counts items read, before the filter
        r = self.p1(FilterExpression="color = :red",
                    values={":red": S("red")}, Limit=10)
        self.assertEqual(sks(r["Items"]), [4, 8])
        self.assertEqual((r["Count"], r["ScannedCount"]), (2, 10))
        self.assertEqual(r["LastEvaluatedKey"], {"pk": S("p1"), "sk": N(10)})
        # a page may be empty and still not the last
        r = self.p1(FilterExpression="color = :red",
                    values={":red": S("red")}, Limit=3)
        self.assertEqual((r["Items"], r["Count"], r["ScannedCount"]),
                         ([], 0, 3))
        self.assertIn("LastEvaluatedKey", r)

    def test_query_filter_on_a_key_attribute_is_refused(self):
        # "Filter Expression can only contain non-primary key attributes"
        for cond in ("sk > :v", "pk = :v"):
            with self.subTest(cond):
                self.expect_validation(self.p1, FilterExpression=cond,
                                       values={":v": N(1)})
        # Scan may filter on anything
        r = self.ddb.scan(TableName=self.q, FilterExpression="sk > :v",
                          ExpressionAttributeValues={":v": N(19)})
        self.assertEqual(r["Count"], 1)

    def test_select_count(self):
        r = self.p1(Select="COUNT")
        self.assertNotIn("Items", r)
        self.assertEqual((r["Count"], r["ScannedCount"]), (20, 20))
        r = self.p1(Select="COUNT", FilterExpression="val > :v",
                    values={":v": N(150)})
        self.assertEqual((r["Count"], r["ScannedCount"]), (5, 20))
        r = self.ddb.scan(TableName=self.q, Select="COUNT")
        self.assertNotIn("Items", r)
        self.assertEqual(r["Count"], 23)

    def test_projection_on_query(self):
        r = self.p1(" AND sk <= :v", {":v": N(2)},
                    ProjectionExpression="val")
        self.assertEqual(r["Items"], [{"val": N(10)}, {"val": N(20)}])

    # -- indexes -------------------------------------------------------------

    def test_gsi_keys_only(self):
        r = self.query(IndexName="gKeys",
                       KeyConditionExpression="cat = :c",
                       ExpressionAttributeValues={":c": S("c")})
        self.assertEqual(r["Items"], [
            {"pk": S("p1"), "sk": N(sk), "cat": S("c")}
            for sk in range(1, 11)])
        r = self.query(IndexName="gKeys",
                       KeyConditionExpression="cat = :c AND sk > :v",
                       ExpressionAttributeValues={":c": S("c"), ":v": N(8)},
                       ScanIndexForward=False)
        self.assertEqual(sks(r["Items"]), [10, 9])

    def test_gsi_include(self):
        r = self.query(IndexName="gInc", KeyConditionExpression="cat = :c",
                       ExpressionAttributeValues={":c": S("c")})
        got = sorted(r["Items"], key=lambda i: int(i["sk"]["N"]))
        want = []
        for sk in range(1, 11):
            it = {"pk": S("p1"), "sk": N(sk), "cat": S("c")}
            if sk % 4 == 0:
                it["color"] = S("red")
            want.append(it)
        self.assertEqual(got, want)

    def test_gsi_all_is_sparse_and_ordered_by_its_sort_key(self):
        r = self.query(IndexName="gAll",
                       KeyConditionExpression="color = :c",
                       ExpressionAttributeValues={":c": S("red")})
        self.assertEqual(r["Items"], [self.items[sk]
                                      for sk in (4, 8, 12, 16, 20)])
        r = self.ddb.scan(TableName=self.q, IndexName="gAll")
        self.assertEqual(r["Count"], 5)

    def test_gsi_paging_keys_hold_table_and_index_keys(self):
        r = self.query(IndexName="gAll", Limit=2,
                       KeyConditionExpression="color = :c",
                       ExpressionAttributeValues={":c": S("red")})
        self.assertEqual(sks(r["Items"]), [4, 8])
        self.assertEqual(r["LastEvaluatedKey"],
                         {"pk": S("p1"), "sk": N(8), "color": S("red"),
                          "val": N(80)})
        r = self.query(IndexName="gAll", Limit=2,
                       KeyConditionExpression="color = :c",
                       ExpressionAttributeValues={":c": S("red")},
                       ExclusiveStartKey=r["LastEvaluatedKey"])
        self.assertEqual(sks(r["Items"]), [12, 16])

    def test_lsi(self):
        r = self.p1(IndexName="lRnk")
        self.assertEqual(sks(r["Items"]), [20, 16, 12, 8, 4])
        self.assertEqual(r["Items"][0], self.items[20])
        r = self.p1(" AND rnk < :r", {":r": S("r10")}, IndexName="lRnk",
                    ConsistentRead=True)
        self.assertEqual(sks(r["Items"]), [20, 16, 12])

    def test_index_errors(self):
        cases = [
            ("consistent read on a GSI",
             dict(IndexName="gAll", ConsistentRead=True,
                  KeyConditionExpression="color = :c",
                  ExpressionAttributeValues={":c": S("red")})),
            ("no such index",
             dict(IndexName="noSuchIndex",
                  KeyConditionExpression="color = :c",
                  ExpressionAttributeValues={":c": S("red")})),
            ("the table's key, not the index's",
             dict(IndexName="gAll", KeyConditionExpression="pk = :p",
                  ExpressionAttributeValues={":p": S("p1")})),
            ("the index's hash key with the table's sort key",
             dict(IndexName="gAll",
                  KeyConditionExpression="color = :c AND sk = :v",
                  ExpressionAttributeValues={":c": S("red"), ":v": N(4)})),
        ]
        for what, kw in cases:
            with self.subTest(what):
                self.expect_validation(self.query, **kw)

    def test_bad_key_conditions(self):
        cases = [
            ("non-key attribute", "pk = :p AND color = :c",
             {":p": S("p1"), ":c": S("red")}),
            ("only a non-key attribute", "color = :c", {":c": S("red")}),
            ("no partition key", "sk = :v", {":v": N(1)}),
            ("partition key not by equality", "pk > :p", {":p": S("p1")}),
            ("OR", "pk = :p OR sk = :v", {":p": S("p1"), ":v": N(1)}),
            ("begins_with on a number", "pk = :p AND begins_with(sk, :v)",
             {":p": S("p1"), ":v": N(1)}),
            ("wrong value type", "pk = :p AND sk = :v",
             {":p": S("p1"), ":v": S("1")}),
            ("two conditions on the sort key",
             "pk = :p AND sk > :v AND sk < :v", {":p": S("p1"), ":v": N(1)}),
        ]
        for what, cond, values in cases:
            with self.subTest(what):
                self.expect_validation(self.query,
                                       KeyConditionExpression=cond,
                                       ExpressionAttributeValues=values)
        self.expect_validation(self.lax.query, TableName=self.q)

    # -- scan ----------------------------------------------------------------

    def test_scan_paging_visits_every_item_once(self):
        seen, start = [], None
        for _ in range(30):
            kw = {"Limit": 5}
            if start:
                kw["ExclusiveStartKey"] = start
            r = self.ddb.scan(TableName=self.q, **kw)
            self.assertLessEqual(len(r["Items"]), 5)
            seen += [(i["pk"]["S"], int(i["sk"]["N"])) for i in r["Items"]]
            start = r.get("LastEvaluatedKey")
            if start is None:
                break
            self.assertEqual(set(start), {"pk", "sk"})
        self.assertEqual(len(seen), 23)
        self.assertEqual(len(set(seen)), 23)
        r = self.ddb.scan(TableName=self.q, FilterExpression="val >= :v",
                          ExpressionAttributeValues={":v": N(180)})
        self.assertEqual((r["Count"], r["ScannedCount"]), (3, 23))

    def test_parallel_scan_covers_every_item_once(self):
        seen = []
        for seg in range(4):
            start = None
            for _ in range(50):
                kw = {"Segment": seg, "TotalSegments": 4, "Limit": 4}
                if start:
                    kw["ExclusiveStartKey"] = start
                r = self.ddb.scan(TableName=self.p, **kw)
                seen += [i["pk"]["S"] for i in r["Items"]]
                start = r.get("LastEvaluatedKey")
                if start is None:
                    break
            else:
                self.fail("segment %d does not end" % seg)
        self.assertEqual(sorted(seen), ["p%02d" % i for i in range(40)])
        one = self.ddb.scan(TableName=self.p, Segment=0, TotalSegments=1)
        self.assertEqual(one["Count"], 40)
        for kw in ({"Segment": 4, "TotalSegments": 4},
                   {"Segment": 0, "TotalSegments": 0},
                   {"Segment": 1}, {"TotalSegments": 2},
                   {"Segment": -1, "TotalSegments": 2}):
            with self.subTest(**kw):
                self.expect_validation(self.lax.scan, TableName=self.p, **kw)
