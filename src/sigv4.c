/*
 * sigv4 — AWS Signature Version 4 verification, as API Gateway does it for
 * methods whose authorization is AWS_IAM: take apart the Authorization
 * header or the X-Amz-* query parameters, check the credential scope and
 * the time, rebuild the canonical request the way AWS's SDKs build it for
 * every service but S3 (botocore's SigV4Auth), and compare signatures.
 *
 * It is not a signer (crudd never calls AWS), and knows nothing of HTTP
 * libraries, IAM policies or temporary credentials. The error texts are API
 * Gateway's where they have been seen in the wild; see include/sigv4.h.
 */
#include "sigv4.h"
#include "uri.h"

#include "b64.h"
#include "buf.h"
#include "xalloc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TYPE_MISSING "MissingAuthenticationTokenException"
#define TYPE_INCOMPLETE "IncompleteSignatureException"
#define TYPE_UNRECOGNIZED "UnrecognizedClientException"
#define TYPE_INVALID "InvalidSignatureException"

#define MISMATCH_TEXT                                                          \
    "The request signature we calculated does not match the signature you "    \
    "provided. Check your AWS Secret Access Key and signing method. Consult "  \
    "the service documentation for details."

/* 9999-12-31T23:59:59Z: dates stay four-digit years. */
#define NOW_MAX 253402300799LL
/* Room for a basic-format time, "20260101T000000Z", and then some. */
#define STAMP_SIZE 32

typedef struct sigv4_span span;

static span span_of(const char *s)
{
    return (span){s, strlen(s)};
}

