/*
 * Unit tests for metrics: the exact exposition of a small case, bucket
 * bounds, 4xx/5xx counting, exact counts under concurrent observers, stable
 * series, and the caps on series and label values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* The value of the sample whose name and labels are exactly key, as text in
 * out; NULL if text has no such line. */
static const char *value_of(const char *text, const char *key, char out[64])
{
    size_t klen = strlen(key);
    const char *p = text;

    while (*p != '\0') {
        const char *eol = strchr(p, '\n');
        size_t n;

        assert_non_null(eol); /* the last line ends with a line feed too */
        if ((size_t)(eol - p) > klen && strncmp(p, key, klen) == 0 &&
            p[klen] == ' ') {
            n = (size_t)(eol - p) - klen - 1;
            assert_true(n < 64);
            memcpy(out, p + klen + 1, n);
            out[n] = '\0';
            return out;
        }
        p = eol + 1;
    }
    return NULL;
}

/* Render m and check that key's sample reads want. */
static void expect_sample(struct metrics *m, const char *key, const char *want)
{
    char out[64];
    char *text = metrics_render(m, NULL);
    const char *got = value_of(text, key, out);

    if (got == NULL)
        fail_msg("no sample %s in:\n%s", key, text);
    if (strcmp(got, want) != 0)
        fail_msg("%s: got %s, want %s", key, got, want);
    free(text);
}

static const char golden[] =
    "# HELP apigateway_Count_total The total number of API requests "
    "(CloudWatch AWS/ApiGateway Count).\n"
    "# TYPE apigateway_Count_total counter\n"
    "apigateway_Count_total{api=\"crudd\",stage=\"prod\","
    "resource=\"/items/{id}\",method=\"GET\"} 2\n"
    "apigateway_Count_total{api=\"crudd\",stage=\"dev\","
    "resource=\"/a\\\\b\\\"c\\nd\",method=\"POST\"} 1\n"
    "# HELP apigateway_4XXError_total The number of client-side errors, "
    "responses with status 4xx (CloudWatch AWS/ApiGateway 4XXError).\n"
    "# TYPE apigateway_4XXError_total counter\n"
    "apigateway_4XXError_total{api=\"crudd\",stage=\"prod\","
    "resource=\"/items/{id}\",method=\"GET\"} 1\n"
    "apigateway_4XXError_total{api=\"crudd\",stage=\"dev\","
    "resource=\"/a\\\\b\\\"c\\nd\",method=\"POST\"} 0\n"
    "# HELP apigateway_5XXError_total The number of server-side errors, "
    "responses with status 5xx (CloudWatch AWS/ApiGateway 5XXError).\n"
    "# TYPE apigateway_5XXError_total counter\n"
    "apigateway_5XXError_total{api=\"crudd\",stage=\"prod\","
    "resource=\"/items/{id}\",method=\"GET\"} 0\n"
    "apigateway_5XXError_total{api=\"crudd\",stage=\"dev\","
    "resource=\"/a\\\\b\\\"c\\nd\",method=\"POST\"} 1\n"
    "# HELP apigateway_Latency Milliseconds from receiving a request from "
    "the client to returning the response, integration latency included "
    "(CloudWatch AWS/ApiGateway Latency).\n"
    "# TYPE apigateway_Latency histogram\n"
#define S1                                                                     \
    "api=\"crudd\",stage=\"prod\",resource=\"/items/{id}\",method=\"GET\""
