"""Helpers for the DynamoDB-face black-box tests (test_ddb_*.py).

crudd answers the DynamoDB JSON wire API on its one port: POST / with
`X-Amz-Target: DynamoDB_20120810.<Op>`. These helpers talk to it three ways:

    self.ddb        a boto3 low-level client (values typed: {"N": "1.5"})
    self.lax        the same with botocore's parameter validation off, so the
                    server, not the SDK, is the one refusing bad input
    self.wire(...)  a raw http.client request (no SDK between us and the bytes)
    run_aws(...)    the AWS CLI as a subprocess

boto3 is optional: HAVE_BOTO3 is False when it cannot be imported, and test
classes wear @requires_boto3 so that they are skipped, not failed. Everything
here is bounded in time, like harness.py.

Importing this module points every AWS_* setting of this process at dummy
values and empty temporary config files, so that nothing reads or writes
~/.aws and no SDK goes looking for EC2 instance metadata.
"""

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
import zlib

from harness import CruddTestCase, REQUEST_TIMEOUT

try:
    import boto3
    import botocore
    from botocore.config import Config
    from botocore.exceptions import ClientError
    HAVE_BOTO3 = True
except ImportError:             # the suite still runs, these classes skip
    boto3 = botocore = Config = None
    HAVE_BOTO3 = False

    class ClientError(Exception):
        pass

requires_boto3 = unittest.skipUnless(
    HAVE_BOTO3, "boto3/botocore not importable by %s (install python3-boto3 "
    "and run under /usr/bin/python3)" % sys.executable)

TARGET_PREFIX = "DynamoDB_20120810."
AMZ_JSON = "application/x-amz-json-1.0"
REGION = "us-east-1"
# A syntactically plausible SigV4 header; on an API that protects no route
# crudd does not verify signatures (the credentials are dummies), it only
# insists that one is there. Where routes are protected, use signed_wire.
DUMMY_AUTH = ("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/"
              "aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, "
              "Signature=" + "0" * 64)

# -- an AWS environment that touches nothing of the user's ------------------

_AWS_DIR = tempfile.mkdtemp(prefix="crudd-aws-")
atexit.register(shutil.rmtree, _AWS_DIR, True)
for _name in ("config", "credentials"):
    with open(os.path.join(_AWS_DIR, _name), "w") as _f:
        _f.write("")

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": os.path.join(_AWS_DIR, "config"),
    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(_AWS_DIR, "credentials"),
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_MAX_ATTEMPTS": "1",
    "AWS_RETRY_MODE": "standard",
    "AWS_PAGER": "",
    "AWS_CLI_AUTO_PROMPT": "off",
}


def aws_environ(base=None):
    """`base` (default os.environ) without any AWS_* of its own, plus
    AWS_ENV."""
    env = {k: v for k, v in (base or os.environ).items()
           if not k.startswith("AWS_")}
    env.update(AWS_ENV)
    return env


# boto3 reads the process environment: make it the isolated one.
for _k in [k for k in os.environ if k.startswith("AWS_")]:
    del os.environ[_k]
os.environ.update(AWS_ENV)


def endpoint(srv):
    return "http://%s:%d" % (srv.host, srv.port)


def make_client(srv, validate=True):
    """A boto3 DynamoDB client for srv: one attempt, short timeouts."""
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 connect_timeout=5, read_timeout=REQUEST_TIMEOUT,
                 parameter_validation=validate)
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test",
        region_name=REGION).client("dynamodb", endpoint_url=endpoint(srv),
                                   config=cfg)


def make_resource(srv):
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 connect_timeout=5, read_timeout=REQUEST_TIMEOUT)
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test",
        region_name=REGION).resource("dynamodb", endpoint_url=endpoint(srv),
                                     config=cfg)


def unique(prefix="t"):
    """A table name (or key) no other test uses: [a-z0-9-] only."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:12])


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def norm(value):
    """A typed item/value with its sets sorted, for order-free comparison
    (DynamoDB does not promise an order for the members of SS/NS/BS)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "BS") and isinstance(v, list):
                out[k] = sorted(v)
            elif k == "NS" and isinstance(v, list):
                out[k] = sorted(v, key=lambda x: (float(x), x))
            else:
                out[k] = norm(v)
        return out
    if isinstance(value, list):
        return [norm(v) for v in value]
    return value