static int span_is(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

static int span_is_nocase(span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

/* ---- messages: a fixed buffer filled in pieces, cut at a character ---- */

struct msg {
    char *p;
    size_t size, len;
    int full;
};

static void msg_init(struct msg *m, char *p, size_t size)
{
    m->p = p;
    m->size = size;
    m->len = 0;
    m->full = 0;
    p[0] = '\0';
}

/* Append n bytes; what does not fit is dropped, and a UTF-8 sequence is
 * never cut in two. */
static void msg_add(struct msg *m, const char *s, size_t n)
{
    size_t room = m->size - 1 - m->len;

    if (m->full)
        return;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        m->full = 1;
    }
    memcpy(m->p + m->len, s, n);
    m->len += n;
    m->p[m->len] = '\0';
}

static void msg_puts(struct msg *m, const char *s)
{
    msg_add(m, s, strlen(s));
}

static void msg_span(struct msg *m, span s)
{
    msg_add(m, s.p, s.n);
}

/* ---- hashes (OpenSSL) ---- */

static void sha256(const void *p, size_t n, unsigned char out[32])
{
    unsigned int len = 32;

    if (!EVP_Digest(p, n, out, &len, EVP_sha256(), NULL))
        abort(); /* SHA-256 is always there: a broken libcrypto */
}

static void hmac(const void *key, size_t klen, const void *p, size_t n,
                 unsigned char out[32])
{
    unsigned int len = 32;

    if (klen > 0x7fffffff ||
        !HMAC(EVP_sha256(), key, (int)klen, p, n, out, &len))
        abort();
}

static void hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* ---- dates ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (long long)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(long long y, unsigned m)
{
    static const unsigned char dim[] = {31, 28, 31, 30, 31, 30,
                                        31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* Unix seconds t as ISO-8601 basic format, "20260101T000000Z". */
static void format_basic(long long t, char out[STAMP_SIZE])
{
    long long days = (t >= 0 ? t : t - 86399) / 86400, y;
    unsigned s = (unsigned)(t - days * 86400), m, d;

    civil_from_days(days, &y, &m, &d);
    snprintf(out, STAMP_SIZE, "%04lld%02u%02uT%02u%02u%02uZ", y % 100000,
             m % 100, d % 100, s / 3600 % 100, s / 60 % 60, s % 60);
}

/* n digits at p as a number; -1 if any is not a digit. */
static long digits(const char *p, size_t n)
{
    long v = 0;

    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int to_seconds(long y, long mo, long d, long h, long mi, long s,
                      long long *t)
{
    if (y < 0 || mo < 1 || mo > 12 || d < 1 ||
        d > (long)days_in_month(y, (unsigned)mo) || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || s < 0 || s > 59)
        return -1;
    *t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
         mi * 60 + s;
    return 0;
}

/* "YYYYMMDDTHHMMSSZ" (X-Amz-Date). */
static int parse_basic(span s, long long *t)
{
    if (s.n != 16 || s.p[8] != 'T' || s.p[15] != 'Z')
        return -1;
    return to_seconds(digits(s.p, 4), digits(s.p + 4, 2), digits(s.p + 6, 2),
                      digits(s.p + 9, 2), digits(s.p + 11, 2),
                      digits(s.p + 13, 2), t);
}

/* An HTTP-date as clients send it in Date: "Thu, 01 Jan 2026 00:00:00 GMT"
 * (RFC 9110 IMF-fixdate), or with "-0000" / "+0000" as Python's
 * email.utils.formatdate (botocore) writes it. */
static int parse_http_date(const char *p, long long *t)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    long day, mon = 0;

    while (*p == ' ')
        p++;
    if (p[0] && p[1] && p[2] && p[3] == ',') /* "Thu," */
        p += 4;
    while (*p == ' ')
        p++;
    size_t dn =
        p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' ? 2 : 1;
    if ((day = digits(p, dn)) < 0 || p[dn] != ' ')
        return -1;
    p += dn + 1;
    for (int i = 0; i < 12; i++)
        if (p[0] && p[1] && p[2] && !strncasecmp(p, months + 3 * i, 3))
            mon = i + 1;
    if (!mon || p[3] != ' ')
        return -1;
    p += 4;
    if (strlen(p) < 14 || p[4] != ' ' || p[7] != ':' || p[10] != ':' ||
        p[13] != ' ')
        return -1;
    long y = digits(p, 4), h = digits(p + 5, 2), mi = digits(p + 8, 2),
         s = digits(p + 11, 2);
    p += 14;
    size_t zn = strcspn(p, " ");
    span zone = {p, zn};
    if (!span_is(zone, "GMT") && !span_is(zone, "UTC") && !span_is(zone, "Z") &&
        !span_is(zone, "+0000") && !span_is(zone, "-0000"))
        return -1;
    for (p += zn; *p == ' ';)
        p++;
    if (*p)
        return -1;
    return to_seconds(y, mon, day, h, mi, s, t);
}

/* ---- the Authorization header ---- */

enum {
    HAS_CREDENTIAL = 1,
    HAS_SIGNED_HEADERS = 2,
    HAS_SIGNATURE = 4,
    HAS_ALL = 7,
};

static void missing_equal(struct msg *m, const char *tok, size_t n)
{
    unsigned char h[32];

    sha256(tok, n, h);
    char *b = b64_encode(h, sizeof h, 0);
    msg_puts(m, "Invalid key=value pair (missing equal-sign) in Authorization "
                "header (hashed with SHA-256 and encoded with Base64): '");
    msg_puts(m, b);
    msg_puts(m, "'.");
    free(b);
}

/* The first word is the algorithm; then key=value elements separated by
 * runs of commas and spaces. Sets *have (HAS_*); -1 and a message for an
 * element without '='. */
static int auth_split(const char *value, struct sigv4_authorization *a,
                      unsigned *have, struct msg *m)
{
    const char *p = value;

    memset(a, 0, sizeof *a);
    *have = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    a->algorithm.p = p;
    while (*p && *p != ' ' && *p != '\t')
        p++;
    a->algorithm.n = (size_t)(p - a->algorithm.p);
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            return 0;
        const char *tok = p;
        while (*p && *p != ' ' && *p != '\t' && *p != ',')
            p++;
        size_t n = (size_t)(p - tok);
        const char *eq = memchr(tok, '=', n);
        if (!eq) {
            missing_equal(m, tok, n);
            return -1;
        }
        span key = {tok, (size_t)(eq - tok)};
        span val = {eq + 1, (size_t)(p - eq - 1)};
        if (span_is(key, "Credential") && !(*have & HAS_CREDENTIAL)) {
            a->credential = val;
            *have |= HAS_CREDENTIAL;
        } else if (span_is(key, "SignedHeaders") &&
                   !(*have & HAS_SIGNED_HEADERS)) {
            a->signed_headers = val;
            *have |= HAS_SIGNED_HEADERS;
        } else if (span_is(key, "Signature") && !(*have & HAS_SIGNATURE)) {
            a->signature = val;
            *have |= HAS_SIGNATURE;
        }
    }
}

/* "Authorization header requires 'Credential' parameter. ..." */
static void requires(struct msg *m, unsigned have, int have_date,
                     const char *value)
{
    if (!(have & HAS_CREDENTIAL))
        msg_puts(m, "Authorization header requires 'Credential' parameter. ");
    if (!(have & HAS_SIGNATURE))
        msg_puts(m, "Authorization header requires 'Signature' parameter. ");
    if (!(have & HAS_SIGNED_HEADERS))
        msg_puts(m,
                 "Authorization header requires 'SignedHeaders' parameter. ");
    if (!have_date)
        msg_puts(m, "Authorization header requires existence of either a "
                    "'X-Amz-Date' or a 'Date' header. ");
    msg_puts(m, "Authorization=");
    msg_puts(m, value);
}

/* AKID/date/region/service/terminator into a's spans. */
static int credential_split(struct sigv4_authorization *a, struct msg *m)
{
    span parts[5];
    const char *s = a->credential.p, *end = s + a->credential.n;
    size_t k = 0;

    for (;;) {
        const char *slash = memchr(s, '/', (size_t)(end - s));
        const char *e = slash ? slash : end;
        if (k == 5) {
            k++;
            break;
        }
        parts[k++] = (span){s, (size_t)(e - s)};
        if (!slash)
            break;
        s = slash + 1;
    }
    if (k != 5) {
        msg_puts(m, "Credential must have exactly 5 slash-delimited "
                    "elements, e.g. keyid/date/region/service/term, got '");
        msg_span(m, a->credential);
        msg_puts(m, "'");
        return -1;
    }
    a->access_key_id = parts[0];
    a->date = parts[1];
    a->region = parts[2];
    a->service = parts[3];
    a->terminator = parts[4];
    return 0;
}

int sigv4_parse_authorization(const char *value,
                              struct sigv4_authorization *out, char *msg,
                              size_t msgsize)
{
    char scratch[1];
    struct msg m;
    unsigned have;

    if (!msg || !msgsize) {
        msg = scratch;
        msgsize = sizeof scratch;
    }
    msg_init(&m, msg, msgsize);
    if (auth_split(value, out, &have, &m) < 0)
        return -1;
    if (have != HAS_ALL) {
        requires(&m, have, 1, value);
        return -1;
    }
    return credential_split(out, &m);
}

/* ---- the request: headers and query ---- */

/* The first header called name (any case), or NULL. */
static const char *header_get(const struct sigv4_request *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (r->headers[i].name && !strcasecmp(r->headers[i].name, name))
            return r->headers[i].value ? r->headers[i].value : "";
    return NULL;
}

/* One query parameter: decoded, then encoded the canonical way. */
struct param {
    span name, value;   /* percent-decoded */
    size_t eno, evo;    /* offsets of the canonical forms in enc */
    span ename, evalue; /* the canonical forms, once enc stops growing */
};

/* Decode a query name or value: %XX, and '+' as a space, as the
 * application/x-www-form-urlencoded serializers of Python (urlencode, used
 * by botocore's AWSRequest.prepare and by requests) and browsers write one;
 * a '%' not followed by two hex digits stays as it is. Returns the length
 * written to dst (at most n). */
static size_t percent_decode(const char *s, size_t n, char *dst)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = uri_hex_digit(s[i + 1])) >= 0 &&
            (lo = uri_hex_digit(s[i + 2])) >= 0) {
            dst[o++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            dst[o++] = s[i] == '+' ? ' ' : s[i];
        }
    }
    return o;
}

