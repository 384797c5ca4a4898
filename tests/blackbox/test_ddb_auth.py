"""The DynamoDB API is as protected as the API (issue 12, finding 8).

--dynamodb-auth auto (the default): when no route needs an API key or
AWS_IAM, any Authorization header goes (as DynamoDB Local); when one does,
every request must carry a valid Signature Version 4 by the config's
"credentials" or by the keys the AWS CLI would sign with where crudd
started (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials,
~/.aws/config, profile AWS_PROFILE), and with no key known the DynamoDB API
is closed. --dynamodb-auth none opens it on purpose; sigv4 always checks.
One start-up line says which way it is open."""

import json
import os
import shutil
import tempfile

from ddb_client import (REGION, WireMixin, endpoint, requires_boto3,
                        run_aws, ClientError)
from harness import CruddTestCase, run_cli, sigv4_sign

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "..", "config", "examples")
CUSTOMERS = os.path.join(EXAMPLES, "customers.json")
ITEMS_HTTP = os.path.join(EXAMPLES, "items-http.json")
API_KEY = {"x-api-key": "crudd-dev-key-0123456789"}

CONFIG_AKID = "AKIDCRUDDEXAMPLE"
CONFIG_SECRET = "crudd-example-secret-key-do-not-use-in-aws"

COMMON = "com.amazon.coral.service#"
CLOSED = (
    "The DynamoDB API is closed: this API's routes need an API key or "
    "AWS_IAM, and crudd knows no credentials to check signatures against. "
    "Declare \"credentials\" in the config, or start crudd where the AWS "
    "CLI finds keys (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
    "~/.aws/credentials), and sign with them; or open it to any client on "
    "purpose with --dynamodb-auth none (file key \"dynamodbAuth\").")
CLOSED_LOG = (
    "DynamoDB API: closed: the API's routes need an API key or AWS_IAM and "
    "no credentials are known (declare \"credentials\", set "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or open it with "
    "--dynamodb-auth none)")
INCOMPLETE_X = (
    "Authorization header requires 'Credential' parameter. Authorization "
    "header requires 'Signature' parameter. Authorization header requires "
    "'SignedHeaders' parameter. Authorization=x")


def no_aws_env(home):
    """An environment in which the AWS CLI would find no keys."""
    empty = os.path.join(home, "empty")
    open(empty, "w").close()
    return {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
            "AWS_SHARED_CREDENTIALS_FILE": empty, "AWS_CONFIG_FILE": empty,
            "HOME": home}


def boto_client(srv, access_key, secret):
    import boto3
    from botocore.config import Config
    cfg = Config(retries={"max_attempts": 1, "mode": "standard"},
                 connect_timeout=5, read_timeout=15)
    return boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret,
        region_name=REGION).client("dynamodb", endpoint_url=endpoint(srv),
                                   config=cfg)


class AuthCase(WireMixin, CruddTestCase):

    def setUp(self):
        self.home = tempfile.mkdtemp(prefix="crudd-home-")
        self.addCleanup(shutil.rmtree, self.home, True)

    def server(self, config, *args, env=None):
        e = no_aws_env(self.home)
        e.update(env or {})
        return self.start_server(["--config", config] + list(args), env=e)

    def wire_x(self, srv, op, body, auth="x"):
        """POST / as the issue's ddb(op, body): Authorization: x."""
        return self.wire(op, body, headers={"Authorization": auth}, srv=srv)

    def signed(self, srv, op, body, access_key, secret):
        target, hdrs, data = sigv4_sign(
            srv, "POST", "/", json.dumps(body).encode(),
            {"X-Amz-Target": "DynamoDB_20120810." + op,
             "Content-Type": "application/x-amz-json-1.0"},
            access_key, secret, service="dynamodb")
        return srv.request("POST", target, raw=data, headers=hdrs)

    def assert_wire(self, r, status, body):
        self.assertEqual(r.status, status, r)
        self.check_wire_headers(r)
        self.assertEqual(r.json(), body)

    def access_line(self, srv):
        srv.wait_for_log(lambda l: l.startswith("DynamoDB API: "))
        lines = [l for l in srv.log_lines()
                 if l.startswith("DynamoDB API: ")]
        self.assertEqual(len(lines), 1, srv.log_text())
        return lines[0]

    def create_customer(self, srv, cid):
        r = srv.request("POST", "/createCustomer",
                        {"customerId": {"S": cid}, "email": {"S": "a@b.c"}},
                        headers=API_KEY)
        self.assertEqual(r.status, 201, r)


