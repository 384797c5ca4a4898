"""The AWS CLI (`aws dynamodb ... --endpoint-url`) against crudd: what a
developer types works, and its JSON output says what DynamoDB would."""

import json
import unittest

from ddb_client import (DdbTestCase, aws_bin, requires_boto3, run_aws,
                        unique, S, N)


@requires_boto3
@unittest.skipIf(aws_bin() is None, "no aws CLI installed")
class DdbCliTest(DdbTestCase):

    def aws(self, *args):
        rc, out, err = run_aws(self.srv, args)
        self.assertEqual(rc, 0, "aws %s: rc %d\n%s" % (args[0], rc, err))
        return json.loads(out) if out.strip() else None

    def test_create_put_get_query_scan(self):
        t = unique("cli")
        r = self.aws("create-table", "--table-name", t,
                     "--attribute-definitions",
                     "AttributeName=pk,AttributeType=S",
                     "AttributeName=sk,AttributeType=N",
                     "--key-schema", "AttributeName=pk,KeyType=HASH",
                     "AttributeName=sk,KeyType=RANGE",
                     "--billing-mode", "PAY_PER_REQUEST")
        self.assertEqual(r["TableDescription"]["TableName"], t)
        self.wait_table_active(t)
        for sk in (2, 10, 1):
            self.aws("put-item", "--table-name", t, "--item",
                     json.dumps({"pk": S("a"), "sk": N(sk),
                                 "price": N("19.990")}))
        r = self.aws("get-item", "--table-name", t, "--key",
                     json.dumps({"pk": S("a"), "sk": N(10)}))
        self.assertEqual(r, {"Item": {"pk": S("a"), "sk": N(10),
                                      "price": N("19.99")}})
        r = self.aws("query", "--table-name", t,
                     "--key-condition-expression", "pk = :p AND sk >= :s",
                     "--expression-attribute-values",
                     json.dumps({":p": S("a"), ":s": N(2)}))
        self.assertEqual([i["sk"]["N"] for i in r["Items"]], ["2", "10"])
        self.assertEqual(r["Count"], 2)
        r = self.aws("scan", "--table-name", t)
        self.assertEqual(r["Count"], 3)
        self.assertEqual(sorted(int(i["sk"]["N"]) for i in r["Items"]),
                         [1, 2, 10])
        r = self.aws("list-tables")
        self.assertIn(t, r["TableNames"])
        self.assertIn("ItemsTable", r["TableNames"])

    def test_conditional_failure_exits_non_zero(self):
        t = self.create_table()
        self.ddb.put_item(TableName=t, Item={"pk": S("k"), "v": N(1)})
        rc, out, err = run_aws(self.srv, [
            "put-item", "--table-name", t, "--item",
            json.dumps({"pk": S("k"), "v": N(2)}),
            "--condition-expression", "attribute_not_exists(pk)"])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("ConditionalCheckFailedException", err)
        self.assertIn("The conditional request failed", err)
        self.assertEqual(self.get(t, {"pk": S("k")})["v"], N(1))

    def test_missing_table_exits_non_zero(self):
        rc, out, err = run_aws(self.srv, ["describe-table", "--table-name",
                                          unique("nope")])
        self.assertNotEqual(rc, 0, out)
        self.assertIn("ResourceNotFoundException", err)
