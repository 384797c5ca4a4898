#!/usr/bin/python3
"""Write tests/golden/sigv4/botocore.txt: requests signed by botocore.

Each case is a request signed by botocore's own SigV4Auth (Authorization
header) or SigV4QueryAuth (query string) at a fixed time, written the way it
goes on the wire (raw path, raw query, headers in order, body), with what
crudd's sigv4 module must answer: OK for the request as signed, and the
failure for copies of it tampered with after signing (body, header, path,
query, method, time). The format is in tests/golden/sigv4/README.

Run with Debian's python3 (python3-botocore) from the repository root:
    /usr/bin/python3 tests/unit/gen_sigv4_vectors.py
The output is committed; the C test (tests/unit/test_sigv4.c) reads it.
"""

import calendar
import copy
import datetime
import hashlib
import os
import sys
from urllib.parse import urlsplit

import botocore
from botocore.auth import SigV4Auth, SigV4QueryAuth, _host_from_url
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

OUT = os.path.join("tests", "golden", "sigv4", "botocore.txt")

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AKID2 = "AKIDSECOND"
SECRET2 = "second/secret+key"
REGION = "us-east-1"
SERVICE = "execute-api"
STAMP = "20260101T000000Z"
T0 = calendar.timegm(
    datetime.datetime.strptime(STAMP, "%Y%m%dT%H%M%SZ").timetuple())
BASE = "http://localhost:3000"

MISMATCH = ("The request signature we calculated does not match the signature"
            " you provided. Check your AWS Secret Access Key and signing "
            "method. Consult the service documentation for details.")


def esc(s):
    """One line: backslash, newline, tab and a trailing space escaped."""
    s = s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    if s.endswith(" "):
        s = s[:-1] + "\\x20"
    return s


def sign(method, url, headers=(), body=b"", params=None, query=False,
         expires=3600, akid=AKID, secret=SECRET, token=None,
         service=SERVICE, stamp=STAMP, context=None):
    """Sign as botocore's add_auth does, at `stamp` instead of utcnow()."""
    creds = Credentials(akid, secret, token)
    if query:
        auth = SigV4QueryAuth(creds, service, REGION, expires=expires)
    else:
        auth = SigV4Auth(creds, service, REGION)
    req = AWSRequest(method=method, url=url, data=body, params=params or {})
    for name, value in headers:
        req.headers[name] = value  # HTTPHeaders appends: names may repeat
    req.context.update(context or {})
    req.context["timestamp"] = stamp
    auth._modify_request_before_signing(req)
    cr = auth.canonical_request(req)
    sts = auth.string_to_sign(req, cr)
    auth._inject_signature_to_request(req, auth.signature(sts, req))
    prepared = req.prepare()
    parts = urlsplit(prepared.url)
    wire = [("Host", _host_from_url(prepared.url))]
    wire += [(n, v) for n, v in req.headers.items()]
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode()
    return {
        "method": method,
        "path": parts.path,
        "query": parts.query,
        "headers": wire,
        "body": body,
        "canonical": cr,
        "string_to_sign": sts,
    }


cases = []


def case(name, r, expect="OK", now=T0 + 42, service=SERVICE, **more):
    c = dict(r)
    c.update(name=name, expect=expect, now=now, service=service)
    if expect == "OK":
        c.setdefault("access_key", more.pop("access_key", AKID))
    else:
        c.pop("canonical", None)
        c.pop("string_to_sign", None)
    c.update(more)
    cases.append(c)


def tampered(r, **changes):
    t = copy.deepcopy(r)
    t.update(changes)
    return t


def set_header(r, name, value):
    return tampered(r, headers=[(n, value if n.lower() == name.lower() else v)
                                for n, v in r["headers"]])


def drop_header(r, name):
    return tampered(r, headers=[(n, v) for n, v in r["headers"]
                                if n.lower() != name.lower()])


UNSIGNED_REFUSED = (
    "The provided 'x-amz-content-sha256' header does not match what was "
    "computed. Only S3 accepts an unsigned or streaming payload; sign the "
    "SHA-256 of the body.")


def mismatch(name, r):
    case(name, r, "MISMATCH", type="InvalidSignatureException",
         message_prefix=MISMATCH)