#define S2                                                                     \
    "api=\"crudd\",stage=\"dev\",resource=\"/"                                 \
    "a\\\\b\\\"c\\nd\",method=\"POST\""
    /* s1: 1.5 ms and 0.1 ms */
    "apigateway_Latency_bucket{" S1 ",le=\"0.1\"} 1\n"
    "apigateway_Latency_bucket{" S1 ",le=\"0.25\"} 1\n"
    "apigateway_Latency_bucket{" S1 ",le=\"0.5\"} 1\n"
    "apigateway_Latency_bucket{" S1 ",le=\"1\"} 1\n"
    "apigateway_Latency_bucket{" S1 ",le=\"2.5\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"5\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"10\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"25\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"50\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"100\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"250\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"500\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"1000\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"2500\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"5000\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"10000\"} 2\n"
    "apigateway_Latency_bucket{" S1 ",le=\"+Inf\"} 2\n"
    "apigateway_Latency_sum{" S1 "} 1.6\n"
    "apigateway_Latency_count{" S1 "} 2\n"
    /* s2: 12.000345 s, above every bound */
    "apigateway_Latency_bucket{" S2 ",le=\"0.1\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"0.25\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"0.5\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"1\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"2.5\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"5\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"10\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"25\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"50\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"100\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"250\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"500\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"1000\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"2500\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"5000\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"10000\"} 0\n"
    "apigateway_Latency_bucket{" S2 ",le=\"+Inf\"} 1\n"
    "apigateway_Latency_sum{" S2 "} 12000.345\n"
    "apigateway_Latency_count{" S2 "} 1\n"
    "# HELP apigateway_IntegrationLatency Milliseconds from relaying a "
    "request to the integration to receiving its response (CloudWatch "
    "AWS/ApiGateway IntegrationLatency).\n"
    "# TYPE apigateway_IntegrationLatency histogram\n"
    /* s1: 1 ms once (the 404 had no integration) */
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"0.1\"} 0\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"0.25\"} 0\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"0.5\"} 0\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"1\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"2.5\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"5\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"10\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"25\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"50\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"100\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"250\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"500\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"1000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"2500\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"5000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"10000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S1 ",le=\"+Inf\"} 1\n"
    "apigateway_IntegrationLatency_sum{" S1 "} 1\n"
    "apigateway_IntegrationLatency_count{" S1 "} 1\n"
    /* s2: 0.25 ms */
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"0.1\"} 0\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"0.25\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"0.5\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"1\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"2.5\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"5\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"10\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"25\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"50\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"100\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"250\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"500\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"1000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"2500\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"5000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"10000\"} 1\n"
    "apigateway_IntegrationLatency_bucket{" S2 ",le=\"+Inf\"} 1\n"
    "apigateway_IntegrationLatency_sum{" S2 "} 0.25\n"
    "apigateway_IntegrationLatency_count{" S2 "} 1\n";

static void render_two_series_is_exact(void **state)
{
    struct metrics *m = metrics_create();
    struct metrics_series *s1, *s2;
    size_t len;
    char *text;

    (void)state;
    s1 = metrics_series(m, "crudd", "prod", "/items/{id}", "GET");
    s2 = metrics_series(m, "crudd", "dev", "/a\\b\"c\nd", "POST");
    metrics_observe(s1, 200, 1500, 1000);
    metrics_observe(s1, 404, 100, 0);
    metrics_observe(s2, 503, 12000345, 250);
    text = metrics_render(m, &len);
    assert_string_equal(text, golden);
    assert_int_equal(len, strlen(golden));
    free(text);
    metrics_free(m);
}

static void no_series_renders_only_help_and_type(void **state)
{
    struct metrics *m = metrics_create();
    size_t len;
    char *text;

    (void)state;
    text = metrics_render(m, &len);
    assert_string_equal(
        text,
        "# HELP apigateway_Count_total The total number of API requests "
        "(CloudWatch AWS/ApiGateway Count).\n"
        "# TYPE apigateway_Count_total counter\n"
        "# HELP apigateway_4XXError_total The number of client-side errors, "
        "responses with status 4xx (CloudWatch AWS/ApiGateway 4XXError).\n"
        "# TYPE apigateway_4XXError_total counter\n"
        "# HELP apigateway_5XXError_total The number of server-side errors, "
        "responses with status 5xx (CloudWatch AWS/ApiGateway 5XXError).\n"
        "# TYPE apigateway_5XXError_total counter\n"
        "# HELP apigateway_Latency Milliseconds from receiving a request "
        "from the client to returning the response, integration latency "
        "included (CloudWatch AWS/ApiGateway Latency).\n"
        "# TYPE apigateway_Latency histogram\n"
        "# HELP apigateway_IntegrationLatency Milliseconds from relaying a "
        "request to the integration to receiving its response (CloudWatch "
        "AWS/ApiGateway IntegrationLatency).\n"
        "# TYPE apigateway_IntegrationLatency histogram\n");
    assert_int_equal(len, strlen(text));
    free(text);
    metrics_free(m);
}

#define L "api=\"a\",stage=\"s\",resource=\"/r\",method=\"GET\""

/* "le" is "less than or equal": an observation on a bound counts in that
 * bucket, one microsecond more does not. */
static void observation_on_a_bound_counts_in_that_bucket(void **state)
{
    struct metrics *m = metrics_create();
    struct metrics_series *s = metrics_series(m, "a", "s", "/r", "GET");

    (void)state;
    metrics_observe(s, 200, 100, 0); /* exactly 0.1 ms */
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"0.1\"}", "1");
    metrics_observe(s, 200, 101, 0);
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"0.1\"}", "1");
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"0.25\"}", "2");
    metrics_observe(s, 200, 0, 0); /* 0 is below every bound */
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"0.1\"}", "2");
    metrics_observe(s, 200, 2500, 0); /* exactly 2.5 ms */
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"1\"}", "3");
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"2.5\"}", "4");
    metrics_observe(s, 200, 10000000, 0); /* exactly the last bound */
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"5000\"}", "4");
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"10000\"}", "5");
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"+Inf\"}", "5");
    metrics_observe(s, 200, 10000001, 0);
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"10000\"}", "5");
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"+Inf\"}", "6");
    expect_sample(m, "apigateway_Latency_count{" L "}", "6");
    expect_sample(m, "apigateway_Latency_sum{" L "}", "20002.702");
    expect_sample(m, "apigateway_Count_total{" L "}", "6");
    /* integration 0: no handler ran, nothing observed */
    expect_sample(m, "apigateway_IntegrationLatency_count{" L "}", "0");
    metrics_observe(s, 200, 5, 1);
    expect_sample(m, "apigateway_IntegrationLatency_bucket{" L ",le=\"0.1\"}",
                  "1");
    expect_sample(m, "apigateway_IntegrationLatency_sum{" L "}", "0.001");
    metrics_free(m);
}