/* RFC 3986 §2.3 unreserved characters. */
static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
           c == '~';
}

/* URI-encode as SigV4 wants: unreserved bytes (and '/' if slash) as they
 * are, every other byte %XX with upper-case hex. */
static void encode(struct buf *b, const char *s, size_t n, int slash)
{
    static const char digits[] = "0123456789ABCDEF";
    size_t run = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (slash && c == '/'))
            continue;
        buf_append(b, s + run, i - run);
        char e[3] = {'%', digits[c >> 4], digits[c & 15]};
        buf_append(b, e, 3);
        run = i + 1;
    }
    buf_append(b, s + run, n - run);
}

struct check {
    const struct sigv4_request *req;
    struct sigv4_result *out;
    struct msg m;
    long long now;
    struct param *params; /* the query, decoded */
    size_t nparams;
    char *decoded; /* storage for the decoded names and values */
    int query_form;
    struct sigv4_authorization a; /* spans into a header or decoded */
    char stamp[STAMP_SIZE];       /* the request's time, basic format */
    long long signed_at;
    long long expires; /* X-Amz-Expires; -1 when none */
};

static void fail(struct check *c, enum sigv4_status status, const char *type)
{
    c->out->status = status;
    snprintf(c->out->error_type, sizeof c->out->error_type, "%s", type);
}

