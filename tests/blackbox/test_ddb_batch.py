"""BatchWriteItem / BatchGetItem and TransactWriteItems / TransactGetItems:
their limits, and all-or-nothing transactions."""

import uuid

from ddb_client import DdbTestCase, requires_boto3, unique, S, N


@requires_boto3
class DdbBatchTest(DdbTestCase):

    def keys(self, n, prefix=None):
        prefix = prefix or unique("b")
        return [{"pk": S("%s-%03d" % (prefix, i))} for i in range(n)]

    # -- batches -------------------------------------------------------------

    def test_batch_write_25_puts(self):
        t = self.create_table()
        items = [dict(k, v=N(i)) for i, k in enumerate(self.keys(25))]
        r = self.ddb.batch_write_item(RequestItems={t: [
            {"PutRequest": {"Item": it}} for it in items]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.scan_all(t)), 25)
        # puts and deletes mixed, and two tables in one call
        t2 = self.create_table()
        r = self.ddb.batch_write_item(RequestItems={
            t: [{"DeleteRequest": {"Key": {"pk": items[0]["pk"]}}},
                {"PutRequest": {"Item": {"pk": S("extra")}}}],
            t2: [{"PutRequest": {"Item": {"pk": S("other")}}}]})
        self.assertEqual(r["UnprocessedItems"], {})
        self.assertEqual(len(self.scan_all(t)), 25)
        self.assertIsNone(self.get(t, {"pk": items[0]["pk"]}))
        self.assertIsNotNone(self.get(t2, {"pk": S("other")}))

    def test_batch_write_26_is_refused_and_writes_nothing(self):
        t = self.create_table()
        self.expect_validation(
            self.lax.batch_write_item, RequestItems={t: [
                {"PutRequest": {"Item": k}} for k in self.keys(26)]})
        self.assertEqual(self.scan_all(t), [])
        # 26 across two tables is still 26
        t2 = self.create_table()
        ks = self.keys(26)
        self.expect_validation(
            self.lax.batch_write_item, RequestItems={
                t: [{"PutRequest": {"Item": k}} for k in ks[:13]],
                t2: [{"PutRequest": {"Item": k}} for k in ks[13:]]})
        self.assertEqual(self.scan_all(t) + self.scan_all(t2), [])

    def test_batch_write_refusals(self):
        t = self.create_table()
        k = {"pk": S(unique("dup"))}
        cases = {
            "the same key twice": {t: [{"PutRequest": {"Item": k}},
                                       {"DeleteRequest": {"Key": k}}]},
            "empty": {},
            "an item without its key": {t: [{"PutRequest": {"Item": {
                "x": S("y")}}}]},
            "an empty write request": {t: [{}]},
            "an empty list for a table": {t: []},
        }
        for what, req in cases.items():
            with self.subTest(what):
                self.expect_validation(self.lax.batch_write_item,
                                       RequestItems=req)
        self.assertEqual(self.scan_all(t), [])
        self.expect_error("ResourceNotFoundException",
                          self.ddb.batch_write_item, RequestItems={
                              unique("missing"): [{"PutRequest": {
                                  "Item": k}}]})

    def test_batch_get_100_keys(self):
        t = self.create_table()
        ks = self.keys(100)
        self.put_all(t, [dict(k, v=N(i)) for i, k in enumerate(ks)])
        r = self.ddb.batch_get_item(RequestItems={t: {"Keys": ks}})
        self.assertEqual(r["UnprocessedKeys"], {})
        got = r["Responses"][t]
        self.assertEqual(len(got), 100)
        self.assertEqual(sorted(i["pk"]["S"] for i in got),
                         sorted(k["pk"]["S"] for k in ks))
        for it in got:
            self.assertEqual(it["v"], N(int(it["pk"]["S"][-3:])))
        # missing keys are simply absent; projections apply
        r = self.ddb.batch_get_item(RequestItems={t: {
            "Keys": [ks[0], {"pk": S("nope")}],
            "ProjectionExpression": "#v", "ExpressionAttributeNames": {
                "#v": "v"}}})
        self.assertEqual(r["Responses"][t], [{"v": N(0)}])

    def test_batch_get_101_keys_is_refused(self):
        t = self.create_table()
        self.expect_validation(self.lax.batch_get_item,
                               RequestItems={t: {"Keys": self.keys(101)}})
        # 101 across two tables too
        t2 = self.create_table()
        ks = self.keys(101)
        self.expect_validation(self.lax.batch_get_item, RequestItems={
            t: {"Keys": ks[:50]}, t2: {"Keys": ks[50:]}})
        # the same key twice
        k = {"pk": S("k")}
        self.expect_validation(self.lax.batch_get_item,
                               RequestItems={t: {"Keys": [k, k]}})

    def test_batch_get_two_tables(self):
        t1, t2 = self.create_table(), self.create_table()
        self.ddb.put_item(TableName=t1, Item={"pk": S("a"), "x": N(1)})
        self.ddb.put_item(TableName=t2, Item={"pk": S("a"), "x": N(2)})
        r = self.ddb.batch_get_item(RequestItems={
            t1: {"Keys": [{"pk": S("a")}]},
            t2: {"Keys": [{"pk": S("a")}], "ConsistentRead": True}})
        self.assertEqual(r["Responses"], {
            t1: [{"pk": S("a"), "x": N(1)}], t2: [{"pk": S("a"), "x": N(2)}]})

    # -- transactions --------------------------------------------------------

    def test_failed_condition_check_cancels_everything(self):
        t = self.create_table()
        self.ddb.put_item(TableName=t, Item={"pk": S("exists"), "n": N(1)})
        e = self.expect_error(
            "TransactionCanceledException", self.ddb.transact_write_items,
            TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S("new")}}},
                {"ConditionCheck": {
                    "TableName": t, "Key": {"pk": S("exists")},
                    "ConditionExpression": "attribute_not_exists(pk)"}}])
        reasons = e.response.get("CancellationReasons")
        self.assertIsNotNone(reasons, e.response)
        self.assertEqual([r["Code"] for r in reasons],
                         ["None", "ConditionalCheckFailed"])
        self.assertEqual(reasons[1].get("Message"),
                         "The conditional request failed")
        self.assertEqual(self.scan_all(t), [{"pk": S("exists"), "n": N(1)}])

        # an Update and a Delete before a failing Put: neither applied
        e = self.expect_error(
            "TransactionCanceledException", self.ddb.transact_write_items,
            TransactItems=[
                {"Update": {"TableName": t, "Key": {"pk": S("exists")},
                            "UpdateExpression": "SET n = n + :one",
                            "ExpressionAttributeValues": {":one": N(1)}}},
                {"Delete": {"TableName": t, "Key": {"pk": S("other")}}},
                {"Put": {"TableName": t, "Item": {"pk": S("third")},
                         "ConditionExpression": "attribute_exists(pk)"}}])
        self.assertEqual([r["Code"] for r in e.response["CancellationReasons"]],
                         ["None", "None", "ConditionalCheckFailed"])
        self.assertEqual(self.scan_all(t), [{"pk": S("exists"), "n": N(1)}])

    def test_cancellation_message_lists_the_reasons(self):
        t = self.create_table()
        self.ddb.put_item(TableName=t, Item={"pk": S("exists")})
        e = self.expect_error(
            "TransactionCanceledException", self.ddb.transact_write_items,
            TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S("new")}}},
                {"ConditionCheck": {
                    "TableName": t, "Key": {"pk": S("exists")},
                    "ConditionExpression": "attribute_not_exists(pk)"}}])
        self.assertEqual(
            e.response["Error"]["Message"],
            "Transaction cancelled, please refer cancellation reasons for "
            "specific reasons [None, ConditionalCheckFailed]")

    def test_successful_transaction_applies_every_action(self):
        t = self.create_table()
        self.put_all(t, [{"pk": S("upd"), "n": N(1)}, {"pk": S("del")},
                         {"pk": S("chk"), "ok": {"BOOL": True}}])
        r = self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": t, "Item": {"pk": S("put"), "v": S("p")},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": t, "Key": {"pk": S("upd")},
                        "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": N(1)}}},
            {"Delete": {"TableName": t, "Key": {"pk": S("del")}}},
            {"ConditionCheck": {"TableName": t, "Key": {"pk": S("chk")},
                                "ConditionExpression": "ok = :t",
                                "ExpressionAttributeValues": {
                                    ":t": {"BOOL": True}}}}])
        self.assertNotIn("ItemCollectionMetrics", r)
        got = {i["pk"]["S"]: i for i in self.scan_all(t)}
        self.assertEqual(sorted(got), ["chk", "put", "upd"])
        self.assertEqual(got["upd"]["n"], N(2))
        self.assertEqual(got["put"]["v"], S("p"))

    def test_two_actions_on_one_item_are_refused(self):
        t = self.create_table()
        e = self.expect_validation(
            self.ddb.transact_write_items, TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S("same")}}},
                {"Update": {"TableName": t, "Key": {"pk": S("same")},
                            "UpdateExpression": "SET a = :a",
                            "ExpressionAttributeValues": {":a": N(1)}}}])
        self.assertIn("multiple operations on one item",
                      e.response["Error"]["Message"])
        self.assertEqual(self.scan_all(t), [])

    def test_transaction_size_limits(self):
        t = self.create_table()
        self.expect_validation(self.lax.transact_write_items,
                               TransactItems=[])
        self.expect_validation(
            self.lax.transact_write_items, TransactItems=[
                {"Put": {"TableName": t, "Item": k}}
                for k in self.keys(101)])
        self.assertEqual(self.scan_all(t), [])
        # two operations in one element
        self.expect_validation(
            self.lax.transact_write_items, TransactItems=[
                {"Put": {"TableName": t, "Item": {"pk": S("a")}},
                 "Delete": {"TableName": t, "Key": {"pk": S("b")}}}])

    def test_client_request_token_is_idempotent(self):
        t = self.create_table()
        token = str(uuid.uuid4())
        req = dict(ClientRequestToken=token, TransactItems=[
            {"Update": {"TableName": t, "Key": {"pk": S("ctr")},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": N(1)}}}])
        self.ddb.transact_write_items(**req)
        self.ddb.transact_write_items(**req)
        self.assertEqual(self.get(t, {"pk": S("ctr")}, ConsistentRead=True),
                         {"pk": S("ctr"), "n": N(1)})
        # the same token for a different request is refused
        other = dict(req, TransactItems=[
            {"Update": {"TableName": t, "Key": {"pk": S("ctr")},
                        "UpdateExpression": "ADD n :two",
                        "ExpressionAttributeValues": {":two": N(2)}}}])
        self.expect_error("IdempotentParameterMismatchException",
                          self.ddb.transact_write_items, **other)
        # a new token applies again
        self.ddb.transact_write_items(**dict(req,
                                             ClientRequestToken=unique("tok")))
        self.assertEqual(self.get(t, {"pk": S("ctr")})["n"], N(2))

    def test_client_request_token_length_is_1_to_36(self):
        t = self.create_table()
        items = [{"Put": {"TableName": t, "Item": {"pk": S("tok")}}}]
        for token, rule in (
                ("", "Member must have length greater than or equal to 1"),
                ("x" * 37, "Member must have length less than or equal to "
                           "36")):
            with self.subTest(length=len(token)):
                r = self.wire("TransactWriteItems", {
                    "ClientRequestToken": token, "TransactItems": items})
                self.assert_wire_error(
                    r, "ValidationException",
                    "1 validation error detected: Value '%s' at "
                    "'clientRequestToken' failed to satisfy constraint: %s"
                    % (token, rule))
        self.assertIsNone(self.get(t, {"pk": S("tok")}, ConsistentRead=True))
        # 36 characters (not bytes: an e-acute is one) are fine
        r = self.wire("TransactWriteItems", {
            "ClientRequestToken": "\u00e9" * 36, "TransactItems": items})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {})

    def big_checks(self, t, prefix, n, value_bytes):
        """n ConditionChecks that pass (no such items), each carrying one
        expression value of value_bytes."""
        return [{"ConditionCheck": {
            "TableName": t, "Key": {"pk": S("%s-%03d" % (prefix, i))},
            "ConditionExpression": "attribute_not_exists(pk) OR x = :v",
            "ExpressionAttributeValues": {":v": S("v" * value_bytes)}}}
            for i in range(n)]

    def test_transaction_over_4_mb_is_refused_and_writes_nothing(self):
        t = self.create_table()
        big = S("x" * 390000)
        over = [{"Put": {"TableName": t, "Item": {"pk": S("w%d" % i),
                                                  "b": big}}}
                for i in range(11)]
        r = self.wire("TransactWriteItems", {"TransactItems": over})
        self.assert_wire_error(r, "ValidationException",
                               "Transaction request cannot be larger than "
                               "4 MB")
        self.assertEqual(self.scan_all(t), [])
        # expression values count too: ConditionChecks alone, 4.3 MB
        r = self.wire("TransactWriteItems", {
            "ClientRequestToken": unique("tok"),
            "TransactItems": self.big_checks(t, "c", 100, 43000)})
        self.assert_wire_error(r, "ValidationException",
                               "Transaction request cannot be larger than "
                               "4 MB")
        # ten of those Puts (3.9 MB) are one transaction
        r = self.wire("TransactWriteItems", {"TransactItems": over[:10]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(self.scan_all(t)), 10)

    def rss_kb(self):
        with open("/proc/%d/status" % self.srv.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        self.fail("no VmRSS")

    def test_client_request_tokens_do_not_pin_their_requests(self):
        t = self.create_table()
        # 3.9 MB transactions, each under its own token: before, every token
        # kept its request's text (+3.9 MB of RSS each, never freed)
        checks = self.big_checks(t, "m", 100, 39000)
        body = {"TransactItems": checks}
        r = self.wire("TransactWriteItems",
                      dict(body, ClientRequestToken=unique("tok")))
        self.assertEqual(r.status, 200, r)
        before = self.rss_kb()
        for _ in range(30):
            r = self.wire("TransactWriteItems",
                          dict(body, ClientRequestToken=unique("tok")))
            self.assertEqual(r.status, 200, r)
        grown = self.rss_kb() - before
        # ASan holds freed memory in quarantine (256 MB): RSS says nothing
        with open("/proc/%d/maps" % self.srv.proc.pid) as f:
            sanitized = "libasan" in f.read()
        if not sanitized:
            self.assertLess(grown, 40 * 1024, "RSS grew by %d KB" % grown)
        # and a token still answers its repeat, and refuses another request
        token = unique("tok")
        r = self.wire("TransactWriteItems",
                      dict(body, ClientRequestToken=token))
        self.assertEqual(r.status, 200, r)
        r = self.wire("TransactWriteItems",
                      dict(body, ClientRequestToken=token))
        self.assertEqual((r.status, r.json()), (200, {}), r)
        r = self.wire("TransactWriteItems", {
            "ClientRequestToken": token,
            "TransactItems": self.big_checks(t, "m", 99, 39000)})
        self.assert_wire_error(
            r, "IdempotentParameterMismatchException",
            "Request has a ClientRequestToken that was used with different "
            "parameters within the last 10 minutes")

    def test_transact_get_items(self):
        t1, t2 = self.create_table(), self.create_table()
        self.ddb.put_item(TableName=t1, Item={"pk": S("a"), "x": N(1),
                                              "y": N(2)})
        self.ddb.put_item(TableName=t2, Item={"pk": S("b"), "x": N(3)})
        r = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": t1, "Key": {"pk": S("a")}}},
            {"Get": {"TableName": t1, "Key": {"pk": S("missing")}}},
            {"Get": {"TableName": t2, "Key": {"pk": S("b")},
                     "ProjectionExpression": "x"}},
        ])
        self.assertEqual(r["Responses"], [
            {"Item": {"pk": S("a"), "x": N(1), "y": N(2)}},
            {},
            {"Item": {"x": N(3)}}])

    def test_transact_get_items_refuses_the_same_item_twice(self):
        t = self.create_table()
        e = self.expect_validation(self.lax.transact_get_items, TransactItems=[
            {"Get": {"TableName": t, "Key": {"pk": S("a")}}}] * 2)
        self.assertIn("multiple operations on one item",
                      e.response["Error"]["Message"])
