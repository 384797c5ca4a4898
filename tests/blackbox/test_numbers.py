"""Numbers are stored as DynamoDB stores them: exact decimals, canonical form,
at most 38 significant digits, never binary-float noise."""

import json
import unittest
from decimal import Decimal

from harness import CruddTestCase, new_id

PREC = "1234567890.1234567890123456789012345678"      # 38 significant digits

RAW_BODY = ('{"price": 19.99, "n": 0.1, "big": 9223372036854775807, '
            '"neg": -42, "e": 1e2, "f": 1.50, "prec": %s, '
            '"small": -0.000123, "zero": 0, "list": [19.99, 0.1, 1.50]}'
            % PREC)


class NumbersTest(CruddTestCase):

    def check_numbers(self, r, j):
        # the raw text: no float noise anywhere
        self.assertIn("19.99", r.text)
        self.assertNotIn("19.98999", r.text)
        self.assertNotIn("0.1000000", r.text)
        self.assertIn(PREC, r.text)
        self.assertEqual(str(j["price"]), "19.99")
        self.assertEqual(str(j["n"]), "0.1")
        self.assertEqual(j["big"], 9223372036854775807)
        self.assertIsInstance(j["big"], int)
        self.assertEqual(j["neg"], -42)
        self.assertIsInstance(j["neg"], int)
        self.assertEqual(j["e"], 100)
        self.assertIsInstance(j["e"], int, "1e2 must come back as 100")
        self.assertEqual(str(j["f"]), "1.5", "1.50 must come back as 1.5")
        self.assertEqual(str(j["prec"]), PREC)
        self.assertEqual(j["small"], Decimal("-0.000123"))
        self.assertEqual(j["zero"], 0)
        self.assertIsInstance(j["zero"], int)
        self.assertEqual([str(x) for x in j["list"]], ["19.99", "0.1", "1.5"])

    def test_numbers_keep_exact_value_in_canonical_form(self):
        item_id = new_id("num")
        raw = ('{"id": "%s", ' % item_id + RAW_BODY[1:]).encode()
        r = self.req("POST", "/items", raw=raw)
        self.assertEqual(r.status, 201, r)
        self.check_numbers(r, r.json(exact=True)["item"])
        g = self.get_item(item_id)
        self.assertEqual(g.status, 200, g)
        self.check_numbers(g, g.json(exact=True))

    def test_numbers_exact_after_put_and_patch(self):
        item = self.create({"x": 1})
        r = self.req("PUT", "/items/" + item["id"], raw=RAW_BODY.encode())
        self.assertEqual(r.status, 200, r)
        self.check_numbers(r, r.json(exact=True)["item"])
        r = self.req("PATCH", "/items/" + item["id"],
                     raw=b'{"price": 19.99, "f": 1.50}')
        self.assertEqual(r.status, 200, r)
        self.check_numbers(r, r.json(exact=True)["item"])
        g = self.get_item(item["id"])
        self.check_numbers(g, g.json(exact=True))

    def test_number_with_39_significant_digits_is_400(self):
        for num in ("123456789012345678901234567890123456789",
                    "1.23456789012345678901234567890123456789"):
            with self.subTest(num=num):
                item_id = new_id("n39")
                raw = ('{"id": "%s", "v": %s}' % (item_id, num)).encode()
                r = self.req("POST", "/items", raw=raw)
                self.assert_error(
                    r, 400,
                    "Attempting to store more than 38 significant digits "
                    "in a Number")
                self.assert_error(self.get_item(item_id), 404,
                                  "Item not found")

    def test_trailing_zeros_do_not_count_as_significant_digits(self):
        # 1 followed by 40 zeros has 1 significant digit
        raw = b'{"v": 10000000000000000000000000000000000000000}'
        r = self.req("POST", "/items", raw=raw)
        self.assertEqual(r.status, 201, r)
        v = r.json(exact=True)["item"]["v"]
        self.assertEqual(Decimal(v), Decimal("1e40"))


if __name__ == "__main__":
    unittest.main()
