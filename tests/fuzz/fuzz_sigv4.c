/*
 * fuzz_sigv4 — Signature Version 4 verification: sigv4_parse_authorization
 * on every Authorization header, and sigv4_verify on the whole request.
 *
 * Input: a request as lines, "<method>\n<raw path>\n<raw query>\n" then
 * "Name: value" header lines up to an empty line, then the body (any bytes).
 * Two header-section lines are the harness's: "@now N" sets the clock
 * (default 1767225642, a few seconds after the seeds' 20260101T000000Z) and
 * "@service S" the service to require ("*" for any; default execute-api).
 * The server knows tests/golden/sigv4's two access keys.
 *
 * Properties: nothing crashes or leaks; the verdict is the same twice; its
 * texts are terminated inside their buffers, the error type is the one of
 * its status, OK names a known key and has no error text, a failure always
 * has one; a parsed Authorization header's spans lie inside it and the
 * credential's elements join back into it. And a round trip: when a
 * mismatch quotes the string to sign it expected, that string signed with
 * the key's secret (here, with OpenSSL) and put in place of the request's
 * signature is accepted, unless the Authorization header signs itself.
 */
#include "sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_HEADERS 64

static const struct sigv4_credential creds[] = {
    {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
    {"AKIDSECOND", "second/secret+key"},
};

static const char *const types[] = {
    "",
    "MissingAuthenticationTokenException",
    "IncompleteSignatureException",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidSignatureException",
};

#define MISMATCH_TEXT "The request signature we calculated does not match"
#define STS_INTRO "\n\nThe String-to-Sign should have been\n'"

static void check(int ok, const char *what, const struct sigv4_result *r)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz_sigv4: %s (status %d, %s: %s)\n", what, r->status,
            r->error_type, r->message);
    abort();
}

static int terminated(const char *p, size_t n)
{
    return memchr(p, '\0', n) != NULL;
}

static void check_result(const struct sigv4_result *r)
{
    check(r->status <= SIGV4_MISMATCH, "status out of range", r);
    check(terminated(r->error_type, sizeof r->error_type) &&
              terminated(r->message, sizeof r->message) &&
              terminated(r->access_key_id, sizeof r->access_key_id),
          "a text is not terminated", r);
    check(!strcmp(r->error_type, types[r->status]), "wrong error type", r);
    if (r->status == SIGV4_OK)
        check(!r->message[0] && (!strcmp(r->access_key_id, "AKIDEXAMPLE") ||
                                 !strcmp(r->access_key_id, "AKIDSECOND")),
              "OK with a message or an unknown signer", r);
    else
        check(r->message[0] && !r->access_key_id[0],
              "a failure without a message, or with a signer", r);
}

static int inside(struct sigv4_span s, const char *v, size_t n)
{
    return s.p >= v && s.n <= n && s.p - v <= (ptrdiff_t)(n - s.n);
}

static void check_parse(const char *value)
{
    struct sigv4_authorization a;
    char msg[512];
    size_t n = strlen(value);
    int rc = sigv4_parse_authorization(value, &a, msg, sizeof msg);

    if (!terminated(msg, sizeof msg))
        abort();
    if (rc != 0) {
        if (rc != -1 || !msg[0])
            abort();
        return;
    }
    if (!inside(a.algorithm, value, n) || !inside(a.credential, value, n) ||
        !inside(a.signed_headers, value, n) || !inside(a.signature, value, n))
        abort();
    const struct sigv4_span parts[] = {a.access_key_id, a.date, a.region,
                                       a.service, a.terminator};
    const char *p = a.credential.p;
    for (size_t i = 0; i < 5; i++) {
        if (parts[i].p != p || memchr(p, '/', parts[i].n))
            abort();
        p += parts[i].n;
        if (i < 4 && *p++ != '/')
            abort();
    }
    if (p != a.credential.p + a.credential.n)
        abort();
}

static void hmac(const void *k, size_t kn, const void *p, size_t n,
                 unsigned char out[32])
{
    unsigned int len = 32;

    if (!HMAC(EVP_sha256(), k, (int)kn, p, n, out, &len))
        abort();
}

/* sts signed with secret, in hex; the scope is sts's third line. */
static int sign(const char *sts, const char *secret, char out[65])
{
    const char *scope = strchr(sts, '\n');
    unsigned char key[32];
    char k[256];

    if (!scope || !(scope = strchr(scope + 1, '\n')))
        return -1;
    scope++;
    const char *e[4];
    e[0] = scope;
    for (int i = 1; i < 4; i++) {
        if (!(e[i] = strchr(e[i - 1], '/')))
            return -1;
        e[i]++;
    }
    int kn = snprintf(k, sizeof k, "AWS4%s", secret);
    hmac(k, (size_t)kn, e[0], (size_t)(e[1] - 1 - e[0]), key);
    hmac(key, 32, e[1], (size_t)(e[2] - 1 - e[1]), key);
    hmac(key, 32, e[2], (size_t)(e[3] - 1 - e[2]), key);
    hmac(key, 32, "aws4_request", 12, key);
    hmac(key, 32, sts, strlen(sts), key);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", key[i]);
    return 0;
}