static void status_classes_count_as_4xx_and_5xx(void **state)
{
    static const int statuses[] = {100, 200, 201, 301, 399, 400, 403, 404,
                                   429, 499, 500, 502, 503, 599, 600};
    struct metrics *m = metrics_create();
    struct metrics_series *s = metrics_series(m, "a", "s", "/r", "GET");
    size_t i;

    (void)state;
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        metrics_observe(s, statuses[i], 1000, 500);
    expect_sample(m, "apigateway_Count_total{" L "}", "15");
    expect_sample(m, "apigateway_4XXError_total{" L "}", "5");
    expect_sample(m, "apigateway_5XXError_total{" L "}", "4");
    metrics_free(m);
}

#define THREADS 4
#define PER_THREAD 200000

struct worker {
    struct metrics *m;
    struct metrics_series *s;
    int id;
};

/* Observe the shared series PER_THREAD times: even i a 404 of 50 µs, odd i a
 * 500 of 3 ms with 2 ms in the integration. Worker 0 also renders now and
 * then, and creates series, while the others observe. */
static void *work(void *arg)
{
    struct worker *w = arg;
    char name[32];
    int i;

    for (i = 0; i < PER_THREAD; i++) {
        if (i % 2 == 0)
            metrics_observe(w->s, 404, 50, 0);
        else
            metrics_observe(w->s, 500, 3000, 2000);
        if (w->id == 0 && i % 20000 == 0) {
            free(metrics_render(w->m, NULL));
            snprintf(name, sizeof name, "/r%d", i);
            (void)metrics_series(w->m, "a", "s", name, "PUT");
        }
    }
    return NULL;
}

static void concurrent_observers_give_exact_counts(void **state)
{
    struct metrics *m = metrics_create();
    struct metrics_series *s = metrics_series(m, "a", "s", "/r", "GET");
    struct worker w[THREADS];
    pthread_t t[THREADS];
    char want[64];
    int i;

    (void)state;
    for (i = 0; i < THREADS; i++) {
        w[i] = (struct worker){m, s, i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);

    snprintf(want, sizeof want, "%d", THREADS * PER_THREAD);
    expect_sample(m, "apigateway_Count_total{" L "}", want);
    expect_sample(m, "apigateway_Latency_count{" L "}", want);
    snprintf(want, sizeof want, "%d", THREADS * PER_THREAD / 2);
    expect_sample(m, "apigateway_4XXError_total{" L "}", want);
    expect_sample(m, "apigateway_5XXError_total{" L "}", want);
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"0.1\"}", want);
    expect_sample(m, "apigateway_Latency_bucket{" L ",le=\"2.5\"}", want);
    expect_sample(m, "apigateway_IntegrationLatency_count{" L "}", want);
    /* half of them 0.05 ms, half 3 ms: 800000 * 3.05 / 2 */
    snprintf(want, sizeof want, "%" PRIu64,
             (uint64_t)THREADS * PER_THREAD / 2 * 3050 / 1000);
    expect_sample(m, "apigateway_Latency_sum{" L "}", want);
    snprintf(want, sizeof want, "%d", THREADS * PER_THREAD / 2 * 2);
    expect_sample(m, "apigateway_IntegrationLatency_sum{" L "}", want);
    metrics_free(m);
}

static void series_pointer_is_stable_as_series_grow(void **state)
{
    struct metrics *m = metrics_create();
    struct metrics_series *first = metrics_series(m, "a", "s", "/r", "GET");
    struct metrics_series *s;
    char name[32];
    int i;

    (void)state;
    metrics_observe(first, 200, 1000, 0);
    for (i = 0; i < 1000; i++) {
        snprintf(name, sizeof name, "/items/%d", i);
        s = metrics_series(m, "a", "s", name, "GET");
        assert_ptr_not_equal(s, first);
        metrics_observe(s, 200, 1, 0);
    }
    assert_ptr_equal(metrics_series(m, "a", "s", "/r", "GET"), first);
    metrics_observe(first, 200, 1000, 0);
    expect_sample(m, "apigateway_Count_total{" L "}", "2");
    /* the same labels give the same series; any label differing does not */
    snprintf(name, sizeof name, "/items/%d", 7);
    s = metrics_series(m, "a", "s", name, "GET");
    assert_ptr_equal(s, metrics_series(m, "a", "s", "/items/7", "GET"));
    assert_ptr_not_equal(s, metrics_series(m, "a", "s", "/items/7", "PUT"));
    metrics_free(m);
}