/* Split the raw query into decoded parameters ("a" is "a="; empty pieces
 * between '&'s are skipped). -1 when there are too many. */
static int parse_query(struct check *c)
{
    const char *q = c->req->raw_query ? c->req->raw_query : "";
    size_t len = strlen(q), n = 0;

    for (const char *p = q; *p;) {
        size_t k = strcspn(p, "&");
        if (k && ++n > SIGV4_QUERY_PARAMS_MAX)
            return -1;
        p += k + (p[k] == '&');
    }
    c->params = xcalloc(n ? n : 1, sizeof *c->params);
    c->decoded = xmalloc(len + 1);
    char *o = c->decoded;
    for (const char *p = q; *p;) {
        size_t k = strcspn(p, "&");
        if (k) {
            const char *eq = memchr(p, '=', k);
            size_t nk = eq ? (size_t)(eq - p) : k;
            struct param *pr = &c->params[c->nparams++];
            pr->name = (span){o, percent_decode(p, nk, o)};
            o += pr->name.n;
            pr->value.p = o;
            if (eq)
                pr->value.n = percent_decode(eq + 1, k - nk - 1, o);
            o += pr->value.n;
        }
        p += k + (p[k] == '&');
    }
    return 0;
}

static const span *param_get(const struct check *c, const char *name)
{
    for (size_t i = 0; i < c->nparams; i++)
        if (span_is(c->params[i].name, name))
            return &c->params[i].value;
    return NULL;
}

/* Does SignedHeaders name the header `name` (any case)? */
static int signs(span list, const char *name)
{
    const char *p = list.p, *end = list.p + list.n;

    while (p <= end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *e = semi ? semi : end;
        if (span_is_nocase((span){p, (size_t)(e - p)}, name))
            return 1;
        if (!semi)
            break;
        p = semi + 1;
    }
    return 0;
}

static size_t count_names(span list)
{
    size_t n = 1;

    for (size_t i = 0; i < list.n; i++)
        n += list.p[i] == ';';
    return n;
}

static void bad_date(struct check *c, span value)
{
    fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
    msg_puts(&c->m, "Date must be in ISO-8601 'basic format'. Got '");
    msg_span(&c->m, value);
    msg_puts(&c->m, "'. See http://en.wikipedia.org/wiki/ISO_8601");
}

static void bad_algorithm(struct check *c, span alg)
{
    fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
    msg_puts(&c->m, "Unsupported AWS 'algorithm': '");
    msg_span(&c->m, alg);
    msg_puts(&c->m, "'.");
}

/* The checks both forms share once their parts are found. */
static int check_parts(struct check *c)
{
    if (!span_is(c->a.algorithm, SIGV4_ALGORITHM)) {
        bad_algorithm(c, c->a.algorithm);
        return -1;
    }
    if (credential_split(&c->a, &c->m) < 0) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        return -1;
    }
    if (!signs(c->a.signed_headers, "host")) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        msg_puts(&c->m,
                 "'Host' must be a 'SignedHeader' in the AWS Authorization.");
        return -1;
    }
    if (c->req->must_sign && !signs(c->a.signed_headers, c->req->must_sign)) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        msg_puts(&c->m, "'");
        msg_puts(&c->m, c->req->must_sign);
        msg_puts(&c->m, "' must be a 'SignedHeader' in the AWS Authorization.");
        return -1;
    }
    if (count_names(c->a.signed_headers) > SIGV4_SIGNED_HEADERS_MAX) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        msg_puts(&c->m, "Too many headers in 'SignedHeaders'.");
        return -1;
    }
    return 0;
}