# -- the AWS CLI ---------------------------------------------------------------

def aws_bin():
    """The AWS CLI to use: Debian's /usr/bin/aws first (it runs on the system
    python that has botocore), else whatever `aws` is on PATH, else None."""
    if os.access("/usr/bin/aws", os.X_OK):
        return "/usr/bin/aws"
    return shutil.which("aws")


def run_aws(srv, args, timeout=30.0):
    """`aws dynamodb ARGS --endpoint-url ...`: returns (rc, stdout, stderr).
    AssertionError if it does not finish within `timeout` seconds."""
    exe = aws_bin()
    if exe is None:
        raise unittest.SkipTest("no aws CLI")
    env = aws_environ({k: v for k, v in os.environ.items()
                       if not k.startswith("PYTHON")})
    cmd = [exe, "dynamodb"] + list(args) + [
        "--endpoint-url", endpoint(srv), "--region", REGION,
        "--output", "json", "--no-cli-pager"]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate(timeout=5)
        raise AssertionError("aws %r did not finish within %.0f s"
                             % (args, timeout))
    return (p.returncode, out.decode("utf-8", "replace"),
            err.decode("utf-8", "replace"))


# -- the test base -------------------------------------------------------------

class WireMixin:
    """Raw DynamoDB requests through the harness's http.client."""

    def wire(self, op, body=None, raw=None, auth=True, headers=None,
             target=None, srv=None):
        """POST / with X-Amz-Target: DynamoDB_20120810.<op>. body: a value
        sent as JSON; raw: bytes as they are. Returns a harness Response."""
        hdrs = {"Content-Type": AMZ_JSON,
                "X-Amz-Target": target or TARGET_PREFIX + op,
                "X-Amz-Date": "20240101T000000Z"}
        if auth:
            hdrs["Authorization"] = DUMMY_AUTH
        if headers:
            hdrs.update(headers)
        if raw is None:
            raw = json.dumps({} if body is None else body).encode("utf-8")
        return (srv or self.srv).request("POST", "/", raw=raw, headers=hdrs)

    def signed_wire(self, op, body=None, srv=None, access_key="test",
                    secret="test"):
        """wire() signed as an SDK signs it (botocore's SigV4Auth, service
        dynamodb), by default with the keys of AWS_ENV: those a crudd started
        by these tests finds in its environment, as the AWS CLI would, and
        checks when the API protects its routes."""
        from harness import sigv4_sign
        s = srv or self.srv
        target, hdrs, data = sigv4_sign(
            s, "POST", "/", json.dumps({} if body is None else body).encode(),
            {"Content-Type": AMZ_JSON, "X-Amz-Target": TARGET_PREFIX + op},
            access_key, secret, region=REGION, service="dynamodb")
        return s.request("POST", target, raw=data, headers=hdrs)

    def check_wire_headers(self, r):
        """What every DynamoDB answer carries, success or error."""
        self.assertEqual(r.header("Content-Type"), AMZ_JSON, r)
        rid = r.header("x-amzn-RequestId")
        self.assertTrue(rid, "x-amzn-RequestId missing or empty in %r" % (r,))
        self.assertRegex(rid, r"^[A-Za-z0-9-]+$")
        crc = r.header("x-amz-crc32")
        self.assertIsNotNone(crc, "x-amz-crc32 missing in %r" % (r,))
        self.assertEqual(crc, str(zlib.crc32(r.body) & 0xffffffff),
                         "x-amz-crc32 is not the CRC32 of the body")

    def assert_wire_error(self, r, type_suffix, message=None):
        """A 400 whose __type ends with #type_suffix; returns the body."""
        self.assertEqual(r.status, 400, r)
        self.check_wire_headers(r)
        j = r.json()
        self.assertIsInstance(j, dict, r)
        self.assertIn("__type", j, r)
        self.assertTrue(j["__type"].endswith("#" + type_suffix),
                        "__type %r is not ...#%s" % (j["__type"], type_suffix))
        if message is not None:
            got = j.get("message", j.get("Message"))
            self.assertEqual(got, message, r)
        return j


