/*
 * Unit tests for sigv4: every block of every .txt file in tests/golden/sigv4
 * is one case (see tests/golden/sigv4/README; botocore.txt holds requests
 * signed by botocore itself), plus the parser, the caps and the messages'
 * edges.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sigv4.h"

#define GOLDEN_DIR "tests/golden/sigv4"
#define MAX_FIELDS 64

#define MISMATCH_TEXT                                                          \
    "The request signature we calculated does not match the signature you "    \
    "provided. Check your AWS Secret Access Key and signing method. Consult "  \
    "the service documentation for details."

static const struct sigv4_credential creds[] = {
    {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
    {"AKIDSECOND", "second/secret+key"},
};
static const struct sigv4_credential wrong_creds[] = {
    {"AKIDEXAMPLE", "not-the-secret"},
    {"AKIDSECOND", "not-the-secret-either"},
};

static const char *const status_names[] = {
    "OK", "MISSING", "MALFORMED", "UNKNOWN_KEY", "EXPIRED", "MISMATCH",
};

/* ---- golden cases ---- */

/* One block: "field: value" lines, values unescaped (\n \t \\ \xNN). */
struct block {
    char *file;
    char *field[MAX_FIELDS];
    char *value[MAX_FIELDS];
    size_t vlen[MAX_FIELDS];
    int n;
};

static const char *get(const struct block *b, const char *field)
{
    for (int i = 0; i < b->n; i++)
        if (!strcmp(b->field[i], field))
            return b->value[i];
    return NULL;
}