static int from_header(struct check *c, const char *value)
{
    const char *amz = header_get(c->req, "x-amz-date");
    const char *date = header_get(c->req, "date");
    unsigned have;

    if (auth_split(value, &c->a, &have, &c->m) < 0) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        return -1;
    }
    if (have != HAS_ALL || (!amz && !date)) {
        fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        requires(&c->m, have, amz || date, value);
        return -1;
    }
    if (check_parts(c) < 0)
        return -1;
    if (amz ? parse_basic(span_of(amz), &c->signed_at) < 0
            : parse_basic(span_of(date), &c->signed_at) < 0 &&
                  parse_http_date(date, &c->signed_at) < 0) {
        bad_date(c, span_of(amz ? amz : date));
        return -1;
    }
    format_basic(c->signed_at, c->stamp);
    return 0;
}

static int from_query(struct check *c)
{
    static const char *const names[] = {"X-Amz-Algorithm", "X-Amz-Credential",
                                        "X-Amz-Signature",
                                        "X-Amz-SignedHeaders", "X-Amz-Date"};
    const span *v[5];
    int missing = 0;

    c->query_form = 1;
    for (int i = 0; i < 5; i++) {
        if (!(v[i] = param_get(c, names[i]))) {
            if (!missing++)
                fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
            msg_puts(&c->m, "AWS query-string parameters must include '");
            msg_puts(&c->m, names[i]);
            msg_puts(&c->m, "'. ");
        }
    }
    if (missing) {
        msg_puts(&c->m, "Re-examine the query-string parameters.");
        return -1;
    }
    c->a.algorithm = *v[0];
    c->a.credential = *v[1];
    c->a.signature = *v[2];
    c->a.signed_headers = *v[3];
    if (check_parts(c) < 0)
        return -1;
    if (parse_basic(*v[4], &c->signed_at) < 0) {
        bad_date(c, *v[4]);
        return -1;
    }
    format_basic(c->signed_at, c->stamp);

    const span *e = param_get(c, "X-Amz-Expires");
    c->expires = -1;
    if (e) {
        long long x = 0;
        size_t i = e->n && e->p[0] == '-';
        int ok = e->n > i && e->n - i <= 18;
        for (size_t k = i; ok && k < e->n; k++) {
            ok = e->p[k] >= '0' && e->p[k] <= '9';
            x = x * 10 + (e->p[k] - '0');
        }
        const char *why = !ok ? "X-Amz-Expires should be a number"
                          : i ? "X-Amz-Expires must be non-negative"
                          : x > SIGV4_EXPIRES_MAX
                              ? "X-Amz-Expires must be less than a week (in "
                                "seconds) that is 604800"
                              : NULL;
        if (why) {
            fail(c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
            msg_puts(&c->m, why);
            return -1;
        }
        c->expires = x;
    }
    return 0;
}

static int check_scope(struct check *c, const char *service)
{
    struct msg *m = &c->m;

    if (!span_is(c->a.terminator, "aws4_request")) {
        msg_puts(m, "Credential should be scoped with a valid terminator: "
                    "'aws4_request', not '");
        msg_span(m, c->a.terminator);
        msg_puts(m, "'. ");
    } else if (!c->a.region.n) {
        msg_puts(m, "Credential should be scoped to a valid region, not ''. ");
    } else if (service && !span_is(c->a.service, service)) {
        msg_puts(m, "Credential should be scoped to correct service: '");
        msg_puts(m, service);
        msg_puts(m, "'. ");
    } else if (c->a.date.n != 8 || memcmp(c->a.date.p, c->stamp, 8)) {
        msg_puts(m, "Date in Credential scope does not match YYYYMMDD from "
                    "ISO-8601 version of date from HTTP: '");
        msg_span(m, c->a.date);
        msg_puts(m, "' != '");
        msg_add(m, c->stamp, 8);
        msg_puts(m, "', from '");
        msg_puts(m, c->stamp);
        msg_puts(m, "'.");
    } else {
        return 0;
    }
    fail(c, SIGV4_MISMATCH, TYPE_INVALID);
    return -1;
}

static int check_time(struct check *c)
{
    char now[STAMP_SIZE], edge[STAMP_SIZE], text[256];
    long long window = c->expires >= 0 ? c->expires : SIGV4_SKEW_SECONDS;

    format_basic(c->now, now);
    if (c->signed_at > c->now + SIGV4_SKEW_SECONDS) {
        format_basic(c->now + SIGV4_SKEW_SECONDS, edge);
        snprintf(text, sizeof text,
                 "Signature not yet current: %s is still later than %s (%s + "
                 "5 min.)",
                 c->stamp, edge, now);
    } else if (c->signed_at < c->now - window) {
        format_basic(c->now - window, edge);
        if (window % 60 == 0)
            snprintf(text, sizeof text,
                     "Signature expired: %s is now earlier than %s (%s - %lld "
                     "min.)",
                     c->stamp, edge, now, window / 60);
        else
            snprintf(text, sizeof text,
                     "Signature expired: %s is now earlier than %s (%s - %lld "
                     "sec.)",
                     c->stamp, edge, now, window);
    } else {
        return 0;
    }
    fail(c, SIGV4_EXPIRED, TYPE_INVALID);
    msg_puts(&c->m, text);
    return -1;
}

/* ---- the canonical request ---- */

static int by_encoded(const void *x, const void *y)
{
    const struct param *a = x, *b = y;
    size_t n = a->ename.n < b->ename.n ? a->ename.n : b->ename.n;
    int r = memcmp(a->ename.p, b->ename.p, n);

    if (r || a->ename.n != b->ename.n)
        return r ? r : a->ename.n < b->ename.n ? -1 : 1;
    n = a->evalue.n < b->evalue.n ? a->evalue.n : b->evalue.n;
    r = memcmp(a->evalue.p, b->evalue.p, n);
    if (r || a->evalue.n == b->evalue.n)
        return r;
    return a->evalue.n < b->evalue.n ? -1 : 1;
}

/* Every parameter but the query form's X-Amz-Signature, each name and value
 * encoded, sorted by name then value, joined with '&'. */
static void canonical_query(struct check *c, struct buf *cr)
{
    struct param *sorted = xcalloc(c->nparams ? c->nparams : 1, sizeof *sorted);
    struct buf enc;
    size_t n = 0;

    buf_init(&enc);
    for (size_t i = 0; i < c->nparams; i++) {
        struct param p = c->params[i];
        if (c->query_form && span_is(p.name, "X-Amz-Signature"))
            continue;
        p.eno = enc.len;
        encode(&enc, p.name.p, p.name.n, 0);
        p.ename.n = enc.len - p.eno;
        p.evo = enc.len;
        encode(&enc, p.value.p, p.value.n, 0);
        p.evalue.n = enc.len - p.evo;
        sorted[n++] = p;
    }
    for (size_t i = 0; i < n; i++) {
        sorted[i].ename.p = enc.data + sorted[i].eno;
        sorted[i].evalue.p = enc.data + sorted[i].evo;
    }
    qsort(sorted, n, sizeof *sorted, by_encoded);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append(cr, "&", 1);
        buf_append(cr, sorted[i].ename.p, sorted[i].ename.n);
        buf_append(cr, "=", 1);
        buf_append(cr, sorted[i].evalue.p, sorted[i].evalue.n);
    }
    buf_fini(&enc);
    free(sorted);
}

