/*
 * gateway_log — the lines API Gateway and Lambda write about a request, at
 * info level on crudd's one log (stderr, no prefix): the access log line API
 * Gateway writes to a stage's access log group, and the START / END / REPORT
 * lines Lambda writes to a function's log group around each invocation. Not
 * the debug event dump (gateway.c) and not the metrics (metrics.c).
 *
 * The access log follows the examples of the API Gateway console ("Access
 * logging for REST APIs"): one line per request, the gateway's own answers
 * (403, 429, 502...) and crudd's own paths (health, metrics, OpenAPI)
 * included.
 *
 * clf (the default): the console's CLF example, then two fields of crudd's:
 *   $context.identity.sourceIp $context.identity.caller
 *   $context.identity.user [$context.requestTime] "$context.httpMethod
 *   $context.resourcePath $context.protocol" $context.status
 *   $context.responseLength $context.requestId $context.extendedRequestId
 *   PATH LATENCYus
 * e.g. (one line)
 *   127.0.0.1 - - [21/Nov/2026:08:12:28 +0000] "GET /items/{id} HTTP/1.1"
 *   200 57 4f0a5b0e-5c6d-4c1e-9b51-0a8f2c9d7e11 Xk2fYw0PhCcAbCdE
 *   /prod/items/42 153us
 * resourcePath is the route's template, so PATH (the request path as sent:
 * percent-encoded, stage prefix included) says which item; LATENCY (request
 * in to response out, in microseconds) is there because API Gateway's whole
 * milliseconds are mostly 0 on a laptop. A field with no value is "-", as in
 * API Gateway's logs; space (outside the quotes), control and non-ASCII
 * bytes are written \xhh, '"' and '\' as \" and \\, as Apache escapes its
 * log, so that a client cannot add a line or a field.
 *
 * json: one object a line, every value a string (the console's JSON example
 * quotes each "$context.x", so that is what API Gateway writes), "-" where
 * there is no value: requestId, extendedRequestId, ip, caller, user,
 * requestTime (as above), requestTimeEpoch (ms), httpMethod, resourcePath,
 * path ($context.path, stage prefix included: as sent for a REST API, which
 * keeps it percent-encoded, decoded for an HTTP API; bytes that are not
 * UTF-8 become U+FFFD), status, protocol, responseLength (body bytes),
 * integrationLatency (ms, the function's time; "-" when no function ran),
 * responseLatency (ms).
 *
 * A request that matched no route has resourcePath "-": API Gateway found no
 * resource for it (the path is in PATH / "path"). caller and user are always
 * "-": crudd has no Cognito or Lambda authorizer principals (the events say
 * null for them too). For an HTTP API (apiType HTTP) the request id is the
 * apigw-requestid the client got (HTTP API's $context.requestId, also its
 * extendedRequestId) and the route key ("GET /items/{id}") takes
 * resourcePath's place, as in the HTTP API console's examples.
 *
 * Lambda's lines, per invocation of a function (none when no route matched,
 * for a request the gateway refused before the function, or for crudd's own
 * paths), as Lambda writes them:
 *   START RequestId: ID Version: $LATEST
 *   END RequestId: ID
 *   REPORT RequestId: ID\tDuration: 0.42 ms\tBilled Duration: 1 ms\t
 *   Memory Size: 128 MB\tMax Memory Used: 9 MB
 * ID is the request id of the access log line (x-amzn-RequestId for a REST
 * API), not an invocation id of its own as in Lambda, so that one search
 * finds every line of a request. Duration is the function's own time (two
 * decimals, cut); Billed Duration rounds it up to a whole millisecond, as
 * Lambda bills; Memory Size is memorySize; Max Memory Used is the peak
 * resident size of the whole crudd process (the functions run inside it),
 * so it may exceed Memory Size. There is no Init Duration: in-process
 * functions have no cold start.
 *
 * crudd's own paths are in the access log but not in the metrics: they are
 * not part of the emulated API, and a /metrics scrape must not change what
 * it reads (gateway.c skips metrics_observe for them).
 */
#include "buf.h"
#include "clock.h"
#include "gateway_impl.h"
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* The request id the client was given, and that every line carries. */
static const char *seen_id(const struct gateway *g,
                           const struct gateway_call *call)
{
    return g && g->http_api ? call->apigw_id : call->request_id;
}

/* ------------------------------------------------------------------ */
/* text                                                                */

/* Length of the valid UTF-8 sequence at s (n bytes left, n >= 1), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0], min;
    size_t len;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, c &= 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, c &= 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, c &= 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return len;
}

/* s as a JSON string; "-" for NULL or "". Bytes that are not UTF-8 (a path
 * may decode to anything) become U+FFFD, so that the line stays JSON. */
static void json_text(struct buf *b, const char *s)
{
    if (!s || !*s) {
        buf_puts(b, "\"-\"");
        return;
    }
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;
    while (i < n && (len = utf8_seq(u + i, n - i)) != 0)
        i += len;
    if (i == n) {
        buf_json_string(b, s, n);
        return;
    }
    struct buf fixed;
    buf_init(&fixed);
    for (i = 0; i < n; i += len ? len : 1) {
        len = utf8_seq(u + i, n - i);
        if (len)
            buf_append(&fixed, s + i, len);
        else
            buf_puts(&fixed, "\xef\xbf\xbd");
    }
    buf_json_string(b, fixed.data, fixed.len);
    buf_fini(&fixed);
}

