"""The DynamoDB API checks Signature Version 4 when configured
(--dynamodb-signatures on, with credentials in the config) or when the API
protects its routes (test_ddb_auth.py): then an SDK with the right keys
works, and a wrong secret, an unknown key, an unsigned or an expired request
get DynamoDB's own answers. On an API that protects nothing (the default),
any keys do."""

import datetime
import hashlib
import json
import os
import tempfile
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from ddb_client import REGION, endpoint, unique
from harness import CruddTestCase, Server, run_cli, sigv4_sign

ACCESS_KEY = "AKIDDYNAMOEXAMPLE"
SECRET = "dynamo-secret-0123456789"


def client(srv, access_key, secret):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 connect_timeout=5, read_timeout=15)
    return boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret,
        region_name=REGION).client("dynamodb", endpoint_url=endpoint(srv),
                                   config=cfg)


class DdbSignaturesTest(CruddTestCase):

    @classmethod
    def setUpClass(cls):
        fd, cls.config = tempfile.mkstemp(suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump({"credentials": [{"accessKeyId": ACCESS_KEY,
                                        "secretAccessKey": SECRET}]}, f)
        cls.srv = Server(["--config", cls.config,
                          "--dynamodb-signatures", "on"])

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        os.unlink(cls.config)

    def code_and_message(self, call):
        with self.assertRaises(ClientError) as cm:
            call()
        e = cm.exception.response
        return (e["Error"]["Code"], e["Error"]["Message"],
                e["ResponseMetadata"]["HTTPStatusCode"])

    def test_right_keys_work(self):
        c = client(self.srv, ACCESS_KEY, SECRET)
        t = unique("sig")
        c.create_table(TableName=t,
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk",
                                              "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        c.put_item(TableName=t, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
        got = c.get_item(TableName=t, Key={"pk": {"S": "a"}})["Item"]
        self.assertEqual(got, {"pk": {"S": "a"}, "v": {"N": "1"}})

    def test_wrong_secret_is_invalid_signature(self):
        c = client(self.srv, ACCESS_KEY, SECRET + "x")
        code, msg, status = self.code_and_message(c.list_tables)
        self.assertEqual((code, status), ("InvalidSignatureException", 400))
        self.assertTrue(msg.startswith(
            "The request signature we calculated does not match the "
            "signature you provided."), msg)

    def test_unknown_access_key_is_unrecognized_client(self):
        c = client(self.srv, "AKIDNOBODY", SECRET)
        self.assertEqual(self.code_and_message(c.list_tables),
                         ("UnrecognizedClientException",
                          "The security token included in the request is "
                          "invalid.", 400))

    def test_unsigned_request_is_missing_authentication_token(self):
        r = self.srv.request("POST", "/", raw=b"{}", headers={
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(json.loads(r.body)["__type"],
                         "com.amazon.coral.service#"
                         "MissingAuthenticationTokenException")

    def test_expired_signature_is_invalid_signature(self):
        target, hdrs, data = sigv4_sign(
            self.srv, "POST", "/", b"{}",
            {"X-Amz-Target": "DynamoDB_20120810.ListTables",
             "Content-Type": "application/x-amz-json-1.0"},
            ACCESS_KEY, SECRET, service="dynamodb",
            when=datetime.datetime.utcnow() - datetime.timedelta(minutes=10))
        r = self.srv.request("POST", target, raw=data, headers=hdrs)
        self.assertEqual(r.status, 400, r)
        body = json.loads(r.body)
        self.assertEqual(body["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        self.assertTrue(body["message"].startswith("Signature expired"),
                        body)


    # -- what the signature must cover (issue 12, finding 10) ---------------

    def table_with_item(self, c):
        t = unique("cover")
        c.create_table(TableName=t,
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk",
                                              "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        c.put_item(TableName=t, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
        return t

    def send_signed(self, op, body, signed_headers, send_headers=None,
                    send_body=None):
        """body signed with signed_headers (and Content-Type), then sent
        with send_headers added and send_body instead, when given."""
        data = json.dumps(body).encode()
        h = {"Content-Type": "application/x-amz-json-1.0"}
        h.update(signed_headers)
        target, hdrs, data = sigv4_sign(self.srv, "POST", "/", data, h,
                                        ACCESS_KEY, SECRET, service="dynamodb")
        hdrs.update(send_headers or {})
        return self.srv.request(
            "POST", target, headers=hdrs,
            raw=data if send_body is None else json.dumps(send_body).encode())

    def assert_wire_error(self, r, name, message):
        self.assertEqual(r.status, 400, r)
        self.assertEqual(json.loads(r.body),
                         {"__type": "com.amazon.coral.service#" + name,
                          "message": message})

    def test_x_amz_target_must_be_signed(self):
        c = client(self.srv, ACCESS_KEY, SECRET)
        t = self.table_with_item(c)
        key = {"TableName": t, "Key": {"pk": {"S": "a"}}}
        r = self.send_signed("GetItem", key, {}, send_headers={
            "X-Amz-Target": "DynamoDB_20120810.DeleteItem"})
        self.assert_wire_error(r, "IncompleteSignatureException",
                               "'X-Amz-Target' must be a 'SignedHeader' in "
                               "the AWS Authorization.")
        self.assertIn("Item", c.get_item(**key))

    def test_a_captured_get_item_replayed_as_delete_item_is_refused(self):
        c = client(self.srv, ACCESS_KEY, SECRET)
        t = self.table_with_item(c)
        key = {"TableName": t, "Key": {"pk": {"S": "a"}}}
        r = self.send_signed("GetItem", key, {
            "X-Amz-Target": "DynamoDB_20120810.GetItem"})
        self.assertEqual(r.status, 200, r)
        r = self.send_signed("GetItem", key, {
            "X-Amz-Target": "DynamoDB_20120810.GetItem"}, send_headers={
            "X-Amz-Target": "DynamoDB_20120810.DeleteItem"})
        self.assertEqual(r.status, 400, r)
        self.assertEqual(json.loads(r.body)["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")
        self.assertIn("Item", c.get_item(**key))

    def test_unsigned_and_streaming_payloads_are_refused(self):
        c = client(self.srv, ACCESS_KEY, SECRET)
        t = self.table_with_item(c)
        put = {"TableName": t, "Item": {"pk": {"S": "a"}, "v": {"N": "1"}}}
        swapped = {"TableName": t, "Item": {"pk": {"S": "a"},
                                            "v": {"N": "666"}}}
        for declared in ("UNSIGNED-PAYLOAD",
                         "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"):
            for body in (None, swapped):
                with self.subTest(declared=declared, swapped=bool(body)):
                    r = self.send_signed("PutItem", put, {
                        "X-Amz-Target": "DynamoDB_20120810.PutItem",
                        "X-Amz-Content-SHA256": declared}, send_body=body)
                    self.assert_wire_error(
                        r, "InvalidSignatureException",
                        "The provided 'x-amz-content-sha256' header does not "
                        "match what was computed. Only S3 accepts an "
                        "unsigned or streaming payload; sign the SHA-256 of "
                        "the body.")
        self.assertEqual(c.get_item(TableName=t,
                                    Key={"pk": {"S": "a"}})["Item"]["v"],
                         {"N": "1"})

    def test_a_right_declared_payload_hash_is_accepted(self):
        c = client(self.srv, ACCESS_KEY, SECRET)
        t = self.table_with_item(c)
        put = {"TableName": t, "Item": {"pk": {"S": "b"}}}
        r = self.send_signed("PutItem", put, {
            "X-Amz-Target": "DynamoDB_20120810.PutItem",
            "X-Amz-Content-SHA256": hashlib.sha256(
                json.dumps(put).encode()).hexdigest()})
        self.assertEqual(r.status, 200, r)


class DdbSignaturesOffTest(CruddTestCase):

    def test_any_keys_work_by_default(self):
        for ak, sk in (("test", "test"), ("AKIDANY", "whatever")):
            with self.subTest(access_key=ak):
                self.assertIn("TableNames",
                              client(self.srv, ak, sk).list_tables())

    def test_turning_it_on_without_credentials_is_refused(self):
        # and none the AWS CLI would find either (test_ddb_auth.py has more)
        empty = os.path.join(tempfile.gettempdir(), "crudd-no-such-aws-file")
        rc, _, err = run_cli(["--dynamodb-signatures", "on", "--db",
                              ":memory:", "--port", "0"],
                             env={"AWS_ACCESS_KEY_ID": "",
                                  "AWS_SECRET_ACCESS_KEY": "",
                                  "AWS_SHARED_CREDENTIALS_FILE": empty,
                                  "AWS_CONFIG_FILE": empty})
        self.assertNotEqual(rc, 0)
        self.assertIn("--dynamodb-signatures on", err)
        self.assertIn("credentials", err)


if __name__ == "__main__":
    unittest.main()
