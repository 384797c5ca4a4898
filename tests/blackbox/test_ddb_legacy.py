"""DynamoDB's legacy parameters, as the developer guide's "Legacy
conditional parameters" and the API reference describe them: Expected
(Value / Exists / ComparisonOperator + AttributeValueList) and
ConditionalOperator on PutItem / UpdateItem / DeleteItem, AttributeUpdates
on UpdateItem, KeyConditions and QueryFilter on Query, ScanFilter on Scan,
AttributesToGet on GetItem / BatchGetItem / Query / Scan; their checks and
messages, and an unknown operation's answer."""

from ddb_client import DdbTestCase, requires_boto3, unique, S, N

INVALID = "One or more parameter values were invalid: "
CCF = "ConditionalCheckFailedException"

# The item every operator case runs against (the guide's examples: a string,
# a number, sets, a list, a binary value).
ITEM = {"pk": S("x"), "s": S("hello world"), "n": N("5"),
        "ss": {"SS": ["red", "blue"]}, "ns": {"NS": ["1", "2", "3"]},
        "l": {"L": [S("a"), N("1")]}, "b": {"B": "AQID"},
        "flag": {"BOOL": True}, "m": {"M": {"k": S("v")}}}

# (attribute, operator, AttributeValueList, holds?)
CASES = [
    ("n", "EQ", [N("5")], True),
    ("n", "EQ", [S("5")], False),        # "3" is not 3
    ("ns", "EQ", [{"NS": ["3", "2", "1"]}], True),
    ("ns", "EQ", [{"NS": ["1", "2"]}], False),
    # EQ and NE take every type, lists and maps included
    ("flag", "EQ", [{"BOOL": True}], True),
    ("flag", "EQ", [{"BOOL": False}], False),
    ("m", "EQ", [{"M": {"k": S("v")}}], True),
    ("l", "EQ", [{"L": [S("a"), N("1")]}], True),
    ("l", "NE", [{"L": [S("a")]}], True),
    ("missing", "EQ", [{"NULL": True}], False),
    ("n", "NE", [N("6")], True),
    ("n", "NE", [N("5")], False),
    ("missing", "NE", [N("5")], True),   # NE on a missing attribute holds
    ("n", "LE", [N("5")], True),
    ("n", "LE", [N("4")], False),
    ("n", "LT", [N("10")], True),        # numbers compare as numbers
    ("n", "LT", [N("5")], False),
    ("n", "LT", [S("9")], False),        # another type never matches
    ("s", "GE", [S("hello")], True),
    ("s", "GE", [S("i")], False),
    ("n", "GT", [N("-1")], True),
    ("n", "GT", [N("5")], False),
    ("missing", "GT", [N("0")], False),
    ("s", "NOT_NULL", [], True),
    ("missing", "NOT_NULL", [], False),
    ("missing", "NULL", [], True),
    ("s", "NULL", [], False),
    ("s", "CONTAINS", [S("lo wo")], True),   # substring of a string
    ("s", "CONTAINS", [S("xyz")], False),
    ("ss", "CONTAINS", [S("red")], True),    # member of a set
    ("ss", "CONTAINS", [S("re")], False),    # not a substring of a member
    ("ns", "CONTAINS", [N("2")], True),
    ("l", "CONTAINS", [S("a")], True),
    ("missing", "CONTAINS", [S("a")], False),
    ("ss", "NOT_CONTAINS", [S("green")], True),
    ("ss", "NOT_CONTAINS", [S("red")], False),
    ("s", "NOT_CONTAINS", [S("hello")], False),
    ("missing", "NOT_CONTAINS", [S("a")], True),  # as NOT contains()
    ("s", "BEGINS_WITH", [S("hell")], True),
    ("s", "BEGINS_WITH", [S("world")], False),
    ("b", "BEGINS_WITH", [{"B": "AQI="}], True),
    ("n", "IN", [N("1"), N("5"), N("9")], True),
    ("n", "IN", [N("1"), N("9")], False),
    ("s", "IN", [S("hello world")], True),
    ("n", "BETWEEN", [N("5"), N("10")], True),   # bounds included
    ("n", "BETWEEN", [N("1"), N("5")], True),
    ("n", "BETWEEN", [N("6"), N("10")], False),
    ("n", "BETWEEN", [N("9"), N("10")], False),  # by value, not text
    ("s", "BETWEEN", [S("a"), S("i")], True),
]