/* "key": s, after a comma unless it is the object's first member. */
static void json_member(struct buf *b, const char *key, const char *s)
{
    buf_puts(b, b->len > 1 ? ",\"" : "\"");
    buf_puts(b, key);
    buf_puts(b, "\":");
    json_text(b, s);
}

/* s as one CLF field: "-" for NULL or "", and each byte that could end the
 * line, the field or the quotes escaped. in_quotes: a space may stay. */
static void clf_text(struct buf *b, const char *s, int in_quotes)
{
    if (!s || !*s) {
        buf_puts(b, "-");
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            buf_printf(b, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f || (*p == ' ' && !in_quotes))
            buf_printf(b, "\\x%02x", *p);
        else
            buf_append(b, p, 1);
    }
}

/* $context.requestTime: "21/Nov/2026:08:12:28 +0000" (always UTC). */
static void clf_time(char out[32], time_t t)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr",
                                       "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    gmtime_r(&t, &tm);
    snprintf(out, 32, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday,
             months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
             tm.tm_sec);
}

/* ------------------------------------------------------------------ */
/* the access log                                                      */

void gateway_log_access(const struct gateway *g,
                        const struct gateway_call *call,
                        const struct gateway_response *res)
{
    const struct gateway_request *req = call->req;
    int json = g && g->cfg->access_log_json;
    int http_api = g && g->http_api;
    const char *id = seen_id(g, call);
    const char *resource = !call->target ? NULL
                           : http_api    ? call->target->route_key
                                         : call->target->route->path;
    const char *protocol = req->protocol ? req->protocol : "HTTP/1.1";
    const char *raw_path = req->raw_path ? req->raw_path : req->path;
    struct timespec wall;
    char when[32], num[32];
    struct buf b;

    if (log_get_level() > LOG_INFO)
        return;
    /* the request's arrival on the wall clock: now, less the time since */
    uint64_t now_us = clock_now_us();
    uint64_t latency_us =
        req->start_us && req->start_us <= now_us ? now_us - req->start_us : 0;
    clock_gettime(CLOCK_REALTIME, &wall);
    uint64_t arrival_us = (uint64_t)wall.tv_sec * 1000000u +
                          (uint64_t)wall.tv_nsec / 1000u - latency_us;
    clf_time(when, (time_t)(arrival_us / 1000000u));

    buf_init(&b);
    if (!json) {
        clf_text(&b, req->source_ip, 0);
        buf_printf(&b, " - - [%s] \"", when);
        clf_text(&b, req->method, 1);
        buf_puts(&b, " ");
        clf_text(&b, resource, 1);
        buf_puts(&b, " ");
        clf_text(&b, protocol, 1);
        buf_printf(&b, "\" %d %zu %s %s ", res->status, res->body_len, id,
                   call->apigw_id);
        clf_text(&b, raw_path, 0);
        buf_printf(&b, " %lluus", (unsigned long long)latency_us);
    } else {
        buf_puts(&b, "{");
        json_member(&b, "requestId", id);
        json_member(&b, "extendedRequestId", call->apigw_id);
        json_member(&b, "ip", req->source_ip);
        json_member(&b, "caller", NULL);
        json_member(&b, "user", NULL);
        json_member(&b, "requestTime", when);
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long)(arrival_us / 1000u));
        json_member(&b, "requestTimeEpoch", num);
        json_member(&b, "httpMethod", req->method);
        json_member(&b, http_api ? "routeKey" : "resourcePath", resource);
        json_member(&b, "path", http_api ? req->path : raw_path);
        snprintf(num, sizeof num, "%d", res->status);
        json_member(&b, "status", num);
        json_member(&b, "protocol", protocol);
        snprintf(num, sizeof num, "%zu", res->body_len);
        json_member(&b, "responseLength", num);
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long)(call->integration_us / 1000u));
        json_member(&b, "integrationLatency",
                    call->integration_us ? num : NULL);
        snprintf(num, sizeof num, "%llu",
                 (unsigned long long)(latency_us / 1000u));
        json_member(&b, "responseLatency", num);
        buf_puts(&b, "}");
    }
    log_info("%s", b.data);
    buf_fini(&b);
}

/* ------------------------------------------------------------------ */
/* Lambda's lines                                                      */

void gateway_log_start(const struct gateway *g, const struct gateway_call *call)
{
    log_info("START RequestId: %s Version: $LATEST", seen_id(g, call));
}

void gateway_log_end(const struct gateway *g, const struct gateway_call *call)
{
    const char *id = seen_id(g, call);
    struct rusage ru;

    if (log_get_level() > LOG_INFO)
        return;
    log_info("END RequestId: %s", id);
    /* Linux gives ru_maxrss in KiB; Lambda reports whole MB */
    long max_mb = 0;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        max_mb = (ru.ru_maxrss + 1023) / 1024;
    uint64_t us = call->integration_us;
    log_info("REPORT RequestId: %s\tDuration: %llu.%02llu ms\t"
             "Billed Duration: %llu ms\tMemory Size: %u MB\t"
             "Max Memory Used: %ld MB",
             id, (unsigned long long)(us / 1000u),
             (unsigned long long)(us % 1000u / 10u),
             (unsigned long long)((us + 999u) / 1000u),
             g ? g->cfg->memory_size : 0, max_mb);
}