def build():
    json_body = b'{"name": "widget", "price": 19.99, "tags": ["a", "b"]}'

    # -- the Authorization header, as SDKs send it --
    get = sign("GET", BASE + "/prod/items")
    case("get_plain", get)

    q = sign("GET", BASE + "/prod/items",
             params={"q": "a b", "tilde": "~x~", "eq": "a=b", "plus": "1+1",
                     "empty": "", "uni": "\u00e9t\u00e9", "slash": "a/b",
                     "Zed": "upper", "star": "*", "pct": "100%"})
    case("get_query_needing_encoding", q)

    rep = sign("GET", BASE + "/prod/items?b=2&a=y%20z&a=x&flag&A=1&limit=10")
    case("get_query_repeated_and_bare_names", rep)

    enc = sign("GET", BASE + "/prod/items/a%20b")
    case("get_path_encoded_space", enc)

    utf = sign("GET", BASE + "/prod/items/caf%C3%A9%2Fx%3Ay~z")
    case("get_path_encoded_utf8_slash_colon", utf)

    dots = sign("GET", BASE + "/prod/./items//x/../y/")
    case("get_path_dot_segments_and_double_slash", dots)

    root = sign("GET", BASE + "/")
    case("get_root", root)

    post = sign("POST", BASE + "/prod/items",
                headers=[("Content-Type", "application/json")],
                body=json_body)
    case("post_json_body", post)

    put = sign("PUT", BASE + "/prod/items/42",
               headers=[("Content-Type", "application/json"),
                        ("X-Multi", "one"), ("X-Custom-Header", "  a   b\tc  "),
                        ("X-Multi", " two  words ")],
               body=json_body)
    case("put_repeated_header_and_spaces", put)

    dated = sign("DELETE", BASE + "/prod/items/42", headers=[("Date", "x")])
    case("delete_with_date_header", dated)

    sha = hashlib.sha256(json_body).hexdigest()
    declared = sign("PATCH", BASE + "/prod/items/42",
                    headers=[("Content-Type", "application/json"),
                             ("X-Amz-Content-SHA256", sha)],
                    body=json_body)
    case("patch_with_x_amz_content_sha256", declared)

    unsigned = sign("POST", BASE + "/prod/items",
                    headers=[("Content-Type", "application/json")],
                    body=json_body,
                    context={"payload_signing_enabled": False})
    # UNSIGNED-PAYLOAD (and STREAMING-*) are S3's: execute-api and dynamodb
    # hash the body themselves, so they are refused even as signed
    case("post_unsigned_payload_is_refused", unsigned, "MISMATCH",
         type="InvalidSignatureException", message=UNSIGNED_REFUSED)
    streaming = sign("POST", BASE + "/prod/items",
                     headers=[("Content-Type", "application/json"),
                              ("X-Amz-Content-SHA256",
                               "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")],
                     body=json_body)
    case("post_streaming_payload_is_refused", streaming, "MISMATCH",
         type="InvalidSignatureException", message=UNSIGNED_REFUSED)

    token = sign("GET", BASE + "/prod/items", token="FQoGZXIvYXdzEXAMPLETOKEN")
    case("get_with_session_token", token)

    second = sign("GET", BASE + "/prod/items/7", akid=AKID2, secret=SECRET2)
    case("get_second_access_key", second, access_key=AKID2)

    anysvc = sign("GET", BASE + "/prod/items", service="lambda")
    case("service_unchecked_when_null", anysvc, service="*")

    # -- the query string (presigned URL) --
    pre = sign("GET", BASE + "/prod/items", params={"limit": "2", "q": "a b"},
               query=True, expires=300)
    case("query_form_get", pre)
    case("query_form_get_at_expiry", pre, now=T0 + 300)

    hour = sign("GET", BASE + "/prod/items/a%20b", query=True)
    case("query_form_default_expires_within_the_hour", hour, now=T0 + 3000)

    # -- each way to fail, on copies of the above --
    case("no_signature_at_all_is_missing",
         drop_header(get, "Authorization"), "MISSING",
         type="MissingAuthenticationTokenException",
         message="Missing Authentication Token")

    mismatch("tampered_body", tampered(post, body=json_body + b" "))
    mismatch("tampered_header",
             set_header(put, "X-Custom-Header", "a b d"))
    mismatch("tampered_repeated_header_order",
             tampered(put, headers=[h for h in put["headers"]
                                    if h != ("X-Multi", "one")] +
                      [("X-Multi", "one")]))
    mismatch("tampered_host", set_header(get, "Host", "localhost:3001"))
    mismatch("tampered_path", tampered(enc, path="/prod/items/a%20c"))
    mismatch("path_decoded_by_mistake", tampered(enc, path="/prod/items/a b"))
    mismatch("tampered_query_value",
             tampered(rep, query=rep["query"].replace("limit=10", "limit=11")))
    mismatch("query_param_added",
             tampered(get, query="admin=true"))
    mismatch("tampered_method", tampered(get, method="DELETE"))
    mismatch("tampered_date_header",
             set_header(dated, "Date", "Thu, 01 Jan 2026 00:00:01 GMT"))
    mismatch("wrong_secret", sign("GET", BASE + "/prod/items",
                                  secret=SECRET + "x"))
    mismatch("tampered_query_form",
             tampered(pre, query=pre["query"].replace("limit=2", "limit=3")))
    case("tampered_body_with_declared_sha256",
         tampered(declared, body=json_body + b" "), "MISMATCH",
         type="InvalidSignatureException",
         message="The provided 'x-amz-content-sha256' header does not match "
                 "what was computed.")
    # UNSIGNED-PAYLOAD signs no body: a swapped one must not go through
    case("unsigned_payload_with_a_swapped_body_is_refused",
         tampered(unsigned, body=b'{"other": 1}'), "MISMATCH",
         type="InvalidSignatureException", message=UNSIGNED_REFUSED)

    case("unknown_access_key",
         sign("GET", BASE + "/prod/items", akid="AKIDNOSUCHKEY"),
         "UNKNOWN_KEY", type="UnrecognizedClientException",
         message="The security token included in the request is invalid.")

    case("wrong_service", anysvc, "MISMATCH",
         type="InvalidSignatureException",
         message="Credential should be scoped to correct service: "
                 "'execute-api'. ")

    # X-Amz-Date moved to the next day: the scope's date no longer matches
    case("scope_date_differs_from_x_amz_date",
         set_header(get, "X-Amz-Date", "20260102T000000Z"), "MISMATCH",
         now=T0 + 86400, type="InvalidSignatureException",
         message="Date in Credential scope does not match YYYYMMDD from "
                 "ISO-8601 version of date from HTTP: '20260101' != "
                 "'20260102', from '20260102T000000Z'.")

    case("at_five_minutes_after", get, now=T0 + 300)
    case("at_five_minutes_before", get, now=T0 - 300)
    case("expired_after_five_minutes", get, "EXPIRED", now=T0 + 301,
         type="InvalidSignatureException",
         message="Signature expired: 20260101T000000Z is now earlier than "
                 "20260101T000001Z (20260101T000501Z - 5 min.)")
    case("not_yet_current_five_minutes_ahead", get, "EXPIRED", now=T0 - 301,
         type="InvalidSignatureException",
         message="Signature not yet current: 20260101T000000Z is still later "
                 "than 20251231T235959Z (20251231T235459Z + 5 min.)")
    case("expired_date_header", dated, "EXPIRED", now=T0 + 3600,
         type="InvalidSignatureException",
         message="Signature expired: 20260101T000000Z is now earlier than "
                 "20260101T005500Z (20260101T010000Z - 5 min.)")
    case("query_form_past_x_amz_expires", pre, "EXPIRED", now=T0 + 301,
         type="InvalidSignatureException",
         message="Signature expired: 20260101T000000Z is now earlier than "
                 "20260101T000001Z (20260101T000501Z - 5 min.)")
    case("query_form_past_the_hour", hour, "EXPIRED", now=T0 + 3601,
         type="InvalidSignatureException",
         message="Signature expired: 20260101T000000Z is now earlier than "
                 "20260101T000001Z (20260101T010001Z - 60 min.)")
    odd = sign("GET", BASE + "/prod/items", query=True, expires=90)
    case("query_form_expires_in_seconds", odd, "EXPIRED", now=T0 + 91,
         type="InvalidSignatureException",
         message="Signature expired: 20260101T000000Z is now earlier than "
                 "20260101T000001Z (20260101T000131Z - 90 sec.)")
    case("query_form_not_yet_current", pre, "EXPIRED", now=T0 - 301,
         type="InvalidSignatureException",
         message="Signature not yet current: 20260101T000000Z is still later "
                 "than 20251231T235959Z (20251231T235459Z + 5 min.)")
    no_sig = "&".join(p for p in pre["query"].split("&")
                      if not p.startswith("X-Amz-Signature="))
    case("query_form_without_signature", tampered(pre, query=no_sig),
         "MALFORMED", type="IncompleteSignatureException",
         message="AWS query-string parameters must include 'X-Amz-Signature'."
                 " Re-examine the query-string parameters.")


