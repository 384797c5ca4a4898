"""Paging from late ExclusiveStartKeys (issue 12, finding 3): a page that
starts deep in a table, a segment, an index or a sort-key range holds exactly
the items after its key, so every item is seen once across pages, whichever
bound (the range's or the key's) is the tighter one. The cost side (a late
page costs what a first page costs) is measured by the store's unit tests and
`make bench`, not here: no test times anything."""

from ddb_client import DdbTestCase, requires_boto3, unique, S, N

PARTS = 120         # partitions of the scan table
ROWS = 240          # sort keys 0..239 of partition "big"
TIE = 6             # index entries that share one index sort key value


def ks(*pairs):
    return [{"AttributeName": a, "KeyType": t} for a, t in pairs]


@requires_boto3
class LateKeysTest(DdbTestCase):
    """Table T (pk S, sk N): partition "big" holds sk 0..ROWS-1, and PARTS
    partitions "p000".. hold sk 0. Items of "big" carry g "x" and r sk //
    TIE, so the index gidx (g, r) has runs of TIE entries with one r, ordered
    by the table key within a run."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls._fill()
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def _fill(cls):
        cls.t = unique("late")
        cls.ddb.create_table(
            TableName=cls.t, KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
            AttributeDefinitions=[
                {"AttributeName": a, "AttributeType": t}
                for a, t in (("pk", "S"), ("sk", "N"), ("g", "S"),
                             ("r", "N"))],
            GlobalSecondaryIndexes=[
                {"IndexName": "gidx", "KeySchema": ks(("g", "HASH"),
                                                   ("r", "RANGE")),
                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST")
        items = [{"pk": S("big"), "sk": N(i), "g": S("x"), "r": N(i // TIE)}
                 for i in range(ROWS)]
        items += [{"pk": S("p%03d" % i), "sk": N(0)} for i in range(PARTS)]
        for i in range(0, len(items), 25):
            r = cls.ddb.batch_write_item(RequestItems={cls.t: [
                {"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
            assert r.get("UnprocessedItems", {}) == {}, r

    # -- helpers --------------------------------------------------------------

    def pages(self, call, limit, start=None, **kw):
        """Every item of a paged read, following LastEvaluatedKey."""
        seen = []
        for _ in range(2000):
            if start:
                kw["ExclusiveStartKey"] = start
            r = call(TableName=self.t, Limit=limit, **kw)
            self.assertLessEqual(len(r["Items"]), limit)
            seen += r["Items"]
            start = r.get("LastEvaluatedKey")
            if start is None:
                return seen
        self.fail("paging does not end")

    @staticmethod
    def keys(items):
        return [(i["pk"]["S"], int(i["sk"]["N"])) for i in items]

    def big(self, cond, values, **kw):
        vals = {":p": S("big")}
        vals.update(values)
        return dict(KeyConditionExpression="pk = :p" + cond,
                    ExpressionAttributeValues=vals, **kw)

    # -- scans ----------------------------------------------------------------

    def test_parallel_scan_from_late_keys_sees_every_item_once(self):
        everything = self.keys(self.pages(self.ddb.scan, 1000))
        self.assertEqual(len(everything), ROWS + PARTS)
        self.assertEqual(len(set(everything)), ROWS + PARTS)
        seen = []
        for seg in range(3):
            whole = self.keys(self.pages(self.ddb.scan, 1000, Segment=seg,
                                         TotalSegments=3))
            paged = self.keys(self.pages(self.ddb.scan, 7, Segment=seg,
                                         TotalSegments=3))
            self.assertEqual(paged, whole)
            # resuming from a late key of the segment reads exactly its rest
            late = len(whole) * 4 // 5
            pk, sk = whole[late]
            rest = self.keys(self.pages(
                self.ddb.scan, 1000, Segment=seg, TotalSegments=3,
                start={"pk": S(pk), "sk": N(sk)}))
            self.assertEqual(rest, whole[late + 1:])
            seen += paged
        self.assertEqual(sorted(seen), sorted(everything))

    def test_scan_from_a_key_of_an_earlier_segment_reads_the_whole_segment(self):
        first = self.keys(self.pages(self.ddb.scan, 1000, Segment=0,
                                     TotalSegments=2))
        second = self.keys(self.pages(self.ddb.scan, 1000, Segment=1,
                                      TotalSegments=2))
        pk, sk = first[0]
        got = self.keys(self.pages(self.ddb.scan, 1000, Segment=1,
                                   TotalSegments=2,
                                   start={"pk": S(pk), "sk": N(sk)}))
        self.assertEqual(got, second)
        pk, sk = second[-1]
        r = self.ddb.scan(TableName=self.t, Segment=0, TotalSegments=2,
                          ExclusiveStartKey={"pk": S(pk), "sk": N(sk)})
        self.assertEqual(r["Items"], [])

    def test_index_scan_from_late_keys_sees_every_entry_once(self):
        seen = []
        for seg in range(2):
            whole = self.keys(self.pages(self.ddb.scan, 1000, IndexName="gidx",
                                         Segment=seg, TotalSegments=2))
            paged = self.pages(self.ddb.scan, 5, IndexName="gidx", Segment=seg,
                               TotalSegments=2)
            self.assertEqual(self.keys(paged), whole)
            if whole:
                late = paged[len(paged) * 9 // 10]
                rest = self.pages(self.ddb.scan, 1000, IndexName="gidx",
                                  Segment=seg, TotalSegments=2,
                                  start={a: late[a] for a in
                                         ("pk", "sk", "g", "r")})
                self.assertEqual(self.keys(rest),
                                 whole[whole.index((late["pk"]["S"],
                                                    int(late["sk"]["N"])))
                                       + 1:])
            seen += whole
        self.assertEqual(sorted(seen), [("big", i) for i in range(ROWS)])

    # -- queries --------------------------------------------------------------

    def test_query_ranges_page_from_late_keys_both_ways(self):
        lo, hi = 10, 200
        cases = [
            (" AND sk BETWEEN :a AND :b", range(lo, hi + 1)),
            (" AND sk > :a", range(lo + 1, ROWS)),
            (" AND sk >= :a", range(lo, ROWS)),
            (" AND sk < :b", range(0, hi)),
            (" AND sk <= :b", range(0, hi + 1)),
            ("", range(0, ROWS)),
        ]
        for cond, want in cases:
            values = {}
            if ":a" in cond:
                values[":a"] = N(lo)
            if ":b" in cond:
                values[":b"] = N(hi)
            for fwd in (True, False):
                with self.subTest(cond=cond, forward=fwd):
                    order = list(want) if fwd else list(reversed(want))
                    got = self.pages(self.ddb.query, 9, **self.big(
                        cond, values, ScanIndexForward=fwd))
                    self.assertEqual([k for _, k in self.keys(got)], order)
                    # a late start key inside the range: the rest of it
                    late = order[len(order) * 9 // 10]
                    got = self.pages(self.ddb.query, 1000, start={
                        "pk": S("big"), "sk": N(late)}, **self.big(
                            cond, values, ScanIndexForward=fwd))
                    self.assertEqual([k for _, k in self.keys(got)],
                                     order[order.index(late) + 1:])
                    # a start key on the range's own bound, and one before
                    # the range: the range's items after it
                    for at in (order[0], (order[0] - 5) if fwd
                               else (order[0] + 5)):
                        got = self.pages(self.ddb.query, 1000, start={
                            "pk": S("big"), "sk": N(at)}, **self.big(
                                cond, values, ScanIndexForward=fwd))
                        after = [k for k in order
                                 if (k > at if fwd else k < at)]
                        self.assertEqual([k for _, k in self.keys(got)],
                                         after)

    def test_index_query_ranges_page_through_ties_from_late_keys(self):
        # r runs 0..ROWS/TIE-1, TIE entries each, ordered by (r, pk, sk)
        entries = [(i // TIE, i) for i in range(ROWS)]
        lo, hi = 3, 30
        cases = [
            ("g = :g AND r BETWEEN :a AND :b",
             lambda r: lo <= r <= hi),
            ("g = :g AND r > :a", lambda r: r > lo),
            ("g = :g AND r >= :a", lambda r: r >= lo),
            ("g = :g AND r < :b", lambda r: r < hi),
            ("g = :g AND r <= :b", lambda r: r <= hi),
        ]
        for cond, keep in cases:
            values = {":g": S("x")}
            if ":a" in cond:
                values[":a"] = N(lo)
            if ":b" in cond:
                values[":b"] = N(hi)
            for fwd in (True, False):
                with self.subTest(cond=cond, forward=fwd):
                    want = [e for e in entries if keep(e[0])]
                    if not fwd:
                        want.reverse()
                    kw = dict(IndexName="gidx", KeyConditionExpression=cond,
                              ExpressionAttributeValues=values,
                              ScanIndexForward=fwd)
                    got = self.pages(self.ddb.query, 4, **kw)
                    self.assertEqual([int(i["sk"]["N"]) for i in got],
                                     [sk for _, sk in want])
                    # start keys on every entry of the boundary runs (the
                    # ties of r == lo and r == hi) and of a late run
                    for r, sk in entries:
                        if r not in (lo, hi, 35):
                            continue
                        start = {"g": S("x"), "r": N(r), "pk": S("big"),
                                 "sk": N(sk)}
                        got = self.pages(self.ddb.query, 1000, start=start,
                                         **kw)
                        after = [e for e in want
                                 if (e > (r, sk) if fwd else e < (r, sk))]
                        self.assertEqual([int(i["sk"]["N"]) for i in got],
                                         [s for _, s in after])

    def test_query_start_key_of_another_partition_is_refused(self):
        msg = ("The provided starting key is outside query boundaries based "
               "on provided conditions")
        r = self.wire("Query", {
            "TableName": self.t, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "big"}},
            "ExclusiveStartKey": {"pk": {"S": "p001"}, "sk": {"N": "0"}}})
        self.assert_wire_error(r, "ValidationException", msg)
        r = self.wire("Query", {
            "TableName": self.t, "IndexName": "gidx",
            "KeyConditionExpression": "g = :g",
            "ExpressionAttributeValues": {":g": {"S": "y"}},
            "ExclusiveStartKey": {"g": {"S": "x"}, "r": {"N": "1"},
                                  "pk": {"S": "big"}, "sk": {"N": "6"}}})
        self.assert_wire_error(r, "ValidationException", msg)
        # the same keys within their partition are fine
        r = self.wire("Query", {
            "TableName": self.t, "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p001"}},
            "ExclusiveStartKey": {"pk": {"S": "p001"}, "sk": {"N": "0"}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Items"], [])