class ApiKeyProtectedApiTest(AuthCase):
    """customers.json: every route but /healthCheck needs an API key."""

    def test_scan_without_credentials_is_refused_not_every_customer(self):
        srv = self.server(CUSTOMERS)
        self.create_customer(srv, "secret-c1")
        r = self.wire_x(srv, "Scan", {"TableName": "CustomersTable"})
        self.assert_wire(r, 400, {"__type": COMMON +
                                  "UnrecognizedClientException",
                                  "message": CLOSED})
        self.assertNotIn(b"secret-c1", r.body)

    def test_put_item_without_credentials_writes_nothing(self):
        srv = self.server(CUSTOMERS)
        r = self.wire_x(srv, "PutItem", {"TableName": "CustomersTable",
                                         "Item": {"customerId":
                                                  {"S": "planted"}}})
        self.assert_wire(r, 400, {"__type": COMMON +
                                  "UnrecognizedClientException",
                                  "message": CLOSED})
        r = srv.request("GET", "/getCustomerDetails?customerId=planted",
                        headers=API_KEY)
        self.assertEqual((r.status, r.json()),
                         (404, {"message": "Item not found"}))

    def test_the_start_log_says_it_is_closed(self):
        srv = self.server(CUSTOMERS)
        self.assertEqual(self.access_line(srv), CLOSED_LOG)

    def test_env_keys_are_checked_and_an_sdk_with_them_works(self):
        srv = self.server(CUSTOMERS, env={"AWS_ACCESS_KEY_ID": "AKIDENV",
                                          "AWS_SECRET_ACCESS_KEY": "env-sk"})
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: SigV4 signatures checked against 1 access key "
            "(environment variables AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY)")
        self.create_customer(srv, "env-c1")
        r = self.wire_x(srv, "Scan", {"TableName": "CustomersTable"})
        self.assert_wire(r, 400, {"__type": COMMON +
                                  "IncompleteSignatureException",
                                  "message": INCOMPLETE_X})
        r = self.signed(srv, "GetItem", {"TableName": "CustomersTable",
                                         "Key": {"customerId":
                                                 {"S": "env-c1"}}},
                        "AKIDENV", "env-sk")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Item"]["customerId"], {"S": "env-c1"})
        r = self.signed(srv, "Scan", {"TableName": "CustomersTable"},
                        "AKIDENV", "wrong")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.json()["__type"],
                         COMMON + "InvalidSignatureException")
        r = self.signed(srv, "Scan", {"TableName": "CustomersTable"},
                        "AKIDOTHER", "env-sk")
        self.assert_wire(r, 400, {
            "__type": COMMON + "UnrecognizedClientException",
            "message": "The security token included in the request is "
                       "invalid."})

    @requires_boto3
    def test_boto3_with_the_profile_from_aws_credentials_works(self):
        aws = os.path.join(self.home, ".aws")
        os.mkdir(aws)
        with open(os.path.join(aws, "credentials"), "w") as f:
            f.write("[default]\naws_access_key_id = AKIDDEFAULT\n"
                    "aws_secret_access_key = default-sk\n\n"
                    "# the team's\n[team]\n"
                    "aws_access_key_id=AKIDTEAM\n"
                    "aws_secret_access_key=team-sk\n"
                    "s3 =\n  max_concurrent_requests = 2\n")
        srv = self.server(CUSTOMERS, env={
            "AWS_SHARED_CREDENTIALS_FILE": "", "AWS_CONFIG_FILE": "",
            "AWS_PROFILE": "team"})
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: SigV4 signatures checked against 1 access key "
            "(%s/.aws/credentials [team])" % self.home)
        self.create_customer(srv, "team-c1")
        got = boto_client(srv, "AKIDTEAM", "team-sk").scan(
            TableName="CustomersTable")
        self.assertIn({"S": "team-c1"},
                      [i["customerId"] for i in got["Items"]])
        with self.assertRaises(ClientError) as cm:
            boto_client(srv, "AKIDDEFAULT", "default-sk").scan(
                TableName="CustomersTable")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "UnrecognizedClientException")

    @requires_boto3
    def test_the_default_profile_of_the_aws_config_file_counts(self):
        cfg = os.path.join(self.home, "config")
        with open(cfg, "w") as f:
            f.write("[profile other]\naws_access_key_id = AKIDOTHER\n"
                    "aws_secret_access_key = other-sk\n"
                    "[default]\nregion = us-east-1\n"
                    "aws_access_key_id = AKIDCFG\n"
                    "aws_secret_access_key = cfg-sk\n")
        srv = self.server(CUSTOMERS, env={"AWS_CONFIG_FILE": cfg})
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: SigV4 signatures checked against 1 access key "
            "(%s [default])" % cfg)
        self.assertIn("TableNames",
                      boto_client(srv, "AKIDCFG", "cfg-sk").list_tables())

    def test_the_aws_cli_works_with_the_keys_of_the_shell_crudd_runs_in(self):
        # crudd and the CLI share AWS_ENV's keys, as in one shell
        srv = self.start_server(["--config", CUSTOMERS])
        rc, out, err = run_aws(srv, ["list-tables"])
        self.assertEqual(rc, 0, err)
        self.assertIn("CustomersTable", json.loads(out)["TableNames"])
        closed = self.server(CUSTOMERS)
        rc, out, err = run_aws(closed, ["list-tables"])
        self.assertNotEqual(rc, 0)
        self.assertIn("UnrecognizedClientException", err)
        self.assertIn("The DynamoDB API is closed", err)

    def test_opened_on_purpose_with_the_flag_any_authorization_goes(self):
        srv = self.server(CUSTOMERS, "--dynamodb-auth", "none")
        self.create_customer(srv, "open-c1")
        r = self.wire_x(srv, "Scan", {"TableName": "CustomersTable"})
        self.assertEqual(r.status, 200, r)
        self.assertIn({"S": "open-c1"},
                      [i["customerId"] for i in r.json()["Items"]])
        self.assertEqual(self.access_line(srv),
                         "DynamoDB API: open to any client on purpose "
                         "(dynamodbAuth none): signatures are not checked")

    def test_opened_on_purpose_with_the_file_key(self):
        with open(CUSTOMERS) as f:
            cfg = json.load(f)
        cfg["dynamodbAuth"] = "none"
        path = os.path.join(self.home, "open.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        srv = self.server(path)
        r = self.wire_x(srv, "ListTables", {})
        self.assertEqual(r.status, 200, r)

    def test_old_spelling_off_opens_it_too(self):
        srv = self.server(CUSTOMERS, "--dynamodb-signatures", "off")
        r = self.wire_x(srv, "ListTables", {})
        self.assertEqual(r.status, 200, r)


class IamProtectedApiTest(AuthCase):
    """items-http.json: AWS_IAM on every route, with "credentials"."""

    def test_delete_table_with_a_garbage_authorization_is_refused(self):
        srv = self.server(ITEMS_HTTP)
        r = self.wire_x(srv, "DeleteTable", {"TableName": "ItemsTable"},
                        auth="garbage")
        self.assert_wire(r, 400, {
            "__type": COMMON + "IncompleteSignatureException",
            "message": INCOMPLETE_X.replace("=x", "=garbage")})
        r = self.signed(srv, "DescribeTable", {"TableName": "ItemsTable"},
                        CONFIG_AKID, CONFIG_SECRET)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["Table"]["TableName"], "ItemsTable")

    @requires_boto3
    def test_boto3_with_the_configs_credentials_works(self):
        srv = self.server(ITEMS_HTTP)
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: SigV4 signatures checked against 1 access key "
            "(the config's \"credentials\")")
        c = boto_client(srv, CONFIG_AKID, CONFIG_SECRET)
        c.put_item(TableName="ItemsTable", Item={"id": {"S": "iam-1"}})
        self.assertEqual(c.get_item(TableName="ItemsTable",
                                    Key={"id": {"S": "iam-1"}})["Item"],
                         {"id": {"S": "iam-1"}})
        with self.assertRaises(ClientError) as cm:
            boto_client(srv, CONFIG_AKID, "not-the-secret").delete_table(
                TableName="ItemsTable")
        self.assertEqual(cm.exception.response["Error"]["Code"],
                         "InvalidSignatureException")

    def test_config_and_env_keys_are_both_accepted(self):
        srv = self.server(ITEMS_HTTP, env={"AWS_ACCESS_KEY_ID": "AKIDENV",
                                           "AWS_SECRET_ACCESS_KEY": "env-sk"})
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: SigV4 signatures checked against 2 access keys "
            "(the config's \"credentials\", environment variables "
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)")
        for ak, sk in ((CONFIG_AKID, CONFIG_SECRET), ("AKIDENV", "env-sk")):
            r = self.signed(srv, "ListTables", {}, ak, sk)
            self.assertEqual(r.status, 200, (ak, r))


