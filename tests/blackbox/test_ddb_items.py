"""DynamoDB items: PutItem, GetItem, UpdateItem, DeleteItem; condition,
update and projection expressions; ReturnValues; consumed capacity."""

import re
import threading

from ddb_client import (ClientError, DdbTestCase, make_client, requires_boto3,
                        unique, norm, S, N)

CCF = "ConditionalCheckFailedException"
CCF_MESSAGE = "The conditional request failed"


@requires_boto3
class DdbItemsTest(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.table = unique("items")
            cls.ddb.create_table(
                TableName=cls.table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk",
                                       "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
            cls.ranged = unique("ranged")
            cls.ddb.create_table(
                TableName=cls.ranged,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"}],
                BillingMode="PAY_PER_REQUEST")
        except Exception:
            cls.tearDownClass()
            raise

    def put(self, item, **kw):
        return self.ddb.put_item(TableName=self.table, Item=item, **kw)

    def fresh(self, **attrs):
        """Put {pk: <new key>, **attrs}; returns (key, item)."""
        pk = unique("k")
        item = dict(attrs, pk=S(pk))
        self.put(item)
        return {"pk": S(pk)}, item

    def item_at(self, key, table=None):
        return self.get(table or self.table, key, ConsistentRead=True)

    # -- basic CRUD ----------------------------------------------------------

    def test_put_get_delete(self):
        key, item = self.fresh(a=S("x"), n=N("3"), b={"B": b"\x01\x02"},
                               t={"BOOL": False}, z={"NULL": True},
                               l={"L": [S("a"), N("1"), {"M": {}}]},
                               m={"M": {"in": {"NS": ["2", "1"]}}},
                               ss={"SS": ["b", "a"]},
                               bs={"BS": [b"\x00", b"\x01"]},
                               empty=S(""))
        self.assertEqual(norm(self.item_at(key)), norm(item))
        r = self.ddb.get_item(TableName=self.table, Key={"pk": S("nope")})
        self.assertNotIn("Item", r)
        r = self.ddb.delete_item(TableName=self.table, Key=key)
        self.assertNotIn("Attributes", r)
        self.assertIsNone(self.item_at(key))
        # deleting what is not there is not an error
        self.ddb.delete_item(TableName=self.table, Key=key)

    def test_put_replaces_the_whole_item(self):
        key, _ = self.fresh(a=S("1"), b=S("2"))
        self.put({"pk": key["pk"], "c": S("3")})
        self.assertEqual(self.item_at(key), {"pk": key["pk"], "c": S("3")})

    def test_update_creates_a_missing_item(self):
        key = {"pk": S(unique("up"))}
        r = self.ddb.update_item(TableName=self.table, Key=key,
                                 UpdateExpression="SET a = :a",
                                 ExpressionAttributeValues={":a": N(1)},
                                 ReturnValues="ALL_NEW")
        self.assertEqual(r["Attributes"], {"pk": key["pk"], "a": N(1)})

    def test_key_must_match_the_schema(self):
        cases = [
            ("missing key in item", self.lax.put_item,
             dict(TableName=self.table, Item={"other": S("x")})),
            ("key of the wrong type", self.lax.put_item,
             dict(TableName=self.table, Item={"pk": N(1)})),
            ("empty string key", self.lax.put_item,
             dict(TableName=self.table, Item={"pk": S("")})),
            ("get with a non-key attribute", self.lax.get_item,
             dict(TableName=self.table, Key={"pk": S("x"), "a": S("y")})),
            ("get without the sort key", self.lax.get_item,
             dict(TableName=self.ranged, Key={"pk": S("x")})),
            ("get with the wrong key name", self.lax.get_item,
             dict(TableName=self.table, Key={"id": S("x")})),
            ("empty string set", self.lax.put_item,
             dict(TableName=self.table,
                  Item={"pk": S("x"), "s": {"SS": []}})),
            ("duplicate set members", self.lax.put_item,
             dict(TableName=self.table,
                  Item={"pk": S("x"), "s": {"SS": ["a", "a"]}})),
            ("two types in one value", self.lax.put_item,
             dict(TableName=self.table,
                  Item={"pk": S("x"), "v": {"S": "a", "N": "1"}})),
            ("no type at all", self.lax.put_item,
             dict(TableName=self.table, Item={"pk": S("x"), "v": {}})),
        ]
        for what, fn, kw in cases:
            with self.subTest(what):
                self.expect_validation(fn, **kw)
        self.assertIsNone(self.item_at({"pk": S("x")}))

    def test_item_size_limit(self):
        pk = unique("big")
        self.expect_validation(
            self.put, {"pk": S(pk), "v": S("x" * (400 * 1024 + 1))},
            contains="Item size has exceeded the maximum allowed size")
        self.assertIsNone(self.item_at({"pk": S(pk)}))
        # just under 400 KB (names and values count) is fine
        self.put({"pk": S(pk), "v": S("x" * (399 * 1024))})
        self.assertEqual(len(self.item_at({"pk": S(pk)})["v"]["S"]),
                         399 * 1024)

    # -- conditions ----------------------------------------------------------

    def test_attribute_not_exists_on_an_existing_item(self):
        key, item = self.fresh(v=S("old"))
        e = self.expect_error(
            CCF, self.put, {"pk": key["pk"], "v": S("new")},
            ConditionExpression="attribute_not_exists(pk)")
        self.assertEqual(e.response["Error"]["Message"], CCF_MESSAGE)
        self.assertEqual(self.item_at(key), item)
        # on a new key the same put succeeds
        key2 = {"pk": S(unique("new"))}
        self.put({"pk": key2["pk"], "v": S("new")},
                 ConditionExpression="attribute_not_exists(pk)")
        self.assertEqual(self.item_at(key2)["v"], S("new"))

    def test_condition_failure_can_return_the_old_item(self):
        # ReturnValuesOnConditionCheckFailure is newer than some botocore
        # releases (it would be dropped silently): spoken on the wire.
        key, item = self.fresh(v=S("old"), n=N(1))
        r = self.wire("PutItem", {
            "TableName": self.table, "Item": {"pk": key["pk"]},
            "ConditionExpression": "attribute_not_exists(pk)",
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
        j = self.assert_wire_error(r, CCF, CCF_MESSAGE)
        self.assertEqual(j.get("Item"), item)
        r = self.wire("UpdateItem", {
            "TableName": self.table, "Key": key,
            "UpdateExpression": "SET v = :v",
            "ConditionExpression": "n = :two",
            "ExpressionAttributeValues": {":v": S("x"), ":two": N(2)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
        j = self.assert_wire_error(r, CCF, CCF_MESSAGE)
        self.assertEqual(j.get("Item"), item)
        # without it, no Item
        r = self.wire("DeleteItem", {
            "TableName": self.table, "Key": key,
            "ConditionExpression": "attribute_not_exists(pk)"})
        j = self.assert_wire_error(r, CCF, CCF_MESSAGE)
        self.assertNotIn("Item", j)
        self.assertEqual(self.item_at(key), item)

    def test_conditions_on_update_and_delete(self):
        key, item = self.fresh(n=N(5), s=S("abc"), l={"L": [N(1), N(2)]})
        ok = [
            "n = :five", "n > :four AND n < :six", "n BETWEEN :four AND :six",
            "n IN (:four, :five)", "begins_with(s, :ab)", "contains(s, :b)",
            "attribute_exists(l[1])", "size(l) = :two", "size(s) = :three",
            "attribute_type(n, :ntype)", "NOT attribute_exists(nope)",
            "n <> :four OR nope = :four", "(n = :four) OR (s = :abc)",
        ]
        values = {":five": N(5), ":four": N(4), ":six": N(6), ":ab": S("ab"),
                  ":b": S("b"), ":two": N(2), ":three": N(3),
                  ":ntype": S("N"), ":abc": S("abc")}
        for cond in ok:
            with self.subTest(cond):
                used = {k: values[k] for k in re.findall(r":\w+", cond)}
                self.ddb.update_item(
                    TableName=self.table, Key=key,
                    UpdateExpression="SET touched = :t",
                    ConditionExpression=cond,
                    ExpressionAttributeValues=dict(used, **{":t": N(1)}))
        e = self.expect_error(
            CCF, self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET n = :six", ConditionExpression="n = :four",
            ExpressionAttributeValues={":six": N(6), ":four": N(4)})
        self.assertEqual(e.response["Error"]["Message"], CCF_MESSAGE)
        self.assertEqual(self.item_at(key)["n"], N(5))
        self.expect_error(
            CCF, self.ddb.delete_item, TableName=self.table, Key=key,
            ConditionExpression="attribute_not_exists(n)")
        self.assertIsNotNone(self.item_at(key))
        self.ddb.delete_item(TableName=self.table, Key=key,
                             ConditionExpression="attribute_exists(n)")
        self.assertIsNone(self.item_at(key))
        # a condition on a missing item sees no attributes
        self.expect_error(
            CCF, self.ddb.delete_item, TableName=self.table, Key=key,
            ConditionExpression="attribute_exists(pk)")

    # -- ReturnValues --------------------------------------------------------

    def test_put_and_delete_return_values(self):
        pk = S(unique("rv"))
        r = self.put({"pk": pk, "a": N(1)}, ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)
        r = self.put({"pk": pk, "b": N(2)}, ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": pk, "a": N(1)})
        r = self.put({"pk": pk, "c": N(3)}, ReturnValues="NONE")
        self.assertNotIn("Attributes", r)
        self.expect_validation(self.put, {"pk": pk},
                               ReturnValues="ALL_NEW")
        r = self.ddb.delete_item(TableName=self.table, Key={"pk": pk},
                                 ReturnValues="ALL_OLD")
        self.assertEqual(r["Attributes"], {"pk": pk, "c": N(3)})
        r = self.ddb.delete_item(TableName=self.table, Key={"pk": pk},
                                 ReturnValues="ALL_OLD")
        self.assertNotIn("Attributes", r)

    def test_update_return_values(self):
        old = dict(a=N(1), b=S("x"), c={"L": [N(1)]})
        update = dict(UpdateExpression="SET a = a + :one, d = :d REMOVE b",
                      ExpressionAttributeValues={":one": N(1), ":d": S("D")})
        expected = {
            "NONE": None,
            "ALL_OLD": dict(old),
            "UPDATED_OLD": {"a": N(1), "b": S("x")},
            "ALL_NEW": dict(a=N(2), c={"L": [N(1)]}, d=S("D")),
            "UPDATED_NEW": {"a": N(2), "d": S("D")},
        }
        for rv, want in expected.items():
            with self.subTest(rv):
                key, _ = self.fresh(**old)
                if want is not None and rv in ("ALL_OLD", "ALL_NEW"):
                    want = dict(want, pk=key["pk"])
                r = self.ddb.update_item(TableName=self.table, Key=key,
                                         ReturnValues=rv, **update)
                self.assertEqual(r.get("Attributes"), want)
                self.assertEqual(self.item_at(key), dict(
                    a=N(2), c={"L": [N(1)]}, d=S("D"), pk=key["pk"]))

    # -- update expressions --------------------------------------------------

    def test_update_expression_actions(self):
        key, _ = self.fresh(n=N(5), l={"L": [N(1)]}, ss={"SS": ["a", "b"]},
                            ns={"NS": ["1", "2", "3"]},
                            m={"M": {"x": N(1)}}, gone=S("g"),
                            keep=N(7), one={"SS": ["only"]})
        r = self.ddb.update_item(
            TableName=self.table, Key=key,
            UpdateExpression=(
                "SET n = n + :two, c = if_not_exists(c, :zero) + :one, "
                "keep = if_not_exists(keep, :zero), "
                "l = list_append(l, :more), front = list_append(:more, l), "
                "m.y = :s, #minus = n - :ten "
                "REMOVE gone, m.x "
                "ADD cnt :five, ss :newss, newset :newss "
                "DELETE ns :one_two, one :only"),
            ExpressionAttributeNames={"#minus": "minus"},
            ExpressionAttributeValues={
                ":two": N(2), ":zero": N(0), ":one": N(1),
                ":more": {"L": [S("m")]}, ":s": S("why"), ":ten": N(10),
                ":five": N(5), ":newss": {"SS": ["c", "a"]},
                ":one_two": {"NS": ["1", "2"]}, ":only": {"SS": ["only"]}},
            ReturnValues="ALL_NEW")
        want = {
            "pk": key["pk"], "n": N(7), "c": N(1), "keep": N(7),
            "l": {"L": [N(1), S("m")]}, "front": {"L": [S("m"), N(1)]},
            "m": {"M": {"y": S("why")}}, "minus": N(-5),
            "cnt": N(5), "ss": {"SS": ["a", "b", "c"]},
            "newset": {"SS": ["a", "c"]}, "ns": {"NS": ["3"]},
        }
        # "one" lost its only member: an empty set is no attribute at all
        self.assertEqual(norm(r["Attributes"]), norm(want))
        self.assertEqual(norm(self.item_at(key)), norm(want))
        # ADD to an existing number adds
        r = self.ddb.update_item(
            TableName=self.table, Key=key, UpdateExpression="ADD cnt :m",
            ExpressionAttributeValues={":m": N("-1.5")},
            ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"cnt": N("3.5")})

    def test_nested_set_and_list_index(self):
        key, _ = self.fresh(m={"M": {"a": {"M": {"b": N(1)}}}},
                            l={"L": [S("x"), S("y")]})
        self.ddb.update_item(
            TableName=self.table, Key=key,
            UpdateExpression="SET m.a.c = :v, l[1] = :v, l[5] = :w "
                             "REMOVE m.a.b",
            ExpressionAttributeValues={":v": S("v"), ":w": S("w")})
        it = self.item_at(key)
        self.assertEqual(it["m"], {"M": {"a": {"M": {"c": S("v")}}}})
        # an index past the end appends
        self.assertEqual(it["l"], {"L": [S("x"), S("v"), S("w")]})
        # a path through a missing map is an error, and changes nothing
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET nope.deeper = :v",
            ExpressionAttributeValues={":v": S("v")})
        self.assertEqual(self.item_at(key), it)

    def test_update_type_errors(self):
        key, item = self.fresh(s=S("text"), n=N(1))
        cases = [
            ("SET n = s + :one", {":one": N(1)}),
            ("ADD s :one", {":one": N(1)}),
            ("SET l = list_append(n, :l)", {":l": {"L": []}}),
            ("DELETE n :set", {":set": {"SS": ["a"]}}),
        ]
        for expr, values in cases:
            with self.subTest(expr):
                self.expect_validation(
                    self.ddb.update_item, TableName=self.table, Key=key,
                    UpdateExpression=expr, ExpressionAttributeValues=values)
        self.assertEqual(self.item_at(key), item)

    def test_updating_a_key_attribute_is_refused(self):
        key, item = self.fresh(a=N(1))
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET pk = :v",
            ExpressionAttributeValues={":v": S("other")},
            contains="This attribute is part of the key")
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="REMOVE pk",
            contains="This attribute is part of the key")
        rk = {"pk": S(unique("r")), "sk": N(1)}
        self.ddb.put_item(TableName=self.ranged, Item=rk)
        self.expect_validation(
            self.ddb.update_item, TableName=self.ranged, Key=rk,
            UpdateExpression="ADD sk :one",
            ExpressionAttributeValues={":one": N(1)},
            contains="This attribute is part of the key")
        self.assertEqual(self.item_at(key), item)
        self.assertEqual(self.item_at(rk, self.ranged), rk)

    # -- projections, names, values ------------------------------------------

    def test_projection_expression(self):
        key, _ = self.fresh(
            name=S("n"), oth=N(1),
            m={"M": {"inr": {"M": {"x": N(1), "y": N(2)}}, "z": N(3)}},
            l={"L": [S("a"), S("b"), S("c")]},
            **{"dotted.name": S("d")})
        r = self.ddb.get_item(
            TableName=self.table, Key=key,
            ProjectionExpression="m.inr.x, l[1], #n, #d, absent",
            ExpressionAttributeNames={"#n": "name", "#d": "dotted.name"})
        self.assertEqual(r["Item"], {
            "m": {"M": {"inr": {"M": {"x": N(1)}}}},
            "l": {"L": [S("b")]},
            "name": S("n"),
            "dotted.name": S("d")})
        # the same projection on query and scan
        r = self.ddb.scan(TableName=self.table,
                          FilterExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": key["pk"]},
                          ProjectionExpression="l[2], oth")
        self.assertEqual(r["Items"], [{"l": {"L": [S("c")]}, "oth": N(1)}])

    def test_reserved_words_need_a_placeholder(self):
        key, _ = self.fresh(name=S("n"), status=S("s"))
        for expr in ("name", "pk, status", "#n, size"):
            with self.subTest(expr):
                kw = {}
                if "#n" in expr:
                    kw["ExpressionAttributeNames"] = {"#n": "name"}
                self.expect_validation(
                    self.ddb.get_item, TableName=self.table, Key=key,
                    ProjectionExpression=expr, contains="reserved keyword",
                    **kw)
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET status = :v",
            ExpressionAttributeValues={":v": S("x")},
            contains="reserved keyword")

    def test_unused_and_undefined_names_and_values(self):
        key, item = self.fresh(a=N(1))
        e = self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": N(2), ":x": N(3)})
        self.assertEqual(
            e.response["Error"]["Message"],
            "Value provided in ExpressionAttributeValues unused in "
            "expressions: keys: {:x}")
        e = self.expect_validation(
            self.ddb.get_item, TableName=self.table, Key=key,
            ProjectionExpression="a",
            ExpressionAttributeNames={"#x": "x"})
        self.assertEqual(
            e.response["Error"]["Message"],
            "Value provided in ExpressionAttributeNames unused in "
            "expressions: keys: {#x}")
        e = self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET a = :nope",
            ExpressionAttributeValues={":other": N(1)})
        e = self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET a = :nope",
            contains="attribute value")
        self.expect_validation(
            self.ddb.get_item, TableName=self.table, Key=key,
            ProjectionExpression="#nope",
            contains="An expression attribute name used in the document "
                     "path is not defined")
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET a = :a",
            ConditionExpression="a = = :a",
            ExpressionAttributeValues={":a": N(1)},
            contains="Invalid ConditionExpression")
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=key,
            UpdateExpression="SET a = :a SET b = :a",
            ExpressionAttributeValues={":a": N(1)},
            contains="Invalid UpdateExpression")
        self.assertEqual(self.item_at(key), item)

    # -- concurrency ---------------------------------------------------------

    def run_threads(self, n, fn):
        """fn(client) in n threads, each with its own client; the list of
        what each returned (or the exception it raised)."""
        results = [None] * n
        clients = [make_client(self.srv) for _ in range(n)]

        def run(i):
            try:
                results[i] = fn(clients[i])
            except Exception as e:          # reported by the caller
                results[i] = e
        threads = [threading.Thread(target=run, args=(i,), daemon=True)
                   for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
            self.assertFalse(t.is_alive(), "a thread did not finish in 30 s")
        return results

    def test_concurrent_add_loses_no_increment(self):
        key = {"pk": S(unique("ctr"))}

        def bump(c):
            for _ in range(25):
                c.update_item(TableName=self.table, Key=key,
                              UpdateExpression="ADD n :one",
                              ExpressionAttributeValues={":one": N(1)})
        results = self.run_threads(4, bump)
        self.assertEqual(results, [None] * 4)
        self.assertEqual(self.item_at(key)["n"], N(100))

    def test_concurrent_conditional_puts_let_exactly_one_win(self):
        pk = S(unique("race"))

        def claim(c):
            c.put_item(TableName=self.table, Item={"pk": pk, "by": S(
                       str(threading.get_ident()))},
                       ConditionExpression="attribute_not_exists(pk)")
            return "won"
        results = self.run_threads(8, claim)
        won = [r for r in results if r == "won"]
        lost = [r for r in results if isinstance(r, ClientError)
                and r.response["Error"]["Code"] == CCF]
        self.assertEqual((len(won), len(lost)), (1, 7), results)

    # -- capacity ------------------------------------------------------------

    def test_return_consumed_capacity_total(self):
        pk = S(unique("cap"))
        r = self.put({"pk": pk, "v": S("small")},
                     ReturnConsumedCapacity="TOTAL")
        cc = r["ConsumedCapacity"]
        self.assertEqual(cc["TableName"], self.table)
        self.assertGreater(cc["CapacityUnits"], 0)
        r = self.ddb.get_item(TableName=self.table, Key={"pk": pk},
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["TableName"], self.table)
        self.assertGreater(r["ConsumedCapacity"]["CapacityUnits"], 0)
        r = self.ddb.get_item(TableName=self.table, Key={"pk": pk})
        self.assertNotIn("ConsumedCapacity", r)

    def test_consumed_capacity_units_are_dynamodbs(self):
        # under 1 KB written: 1 WCU; under 4 KB read: 0.5 RCU eventually
        # consistent, 1 RCU strongly consistent; a 5 KB write: 5 WCU
        pk = S(unique("cap"))
        r = self.put({"pk": pk, "v": S("small")},
                     ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        r = self.ddb.get_item(TableName=self.table, Key={"pk": pk},
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 0.5)
        r = self.ddb.get_item(TableName=self.table, Key={"pk": pk},
                              ConsistentRead=True,
                              ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 1.0)
        r = self.put({"pk": pk, "v": S("x" * 4500)},
                     ReturnConsumedCapacity="TOTAL")
        self.assertEqual(r["ConsumedCapacity"]["CapacityUnits"], 5.0)


class DdbFidelityRoundTwoTest(DdbTestCase):
    """UpdateItem with only REMOVE creates no item; ReturnConsumedCapacity
    and ReturnItemCollectionMetrics are enums, as DynamoDB checks them."""

    def call(self, op, body):
        return self.wire(op, dict(body, TableName="ItemsTable"))

    def test_remove_only_update_of_a_missing_item_creates_nothing(self):
        key = {"id": {"S": unique("rm")}}
        r = self.call("UpdateItem", {"Key": key, "UpdateExpression": "REMOVE a",
                                     "ReturnValues": "ALL_NEW"})
        self.assertEqual((r.status, r.json()), (200, {}), r)
        r = self.call("GetItem", {"Key": key, "ConsistentRead": True})
        self.assertEqual((r.status, r.json()), (200, {}), r)
        # a SET beside it still creates the item
        r = self.call("UpdateItem", {
            "Key": key, "UpdateExpression": "SET b = :v REMOVE a",
            "ExpressionAttributeValues": {":v": {"S": "x"}}})
        self.assertEqual(r.status, 200, r)
        r = self.call("GetItem", {"Key": key, "ConsistentRead": True})
        self.assertEqual(r.json(), {"Item": dict(key, b={"S": "x"})})

    def test_return_consumed_capacity_outside_its_enum(self):
        key = {"id": {"S": unique("rcc")}}
        r = self.call("PutItem", {"Item": key,
                                  "ReturnConsumedCapacity": "BOGUS"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json(), {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "1 validation error detected: Value 'BOGUS' at "
            "'returnConsumedCapacity' failed to satisfy constraint: Member "
            "must satisfy enum value set: [INDEXES, TOTAL, NONE]"})
        r = self.call("GetItem", {"Key": key, "ConsistentRead": True})
        self.assertEqual(r.json(), {})

    def test_return_item_collection_metrics_outside_its_enum(self):
        r = self.call("PutItem", {"Item": {"id": {"S": unique("ricm")}},
                                  "ReturnItemCollectionMetrics": "ALL"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["message"],
                         "1 validation error detected: Value 'ALL' at "
                         "'returnItemCollectionMetrics' failed to satisfy "
                         "constraint: Member must satisfy enum value set: "
                         "[SIZE, NONE]")
