/*
 * metrics — API Gateway's CloudWatch metrics, counted in process and served as
 * Prometheus text (exposition format 0.0.4) at GET /metrics.
 *
 * The metrics are those of the AWS/ApiGateway namespace ("Amazon API Gateway
 * dimensions and metrics", API Gateway developer guide), kept per series, a
 * series being one set of the labels that stand for CloudWatch's dimensions:
 * api (ApiName), stage (Stage), resource (Resource: the route template such
 * as "/items/{id}", "" when no route matched) and method (Method).
 *
 *   CloudWatch          Prometheus                     type       unit
 *   Count               apigateway_Count_total         counter    requests
 *   4XXError            apigateway_4XXError_total      counter    requests
 *   5XXError            apigateway_5XXError_total      counter    requests
 *   (an HTTP API's 4xx and 5xx: apigateway_4xx_total, apigateway_5xx_total)
 *   Latency             apigateway_Latency             histogram  ms
 *   IntegrationLatency  apigateway_IntegrationLatency  histogram  ms
 *
 * Names: CloudWatch's own, behind the prefix "apigateway_" (a Prometheus name
 * may not start with a digit). Counters take the "_total" suffix: it is
 * Prometheus's naming convention for counters and mandatory in OpenMetrics,
 * so the names stay the same if /metrics ever negotiates that format. The
 * histograms are in milliseconds, CloudWatch's unit, not Prometheus's
 * seconds, so that a dashboard reads the same numbers in both places. Their
 * buckets are fixed (METRICS_BUCKETS); a bucket counts the observations less
 * than or equal to its bound (Prometheus's "le").
 *
 * Count is a request count, as CloudWatch's Count is the SampleCount of the
 * requests: it is rendered from the Latency histogram, so that Count equals
 * apigateway_Latency_count in every scrape. 4XXError counts responses with
 * status 400-499, 5XXError 500-599, gateway responses included (as API
 * Gateway counts them). CloudWatch's cache metrics (CacheHitCount,
 * CacheMissCount) have no counterpart: crudd has no API cache.
 *
 * Errors: none of these fails (no struct err): out of memory aborts (xalloc.h)
 * and odd input is made harmless (see metrics_series).
 *
 * Threads: metrics_create and metrics_free on one thread while no other uses
 * m. metrics_series and metrics_render from any thread (a mutex);
 * metrics_observe from any thread, lock-free.
 */
#ifndef CRUDD_METRICS_H
#define CRUDD_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* The Content-Type to serve metrics_render's text with (format 0.0.4). */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* How many finite upper bounds the Latency and IntegrationLatency buckets
 * have; the "+Inf" bucket follows them. In milliseconds: 0.1 0.25 0.5 1 2.5 5
 * 10 25 50 100 250 500 1000 2500 5000 10000. Each is a whole number of
 * microseconds, so that "less than or equal" is exact. */
#define METRICS_BUCKETS 16

/* At most this many series are kept. Label values can come from a client (a
 * method no route knows), so their number is capped before anything is
 * allocated for them: once the cap is reached, a new label set is counted in
 * one overflow series whose four labels are METRICS_OVERFLOW_LABEL. */
#define METRICS_SERIES_MAX 1024
#define METRICS_OVERFLOW_LABEL "(overflow)"

/* Label values longer than this many bytes are cut (at a character
 * boundary) when a series is created. */
#define METRICS_LABEL_MAX 256

/* All the series of one gateway. */
struct metrics;
/* The counters of one label set. Its address is stable until metrics_free. */
struct metrics_series;

/* A registry with no series. Never NULL (out of memory aborts). Free with
 * metrics_free. */
struct metrics *metrics_create(void);

/* Name the error counters as CloudWatch names them for an HTTP API
 * ("Monitor CloudWatch metrics for HTTP APIs in API Gateway": 4xx and 5xx,
 * so apigateway_4xx_total and apigateway_5xx_total) instead of a REST API's
 * 4XXError and 5XXError. Call before any render; same thread rule as
 * metrics_create. */
void metrics_use_http_api_names(struct metrics *m);

/* Free m and all its series; every series pointer dies with it. m may be
 * NULL. No other thread may be using m or its series. */
void metrics_free(struct metrics *m);

/*
 * The series for these labels, created (with zero counts) if new. The
 * strings are borrowed for the call and copied; none may be NULL (use "" for
 * no value, e.g. resource when no route matched). A value that is not valid
 * UTF-8 has each bad byte replaced by U+FFFD, and a value is cut to
 * METRICS_LABEL_MAX bytes, so that the exposition is always valid UTF-8: two
 * label sets that differ only there share a series. Once METRICS_SERIES_MAX
 * series exist, a new label set gets the overflow series instead.
 *
 * Never NULL; the series belongs to m (borrowed until metrics_free). Takes a
 * mutex and searches the series linearly: call it once per route at start-up
 * and keep the pointer, or on rare paths (no route matched), not on every
 * request.
 */
struct metrics_series *metrics_series(struct metrics *m, const char *api,
                                      const char *stage, const char *resource,
                                      const char *method);

/*
 * Count one request on s (from metrics_series on a live registry; not NULL):
 * its HTTP status, its Latency (from receiving the request to returning the
 * response) and its IntegrationLatency (the handler's share), both in
 * microseconds. integration_us 0 means no handler ran (a gateway response
 * such as 403 or 429): IntegrationLatency is then not observed; pass 1 for
 * a handler measured at under a microsecond.
 *
 * Lock-free and allocation-free (relaxed C11 atomics), any thread, O(bucket
 * count). Counters of one series rendered while observations are in flight
 * may be apart by those observations; each one stays monotonic.
 */
void metrics_observe(struct metrics_series *s, int status, uint64_t latency_us,
                     uint64_t integration_us);

/*
 * The exposition text of every series, in Prometheus text format 0.0.4: for
 * each metric family its "# HELP" and "# TYPE" lines (even with no series),
 * then one sample per series in creation order; a histogram's samples are
 * _bucket{...,le="..."} (cumulative, ending with le="+Inf"), _sum (ms) and
 * _count. Label values are escaped as the format requires (backslash, double
 * quote and line feed as \\, \" and \n). Each series' numbers are read once,
 * so Count, the +Inf bucket and _count agree within a scrape.
 *
 * Returns a new NUL-terminated string; the caller frees it with free(). *len
 * receives its length (without the NUL) when len is not NULL. Never NULL.
 * Any thread, concurrently with metrics_observe and metrics_series.
 */
char *metrics_render(struct metrics *m, size_t *len);

#endif