/* botocore's normalize_url_path then quote(path, safe='/~'): dot segments
 * and empty segments go, the rest is encoded again. */
static void canonical_uri(const char *path, struct buf *cr)
{
    size_t len = strlen(path), nseg = 0;
    struct buf out;

    if (!len) {
        buf_append(cr, "/", 1);
        return;
    }
    buf_init(&out);
    for (const char *p = path; p <= path + len;) {
        size_t k = strcspn(p, "/");
        span seg = {p, k};
        if (span_is(seg, "..")) {
            if (nseg) {
                char *last = memrchr(out.data, '/', out.len);
                out.len = (size_t)(last - out.data);
                out.data[out.len] = '\0';
                nseg--;
            }
        } else if (k && !span_is(seg, ".")) {
            buf_append(&out, "/", 1);
            buf_append(&out, p, k);
            nseg++;
        }
        p += k + 1;
    }
    if (path[0] == '/')
        buf_append(cr, "/", 1);
    if (nseg)
        encode(cr, out.data + 1, out.len - 1, 1);
    if (path[len - 1] == '/' && nseg)
        buf_append(cr, "/", 1);
    buf_fini(&out);
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' ||
           ch == '\f';
}

/* A header value trimmed, inner runs of white space made one space. */
static void trimall(struct buf *cr, const char *v)
{
    int gap = 0, any = 0;

    for (; *v; v++) {
        if (is_space(*v)) {
            gap = 1;
            continue;
        }
        if (gap && any)
            buf_append(cr, " ", 1);
        buf_append(cr, v, 1);
        gap = 0;
        any = 1;
    }
}