#define OVERFLOW                                                               \
    "api=\"(overflow)\",stage=\"(overflow)\",resource=\"(overflow)\","         \
    "method=\"(overflow)\""

/* Label values can come from clients: past METRICS_SERIES_MAX series, new
 * label sets share one overflow series; known ones keep theirs. */
static void label_sets_past_the_cap_share_the_overflow_series(void **state)
{
    struct metrics *m = metrics_create();
    struct metrics_series *first = metrics_series(m, "a", "s", "/r", "GET");
    struct metrics_series *over, *s;
    char method[32];
    char *text;
    int i;

    (void)state;
    for (i = 1; i < METRICS_SERIES_MAX; i++) {
        snprintf(method, sizeof method, "M%d", i);
        (void)metrics_series(m, "a", "s", "/r", method);
    }
    over = metrics_series(m, "a", "s", "/r", "ONE_TOO_MANY");
    assert_ptr_not_equal(over, first);
    for (i = 0; i < 100; i++) {
        snprintf(method, sizeof method, "X%d", i);
        s = metrics_series(m, "a", "s", "/r", method);
        assert_ptr_equal(s, over);
        metrics_observe(s, 405, 10, 0);
    }
    assert_ptr_equal(metrics_series(m, "a", "s", "/r", "GET"), first);
    expect_sample(m, "apigateway_4XXError_total{" OVERFLOW "}", "100");
    text = metrics_render(m, NULL);
    assert_null(strstr(text, "ONE_TOO_MANY"));
    assert_null(strstr(text, "X99"));
    free(text);
    metrics_free(m);
}

/* The exposition must be UTF-8: a bad byte becomes U+FFFD, a long value is
 * cut at a character boundary, valid UTF-8 passes unchanged. */
static void label_values_are_valid_utf8_and_capped(void **state)
{
    struct metrics *m = metrics_create();
    char long_value[METRICS_LABEL_MAX + 10];
    char *text;

    (void)state;
    /* 0xFF, an overlong "/" (C0 AF), a surrogate (ED A0 80), a cut 2-byte
     * sequence at the end (C3) */
    metrics_observe(
        metrics_series(m, "a", "s", "/x\xff\xc0\xafy\xed\xa0\x80", "GET\xc3"),
        200, 1, 0);
    metrics_observe(
        metrics_series(m, "caf\xc3\xa9", "s", "/\xe2\x82\xac", "GET"), 200, 1,
        0);
    /* 255 ASCII bytes then "é": the 2-byte character would pass 256 */
    memset(long_value, 'v', METRICS_LABEL_MAX - 1);
    memcpy(long_value + METRICS_LABEL_MAX - 1, "\xc3\xa9", 3);
    metrics_observe(metrics_series(m, "a", "s", long_value, "GET"), 200, 1, 0);
    text = metrics_render(m, NULL);
    assert_non_null(strstr(
        text, "apigateway_Count_total{api=\"a\",stage=\"s\",resource=\"/x"
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdy\xef\xbf\xbd\xef\xbf\xbd"
              "\xef\xbf\xbd\",method=\"GET\xef\xbf\xbd\"} 1\n"));
    assert_non_null(
        strstr(text, "apigateway_Count_total{api=\"caf\xc3\xa9\",stage=\"s\","
                     "resource=\"/\xe2\x82\xac\",method=\"GET\"} 1\n"));
    long_value[METRICS_LABEL_MAX - 1] = '\0';
    {
        char want[METRICS_LABEL_MAX + 128];

        snprintf(want, sizeof want,
                 "apigateway_Count_total{api=\"a\",stage=\"s\","
                 "resource=\"%s\",method=\"GET\"} 1\n",
                 long_value);
        assert_non_null(strstr(text, want));
    }
    free(text);
    metrics_free(m);
}

static void free_accepts_null(void **state)
{
    (void)state;
    metrics_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_two_series_is_exact),
        cmocka_unit_test(no_series_renders_only_help_and_type),
        cmocka_unit_test(observation_on_a_bound_counts_in_that_bucket),
        cmocka_unit_test(status_classes_count_as_4xx_and_5xx),
        cmocka_unit_test(concurrent_observers_give_exact_counts),
        cmocka_unit_test(series_pointer_is_stable_as_series_grow),
        cmocka_unit_test(label_sets_past_the_cap_share_the_overflow_series),
        cmocka_unit_test(label_values_are_valid_utf8_and_capped),
        cmocka_unit_test(free_accepts_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
