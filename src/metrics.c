/*
 * metrics — per-series counters and latency histograms of the gateway's
 * requests, and their Prometheus text exposition (format 0.0.4).
 *
 * Not a Prometheus client library: one fixed set of metric families (API
 * Gateway's CloudWatch metrics), no registry of arbitrary metrics, no
 * OpenMetrics, no protobuf. Not the gateway either: which request counts on
 * which series, and serving GET /metrics, are gateway's.
 *
 * A series is allocated once and never moves or goes until metrics_free, so
 * observers hold its address and update it with relaxed atomics and no lock.
 * The mutex guards only the list of series (creation and the render's walk).
 */
#include "metrics.h"
#include "buf.h"
#include "xalloc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bucket bounds in microseconds: the observations are whole microseconds,
 * so comparing integers makes "le" exact where milliseconds in floating point
 * would not (0.1 ms has no exact binary form). */
static const uint64_t bounds_us[METRICS_BUCKETS] = {
    100,   250,    500,    1000,   2500,    5000,    10000,   25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

/* The label names, in the order they are rendered: CloudWatch's dimensions
 * ApiName, Stage, Resource and Method. */
static const char *const label_names[] = {"api", "stage", "resource", "method"};
#define NLABELS (sizeof label_names / sizeof label_names[0])

struct hist {
    /* Not cumulative: bucket[i] counts (bound[i-1], bound[i]], the last one
     * counts what is above every bound. The render accumulates. */
    _Atomic uint64_t bucket[METRICS_BUCKETS + 1];
    _Atomic uint64_t sum_us;
};

struct metrics_series {
    struct hist latency;
    struct hist integration;
    _Atomic uint64_t err4;
    _Atomic uint64_t err5;
    /* The rendered labels, escaped, without braces:
     * api="...",stage="...",resource="...",method="..." — also the key a
     * label set is found by (escaping is one-to-one). */
    char *labels;
    struct metrics_series *next;
};

struct metrics {
    pthread_mutex_t lock;
    struct metrics_series *head; /* creation order */
    struct metrics_series **tail;
    size_t n;
    int http_api; /* the 4xx/5xx names of an HTTP API */
};

/* The numbers of one series, read once for a render. */
struct snap {
    const char *labels;
    uint64_t lat[METRICS_BUCKETS + 1], lat_sum;
    uint64_t integ[METRICS_BUCKETS + 1], integ_sum;
    uint64_t err4, err5;
};

struct metrics *metrics_create(void)
{
    struct metrics *m = xcalloc(1, sizeof *m);

    pthread_mutex_init(&m->lock, NULL);
    m->head = NULL;
    m->tail = &m->head;
    return m;
}

void metrics_use_http_api_names(struct metrics *m)
{
    m->http_api = 1;
}

void metrics_free(struct metrics *m)
{
    struct metrics_series *s, *next;

    if (m == NULL)
        return;
    for (s = m->head; s != NULL; s = next) {
        next = s->next;
        free(s->labels);
        free(s);
    }
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* The length of the valid UTF-8 sequence (RFC 3629 §4) at p, 0 if p starts
 * an invalid one (a stray continuation, an overlong form, a surrogate, above
 * U+10FFFF, or cut short). p is NUL-terminated, and a NUL is never a
 * continuation byte, so reading stops there. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned char lo = 0x80, hi = 0xBF;
    size_t n, i;

    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        n = 2;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        n = 3;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        n = 4;
    else
        return 0;
    if (p[0] == 0xE0)
        lo = 0xA0;
    else if (p[0] == 0xED)
        hi = 0x9F;
    else if (p[0] == 0xF0)
        lo = 0x90;
    else if (p[0] == 0xF4)
        hi = 0x8F;
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* Append v as a label value between double quotes: bad UTF-8 bytes become
 * U+FFFD, the value stops before METRICS_LABEL_MAX bytes would be passed,
 * and backslash, double quote and line feed are escaped (text format 0.0.4,
 * "label_value"). */
static void put_label_value(struct buf *b, const char *v)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const unsigned char *p = (const unsigned char *)v;
    size_t used = 0, n;

    buf_puts(b, "\"");
    while (*p != '\0') {
        n = utf8_len(p);
        if (used + (n ? n : 3) > METRICS_LABEL_MAX)
            break;
        if (n == 0) {
            buf_append(b, replacement, 3);
            used += 3;
            p++;
            continue;
        }
        used += n;
        if (*p == '\\')
            buf_puts(b, "\\\\");
        else if (*p == '"')
            buf_puts(b, "\\\"");
        else if (*p == '\n')
            buf_puts(b, "\\n");
        else
            buf_append(b, p, n);
        p += n;
    }
    buf_puts(b, "\"");
}

static void put_labels(struct buf *b, const char *const values[NLABELS])
{
    size_t i;

    for (i = 0; i < NLABELS; i++) {
        buf_printf(b, "%s%s=", i ? "," : "", label_names[i]);
        put_label_value(b, values[i]);
    }
}

/* The series whose labels are key; NULL if none. Under m->lock. */
static struct metrics_series *find(const struct metrics *m, const char *key)
{
    struct metrics_series *s;

    for (s = m->head; s != NULL; s = s->next)
        if (strcmp(s->labels, key) == 0)
            return s;
    return NULL;
}

/* A new zeroed series with labels (stolen) at the end of the list. Under
 * m->lock. */
static struct metrics_series *add(struct metrics *m, char *labels)
{
    struct metrics_series *s = xmalloc(sizeof *s);
    size_t i;

    for (i = 0; i <= METRICS_BUCKETS; i++) {
        atomic_init(&s->latency.bucket[i], 0);
        atomic_init(&s->integration.bucket[i], 0);
    }
    atomic_init(&s->latency.sum_us, 0);
    atomic_init(&s->integration.sum_us, 0);
    atomic_init(&s->err4, 0);
    atomic_init(&s->err5, 0);
    s->labels = labels;
    s->next = NULL;
    *m->tail = s;
    m->tail = &s->next;
    m->n++;
    return s;
}

struct metrics_series *metrics_series(struct metrics *m, const char *api,
                                      const char *stage, const char *resource,
                                      const char *method)
{
    const char *const values[NLABELS] = {api, stage, resource, method};
    const char *const overflow[NLABELS] = {
        METRICS_OVERFLOW_LABEL, METRICS_OVERFLOW_LABEL, METRICS_OVERFLOW_LABEL,
        METRICS_OVERFLOW_LABEL};
    struct metrics_series *s;
    struct buf key;

    buf_init(&key);
    put_labels(&key, values);
    pthread_mutex_lock(&m->lock);
    s = find(m, key.data);
    if (s == NULL && m->n >= METRICS_SERIES_MAX) {
        /* The overflow series is found or added like any other, past the
         * cap, so a client that sent "(overflow)" labels before the cap
         * cannot make two series with one label set. */
        buf_fini(&key);
        put_labels(&key, overflow);
        s = find(m, key.data);
    }
    if (s == NULL)
        s = add(m, buf_steal(&key, NULL));
    pthread_mutex_unlock(&m->lock);
    buf_fini(&key);
    return s;
}

static void hist_observe(struct hist *h, uint64_t us)
{
    size_t i = 0;

    /* Linear from the bottom: most requests end in the first few buckets,
     * and 16 compares cost less than the atomic add that follows. */
    while (i < METRICS_BUCKETS && us > bounds_us[i])
        i++;
    atomic_fetch_add_explicit(&h->bucket[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&h->sum_us, us, memory_order_relaxed);
}

void metrics_observe(struct metrics_series *s, int status, uint64_t latency_us,
                     uint64_t integration_us)
{
    hist_observe(&s->latency, latency_us);
    if (integration_us != 0)
        hist_observe(&s->integration, integration_us);
    if (status >= 400 && status <= 499)
        atomic_fetch_add_explicit(&s->err4, 1, memory_order_relaxed);
    else if (status >= 500 && status <= 599)
        atomic_fetch_add_explicit(&s->err5, 1, memory_order_relaxed);
}

static void hist_read(const struct hist *h, uint64_t bucket[], uint64_t *sum)
{
    size_t i;

    for (i = 0; i <= METRICS_BUCKETS; i++)
        bucket[i] = atomic_load_explicit(&h->bucket[i], memory_order_relaxed);
    *sum = atomic_load_explicit(&h->sum_us, memory_order_relaxed);
}

/* Microseconds as milliseconds in plain decimal, exact: 1500 → "1.5",
 * 2000 → "2", 100 → "0.1". */
static void put_ms(struct buf *b, uint64_t us)
{
    char frac[4];
    unsigned f = (unsigned)(us % 1000);
    int n = 3;

    buf_printf(b, "%" PRIu64, us / 1000);
    if (f == 0)
        return;
    snprintf(frac, sizeof frac, "%03u", f);
    while (frac[n - 1] == '0')
        n--;
    buf_printf(b, ".%.*s", n, frac);
}

static uint64_t total(const uint64_t bucket[])
{
    uint64_t t = 0;
    size_t i;

    for (i = 0; i <= METRICS_BUCKETS; i++)
        t += bucket[i];
    return t;
}

static void put_header(struct buf *b, const char *name, const char *type,
                       const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_hist(struct buf *b, const char *name, const char *labels,
                     const uint64_t bucket[], uint64_t sum_us)
{
    uint64_t cum = 0;
    size_t i;

    for (i = 0; i < METRICS_BUCKETS; i++) {
        cum += bucket[i];
        buf_printf(b, "%s_bucket{%s,le=\"", name, labels);
        put_ms(b, bounds_us[i]);
        buf_printf(b, "\"} %" PRIu64 "\n", cum);
    }
    cum += bucket[METRICS_BUCKETS];
    buf_printf(b, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", name, labels, cum);
    buf_printf(b, "%s_sum{%s} ", name, labels);
    put_ms(b, sum_us);
    buf_printf(b, "\n%s_count{%s} %" PRIu64 "\n", name, labels, cum);
}

char *metrics_render(struct metrics *m, size_t *len)
{
    struct metrics_series *s;
    struct snap *snaps;
    struct buf b;
    size_t n = 0, i;

    pthread_mutex_lock(&m->lock);
    snaps = xcalloc(m->n ? m->n : 1, sizeof *snaps);
    for (s = m->head; s != NULL; s = s->next, n++) {
        snaps[n].labels = s->labels;
        hist_read(&s->latency, snaps[n].lat, &snaps[n].lat_sum);
        hist_read(&s->integration, snaps[n].integ, &snaps[n].integ_sum);
        snaps[n].err4 = atomic_load_explicit(&s->err4, memory_order_relaxed);
        snaps[n].err5 = atomic_load_explicit(&s->err5, memory_order_relaxed);
    }
    pthread_mutex_unlock(&m->lock);

    /* Every line of a family together, HELP and TYPE first (the format
     * requires it); the wording follows the CloudWatch metric table. */
    buf_init(&b);
    put_header(&b, "apigateway_Count_total", "counter",
               "The total number of API requests (CloudWatch AWS/ApiGateway "
               "Count).");
    for (i = 0; i < n; i++)
        buf_printf(&b, "apigateway_Count_total{%s} %" PRIu64 "\n",
                   snaps[i].labels, total(snaps[i].lat));
    /* CloudWatch names them 4XXError/5XXError for a REST API, 4xx/5xx for
     * an HTTP API ("Monitor CloudWatch metrics for HTTP APIs") */
    const char *e4 =
        m->http_api ? "apigateway_4xx_total" : "apigateway_4XXError_total";
    const char *e5 =
        m->http_api ? "apigateway_5xx_total" : "apigateway_5XXError_total";
    put_header(&b, e4, "counter",
               m->http_api ? "The number of client-side errors, responses "
                             "with status 4xx (CloudWatch AWS/ApiGateway "
                             "4xx)."
                           : "The number of client-side errors, responses "
                             "with status 4xx (CloudWatch AWS/ApiGateway "
                             "4XXError).");
    for (i = 0; i < n; i++)
        buf_printf(&b, "%s{%s} %" PRIu64 "\n", e4, snaps[i].labels,
                   snaps[i].err4);
    put_header(&b, e5, "counter",
               m->http_api ? "The number of server-side errors, responses "
                             "with status 5xx (CloudWatch AWS/ApiGateway "
                             "5xx)."
                           : "The number of server-side errors, responses "
                             "with status 5xx (CloudWatch AWS/ApiGateway "
                             "5XXError).");
    for (i = 0; i < n; i++)
        buf_printf(&b, "%s{%s} %" PRIu64 "\n", e5, snaps[i].labels,
                   snaps[i].err5);
    put_header(&b, "apigateway_Latency", "histogram",
               "Milliseconds from receiving a request from the client to "
               "returning the response, integration latency included "
               "(CloudWatch AWS/ApiGateway Latency).");
    for (i = 0; i < n; i++)
        put_hist(&b, "apigateway_Latency", snaps[i].labels, snaps[i].lat,
                 snaps[i].lat_sum);
    put_header(&b, "apigateway_IntegrationLatency", "histogram",
               "Milliseconds from relaying a request to the integration to "
               "receiving its response (CloudWatch AWS/ApiGateway "
               "IntegrationLatency).");
    for (i = 0; i < n; i++)
        put_hist(&b, "apigateway_IntegrationLatency", snaps[i].labels,
                 snaps[i].integ, snaps[i].integ_sum);
    free(snaps);
    return buf_steal(&b, len);
}