/* name:value\n for each name in SignedHeaders, in its order, names
 * lower-cased, the values of a repeated header joined with ','; then the
 * blank line and the list itself, lower-cased. */
static void canonical_headers(struct check *c, struct buf *cr)
{
    span list = c->a.signed_headers;
    const char *p = list.p, *end = list.p + list.n;

    for (;;) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        size_t k = (size_t)((semi ? semi : end) - p);
        for (size_t i = 0; i < k; i++) {
            char ch = p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i];
            buf_append(cr, &ch, 1);
        }
        buf_append(cr, ":", 1);
        int first = 1;
        for (size_t i = 0; i < c->req->nheaders; i++) {
            const struct sigv4_header *h = &c->req->headers[i];
            if (!h->name || strlen(h->name) != k || strncasecmp(h->name, p, k))
                continue;
            if (!first)
                buf_append(cr, ",", 1);
            trimall(cr, h->value ? h->value : "");
            first = 0;
        }
        buf_append(cr, "\n", 1);
        if (!semi)
            break;
        p = semi + 1;
    }
    buf_append(cr, "\n", 1);
    for (size_t i = 0; i < list.n; i++) {
        char ch =
            list.p[i] >= 'A' && list.p[i] <= 'Z' ? list.p[i] + 32 : list.p[i];
        buf_append(cr, &ch, 1);
    }
}

static void canonical_request(struct check *c, const char *payload,
                              struct buf *cr)
{
    buf_puts(cr, c->req->method ? c->req->method : "");
    buf_append(cr, "\n", 1);
    canonical_uri(c->req->raw_path ? c->req->raw_path : "", cr);
    buf_append(cr, "\n", 1);
    canonical_query(c, cr);
    buf_append(cr, "\n", 1);
    canonical_headers(c, cr);
    buf_append(cr, "\n", 1);
    buf_puts(cr, payload);
}

/* The signature of sts under secret for the request's scope, in hex. */
static void sign(const struct check *c, const char *secret, const char *sts,
                 char out[65])
{
    size_t slen = strlen(secret);
    char *k = xmalloc(slen + 5);
    unsigned char key[32], sig[32];

    memcpy(k, "AWS4", 4);
    memcpy(k + 4, secret, slen + 1);
    hmac(k, slen + 4, c->a.date.p, c->a.date.n, key);
    hmac(key, 32, c->a.region.p, c->a.region.n, key);
    hmac(key, 32, c->a.service.p, c->a.service.n, key);
    hmac(key, 32, "aws4_request", 12, key);
    hmac(key, 32, sts, strlen(sts), sig);
    hex(sig, 32, out);
    OPENSSL_cleanse(k, slen + 4);
    OPENSSL_cleanse(key, sizeof key);
    free(k);
}

