"""Requests DynamoDB refuses with a ValidationException before it reads or
writes anything (issue 12, finding 11): a table name over 255 characters,
Select against the projection, a WriteRequest with both a PutRequest and a
DeleteRequest. Each is checked on the wire, status and message exact."""

from ddb_client import DdbTestCase, requires_boto3, S


@requires_boto3
class DdbRefusalsTest(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.t = "refusals-tbl"
            cls.ddb.create_table(
                TableName=cls.t,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "g", "AttributeType": "S"}],
                GlobalSecondaryIndexes=[
                    {"IndexName": "byg",
                     "KeySchema": [{"AttributeName": "g",
                                    "KeyType": "HASH"}],
                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                BillingMode="PAY_PER_REQUEST")
            cls.ddb.put_item(TableName=cls.t,
                             Item={"pk": S("a"), "g": S("x"), "v": S("1")})
        except Exception:
            cls.tearDownClass()
            raise

    def test_table_name_over_255_characters_is_validation_not_not_found(self):
        name = "t" * 256
        msg = ("1 validation error detected: Value '%s' at 'tableName' "
               "failed to satisfy constraint: Member must have length less "
               "than or equal to 255" % name)
        cases = [
            ("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}),
            ("PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}}}),
            ("DeleteItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}),
            ("UpdateItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}),
            ("Query", {"TableName": name,
                       "KeyConditionExpression": "pk = :p",
                       "ExpressionAttributeValues": {":p": {"S": "a"}}}),
            ("Scan", {"TableName": name}),
            ("DescribeTable", {"TableName": name}),
            ("DeleteTable", {"TableName": name}),
        ]
        for op, body in cases:
            with self.subTest(op=op):
                r = self.wire(op, body)
                self.assert_wire_error(r, "ValidationException", msg)
        # 255 characters is a name like any other: not found
        r = self.wire("DescribeTable", {"TableName": "t" * 255})
        self.assert_wire_error(r, "ResourceNotFoundException")

    def test_select_must_agree_with_the_projection(self):
        q = {"KeyConditionExpression": "pk = :p",
             "ExpressionAttributeValues": {":p": {"S": "a"}}}
        cases = [
            ({"Select": "SPECIFIC_ATTRIBUTES"},
             "Must specify the AttributesToGet or ProjectionExpression when "
             "choosing to get SPECIFIC_ATTRIBUTES"),
            ({"Select": "ALL_ATTRIBUTES", "ProjectionExpression": "v"},
             "Cannot specify the ProjectionExpression when choosing to get "
             "ALL_ATTRIBUTES"),
            ({"Select": "ALL_PROJECTED_ATTRIBUTES"},
             "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using "
             "an IndexName"),
            ({"Select": "SOME"},
             "1 validation error detected: Value 'SOME' at 'select' failed "
             "to satisfy constraint: Member must satisfy enum value set: "
             "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
             "ALL_PROJECTED_ATTRIBUTES]"),
        ]
        for op in ("Query", "Scan"):
            for extra, msg in cases:
                with self.subTest(op=op, **extra):
                    body = {"TableName": self.t}
                    if op == "Query":
                        body.update(q)
                    body.update(extra)
                    r = self.wire(op, body)
                    self.assert_wire_error(r, "ValidationException", msg)
        r = self.wire("Scan", {"TableName": self.t, "IndexName": "byg",
                               "Select": "ALL_ATTRIBUTES"})
        self.assert_wire_error(
            r, "ValidationException",
            "One or more parameter values were invalid: Select type "
            "ALL_ATTRIBUTES is not supported for global secondary index byg "
            "because its projection type is not ALL")
        # what agrees is answered
        for extra in ({"Select": "SPECIFIC_ATTRIBUTES",
                       "ProjectionExpression": "v"},
                      {"Select": "ALL_ATTRIBUTES"}):
            with self.subTest(ok=extra):
                r = self.wire("Scan", dict({"TableName": self.t}, **extra))
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json()["Count"], 1)
        r = self.wire("Scan", {"TableName": self.t, "IndexName": "byg",
                               "Select": "ALL_PROJECTED_ATTRIBUTES"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Items"],
                         [{"pk": {"S": "a"}, "g": {"S": "x"}}])

    def test_write_request_with_put_and_delete_is_refused(self):
        msg = ("Supplied AttributeValue has more than one datatypes set, "
               "must contain exactly one of the supported datatypes")
        for req in (
                {"PutRequest": {"Item": {"pk": {"S": "both"}}},
                 "DeleteRequest": {"Key": {"pk": {"S": "a"}}}},
                {}):
            with self.subTest(req=req):
                r = self.wire("BatchWriteItem", {"RequestItems": {self.t: [
                    {"PutRequest": {"Item": {"pk": {"S": "first"}}}}, req]}})
                self.assert_wire_error(r, "ValidationException", msg)
        # nothing written, nothing deleted
        self.assertIsNone(self.get(self.t, {"pk": S("both")}))
        self.assertIsNone(self.get(self.t, {"pk": S("first")}))
        self.assertIsNotNone(self.get(self.t, {"pk": S("a")}))