/* The signature the mismatch message says was wanted, put in the header
 * form request's Authorization header: it must verify. */
static void round_trip(struct sigv4_request *req, struct sigv4_header *h,
                       const char *service, const struct sigv4_result *r)
{
    const char *intro = strstr(r->message, STS_INTRO);
    struct sigv4_authorization a;
    struct sigv4_result again;
    size_t ai = 0;
    char want[65];

    if (r->status != SIGV4_MISMATCH || !intro)
        return;
    while (ai < req->nheaders && strcasecmp(h[ai].name, "authorization"))
        ai++;
    if (ai == req->nheaders ||
        sigv4_parse_authorization(h[ai].value, &a, NULL, 0) < 0)
        return; /* the query form */
    const struct sigv4_credential *cred = NULL;
    for (size_t i = 0; i < 2; i++)
        if (a.access_key_id.n == strlen(creds[i].access_key_id) &&
            !memcmp(a.access_key_id.p, creds[i].access_key_id,
                    a.access_key_id.n))
            cred = &creds[i];
    if (!cred)
        abort(); /* a mismatch is only reached with a known key */
    char *sts = strdup(intro + strlen(STS_INTRO));
    size_t n = strlen(sts);
    if (n < 2 || strcmp(sts + n - 2, "'\n"))
        abort();
    sts[n - 2] = '\0';
    if (sign(sts, cred->secret_access_key, want) < 0)
        abort();
    free(sts);

    const char *old = h[ai].value;
    size_t at = (size_t)(a.signature.p - old);
    char *fixed = malloc(strlen(old) + 65);
    memcpy(fixed, old, at);
    memcpy(fixed + at, want, 64);
    strcpy(fixed + at + 64, old + at + a.signature.n);
    h[ai].value = fixed;
    sigv4_verify(req, creds, 2, service, &again);
    h[ai].value = old;
    check_result(&again);

    /* SignedHeaders may name authorization itself: a moving target */
    char *list = strndup(a.signed_headers.p, a.signed_headers.n);
    int self = strcasestr(list, "authorization") != NULL;
    free(list);
    check(again.status == SIGV4_OK || self ||
              (again.status == SIGV4_MISMATCH &&
               strstr(again.message, "x-amz-content-sha256")),
          "the signature the server asked for is refused", &again);
    free(fixed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *p = text, *line[3];
    struct sigv4_header h[MAX_HEADERS];
    struct sigv4_request req = {0};
    struct sigv4_result r1, r2;
    const char *service = "execute-api";

    memcpy(text, data, size);
    text[size] = '\0';
    req.now = 1767225642;
    for (int i = 0; i < 3; i++) {
        line[i] = p;
        p = memchr(p, '\n', size - (size_t)(p - text));
        if (!p)
            goto out;
        *p++ = '\0';
    }
    req.method = line[0];
    req.raw_path = line[1];
    req.raw_query = line[2];
    req.headers = h;
    for (;;) {
        char *nl = memchr(p, '\n', size - (size_t)(p - text));
        if (nl)
            *nl = '\0';
        if (!*p) {
            p = nl ? nl + 1 : p;
            break;
        }
        char *colon = strstr(p, ": ");
        if (!strncmp(p, "@now ", 5))
            req.now = strtoll(p + 5, NULL, 10);
        else if (!strncmp(p, "@service ", 9))
            service = strcmp(p + 9, "*") ? p + 9 : NULL;
        else if (colon && req.nheaders < MAX_HEADERS) {
            *colon = '\0';
            h[req.nheaders].name = p;
            h[req.nheaders].value = colon + 2;
            if (!strcasecmp(p, "authorization"))
                check_parse(colon + 2);
            req.nheaders++;
        }
        if (!nl) {
            p = text + size;
            break;
        }
        p = nl + 1;
    }
    req.body = p;
    req.body_len = size - (size_t)(p - text);

    sigv4_verify(&req, creds, 2, service, &r1);
    check_result(&r1);
    sigv4_verify(&req, creds, 2, service, &r2);
    check(!memcmp(&r1, &r2, sizeof r1), "not the same verdict twice", &r2);
    round_trip(&req, h, service, &r1);
out:
    free(text);
    return 0;
}
