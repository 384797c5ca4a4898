"""Numbers as DynamoDB keeps them: exact decimals, at most 38 significant
digits, magnitude from 1E-130 to 9.99...E+125, sent and returned as strings in
canonical form (the low-level client shows the strings)."""

from decimal import Decimal

from ddb_client import (DdbTestCase, make_resource, requires_boto3, unique,
                        S, N)

DIGITS_38 = "12345678901234567890123456789012345678"
DIGITS_39 = "123456789012345678901234567890123456789"
MAX = "9.9999999999999999999999999999999999999E+125"


@requires_boto3
class DdbNumbersTest(DdbTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.table = unique("nums")
            cls.ddb.create_table(
                TableName=cls.table,
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                           {"AttributeName": "sk", "KeyType": "RANGE"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "N"}],
                BillingMode="PAY_PER_REQUEST")
        except Exception:
            cls.tearDownClass()
            raise

    def key(self, sk="0"):
        return {"pk": S(unique("n")), "sk": N(sk)}

    def stored(self, value):
        """Put {v: N(value)} under a new key; the N string read back."""
        k = self.key()
        self.ddb.put_item(TableName=self.table, Item=dict(k, v=N(value)))
        return self.get(self.table, k, ConsistentRead=True)["v"]["N"]

    def test_canonical_form(self):
        cases = {
            "1.10": "1.1", "1e3": "1000", "1E3": "1000", "-0": "0",
            ".5": "0.5", "0.000": "0", "00012": "12", "-1.50e2": "-150",
            "1E-3": "0.001", "19.99": "19.99", "0.1": "0.1",
            "-0.000123": "-0.000123", "100": "100", "1.0E+2": "100",
            DIGITS_38: DIGITS_38, "-" + DIGITS_38: "-" + DIGITS_38,
            "1234567890.1234567890123456789012345678":
                "1234567890.1234567890123456789012345678",
            # DynamoDB writes big numbers out in full (boto3 issue #2500)
            "1e100": "1" + "0" * 100,
        }
        for given, want in cases.items():
            with self.subTest(given=given):
                self.assertEqual(self.stored(given), want)

    def test_extremes_are_accepted_and_keep_their_value(self):
        for given in (MAX, "-" + MAX, "1E-130", "-1E-130", "1E+125",
                      "1" + "0" * 39):     # 40 digits, 1 of them significant
            with self.subTest(given=given):
                self.assertEqual(Decimal(self.stored(given)), Decimal(given))

    def test_canonical_inside_sets_maps_and_lists(self):
        k = self.key()
        self.ddb.put_item(TableName=self.table, Item=dict(
            k, ns={"NS": ["1.0", "2.50", "1e1"]},
            m={"M": {"x": N("3.00")}}, l={"L": [N("4e0"), N("-0.0")]}))
        it = self.get(self.table, k, ConsistentRead=True)
        self.assertEqual(sorted(it["ns"]["NS"]), ["1", "10", "2.5"])
        self.assertEqual(it["m"], {"M": {"x": N("3")}})
        self.assertEqual(it["l"], {"L": [N("4"), N("0")]})
        # the same number twice in a set, however written, is a duplicate
        self.expect_validation(self.ddb.put_item, TableName=self.table,
                               Item=dict(self.key(),
                                         ns={"NS": ["1", "1.0"]}))

    def test_equal_numbers_name_the_same_key(self):
        pk = unique("same")
        self.ddb.put_item(TableName=self.table,
                          Item={"pk": S(pk), "sk": N("1e3"), "v": S("a")})
        got = self.get(self.table, {"pk": S(pk), "sk": N("1000")},
                       ConsistentRead=True)
        self.assertEqual(got, {"pk": S(pk), "sk": N("1000"), "v": S("a")})
        self.ddb.put_item(TableName=self.table,
                          Item={"pk": S(pk), "sk": N("1000.00"), "v": S("b")})
        r = self.ddb.query(TableName=self.table,
                           KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": S(pk)})
        self.assertEqual(r["Items"],
                         [{"pk": S(pk), "sk": N("1000"), "v": S("b")}])
        self.ddb.delete_item(TableName=self.table,
                             Key={"pk": S(pk), "sk": N("10E2")})
        self.assertIsNone(self.get(self.table, {"pk": S(pk), "sk": N(1000)}))

    def test_too_many_significant_digits(self):
        k = self.key()
        for bad in (DIGITS_39, "-" + DIGITS_39, "1." + DIGITS_39[1:],
                    "0.0" + DIGITS_39):
            with self.subTest(bad=bad):
                self.expect_validation(
                    self.ddb.put_item, TableName=self.table,
                    Item=dict(k, v=N(bad)),
                    contains="significant digits")
        self.assertIsNone(self.get(self.table, k))

    def test_magnitude_out_of_range(self):
        k = self.key()
        for bad, word in (("1E+126", "overflow"), ("-1E+126", "overflow"),
                          ("1E-131", "underflow"), ("-1E-131", "underflow")):
            with self.subTest(bad=bad):
                e = self.expect_validation(
                    self.ddb.put_item, TableName=self.table,
                    Item=dict(k, v=N(bad)))
                self.assertIn(word, e.response["Error"]["Message"].lower())
        self.assertIsNone(self.get(self.table, k))

    def test_not_numbers(self):
        k = self.key()
        for bad in ("abc", "", "1e", "--1", "1.2.3", "NaN", "Infinity",
                    "0x10"):
            with self.subTest(bad=bad):
                self.expect_validation(self.ddb.put_item,
                                       TableName=self.table,
                                       Item=dict(k, v=N(bad)))
        self.expect_validation(self.ddb.put_item, TableName=self.table,
                               Item={"pk": S("x"), "sk": N("one")})
        self.assertIsNone(self.get(self.table, k))

    def test_arithmetic_is_exact(self):
        k = self.key()
        self.ddb.put_item(TableName=self.table, Item=dict(
            k, a=N("0.1"), big=N(DIGITS_38[:-1] + "7"), c=N("1.5")))
        r = self.ddb.update_item(
            TableName=self.table, Key=k,
            UpdateExpression="SET a = a + :b, big = big + :one, c = c - :half",
            ExpressionAttributeValues={":b": N("0.2"), ":one": N(1),
                                       ":half": N("0.5")},
            ReturnValues="UPDATED_NEW")
        self.assertEqual(r["Attributes"], {"a": N("0.3"), "big": N(DIGITS_38),
                                           "c": N("1")})

    def test_arithmetic_beyond_38_digits_is_refused(self):
        k = self.key()
        self.ddb.put_item(TableName=self.table, Item=dict(
            k, n=N("1E+125"), top=N(MAX)))
        before = self.get(self.table, k, ConsistentRead=True)
        # 1E+125 + 1 needs 126 significant digits
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=k,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": N(1)})
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=k,
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": N(1)})
        # past the largest magnitude
        self.expect_validation(
            self.ddb.update_item, TableName=self.table, Key=k,
            UpdateExpression="SET top = top + :more",
            ExpressionAttributeValues={":more": N("1E+125")})
        self.assertEqual(self.get(self.table, k, ConsistentRead=True), before)

    def test_resource_layer_decimals_round_trip(self):
        # Only numbers whose plain form has at most 38 digits: boto3 reads
        # numbers through a 38-digit Decimal context that traps Rounded, so
        # it cannot read 1E+100 back from DynamoDB either (boto3 #2500).
        table = make_resource(self.srv).Table(self.table)
        values = {
            "price": Decimal("19.99"), "tenth": Decimal("0.1"),
            "big": Decimal(DIGITS_38), "neg": Decimal("-1.5E-10"),
            "int": Decimal(9223372036854775807), "tiny": Decimal("1E-130"),
            "nested": {"list": [Decimal("1.50"), Decimal("2")]},
            "set": {Decimal("1"), Decimal("2.5")},
        }
        pk = unique("res")
        table.put_item(Item=dict(values, pk=pk, sk=Decimal(7)))
        got = table.get_item(Key={"pk": pk, "sk": 7},
                             ConsistentRead=True)["Item"]
        for name, want in values.items():
            with self.subTest(name=name):
                self.assertEqual(got[name], want)
        self.assertEqual(str(got["price"]), "19.99")
        self.assertEqual(str(got["tenth"]), "0.1")
        self.assertEqual(str(got["big"]), DIGITS_38)
        self.assertEqual(str(got["nested"]["list"][0]), "1.5")
        self.assertEqual(got["sk"], 7)