class UnprotectedApiTest(AuthCase):
    """The default API protects nothing: the DynamoDB API stays open."""

    def test_any_authorization_goes_even_with_keys_in_the_environment(self):
        srv = self.start_server(env={"AWS_ACCESS_KEY_ID": "AKIDENV",
                                     "AWS_SECRET_ACCESS_KEY": "env-sk"})
        r = self.wire_x(srv, "ListTables", {})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(
            self.access_line(srv),
            "DynamoDB API: open, signatures not checked (no route needs an "
            "API key or AWS_IAM; --dynamodb-auth sigv4 checks them)")

    def test_sigv4_checks_them_on_an_unprotected_api(self):
        srv = self.start_server(["--dynamodb-auth", "sigv4"],
                                env=dict(no_aws_env(self.home),
                                         AWS_ACCESS_KEY_ID="AKIDENV",
                                         AWS_SECRET_ACCESS_KEY="env-sk"))
        r = self.wire_x(srv, "ListTables", {})
        self.assertEqual(r.status, 400, r)
        r = self.signed(srv, "ListTables", {}, "AKIDENV", "env-sk")
        self.assertEqual(r.status, 200, r)

    def test_sigv4_with_no_key_anywhere_is_refused_at_start(self):
        rc, _, err = run_cli(["--dynamodb-auth", "sigv4", "--db", ":memory:",
                              "--port", "0"], env=no_aws_env(self.home))
        self.assertEqual(rc, 2)
        self.assertEqual(
            err.strip(),
            "crudd: bad configuration: dynamodbAuth: sigv4 (also "
            "--dynamodb-signatures on) checks signatures against "
            "credentials, and none are known: declare \"credentials\" in "
            "the config, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "or give the AWS CLI's profile keys in ~/.aws/credentials")

    def test_a_bad_value_is_refused_at_start(self):
        rc, _, err = run_cli(["--dynamodb-auth", "maybe", "--db", ":memory:",
                              "--port", "0"])
        self.assertEqual(rc, 2)
        self.assertEqual(err.strip(),
                         "crudd: bad configuration: flag --dynamodb-auth: "
                         "must be auto, sigv4 or none")