static int hexdigit(int c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static char *unescape(const char *s, size_t *len)
{
    char *out = malloc(strlen(s) + 1), *o = out;

    assert_non_null(out);
    for (; *s; s++) {
        if (*s != '\\' || !s[1]) {
            *o++ = *s;
            continue;
        }
        s++;
        if (*s == 'n')
            *o++ = '\n';
        else if (*s == 't')
            *o++ = '\t';
        else if (*s == 'x' && hexdigit(s[1]) >= 0 && hexdigit(s[2]) >= 0) {
            *o++ = (char)(hexdigit(s[1]) << 4 | hexdigit(s[2]));
            s += 2;
        } else
            *o++ = *s;
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

static void block_free(struct block *b)
{
    for (int i = 0; i < b->n; i++) {
        free(b->field[i]);
        free(b->value[i]);
    }
    b->n = 0;
}

/* The next block of f into b; 0 at the end of the file. */
static int next_block(FILE *f, struct block *b)
{
    char line[16384];

    block_free(b);
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        assert_true(n < sizeof line - 1); /* a line longer than the buffer */
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (line[0] == '#')
            continue;
        if (!n) {
            if (b->n)
                return 1;
            continue;
        }
        char *colon = strstr(line, ": ");
        if (!colon) {
            fail_msg("%s: not a \"field: value\" line: %s", b->file, line);
        }
        assert_true(b->n < MAX_FIELDS);
        *colon = '\0';
        b->field[b->n] = strdup(line);
        b->value[b->n] = unescape(colon + 2, &b->vlen[b->n]);
        b->n++;
    }
    return b->n > 0;
}

/* A request built from a block; owns its headers array and body. */
struct built {
    struct sigv4_request req;
    struct sigv4_header headers[MAX_FIELDS];
    unsigned char *body;
    const char *service;
};

static void build(const struct block *b, struct built *r)
{
    memset(r, 0, sizeof *r);
    r->req.method = get(b, "method");
    r->req.raw_path = get(b, "path");
    r->req.raw_query = get(b, "query");
    for (int i = 0; i < b->n; i++) {
        if (strcmp(b->field[i], "header"))
            continue;
        char *sep = strstr(b->value[i], ": ");
        assert_non_null(sep);
        *sep = '\0'; /* the block's value now holds "NAME\0VALUE" */
        r->headers[r->req.nheaders].name = b->value[i];
        r->headers[r->req.nheaders].value = sep + 2;
        r->req.nheaders++;
    }
    r->req.headers = r->headers;
    const char *hex = get(b, "body_hex");
    if (hex) {
        size_t n = strlen(hex) / 2;
        r->body = malloc(n + 1);
        assert_non_null(r->body);
        for (size_t i = 0; i < n; i++)
            r->body[i] = (unsigned char)(hexdigit(hex[2 * i]) << 4 |
                                         hexdigit(hex[2 * i + 1]));
        r->req.body = r->body;
        r->req.body_len = n;
    }
    const char *now = get(b, "now");
    assert_non_null(now);
    r->req.now = strtoll(now, NULL, 10);
    r->service = get(b, "service");
    if (!r->service)
        r->service = "execute-api";
    else if (!strcmp(r->service, "*"))
        r->service = NULL;
}

/* Flip hex digit `at` of the signature the request carries (it is
 * flipped back by calling again); -1 when it carries none. */
static int flip_signature(struct built *r, size_t at)
{
    char *p = NULL;

    for (size_t i = 0; i < r->req.nheaders && !p; i++)
        if (!strcasecmp(r->headers[i].name, "authorization"))
            p = strstr(r->headers[i].value, "Signature=");
    if (!p && r->req.raw_query)
        p = strstr(r->req.raw_query, "X-Amz-Signature=");
    if (!p)
        return -1;
    p = strchr(p, '=') + 1;
    assert_true(strlen(p) > at);
    p[at] ^= 1; /* its own inverse */
    return 0;
}

/* Run one case; returns the number of failed checks (and prints them). */
static int run_case(const struct block *b)
{
    const char *name = get(b, "name"), *expect = get(b, "expect");
    const char *type = get(b, "type"), *message = get(b, "message");
    const char *prefix = get(b, "message_prefix");
    const char *akid = get(b, "access_key");
    const char *canonical = get(b, "canonical");
    const char *sts = get(b, "string_to_sign");
    struct sigv4_result res;
    struct built r;
    int bad = 0;

    if (!name || !expect) {
        printf("%s: a block without name or expect\n", b->file);
        return 1;
    }
    build(b, &r);
    sigv4_verify(&r.req, creds, 2, r.service, &res);
    if (strcmp(status_names[res.status], expect)) {
        printf("%s: %s: status %s, expected %s (%s: %s)\n", b->file, name,
               status_names[res.status], expect, res.error_type, res.message);
        bad++;
    }
    if (type && strcmp(res.error_type, type)) {
        printf("%s: %s: type %s, expected %s\n", b->file, name, res.error_type,
               type);
        bad++;
    }
    if (message && strcmp(res.message, message)) {
        printf("%s: %s: message\n  got      [%s]\n  expected [%s]\n", b->file,
               name, res.message, message);
        bad++;
    }
    if (prefix && strncmp(res.message, prefix, strlen(prefix))) {
        printf("%s: %s: message\n  got        [%s]\n  expected [%s...]\n",
               b->file, name, res.message, prefix);
        bad++;
    }
    if (akid && strcmp(res.access_key_id, akid)) {
        printf("%s: %s: access key [%s], expected [%s]\n", b->file, name,
               res.access_key_id, akid);
        bad++;
    }
    if (res.status == SIGV4_OK && (res.error_type[0] || res.message[0])) {
        printf("%s: %s: OK with an error text\n", b->file, name);
        bad++;
    }
    if (res.status != SIGV4_OK && res.access_key_id[0]) {
        printf("%s: %s: a failure names an access key\n", b->file, name);
        bad++;
    }

    if (!strcmp(expect, "OK") && canonical && sts) {
        /* The same request with the wrong secret: API Gateway's message
         * quotes the canonical request and the string to sign, which must
         * be botocore's. */
        char want[SIGV4_MESSAGE_MAX];
        snprintf(want, sizeof want,
                 "%s\n\nThe Canonical String for this request should have "
                 "been\n'%s'\n\nThe String-to-Sign should have been\n'%s'\n",
                 MISMATCH_TEXT, canonical, sts);
        sigv4_verify(&r.req, wrong_creds, 2, r.service, &res);
        if (res.status != SIGV4_MISMATCH || strcmp(res.message, want)) {
            printf("%s: %s: with a wrong secret\n  got      [%s]\n  expected "
                   "[%s]\n",
                   b->file, name, res.message, want);
            bad++;
        }
    }
    for (size_t at = 0; !strcmp(expect, "OK") && at < 64; at += 63) {
        if (flip_signature(&r, at) < 0)
            break;
        sigv4_verify(&r.req, creds, 2, r.service, &res);
        if (res.status != SIGV4_MISMATCH) {
            printf("%s: %s: signature digit %zu flipped is %s\n", b->file, name,
                   at, status_names[res.status]);
            bad++;
        }
        flip_signature(&r, at);
    }
    free(r.body);
    return bad;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void golden_cases_pass(void **state)
{
    char *files[64];
    int nfiles = 0, cases = 0, failures = 0;
    struct dirent *e;
    DIR *d = opendir(GOLDEN_DIR);

    (void)state;
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && !strcmp(e->d_name + n - 4, ".txt")) {
            assert_true(nfiles < 64);
            files[nfiles++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(files, (size_t)nfiles, sizeof *files, by_name);
    for (int i = 0; i < nfiles; i++) {
        char path[512];
        struct block b = {0};
        snprintf(path, sizeof path, "%s/%s", GOLDEN_DIR, files[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        b.file = files[i];
        while (next_block(f, &b)) {
            cases++;
            failures += run_case(&b) != 0;
        }
        block_free(&b);
        fclose(f);
        free(files[i]);
    }
    printf("golden: %d cases, %d failed\n", cases, failures);
    assert_true(nfiles >= 3);
    assert_true(cases >= 80);
    assert_int_equal(failures, 0);
}

/* ---- the parser ---- */

static int span_is(struct sigv4_span s, const char *lit)
{
    return s.n == strlen(lit) && !memcmp(s.p, lit, s.n);
}

static void parse_splits_every_part(void **state)
{
    const char *v = "AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/"
                    "execute-api/aws4_request,  SignedHeaders=host;x-amz-date"
                    ", Unknown=x, Signature=abc=";
    struct sigv4_authorization a;
    char msg[256];

    (void)state;
    assert_int_equal(sigv4_parse_authorization(v, &a, msg, sizeof msg), 0);
    assert_true(span_is(a.algorithm, "AWS4-HMAC-SHA256"));
    assert_true(span_is(a.credential,
                        "AKID/20260101/eu-west-1/execute-api/aws4_request"));
    assert_true(span_is(a.signed_headers, "host;x-amz-date"));
    assert_true(span_is(a.signature, "abc="));
    assert_true(span_is(a.access_key_id, "AKID"));
    assert_true(span_is(a.date, "20260101"));
    assert_true(span_is(a.region, "eu-west-1"));
    assert_true(span_is(a.service, "execute-api"));
    assert_true(span_is(a.terminator, "aws4_request"));
}

static void parse_reports_apis_messages(void **state)
{
    struct sigv4_authorization a;
    char msg[256], tiny[8];

    (void)state;
    assert_int_equal(
        sigv4_parse_authorization("Bearer abc", &a, msg, sizeof msg), -1);
    assert_string_equal(msg, "Invalid key=value pair (missing equal-sign) in "
                             "Authorization header (hashed with SHA-256 and "
                             "encoded with Base64): "
                             "'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='.");
    /* the parser does not know the headers: no date sentence */
    assert_int_equal(sigv4_parse_authorization("", &a, msg, sizeof msg), -1);
    assert_string_equal(msg,
                        "Authorization header requires 'Credential' "
                        "parameter. Authorization header requires "
                        "'Signature' parameter. Authorization header "
                        "requires 'SignedHeaders' parameter. Authorization=");
    assert_int_equal(sigv4_parse_authorization(
                         "X Credential=a/b, SignedHeaders=host, Signature=s",
                         &a, msg, sizeof msg),
                     -1);
    assert_string_equal(msg, "Credential must have exactly 5 slash-delimited "
                             "elements, e.g. keyid/date/region/service/term, "
                             "got 'a/b'");
    /* a short buffer is cut, still terminated; no buffer at all is fine */
    assert_int_equal(sigv4_parse_authorization("Bearer", &a, tiny, sizeof tiny),
                     -1);
    assert_string_equal(tiny, "Authori");
    assert_int_equal(sigv4_parse_authorization("Bearer x", &a, NULL, 0), -1);
}

/* ---- caps and edges ---- */

static const char *const get_plain_auth =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/"
    "aws4_request, SignedHeaders=host;x-amz-date, Signature="
    "34ccd5c0af169ee25e1caded942a0b4183628a9cc76ec2d2abe50151e26ebcf2";

static struct sigv4_result verify_with(const char *auth, const char *query,
                                       const char *extra, long long now)
{
    struct sigv4_header h[4] = {{"Host", "localhost:3000"},
                                {"X-Amz-Date", "20260101T000000Z"},
                                {"Authorization", auth},
                                {"X-Extra", extra}};
    struct sigv4_request req = {
        "GET", "/prod/items", query, h, extra ? 4 : 3, NULL, 0, now, NULL};
    struct sigv4_result res;

    sigv4_verify(&req, creds, 2, "execute-api", &res);
    return res;
}

static void get_plain_is_ok_and_names_its_signer(void **state)
{
    struct sigv4_result res = verify_with(get_plain_auth, "", NULL, 1767225600);

    (void)state;
    assert_int_equal(res.status, SIGV4_OK);
    assert_string_equal(res.access_key_id, "AKIDEXAMPLE");
    /* no credentials at all: nobody is known */
    struct sigv4_header h[] = {{"Host", "localhost:3000"},
                               {"X-Amz-Date", "20260101T000000Z"},
                               {"Authorization", get_plain_auth}};
    struct sigv4_request req = {"GET", "/prod/items", NULL, h, 3, NULL,
                                0,     1767225600,    NULL};
    sigv4_verify(&req, NULL, 0, "execute-api", &res);
    assert_int_equal(res.status, SIGV4_UNKNOWN_KEY);
}

static void a_header_that_must_be_signed_and_is_not_is_malformed(void **state)
{
    struct sigv4_header h[] = {{"Host", "localhost:3000"},
                               {"X-Amz-Date", "20260101T000000Z"},
                               {"X-Amz-Target", "DynamoDB_20120810.DeleteItem"},
                               {"Authorization", get_plain_auth}};
    struct sigv4_request req = {"GET", "/prod/items", NULL, h, 4, NULL,
                                0,     1767225600,    NULL};
    struct sigv4_result res;

    (void)state;
    /* signed as it is, the request is fine without the requirement */
    sigv4_verify(&req, creds, 2, "execute-api", &res);
    assert_int_equal(res.status, SIGV4_OK);
    req.must_sign = "X-Amz-Target";
    sigv4_verify(&req, creds, 2, "execute-api", &res);
    assert_int_equal(res.status, SIGV4_MALFORMED);
    assert_string_equal(res.error_type, "IncompleteSignatureException");
    assert_string_equal(res.message, "'X-Amz-Target' must be a "
                                     "'SignedHeader' in the AWS "
                                     "Authorization.");
    /* named in SignedHeaders, in any case: the requirement is met (and the
     * signature, made without it, no longer matches) */
    h[3].value = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
                 "execute-api/aws4_request, SignedHeaders=host;x-amz-date;"
                 "X-AMZ-TARGET, Signature="
                 "34ccd5c0af169ee25e1caded942a0b4183628a9cc76ec2d2abe50151e26"
                 "ebcf2";
    sigv4_verify(&req, creds, 2, "execute-api", &res);
    assert_int_equal(res.status, SIGV4_MISMATCH);
}

static void too_many_signed_headers_is_malformed(void **state)
{
    char auth[4096];
    int n = snprintf(auth, sizeof auth,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
                     "us-east-1/execute-api/aws4_request, SignedHeaders=host");

    (void)state;
    for (int i = 1; i < SIGV4_SIGNED_HEADERS_MAX; i++)
        n += snprintf(auth + n, sizeof auth - (size_t)n, ";x-extra");
    snprintf(auth + n, sizeof auth - (size_t)n, ", Signature=00");
    /* at the cap: just a wrong signature */
    struct sigv4_result res = verify_with(auth, "", "v", 1767225600);
    assert_int_equal(res.status, SIGV4_MISMATCH);
    /* one more */
    char *semi = strstr(auth, ", Signature");
    memmove(semi + 2, semi, strlen(semi) + 1);
    memcpy(semi, ";h", 2);
    res = verify_with(auth, "", "v", 1767225600);
    assert_int_equal(res.status, SIGV4_MALFORMED);
    assert_string_equal(res.message, "Too many headers in 'SignedHeaders'.");
}

static void too_many_query_parameters_is_malformed(void **state)
{
    size_t n = SIGV4_QUERY_PARAMS_MAX + 1;
    char *q = malloc(4 * n + 1);

    (void)state;
    assert_non_null(q);
    for (size_t i = 0; i < n; i++)
        memcpy(q + 4 * i, "a=1&", 4);
    q[4 * n - 1] = '\0';
    struct sigv4_result res = verify_with(get_plain_auth, q, NULL, 1767225600);
    assert_int_equal(res.status, SIGV4_MALFORMED);
    q[4 * (n - 1) - 1] = '\0'; /* at the cap */
    res = verify_with(get_plain_auth, q, NULL, 1767225600);
    assert_int_equal(res.status, SIGV4_MISMATCH);
    free(q);
}

/* A message quoting a long header is cut, never inside a UTF-8 sequence. */
static void long_message_is_cut_at_a_character(void **state)
{
    size_t n = SIGV4_MESSAGE_MAX;
    char *auth = malloc(5 + 2 * n + 1);

    (void)state;
    assert_non_null(auth);
    /* one word: all of it the "algorithm", quoted after "Authorization=" */
    memcpy(auth, "Basic", 5);
    for (size_t i = 0; i < n; i++)
        memcpy(auth + 5 + 2 * i, "\xc3\xa9", 2);
    auth[5 + 2 * n] = '\0';
    for (int shift = 0; shift < 2; shift++) {
        /* one ASCII byte more or less moves where the cut falls */
        struct sigv4_result res =
            verify_with(auth + shift, "", NULL, 1767225600);
        size_t len = strlen(res.message);
        assert_int_equal(res.status, SIGV4_MALFORMED);
        assert_true(len < SIGV4_MESSAGE_MAX);
        assert_true(len >= SIGV4_MESSAGE_MAX - 3);
        assert_int_equal((unsigned char)res.message[len - 1], 0xa9);
        assert_int_equal((unsigned char)res.message[len - 2], 0xc3);
    }
    free(auth);
}

/* API Gateway quotes the canonical request; not when it would not fit. */
static void mismatch_leaves_out_a_canonical_request_too_long(void **state)
{
    char *value = malloc(SIGV4_MESSAGE_MAX + 1);
    const char *auth =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/"
        "execute-api/aws4_request, SignedHeaders=host;x-amz-date;x-extra, "
        "Signature=00";

    (void)state;
    assert_non_null(value);
    memset(value, 'v', SIGV4_MESSAGE_MAX);
    value[SIGV4_MESSAGE_MAX] = '\0';
    struct sigv4_result res = verify_with(auth, "", value, 1767225600);
    assert_int_equal(res.status, SIGV4_MISMATCH);
    assert_string_equal(res.message, MISMATCH_TEXT);
    value[10] = '\0';
    res = verify_with(auth, "", value, 1767225600);
    assert_int_equal(res.status, SIGV4_MISMATCH);
    assert_non_null(strstr(res.message, "\nx-extra:vvvvvvvvvv\n"));
    free(value);
}

static void clock_extremes_are_expired_not_crashes(void **state)
{
    (void)state;
    assert_int_equal(verify_with(get_plain_auth, "", NULL, LLONG_MAX).status,
                     SIGV4_EXPIRED);
    assert_int_equal(verify_with(get_plain_auth, "", NULL, LLONG_MIN).status,
                     SIGV4_EXPIRED);
    struct sigv4_result res = verify_with(get_plain_auth, "", NULL, 0);
    assert_string_equal(res.message,
                        "Signature not yet current: 20260101T000000Z is "
                        "still later than 19700101T000500Z (19700101T000000Z "
                        "+ 5 min.)");
    res = verify_with(get_plain_auth, "", NULL, LLONG_MAX);
    assert_string_equal(res.message,
                        "Signature expired: 20260101T000000Z is now earlier "
                        "than 99991231T235459Z (99991231T235959Z - 5 min.)");
}

/* Leap years, and the ends of the four-digit years. */
static void dates_across_leap_days(void **state)
{
    static const struct {
        const char *stamp;
        long long t;
        int ok;
    } cases[] = {
        {"20240229T120000Z", 1709208000, 1}, {"20230229T120000Z", 0, 0},
        {"20000229T000000Z", 951782400, 1},  {"19000229T000000Z", 0, 0},
        {"19700101T000000Z", 0, 1},          {"20261301T000000Z", 0, 0},
        {"20260101T240000Z", 0, 0},          {"20260101T006000Z", 0, 0},
        {"20260101t000000Z", 0, 0},          {"2026010100000000", 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sigv4_header h[] = {{"Host", "h"},
                                   {"X-Amz-Date", cases[i].stamp},
                                   {"Authorization", get_plain_auth}};
        struct sigv4_request req = {"GET", "/", NULL,       h,   3,
                                    NULL,  0,   cases[i].t, NULL};
        struct sigv4_result res;
        sigv4_verify(&req, creds, 2, NULL, &res);
        /* a valid date at its own time gets as far as the scope check */
        if (cases[i].ok)
            assert_true(res.status == SIGV4_MISMATCH &&
                        strstr(res.message, "Date in Credential scope"));
        else
            assert_true(res.status == SIGV4_MALFORMED &&
                        strstr(res.message, "basic format"));
    }
}

static void http_dates_in_the_date_header(void **state)
{
    static const char *const good[] = {
        "Thu, 01 Jan 2026 00:00:00 GMT", "Thu, 01 Jan 2026 00:00:00 -0000",
        "01 Jan 2026 00:00:00 UTC", "Thu, 1 Jan 2026 00:00:00 +0000",
        "20260101T000000Z"};
    static const char *const bad[] = {
        "Thu, 01 Jan 2026 00:00:00 +0100", "Thu, 01 Foo 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 00:00 GMT",      "Thu, 32 Jan 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 00:00:00 GMT x", ""};
    const char *auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
                       "us-east-1/execute-api/aws4_request, "
                       "SignedHeaders=date;host, Signature=00";

    (void)state;
    for (size_t i = 0;
         i < sizeof good / sizeof *good + sizeof bad / sizeof *bad; i++) {
        int ok = i < sizeof good / sizeof *good;
        const char *date = ok ? good[i] : bad[i - sizeof good / sizeof *good];
        struct sigv4_header h[] = {
            {"Host", "h"}, {"Date", date}, {"Authorization", auth}};
        struct sigv4_request req = {"GET", "/", NULL,       h,   3,
                                    NULL,  0,   1767225600, NULL};
        struct sigv4_result res;
        sigv4_verify(&req, creds, 2, NULL, &res);
        if (ok != (res.status == SIGV4_MISMATCH))
            fail_msg("Date: %s: %s", date, res.message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_cases_pass),
        cmocka_unit_test(parse_splits_every_part),
        cmocka_unit_test(parse_reports_apis_messages),
        cmocka_unit_test(get_plain_is_ok_and_names_its_signer),
        cmocka_unit_test(a_header_that_must_be_signed_and_is_not_is_malformed),
        cmocka_unit_test(too_many_signed_headers_is_malformed),
        cmocka_unit_test(too_many_query_parameters_is_malformed),
        cmocka_unit_test(long_message_is_cut_at_a_character),
        cmocka_unit_test(mismatch_leaves_out_a_canonical_request_too_long),
        cmocka_unit_test(clock_extremes_are_expired_not_crashes),
        cmocka_unit_test(dates_across_leap_days),
        cmocka_unit_test(http_dates_in_the_date_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