# operator -> a count of operands DynamoDB refuses for it
WRONG_COUNTS = [("EQ", 0), ("EQ", 2), ("NE", 2), ("LE", 0), ("LT", 2),
                ("GE", 0), ("GT", 2), ("NULL", 1), ("NOT_NULL", 1),
                ("CONTAINS", 2), ("NOT_CONTAINS", 0), ("BEGINS_WITH", 2),
                ("IN", 0), ("BETWEEN", 1), ("BETWEEN", 3)]


def both(non_expr, expr):
    return ("Can not use both expression and non-expression parameters in "
            "the same request: Non-expression parameters: {%s} Expression "
            "parameters: {%s}" % (non_expr, expr))


@requires_boto3
class DdbLegacyTest(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.t = unique("legacy")
            cls.ddb.create_table(
                TableName=cls.t,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk",
                                       "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
            cls.q = unique("legacyq")
            cls.ddb.create_table(
                TableName=cls.q,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pk",
                                       "AttributeType": "S"},
                                      {"AttributeName": "sk",
                                       "AttributeType": "N"}],
                BillingMode="PAY_PER_REQUEST")
            for sk in range(1, 11):
                cls.ddb.put_item(TableName=cls.q, Item={
                    "pk": S("p"), "sk": N(str(sk)), "v": N(str(sk * 10)),
                    "tag": S("even" if sk % 2 == 0 else "odd")})
        except Exception:
            cls.tearDownClass()
            raise

    def fresh_item(self, **extra):
        pk = unique("it")
        item = dict(ITEM, pk=S(pk), **extra)
        self.put_wire(item)
        return pk, item

    def put_wire(self, item):
        # on the wire: boto3 would Base64 the B value's text once more
        r = self.wire("PutItem", {"TableName": self.t, "Item": item})
        self.assertEqual(r.status, 200, r)

    def assert_invalid(self, op, body, message):
        r = self.wire(op, body)
        self.assert_wire_error(r, "ValidationException", message)

    # -- Expected: every operator on PutItem, UpdateItem, DeleteItem ---------

    def test_expected_operators_on_put_update_delete(self):
        pk, item = self.fresh_item()
        key = {"pk": S(pk)}
        for attr, op, values, holds in CASES:
            cond = {attr: {"ComparisonOperator": op}}
            if values:
                cond[attr]["AttributeValueList"] = values
            with self.subTest(op=op, attr=attr, values=values, call="put"):
                r = self.wire("PutItem", {"TableName": self.t, "Item": item,
                                          "Expected": cond})
                if holds:
                    self.assertEqual(r.status, 200, r)
                else:
                    self.assert_wire_error(
                        r, CCF, "The conditional request failed")
            with self.subTest(op=op, attr=attr, values=values, call="update"):
                r = self.wire("UpdateItem", {
                    "TableName": self.t, "Key": key, "Expected": cond,
                    "AttributeUpdates": {"hits": {"Action": "ADD",
                                                  "Value": N("1")}}})
                if holds:
                    self.assertEqual(r.status, 200, r)
                else:
                    self.assert_wire_error(r, CCF)
            # the item is put back whole so the next case sees ITEM
            self.put_wire(item)
        # DeleteItem: a failing condition keeps the item, a holding one
        # deletes it
        with self.subTest(call="delete"):
            self.expect_error(
                CCF, self.ddb.delete_item, TableName=self.t, Key=key,
                Expected={"n": {"ComparisonOperator": "GT",
                                "AttributeValueList": [N("5")]}})
            self.assertIsNotNone(self.get(self.t, key))
            self.ddb.delete_item(
                TableName=self.t, Key=key,
                Expected={"n": {"ComparisonOperator": "BETWEEN",
                                "AttributeValueList": [N("5"), N("5")]}})
            self.assertIsNone(self.get(self.t, key))

    def test_expected_value_and_exists(self):
        pk = unique("ex")
        key = {"pk": S(pk)}
        item = {"pk": S(pk), "v": N("1")}
        # Exists false: only when the attribute is absent
        self.ddb.put_item(TableName=self.t, Item=item,
                          Expected={"pk": {"Exists": False}})
        e = self.expect_error(CCF, self.ddb.put_item, TableName=self.t,
                              Item=item, Expected={"pk": {"Exists": False}})
        self.assertEqual(e.response["Error"]["Message"],
                         "The conditional request failed")
        # Value alone, and Value with Exists true: equality
        self.ddb.put_item(TableName=self.t, Item=dict(item, v=N("2")),
                          Expected={"v": {"Value": N("1")}})
        self.expect_error(CCF, self.ddb.put_item, TableName=self.t,
                          Item=item, Expected={"v": {"Value": N("1")}})
        self.ddb.put_item(TableName=self.t, Item=dict(item, v=N("3")),
                          Expected={"v": {"Value": N("2"), "Exists": True}})
        self.assertEqual(self.get(self.t, key)["v"], N("3"))
        # Value with ComparisonOperator: the one operand
        self.ddb.put_item(TableName=self.t, Item=dict(item, v=N("4")),
                          Expected={"v": {"ComparisonOperator": "LT",
                                          "Value": N("10")}})
        self.assertEqual(self.get(self.t, key)["v"], N("4"))

    def test_conditional_operator(self):
        pk, item = self.fresh_item()
        one_false = {"n": {"ComparisonOperator": "EQ",
                           "AttributeValueList": [N("5")]},
                     "s": {"ComparisonOperator": "EQ",
                           "AttributeValueList": [S("nope")]}}
        # AND (the default, and spelled out) fails on one false condition
        for extra in ({}, {"ConditionalOperator": "AND"}):
            self.expect_error(CCF, self.ddb.put_item, TableName=self.t,
                              Item=item, Expected=one_false, **extra)
        # OR holds on one true
        self.ddb.put_item(TableName=self.t, Item=item, Expected=one_false,
                          ConditionalOperator="OR")
        both_false = dict(one_false, n={"ComparisonOperator": "NULL"})
        self.expect_error(CCF, self.ddb.put_item, TableName=self.t,
                          Item=item, Expected=both_false,
                          ConditionalOperator="OR")
        self.assert_invalid("PutItem", {
            "TableName": self.t, "Item": item, "Expected": one_false,
            "ConditionalOperator": "XOR"},
            "1 validation error detected: Value 'XOR' at "
            "'conditionalOperator' failed to satisfy constraint: Member "
            "must satisfy enum value set: [AND, OR]")

    def test_expected_refusals(self):
        item = {"pk": S(unique("bad"))}
        cases = [
            ({"a": {"Exists": True}},
             INVALID + "Value must be provided when Exists is true for "
             "Attribute: a"),
            ({"a": {}},
             INVALID + "Value must be provided when Exists is null for "
             "Attribute: a"),
            ({"a": {"Exists": False, "Value": N("5")}},
             INVALID + "Value cannot be used when Exists is false for "
             "Attribute: a"),
            ({"a": {"ComparisonOperator": "EQ", "Exists": True,
                    "Value": N("1")}},
             INVALID + "Exists and ComparisonOperator cannot be used "
             "together for Attribute: a"),
            ({"a": {"Value": N("1"), "AttributeValueList": [N("1")],
                    "ComparisonOperator": "EQ"}},
             INVALID + "Value and AttributeValueList cannot be used "
             "together for Attribute: a"),
            ({"a": {"AttributeValueList": [N("1")]}},
             INVALID + "AttributeValueList can only be used with a "
             "ComparisonOperator for Attribute: a"),
            ({"a": {"ComparisonOperator": "LT"}},
             INVALID + "Value or AttributeValueList must be used with "
             "ComparisonOperator: LT for Attribute: a"),
            ({"a": {"ComparisonOperator": "LT",
                    "AttributeValueList": [{"SS": ["x"]}]}},
             INVALID + "ComparisonOperator LT is not valid for SS "
             "AttributeValue type"),
            ({"a": {"ComparisonOperator": "BEGINS_WITH",
                    "AttributeValueList": [N("1")]}},
             INVALID + "ComparisonOperator BEGINS_WITH is not valid for N "
             "AttributeValue type"),
            ({"a": {"ComparisonOperator": "CONTAINS",
                    "AttributeValueList": [{"NS": ["1"]}]}},
             INVALID + "ComparisonOperator CONTAINS is not valid for NS "
             "AttributeValue type"),
            ({"a": {"ComparisonOperator": "BETWEEN",
                    "AttributeValueList": [N("5"), {"NULL": True}]}},
             INVALID + "ComparisonOperator BETWEEN is not valid for NULL "
             "AttributeValue type"),
            ({"a": {"ComparisonOperator": "GT",
                    "AttributeValueList": [{"BOOL": True}]}},
             INVALID + "ComparisonOperator GT is not valid for BOOL "
             "AttributeValue type"),
            ({"a": {"ComparisonOperator": "IN",
                    "AttributeValueList": [N("1"), S("1")]}},
             INVALID + "AttributeValues inside AttributeValueList must be "
             "of same type"),
            ({"a": {"ComparisonOperator": "BETWEEN",
                    "AttributeValueList": [N("10"), N("9")]}},
             "The BETWEEN condition was provided a range where the lower "
             "bound is greater than the upper bound"),
            ({"a": {"ComparisonOperator": "BETWEEN",
                    "AttributeValueList": [S("b"), S("a")]}},
             "The BETWEEN condition was provided a range where the lower "
             "bound is greater than the upper bound"),
            ({"a": {"ComparisonOperator": "FOO",
                    "AttributeValueList": [N("1")]}},
             "1 validation error detected: Value 'FOO' at "
             "'expected.a.member.comparisonOperator' failed to satisfy "
             "constraint: Member must satisfy enum value set: [IN, NULL, "
             "BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, "
             "BEGINS_WITH, GE, CONTAINS]"),
        ]
        for op in ("PutItem", "DeleteItem", "UpdateItem"):
            for expected, message in cases:
                body = {"TableName": self.t, "Expected": expected}
                if op == "PutItem":
                    body["Item"] = item
                else:
                    body["Key"] = item
                with self.subTest(op=op, expected=expected):
                    self.assert_invalid(op, body, message)
        self.assertIsNone(self.get(self.t, item))

    def test_wrong_operand_counts(self):
        item = {"pk": S(unique("cnt"))}
        for op, count in WRONG_COUNTS:
            cond = {"ComparisonOperator": op,
                    "AttributeValueList": [N(str(i)) for i in range(count)]}
            msg = (INVALID + "Invalid number of argument(s) for the %s "
                   "ComparisonOperator" % op)
            with self.subTest(op=op, count=count):
                self.assert_invalid("PutItem", {
                    "TableName": self.t, "Item": item,
                    "Expected": {"a": cond}}, msg)
                self.assert_invalid("Scan", {
                    "TableName": self.t, "ScanFilter": {"a": cond}}, msg)
                self.assert_invalid("Query", {
                    "TableName": self.q,
                    "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                             "AttributeValueList": [S("p")]}},
                    "QueryFilter": {"a": cond}}, msg)

    def test_mixing_is_refused(self):
        key = {"pk": S("k")}
        exp = {"a": {"Exists": False}}
        cases = [
            ("PutItem", {"Item": key, "Expected": exp,
                         "ConditionExpression": "attribute_not_exists(a)"},
             both("Expected", "ConditionExpression")),
            ("DeleteItem", {"Key": key, "Expected": exp,
                            "ConditionExpression": "attribute_not_exists(a)"},
             both("Expected", "ConditionExpression")),
            ("UpdateItem", {"Key": key,
                            "AttributeUpdates": {"a": {"Value": N("1")}},
                            "UpdateExpression": "SET a = :v",
                            "ExpressionAttributeValues": {":v": N("1")}},
             both("AttributeUpdates", "UpdateExpression")),
            ("UpdateItem", {"Key": key, "Expected": exp,
                            "UpdateExpression": "SET a = :v",
                            "ExpressionAttributeValues": {":v": N("1")}},
             both("Expected", "UpdateExpression")),
            ("GetItem", {"Key": key, "AttributesToGet": ["a"],
                         "ProjectionExpression": "a"},
             both("AttributesToGet", "ProjectionExpression")),
            ("Scan", {"ScanFilter": {"a": {"ComparisonOperator": "NULL"}},
                      "FilterExpression": "attribute_exists(a)"},
             both("ScanFilter", "FilterExpression")),
            ("Scan", {"AttributesToGet": ["a"], "FilterExpression":
                      "attribute_exists(a)"},
             both("AttributesToGet", "FilterExpression")),
            ("Scan", {"ConditionalOperator": "OR",
                      "FilterExpression": "attribute_exists(a)"},
             both("ConditionalOperator", "FilterExpression")),
        ]
        for op, body, message in cases:
            with self.subTest(op=op, body=body):
                self.assert_invalid(op, dict(body, TableName=self.t), message)
        self.assert_invalid("Query", {
            "TableName": self.q,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": S("p")},
            "QueryFilter": {"v": {"ComparisonOperator": "NOT_NULL"}}},
            both("QueryFilter", "KeyConditionExpression"))
        self.assert_invalid("Query", {
            "TableName": self.q,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": S("p")},
            "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                     "AttributeValueList": [S("p")]}}},
            both("KeyConditions", "KeyConditionExpression"))
        # names or values with legacy parameters and no expression
        self.assert_invalid("GetItem", {
            "TableName": self.t, "Key": key, "AttributesToGet": ["a"],
            "ExpressionAttributeNames": {"#a": "a"}},
            "ExpressionAttributeNames can only be specified when using "
            "expressions")
        self.assert_invalid("PutItem", {
            "TableName": self.t, "Item": key, "Expected": exp,
            "ExpressionAttributeValues": {":a": N("1")}},
            "ExpressionAttributeValues can only be specified when using "
            "expressions: ConditionExpression is null")

    # -- AttributeUpdates ----------------------------------------------------

    def test_attribute_updates_actions(self):
        pk = unique("au")
        key = {"pk": S(pk)}
        r = self.ddb.update_item(
            TableName=self.t, Key=key, ReturnValues="ALL_NEW",
            AttributeUpdates={
                "name": {"Action": "PUT", "Value": S("ann")},
                "plain": {"Value": S("put is the default")},
                "count": {"Action": "ADD", "Value": N("3")},
                "tags": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
                "log": {"Action": "ADD", "Value": {"L": [S("one")]}}})
        self.assertEqual(r["Attributes"], {
            "pk": S(pk), "name": S("ann"), "plain": S("put is the default"),
            "count": N("3"), "tags": {"SS": ["a", "b"]},
            "log": {"L": [S("one")]}})
        self.ddb.update_item(
            TableName=self.t, Key=key,
            AttributeUpdates={
                "name": {"Action": "DELETE"},
                "count": {"Action": "ADD", "Value": N("-1")},
                "tags": {"Action": "DELETE", "Value": {"SS": ["a", "zz"]}},
                "log": {"Action": "ADD", "Value": {"L": [S("two")]}},
                "gone": {"Action": "DELETE"}})
        got = self.get(self.t, key, ConsistentRead=True)
        self.assertEqual(got, {
            "pk": S(pk), "plain": S("put is the default"), "count": N("2"),
            "tags": {"SS": ["b"]}, "log": {"L": [S("one"), S("two")]}})
        # the last member of a set deleted removes the attribute
        self.ddb.update_item(TableName=self.t, Key=key, AttributeUpdates={
            "tags": {"Action": "DELETE", "Value": {"SS": ["b"]}}})
        self.assertNotIn("tags", self.get(self.t, key))

    def test_attribute_updates_with_expected_and_empty(self):
        pk = unique("au2")
        key = {"pk": S(pk)}
        self.ddb.update_item(
            TableName=self.t, Key=key,
            Expected={"v": {"ComparisonOperator": "NULL"}},
            AttributeUpdates={"v": {"Value": N("1")}})
        self.expect_error(
            CCF, self.ddb.update_item, TableName=self.t, Key=key,
            Expected={"v": {"ComparisonOperator": "NULL"}},
            AttributeUpdates={"v": {"Value": N("2")}})
        self.assertEqual(self.get(self.t, key)["v"], N("1"))
        # an empty AttributeUpdates changes nothing and creates the item
        # as an UpdateItem without updates does
        pk2 = unique("au3")
        r = self.wire("UpdateItem", {"TableName": self.t,
                                     "Key": {"pk": S(pk2)},
                                     "AttributeUpdates": {}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.get(self.t, {"pk": S(pk2)}), {"pk": S(pk2)})

    def test_attribute_updates_refusals(self):
        key = {"pk": S(unique("aub"))}
        cases = [
            ({"a": {"Action": "PUT"}},
             INVALID + "Only DELETE action is allowed when no attribute "
             "value is specified"),
            ({"a": {"Action": "ADD"}},
             INVALID + "Only DELETE action is allowed when no attribute "
             "value is specified"),
            ({"a": {"Action": "DELETE", "Value": S("x")}},
             INVALID + "DELETE action with value is not supported for the "
             "type S"),
            ({"a": {"Action": "ADD", "Value": S("x")}},
             INVALID + "ADD action is not supported for the type S"),
            ({"a": {"Action": "MERGE", "Value": S("x")}},
             "1 validation error detected: Value 'MERGE' at "
             "'attributeUpdates.a.member.action' failed to satisfy "
             "constraint: Member must satisfy enum value set: [ADD, PUT, "
             "DELETE]"),
        ]
        # the key cannot be updated, as in the expression form
        self.assert_invalid("UpdateItem", {
            "TableName": self.t, "Key": key,
            "AttributeUpdates": {"pk": {"Value": S("other")}}},
            INVALID + "Cannot update attribute pk. This attribute is part "
            "of the key")
        for updates, message in cases:
            with self.subTest(updates=updates):
                self.assert_invalid("UpdateItem", {
                    "TableName": self.t, "Key": key,
                    "AttributeUpdates": updates}, message)
        self.assertIsNone(self.get(self.t, key))

    # -- AttributesToGet -----------------------------------------------------

    def test_attributes_to_get(self):
        pk, item = self.fresh_item()
        key = {"pk": S(pk)}
        got = self.ddb.get_item(TableName=self.t, Key=key,
                                AttributesToGet=["n", "s", "nothere"])
        self.assertEqual(got["Item"], {"n": N("5"), "s": S("hello world")})
        # reserved words need no placeholder in AttributesToGet
        self.put_wire(dict(item, size=N("9"), **{"a.b": S("dot")}))
        got = self.ddb.get_item(TableName=self.t, Key=key,
                                AttributesToGet=["size", "a.b"])
        self.assertEqual(got["Item"], {"size": N("9"), "a.b": S("dot")})
        r = self.ddb.batch_get_item(RequestItems={
            self.t: {"Keys": [key], "AttributesToGet": ["pk", "ss"]}})
        self.assertEqual(r["Responses"][self.t],
                         [{"pk": S(pk), "ss": {"SS": ["red", "blue"]}}])
        r = self.ddb.scan(TableName=self.t, AttributesToGet=["pk", "n"],
                          ScanFilter={"pk": {"ComparisonOperator": "EQ",
                                             "AttributeValueList": [S(pk)]}})
        self.assertEqual(r["Items"], [{"pk": S(pk), "n": N("5")}])
        r = self.ddb.query(
            TableName=self.q, AttributesToGet=["sk"],
            KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                  "AttributeValueList": [S("p")]},
                           "sk": {"ComparisonOperator": "LE",
                                  "AttributeValueList": [N("2")]}})
        self.assertEqual(r["Items"], [{"sk": N("1")}, {"sk": N("2")}])
        r = self.ddb.query(
            TableName=self.q, AttributesToGet=["sk"],
            Select="SPECIFIC_ATTRIBUTES",
            KeyConditions={"pk": {"ComparisonOperator": "EQ",
                                  "AttributeValueList": [S("p")]}})
        self.assertEqual(r["Count"], 10)

    def test_attributes_to_get_refusals(self):
        key = {"pk": S("k")}
        for op, body in (("GetItem", {"Key": key}), ("Scan", {}),
                         ("Query", {"KeyConditions": {"pk": {
                             "ComparisonOperator": "EQ",
                             "AttributeValueList": [S("p")]}}})):
            table = self.q if op == "Query" else self.t
            with self.subTest(op=op):
                self.assert_invalid(op, dict(
                    body, TableName=table, AttributesToGet=["x", "y", "x"]),
                    INVALID + "Duplicate value in attribute name: x")
                self.assert_invalid(op, dict(
                    body, TableName=table, AttributesToGet=[]),
                    "1 validation error detected: Value '[]' at "
                    "'attributesToGet' failed to satisfy constraint: Member "
                    "must have length greater than or equal to 1")
        for select in ("ALL_ATTRIBUTES", "COUNT"):
            with self.subTest(select=select):
                self.assert_invalid("Scan", {
                    "TableName": self.t, "AttributesToGet": ["a"],
                    "Select": select},
                    "Cannot specify the AttributesToGet when choosing to "
                    "get %s" % select)
        self.assert_invalid("BatchGetItem", {"RequestItems": {self.t: {
            "Keys": [key], "AttributesToGet": ["x", "x"]}}},
            INVALID + "Duplicate value in attribute name: x")

    # -- ScanFilter, QueryFilter, KeyConditions -----------------------------

    def test_scan_filter_every_operator(self):
        pk, _ = self.fresh_item()
        mine = {"pk": {"ComparisonOperator": "EQ",
                       "AttributeValueList": [S(pk)]}}
        for attr, op, values, holds in CASES:
            cond = {"ComparisonOperator": op}
            if values:
                cond["AttributeValueList"] = values
            with self.subTest(op=op, attr=attr, values=values):
                r = self.wire("Scan", {"TableName": self.t,
                                       "ScanFilter": dict(mine,
                                                          **{attr: cond})})
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["Count"], 1 if holds else 0, r)

    def test_scan_filter_conditional_operator(self):
        r = self.ddb.scan(
            TableName=self.q, ConditionalOperator="OR",
            ScanFilter={"sk": {"ComparisonOperator": "LT",
                               "AttributeValueList": [N("3")]},
                        "v": {"ComparisonOperator": "GE",
                              "AttributeValueList": [N("90")]}})
        self.assertEqual(sorted(int(i["sk"]["N"]) for i in r["Items"]),
                         [1, 2, 9, 10])
        self.assertEqual(r["ScannedCount"], 10)

    def test_key_conditions_and_query_filter(self):
        eq = {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]}
        for sk_cond, want in (
                (None, list(range(1, 11))),
                ({"ComparisonOperator": "EQ",
                  "AttributeValueList": [N("4")]}, [4]),
                ({"ComparisonOperator": "LT",
                  "AttributeValueList": [N("3")]}, [1, 2]),
                ({"ComparisonOperator": "LE",
                  "AttributeValueList": [N("3")]}, [1, 2, 3]),
                ({"ComparisonOperator": "GT",
                  "AttributeValueList": [N("8")]}, [9, 10]),
                ({"ComparisonOperator": "GE",
                  "AttributeValueList": [N("8")]}, [8, 9, 10]),
                ({"ComparisonOperator": "BETWEEN",
                  "AttributeValueList": [N("3"), N("5")]}, [3, 4, 5])):
            kc = {"pk": eq}
            if sk_cond:
                kc["sk"] = sk_cond
            with self.subTest(sk=sk_cond):
                r = self.ddb.query(TableName=self.q, KeyConditions=kc)
                self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]],
                                 want)
        r = self.ddb.query(
            TableName=self.q, KeyConditions={"pk": eq},
            QueryFilter={"tag": {"ComparisonOperator": "EQ",
                                 "AttributeValueList": [S("even")]},
                         "v": {"ComparisonOperator": "GT",
                               "AttributeValueList": [N("50")]}})
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]],
                         [6, 8, 10])
        self.assertEqual(r["ScannedCount"], 10)
        r = self.ddb.query(
            TableName=self.q, KeyConditions={"pk": eq},
            ConditionalOperator="OR",
            QueryFilter={"tag": {"ComparisonOperator": "EQ",
                                 "AttributeValueList": [S("even")]},
                         "v": {"ComparisonOperator": "LT",
                               "AttributeValueList": [N("20")]}})
        self.assertEqual([int(i["sk"]["N"]) for i in r["Items"]],
                         [1, 2, 4, 6, 8, 10])
        # KeyConditions with a FilterExpression: DynamoDB accepts the pair
        r = self.wire("Query", {
            "TableName": self.q, "KeyConditions": {"pk": eq},
            "FilterExpression": "v > :v",
            "ExpressionAttributeValues": {":v": N("80")}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([int(i["sk"]["N"]) for i in r.json()["Items"]],
                         [9, 10])

    def test_key_conditions_begins_with_and_refusals(self):
        t = unique("legacys")
        self.create_table(t, pk=("pk", "S"), sk=("sk", "S"))
        for sk in ("apple", "apricot", "banana"):
            self.ddb.put_item(TableName=t, Item={"pk": S("p"), "sk": S(sk)})
        eq = {"ComparisonOperator": "EQ", "AttributeValueList": [S("p")]}
        r = self.ddb.query(TableName=t, KeyConditions={
            "pk": eq, "sk": {"ComparisonOperator": "BEGINS_WITH",
                             "AttributeValueList": [S("ap")]}})
        self.assertEqual([i["sk"]["S"] for i in r["Items"]],
                         ["apple", "apricot"])
        for op, values in (("NE", [S("a")]), ("CONTAINS", [S("a")]),
                           ("NOT_NULL", []), ("IN", [S("a")])):
            cond = {"ComparisonOperator": op}
            if values:
                cond["AttributeValueList"] = values
            with self.subTest(op=op):
                self.assert_invalid("Query", {
                    "TableName": t,
                    "KeyConditions": {"pk": eq, "sk": cond}},
                    "Attempted conditional constraint is not an indexable "
                    "operation")
        self.assert_invalid("Scan", {
            "TableName": t, "ScanFilter": {"a": {"AttributeValueList":
                                                 [S("x")]}}},
            "1 validation error detected: Value null at "
            "'scanFilter.a.member.comparisonOperator' failed to satisfy "
            "constraint: Member must not be null")

    # -- boto3's resource layer and an unknown operation --------------------

    def test_boto3_resource_legacy_calls(self):
        from ddb_client import make_resource
        table = make_resource(self.srv).Table(self.t)
        pk = unique("res")
        table.put_item(Item={"pk": pk, "n": 1},
                       Expected={"pk": {"Exists": False}})
        table.update_item(Key={"pk": pk},
                          AttributeUpdates={"n": {"Action": "ADD",
                                                  "Value": 41}})
        got = table.get_item(Key={"pk": pk}, AttributesToGet=["n"])
        self.assertEqual(got["Item"], {"n": 42})
        r = table.scan(ScanFilter={"pk": {"ComparisonOperator": "EQ",
                                          "AttributeValueList": [pk]},
                                   "n": {"ComparisonOperator": "GE",
                                         "AttributeValueList": [42]}})
        self.assertEqual(r["Items"], [{"pk": pk, "n": 42}])
        table.delete_item(Key={"pk": pk}, Expected={"n": {"Value": 42}})
        self.assertNotIn("Item", table.get_item(Key={"pk": pk}))

    def test_transact_write_items_has_no_legacy_parameters(self):
        r = self.wire("TransactWriteItems", {"TransactItems": [{"Put": {
            "TableName": self.t, "Item": {"pk": S(unique("tx"))},
            "Expected": {"pk": {"Exists": False}}}}]})
        self.assert_wire_error(r, "ValidationException")

    def test_unknown_operation_names_it(self):
        r = self.wire("FrobnicateTable", {})
        j = self.assert_wire_error(
            r, "UnknownOperationException",
            "Unknown operation exception: crudd does not have the "
            "operation FrobnicateTable")
        self.assertEqual(j["__type"],
                         "com.amazon.coral.service#UnknownOperationException")