class DdbTestCase(WireMixin, CruddTestCase):
    """One crudd per class, a boto3 client (`ddb`) and a non-validating one
    (`lax`) pointed at it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        try:
            cls.ddb = make_client(cls.srv)
            cls.lax = make_client(cls.srv, validate=False)
        except Exception:
            cls.tearDownClass()
            raise

    # -- errors --------------------------------------------------------------

    def expect_error(self, code, fn, *args, **kwargs):
        """Call fn(*args, **kwargs); it must raise a ClientError with the
        HTTP status 400 and Error.Code `code`. Returns the ClientError."""
        try:
            res = fn(*args, **kwargs)
        except ClientError as e:
            got = e.response.get("Error", {}).get("Code")
            self.assertEqual(got, code, "wanted %s, got %s: %s"
                             % (code, got, e.response.get("Error")))
            status = e.response.get("ResponseMetadata", {}).get(
                "HTTPStatusCode")
            self.assertEqual(status, 400, e.response)
            return e
        self.fail("wanted %s, the call succeeded: %r" % (code, res))

    def expect_validation(self, fn, *args, contains=None, **kwargs):
        e = self.expect_error("ValidationException", fn, *args, **kwargs)
        if contains is not None:
            self.assertIn(contains, e.response["Error"]["Message"])
        return e

    # -- tables --------------------------------------------------------------

    def create_table(self, name=None, pk=("pk", "S"), sk=None, gsis=(),
                     lsis=(), extra_attrs=(), client=None):
        """Create a PAY_PER_REQUEST table and wait (5 s at most) until
        describe_table says ACTIVE. gsis / lsis: dicts in the API's shape
        (IndexName, KeySchema, Projection); extra_attrs: (name, type) pairs
        the indexes need. Returns the name."""
        name = name or unique("tbl")
        attrs = {pk[0]: pk[1]}
        keys = [{"AttributeName": pk[0], "KeyType": "HASH"}]
        if sk:
            attrs[sk[0]] = sk[1]
            keys.append({"AttributeName": sk[0], "KeyType": "RANGE"})
        for a, t in extra_attrs:
            attrs[a] = t
        kw = {"TableName": name, "KeySchema": keys,
              "AttributeDefinitions": [{"AttributeName": a,
                                        "AttributeType": t}
                                       for a, t in attrs.items()],
              "BillingMode": "PAY_PER_REQUEST"}
        if gsis:
            kw["GlobalSecondaryIndexes"] = list(gsis)
        if lsis:
            kw["LocalSecondaryIndexes"] = list(lsis)
        (client or self.ddb).create_table(**kw)
        self.wait_table_active(name)
        return name

    def wait_table_active(self, name, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            t = self.ddb.describe_table(TableName=name)["Table"]
            if t["TableStatus"] == "ACTIVE":
                return t
            if time.monotonic() > deadline:
                self.fail("table %s not ACTIVE after %.0f s: %r"
                          % (name, timeout, t))
            time.sleep(0.05)

    def put_all(self, table, items):
        """Write typed items 25 at a time with BatchWriteItem."""
        for i in range(0, len(items), 25):
            reqs = [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]
            r = self.ddb.batch_write_item(RequestItems={table: reqs})
            self.assertEqual(r.get("UnprocessedItems", {}), {}, r)

    def get(self, table, key, **kw):
        """The typed item at key, or None."""
        return self.ddb.get_item(TableName=table, Key=key, **kw).get("Item")

    def scan_all(self, table, **kw):
        items = []
        for _ in range(1000):
            r = self.ddb.scan(TableName=table, **kw)
            items.extend(r.get("Items", []))
            if "LastEvaluatedKey" not in r:
                return items
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        self.fail("scan of %s did not end" % table)


def key_pk(v, name="pk"):
    return {name: {"S": v}}