def write():
    lines = [
        "# Generated by tests/unit/gen_sigv4_vectors.py with botocore %s;"
        " do not edit." % botocore.__version__,
        "# Requests signed by botocore's SigV4Auth / SigV4QueryAuth at %s"
        " (%d)," % (STAMP, T0),
        "# region %s, service %s; see README." % (REGION, SERVICE),
        "",
    ]
    for c in cases:
        lines.append("name: " + c["name"])
        lines.append("method: " + c["method"])
        lines.append("path: " + esc(c["path"]))
        if c["query"]:
            lines.append("query: " + esc(c["query"]))
        for n, v in c["headers"]:
            lines.append("header: %s: %s" % (n, esc(v)))
        if c["body"]:
            lines.append("body_hex: " + c["body"].hex())
        lines.append("now: %d" % c["now"])
        lines.append("service: " + c["service"])
        lines.append("expect: " + c["expect"])
        for k in ("access_key", "type", "message", "message_prefix",
                  "canonical", "string_to_sign"):
            if k in c:
                lines.append("%s: %s" % (k, esc(c[k])))
        lines.append("")
    with open(OUT, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    if not os.path.isdir(os.path.dirname(OUT)):
        sys.exit("run from the repository root")
    build()
    write()
    print("%s: %d cases" % (OUT, len(cases)))