static void check_signature(struct check *c,
                            const struct sigv4_credential *cred)
{
    const char *declared = header_get(c->req, "x-amz-content-sha256");
    unsigned char h[32];
    char body[65], crh[65], want[65];
    struct buf cr, sts;

    buf_init(&cr);
    buf_init(&sts);
    sha256(c->req->body ? c->req->body : "", c->req->body_len, h);
    hex(h, 32, body);
    canonical_request(c, declared ? declared : body, &cr);
    sha256(cr.data, cr.len, h);
    hex(h, 32, crh);
    buf_printf(&sts, "%s\n%s\n", SIGV4_ALGORITHM, c->stamp);
    buf_append(&sts, c->a.date.p, c->a.date.n);
    buf_append(&sts, "/", 1);
    buf_append(&sts, c->a.region.p, c->a.region.n);
    buf_append(&sts, "/", 1);
    buf_append(&sts, c->a.service.p, c->a.service.n);
    buf_printf(&sts, "/aws4_request\n%s", crh);
    sign(c, cred->secret_access_key, sts.data, want);

    if (c->a.signature.n != 64 ||
        CRYPTO_memcmp(c->a.signature.p, want, 64) != 0) {
        static const char a[] =
            "\n\nThe Canonical String for this request should have been\n'";
        static const char b[] = "'\n\nThe String-to-Sign should have been\n'";
        fail(c, SIGV4_MISMATCH, TYPE_INVALID);
        msg_puts(&c->m, MISMATCH_TEXT);
        if (sizeof MISMATCH_TEXT + sizeof a + cr.len + sizeof b + sts.len + 2 <=
            c->m.size) {
            msg_puts(&c->m, a);
            msg_add(&c->m, cr.data, cr.len);
            msg_puts(&c->m, b);
            msg_add(&c->m, sts.data, sts.len);
            msg_puts(&c->m, "'\n");
        }
    } else if (declared && strcasecmp(declared, body)) {
        /* UNSIGNED-PAYLOAD and STREAMING-* included: they are S3's, and a
         * body they leave unsigned could be swapped under the signature */
        fail(c, SIGV4_MISMATCH, TYPE_INVALID);
        msg_puts(&c->m, "The provided 'x-amz-content-sha256' header does not "
                        "match what was computed.");
        if (!strcmp(declared, "UNSIGNED-PAYLOAD") ||
            !strncmp(declared, "STREAMING-", 10))
            msg_puts(&c->m, " Only S3 accepts an unsigned or streaming "
                            "payload; sign the SHA-256 of the body.");
    } else {
        snprintf(c->out->access_key_id, sizeof c->out->access_key_id, "%s",
                 cred->access_key_id);
    }
    buf_fini(&sts);
    buf_fini(&cr);
}

static int is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return !*s;
}

void sigv4_verify(const struct sigv4_request *req,
                  const struct sigv4_credential *creds, size_t ncreds,
                  const char *service, struct sigv4_result *out)
{
    struct check c;
    const struct sigv4_credential *cred = NULL;

    memset(out, 0, sizeof *out);
    memset(&c, 0, sizeof c);
    out->status = SIGV4_OK;
    c.req = req;
    c.out = out;
    c.expires = -1;
    c.now = req->now < 0 ? 0 : req->now > NOW_MAX ? NOW_MAX : req->now;
    msg_init(&c.m, out->message, sizeof out->message);

    if (parse_query(&c) < 0) {
        fail(&c, SIGV4_MALFORMED, TYPE_INCOMPLETE);
        msg_puts(&c.m, "Too many query-string parameters.");
        goto out;
    }
    const char *auth = header_get(req, "authorization");
    if (auth && !is_blank(auth)) {
        if (from_header(&c, auth) < 0)
            goto out;
    } else if (param_get(&c, "X-Amz-Algorithm") ||
               param_get(&c, "X-Amz-Credential") ||
               param_get(&c, "X-Amz-Signature") ||
               param_get(&c, "X-Amz-SignedHeaders")) {
        if (from_query(&c) < 0)
            goto out;
    } else {
        fail(&c, SIGV4_MISSING, TYPE_MISSING);
        msg_puts(&c.m, "Missing Authentication Token");
        goto out;
    }
    if (check_scope(&c, service) < 0 || check_time(&c) < 0)
        goto out;
    for (size_t i = 0; i < ncreds && !cred; i++)
        if (creds[i].access_key_id &&
            span_is(c.a.access_key_id, creds[i].access_key_id))
            cred = &creds[i];
    if (!cred || !cred->secret_access_key) {
        fail(&c, SIGV4_UNKNOWN_KEY, TYPE_UNRECOGNIZED);
        msg_puts(&c.m, "The security token included in the request is "
                       "invalid.");
        goto out;
    }
    check_signature(&c, cred);
out:
    free(c.decoded);
    free(c.params);
}
