/*
 * Unit tests for usage (usage plans): the token bucket on simulated time,
 * quotas and their UTC periods on an injected wall clock, the order
 * throttle-then-quota, counters that survive a restart (and what a kill -9
 * loses), and exact counting under threads. Each test builds its own
 * fixtures; stores on a temporary file where persistence is the point.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store.h"
#include "usage.h"
#include "xalloc.h"

#define S_US 1000000ull /* a second in microseconds */

/* --- fixtures ------------------------------------------------------------ */

/* Seconds since the epoch of a UTC date and time. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {0};

    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    return (int64_t)timegm(&tm);
}

struct tmp {
    char dir[64];
    char path[96];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/crudd-usage-XXXXXX");
    if (!mkdtemp(t->dir))
        fail_msg("mkdtemp failed");
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
}

static void tmp_remove(struct tmp *t)
{
    char p[128];
    const char *ext[] = {"", "-wal", "-shm"};

    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, ext[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static struct store *store_at(const char *path)
{
    struct err err = ERR_INIT;
    struct store *s = store_open(path, 2, STORE_DURABILITY_NORMAL, &err);

    if (!s)
        fail_msg("store_open %s: %s", path, err.msg);
    return s;
}

/* A started usage with one plan "p" (throttle and quota each optional)
 * and one key "k" in it; *key receives its handle. */
static struct usage *one_key(struct store *store,
                             const struct usage_throttle *t,
                             const struct usage_quota *q, int *key)
{
    struct err err = ERR_INIT;
    struct usage *u = usage_create(store);

    if (usage_add_plan(u, "p", t, q, &err))
        fail_msg("usage_add_plan: %s", err.msg);
    if ((*key = usage_add_key(u, "p", "k", &err)) < 0)
        fail_msg("usage_add_key: %s", err.msg);
    if (usage_start(u, &err))
        fail_msg("usage_start: %s", err.msg);
    return u;
}

/* How many of n requests at now_us, wall_s are admitted. */
static int admit_n(struct usage *u, int key, int n, uint64_t now_us,
                   int64_t wall_s)
{
    int ok = 0;

    for (int i = 0; i < n; i++)
        ok += usage_admit_at(u, key, now_us, wall_s) == USAGE_OK;
    return ok;
}

/* --- the token bucket ---------------------------------------------------- */

static void bucket_with_burst_5_admits_5_of_10_at_once(void **state)
{
    struct usage_bucket b;
    int ok = 0;

    (void)state;
    usage_bucket_init(&b, 0.001, 5);
    for (int i = 0; i < 10; i++)
        ok += usage_bucket_take(&b, 42 * S_US);
    assert_int_equal(ok, 5);
}

static void bucket_refills_at_its_rate_up_to_its_burst(void **state)
{
    struct usage_bucket b;
    uint64_t t0 = 1000 * S_US;

    (void)state;
    usage_bucket_init(&b, 10, 2); /* a token every 100 ms */
    assert_int_equal(usage_bucket_take(&b, t0), 1);
    assert_int_equal(usage_bucket_take(&b, t0), 1);
    assert_int_equal(usage_bucket_take(&b, t0), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 99999), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 100000), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 100000), 0);
    /* Ten seconds idle fill the bucket to its burst, not beyond. */
    assert_int_equal(usage_bucket_take(&b, t0 + 10 * S_US), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 10 * S_US), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 10 * S_US), 0);
    /* A clock behind the last call is no time passing. */
    assert_int_equal(usage_bucket_take(&b, t0), 0);
}

static void bucket_takes_fractional_rates(void **state)
{
    struct usage_bucket b;
    uint64_t t0 = 5 * S_US;

    (void)state;
    usage_bucket_init(&b, 0.5, 1); /* a token every 2 s */
    assert_int_equal(usage_bucket_take(&b, t0), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + S_US), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 2 * S_US - 1), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 2 * S_US), 1);

    usage_bucket_init(&b, 2.5, 1); /* every 400 ms */
    assert_int_equal(usage_bucket_take(&b, t0), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 399999), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 400000), 1);

    usage_bucket_init(&b, 0.01, 3); /* every 100 s */
    for (int i = 0; i < 3; i++)
        assert_int_equal(usage_bucket_take(&b, t0), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 99 * S_US), 0);
    assert_int_equal(usage_bucket_take(&b, t0 + 100 * S_US), 1);
    assert_int_equal(usage_bucket_take(&b, t0 + 100 * S_US), 0);
}

static void bucket_edges_burst_0_rate_0_and_a_clock_at_0(void **state)
{
    struct usage_bucket b;
    int ok = 0;

    (void)state;
    usage_bucket_init(&b, 1000, 0); /* holds no token: all throttled */
    for (int i = 0; i < 100; i++)
        ok += usage_bucket_take(&b, (uint64_t)i * S_US);
    assert_int_equal(ok, 0);

    usage_bucket_init(&b, 0, 3); /* the burst once, never refilled */
    for (uint64_t i = 0; i < 10; i++)
        ok += usage_bucket_take(&b, i * 3600 * S_US);
    assert_int_equal(ok, 3);

    usage_bucket_init(&b, NAN, 2);
    ok = usage_bucket_take(&b, 0) + usage_bucket_take(&b, 0) +
         usage_bucket_take(&b, 1000 * S_US);
    assert_int_equal(ok, 2);

    usage_bucket_init(&b, 1e12, 1); /* beyond 1 ns: 1e9 a second */
    assert_int_equal(usage_bucket_take(&b, 7), 1);
    assert_int_equal(usage_bucket_take(&b, 8), 1);
}

/* --- plans and quotas ---------------------------------------------------- */

static void quota_of_3_admits_exactly_3(void **state)
{
    struct usage_quota q = {3, USAGE_DAY};
    int64_t w = utc(2024, 5, 10, 12, 0, 0);
    int key;
    struct usage *u = one_key(NULL, NULL, &q, &key);

    (void)state;
    assert_int_equal(usage_remaining_at(u, key, w), 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(usage_admit_at(u, key, S_US, w), USAGE_OK);
    assert_int_equal(usage_remaining_at(u, key, w), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(usage_admit_at(u, key, S_US, w), USAGE_QUOTA_EXCEEDED);
    /* The real clock's day is another one: a fresh quota there. */
    assert_int_equal(usage_remaining(u, key), 3);
    usage_free(u);
}

static void throttled_request_does_not_count_against_the_quota(void **state)
{
    struct usage_throttle t = {0.001, 2}; /* a token every 1000 s */
    struct usage_quota q = {3, USAGE_MONTH};
    int64_t w = utc(2024, 5, 10, 12, 0, 0);
    uint64_t t0 = 10 * S_US;
    int key;
    struct usage *u = one_key(NULL, &t, &q, &key);

    (void)state;
    assert_int_equal(usage_admit_at(u, key, t0, w), USAGE_OK);
    assert_int_equal(usage_admit_at(u, key, t0, w), USAGE_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(usage_admit_at(u, key, t0, w), USAGE_THROTTLED);
    assert_int_equal(usage_remaining_at(u, key, w), 1);
    assert_int_equal(usage_admit_at(u, key, t0 + 1000 * S_US, w), USAGE_OK);
    /* Throttle first: with no token the answer is THROTTLED even though
     * the quota is spent too. */
    assert_int_equal(usage_admit_at(u, key, t0 + 1000 * S_US, w),
                     USAGE_THROTTLED);
    assert_int_equal(usage_admit_at(u, key, t0 + 2000 * S_US, w),
                     USAGE_QUOTA_EXCEEDED);
    usage_free(u);
}

static void keys_have_their_own_buckets_and_counters(void **state)
{
    struct usage_throttle t = {0.001, 2};
    struct usage_quota q = {3, USAGE_DAY};
    struct err err = ERR_INIT;
    struct usage *u = usage_create(NULL);
    int64_t w = utc(2024, 5, 10, 12, 0, 0);
    int a, b, c, open, slow;

    (void)state;
    assert_int_equal(usage_add_plan(u, "gold", &t, &q, &err), 0);
    assert_int_equal(usage_add_plan(u, "free", NULL, NULL, &err), 0);
    assert_int_equal(usage_add_plan(u, "slow", &t, NULL, &err), 0);
    assert_int_equal(a = usage_add_key(u, "gold", "alice", &err), 0);
    assert_int_equal(b = usage_add_key(u, "gold", "bob", &err), 1);
    assert_int_equal(open = usage_add_key(u, "free", "carol", &err), 2);
    assert_int_equal(slow = usage_add_key(u, "slow", "erin", &err), 3);
    assert_int_equal(usage_find_key(u, "bob"), b);
    assert_int_equal(usage_find_key(u, "dave"), USAGE_NO_KEY);
    assert_int_equal(usage_start(u, &err), 0);
    assert_int_equal(admit_n(u, a, 5, S_US, w), 2);
    assert_int_equal(admit_n(u, b, 5, S_US, w), 2);
    assert_int_equal(usage_remaining_at(u, a, w), 1);
    /* A plan with neither throttle nor quota, and a key in no plan. */
    assert_int_equal(admit_n(u, open, 1000, S_US, w), 1000);
    assert_int_equal(usage_remaining_at(u, open, w), -1);
    /* A throttle without a quota. */
    assert_int_equal(admit_n(u, slow, 5, S_US, w), 2);
    assert_int_equal(usage_remaining_at(u, slow, w), -1);
    c = usage_find_key(u, "dave");
    assert_int_equal(usage_admit(u, c, S_US), USAGE_OK);
    assert_int_equal(usage_remaining(u, c), -1);
    usage_free(u);
}

static void bad_configuration_is_err_config_and_changes_nothing(void **state)
{
    struct usage_throttle bad_rate = {-1, 5}, nan_rate = {NAN, 5};
    struct usage_quota big = {USAGE_QUOTA_MAX + 1u, USAGE_DAY};
    struct usage_quota bad_period = {5, (enum usage_period)7};
    struct usage_quota q = {1, USAGE_DAY};
    struct err err = ERR_INIT;
    struct usage *u = usage_create(NULL);
    int key;

    (void)state;
    assert_int_equal(usage_add_plan(u, "a", NULL, &q, &err), 0);
    assert_int_equal(usage_add_plan(u, "b", NULL, NULL, &err), 0);
    assert_int_equal(usage_add_plan(u, "a", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_CONFIG);
    err.kind = ERR_NONE;
    assert_int_equal(usage_add_plan(u, "", NULL, NULL, &err), -1);
    assert_int_equal(err.kind, ERR_CONFIG);
    assert_int_equal(usage_add_plan(u, "c", &bad_rate, NULL, &err), -1);
    assert_int_equal(usage_add_plan(u, "c", &nan_rate, NULL, &err), -1);
    assert_int_equal(usage_add_plan(u, "c", NULL, &big, &err), -1);
    assert_int_equal(usage_add_plan(u, "c", NULL, &bad_period, &err), -1);
    assert_int_equal(usage_add_key(u, "nope", "k", &err), -1);
    assert_int_equal(err.kind, ERR_CONFIG);
    assert_int_equal(usage_add_key(u, "a", "", &err), -1);
    assert_int_equal(key = usage_add_key(u, "a", "k", &err), 0);
    err.kind = ERR_NONE;
    /* One API here: a key belongs to at most one plan. */
    assert_int_equal(usage_add_key(u, "b", "k", &err), -1);
    assert_int_equal(err.kind, ERR_CONFIG);
    assert_non_null(strstr(err.msg, "already in usage plan a"));
    assert_int_equal(usage_add_key(u, "a", "k", &err), -1);
    /* Nothing of the failures was added: "c" is free, k is in "a". */
    assert_int_equal(usage_add_plan(u, "c", NULL, NULL, &err), 0);
    assert_int_equal(usage_add_key(u, "c", "k2", &err), 1);
    assert_int_equal(usage_start(u, &err), 0);
    assert_int_equal(admit_n(u, key, 3, S_US, utc(2024, 1, 1, 0, 0, 0)), 1);
    usage_free(u);
}

/* --- periods ------------------------------------------------------------- */

static void period_starts_are_utc_days_mondays_and_firsts(void **state)
{
    (void)state;
    assert_int_equal(
        usage_period_start(USAGE_DAY, utc(2024, 2, 29, 23, 59, 59)),
        utc(2024, 2, 29, 0, 0, 0));
    assert_int_equal(usage_period_start(USAGE_DAY, 0), 0);
    assert_int_equal(usage_period_start(USAGE_DAY, -5), 0);
    /* 2024-01-01 was a Monday. */
    assert_int_equal(usage_period_start(USAGE_WEEK, utc(2024, 1, 3, 8, 0, 0)),
                     utc(2024, 1, 1, 0, 0, 0));
    assert_int_equal(
        usage_period_start(USAGE_WEEK, utc(2024, 1, 7, 23, 59, 59)),
        utc(2024, 1, 1, 0, 0, 0));
    assert_int_equal(usage_period_start(USAGE_WEEK, utc(2024, 1, 8, 0, 0, 0)),
                     utc(2024, 1, 8, 0, 0, 0));
    /* A week across a new year: Monday 2024-12-30. */
    assert_int_equal(usage_period_start(USAGE_WEEK, utc(2025, 1, 1, 0, 0, 0)),
                     utc(2024, 12, 30, 0, 0, 0));
    assert_int_equal(
        usage_period_start(USAGE_MONTH, utc(2024, 2, 29, 12, 0, 0)),
        utc(2024, 2, 1, 0, 0, 0));
    assert_int_equal(
        usage_period_start(USAGE_MONTH, utc(2023, 12, 31, 23, 59, 59)),
        utc(2023, 12, 1, 0, 0, 0));
    assert_int_equal(usage_period_start(USAGE_MONTH, utc(2024, 1, 1, 0, 0, 0)),
                     utc(2024, 1, 1, 0, 0, 0));
    assert_int_equal(usage_period_start(USAGE_MONTH, utc(2100, 3, 1, 0, 0, 0)),
                     utc(2100, 3, 1, 0, 0, 0));
}

/* Every day from 1970 to 2200 (leap years, 2000, not-leap 2100) against
 * the C library's calendar. */
static void period_starts_match_gmtime_every_day(void **state)
{
    (void)state;
    for (int64_t t = 0; t < utc(2200, 1, 1, 0, 0, 0); t += 86400) {
        int64_t noon = t + 43200;
        time_t tt = (time_t)noon;
        struct tm tm;

        gmtime_r(&tt, &tm);
        if (usage_period_start(USAGE_DAY, noon) != t ||
            usage_period_start(USAGE_WEEK, noon) !=
                t - (int64_t)((tm.tm_wday + 6) % 7) * 86400 ||
            usage_period_start(USAGE_MONTH, noon) !=
                utc(tm.tm_year + 1900, tm.tm_mon + 1, 1, 0, 0, 0))
            fail_msg("period start wrong for %04d-%02d-%02d", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday);
    }
}

/* Spend a quota of 2 at wall time a, then check b: exceeded when it is the
 * same period, a fresh quota of 2 when it is the next. */
static void rollover(enum usage_period period, int64_t a, int64_t b, int fresh)
{
    struct usage_quota q = {2, period};
    int key;
    struct usage *u = one_key(NULL, NULL, &q, &key);

    assert_int_equal(admit_n(u, key, 3, S_US, a), 2);
    assert_int_equal(usage_remaining_at(u, key, b), fresh ? 2 : 0);
    assert_int_equal(admit_n(u, key, 3, S_US, b), fresh ? 2 : 0);
    usage_free(u);
}

static void quota_starts_over_each_day(void **state)
{
    (void)state;
    rollover(USAGE_DAY, utc(2024, 3, 5, 0, 0, 0), utc(2024, 3, 5, 23, 59, 59),
             0);
    rollover(USAGE_DAY, utc(2024, 3, 5, 23, 59, 59), utc(2024, 3, 6, 0, 0, 0),
             1);
    rollover(USAGE_DAY, utc(2023, 12, 31, 23, 0, 0), utc(2024, 1, 1, 0, 0, 1),
             1);
}

static void quota_starts_over_each_monday(void **state)
{
    (void)state;
    /* Monday to Sunday is one week (a Sunday start would reset). */
    rollover(USAGE_WEEK, utc(2024, 1, 1, 0, 0, 0), utc(2024, 1, 7, 23, 59, 59),
             0);
    rollover(USAGE_WEEK, utc(2024, 1, 7, 23, 59, 59), utc(2024, 1, 8, 0, 0, 0),
             1);
    /* Across the new year: Monday 2024-12-30 to Sunday 2025-01-05. */
    rollover(USAGE_WEEK, utc(2024, 12, 30, 9, 0, 0), utc(2025, 1, 5, 9, 0, 0),
             0);
}

static void quota_starts_over_each_month(void **state)
{
    (void)state;
    /* December to January. */
    rollover(USAGE_MONTH, utc(2023, 12, 1, 0, 0, 0),
             utc(2023, 12, 31, 23, 59, 59), 0);
    rollover(USAGE_MONTH, utc(2023, 12, 15, 0, 0, 0), utc(2024, 1, 1, 0, 0, 0),
             1);
    /* February of a leap year has a 29th, in February. */
    rollover(USAGE_MONTH, utc(2024, 2, 28, 12, 0, 0), utc(2024, 2, 29, 0, 0, 0),
             0);
    rollover(USAGE_MONTH, utc(2024, 2, 1, 0, 0, 0),
             utc(2024, 2, 29, 23, 59, 59), 0);
    rollover(USAGE_MONTH, utc(2024, 2, 29, 23, 59, 59),
             utc(2024, 3, 1, 0, 0, 0), 1);
    /* and of a common year does not. */
    rollover(USAGE_MONTH, utc(2023, 2, 28, 23, 59, 59),
             utc(2023, 3, 1, 0, 0, 0), 1);
}

static void wall_clock_stepping_back_hands_out_no_second_quota(void **state)
{
    struct usage_quota q = {2, USAGE_DAY};
    int key;
    struct usage *u = one_key(NULL, NULL, &q, &key);

    (void)state;
    assert_int_equal(admit_n(u, key, 1, S_US, utc(2024, 1, 1, 23, 0, 0)), 1);
    assert_int_equal(admit_n(u, key, 1, S_US, utc(2024, 1, 2, 0, 0, 1)), 1);
    /* Back across midnight: still the 2nd's counter. */
    assert_int_equal(admit_n(u, key, 3, S_US, utc(2024, 1, 1, 23, 59, 0)), 1);
    assert_int_equal(admit_n(u, key, 3, S_US, utc(2024, 1, 2, 1, 0, 0)), 0);
    usage_free(u);
}

/* --- persistence --------------------------------------------------------- */

static void store_quota_rows_round_trip(void **state)
{
    struct store *s = store_at(":memory:");
    struct err err = ERR_INIT;
    struct store_quota_count save[2] = {{"p", "a", 86400, 7, 0},
                                        {"p", "b", 172800, 0, 0}};
    struct store_quota_count load[3] = {
        {"p", "a", 0, 0, 0}, {"p", "b", 0, 0, 0}, {"q", "a", 1, 1, 1}};

    (void)state;
    assert_int_equal(store_quota_save(s, save, 2, &err), 0);
    assert_int_equal(store_quota_save(s, NULL, 0, &err), 0);
    save[0].used = 9;
    assert_int_equal(store_quota_save(s, save, 1, &err), 0);
    assert_int_equal(store_quota_load(s, load, 3, &err), 0);
    assert_int_equal(load[0].found, 1);
    assert_int_equal(load[0].period_start, 86400);
    assert_int_equal(load[0].used, 9);
    assert_int_equal(load[1].found, 1);
    assert_int_equal(load[1].period_start, 172800);
    assert_int_equal(load[1].used, 0);
    assert_int_equal(load[2].found, 0);
    assert_int_equal(load[2].used, 0);
    store_close(s);
}

/* A new usage on a reopened store with plan "p" (quota) and key "k". */
static struct usage *reopen(struct store *s, const struct usage_quota *q,
                            int *key)
{
    return one_key(s, NULL, q, key);
}

static void counters_continue_after_a_restart(void **state)
{
    struct usage_quota q = {5, USAGE_DAY};
    struct usage_quota monthly = {5, USAGE_MONTH};
    int64_t w = utc(2024, 3, 15, 12, 0, 0);
    struct tmp t;
    struct store *s;
    struct usage *u;
    int key;

    (void)state;
    tmp_make(&t);
    s = store_at(t.path);
    u = reopen(s, &q, &key);
    assert_int_equal(admit_n(u, key, 3, S_US, w), 3);
    usage_free(u);
    store_close(s);

    s = store_at(t.path);
    u = reopen(s, &q, &key);
    assert_int_equal(usage_remaining_at(u, key, w), 2);
    assert_int_equal(admit_n(u, key, 5, S_US, w + 60), 2);
    /* The next day starts over. */
    assert_int_equal(usage_remaining_at(u, key, w + 86400), 5);
    usage_free(u);
    store_close(s);

    /* Still spent after a second restart; a counter of the day before
     * starts over. */
    s = store_at(t.path);
    u = reopen(s, &q, &key);
    assert_int_equal(admit_n(u, key, 1, S_US, w), 0);
    assert_int_equal(admit_n(u, key, 6, S_US, w + 86400), 5);
    usage_free(u);
    store_close(s);

    /* The plan's period changed to MONTH: a DAY's counter (the 16th is no
     * 1st of a month) means nothing and starts over. */
    s = store_at(t.path);
    u = reopen(s, &monthly, &key);
    assert_int_equal(usage_remaining_at(u, key, w + 86400), 5);
    usage_free(u);
    store_close(s);
    tmp_remove(&t);
}

static void flusher_saves_counters_while_running(void **state)
{
    struct usage_quota q = {100, USAGE_DAY};
    struct store_quota_count row = {"p", "k", 0, 0, 0};
    struct err err = ERR_INIT;
    int64_t w = utc(2024, 3, 15, 12, 0, 0);
    struct tmp t;
    struct store *s;
    struct usage *u = NULL;
    int key = -1;

    (void)state;
    tmp_make(&t);
    s = store_at(t.path);
    u = usage_create(s);
    usage_set_flush_interval(u, 20);
    assert_int_equal(usage_add_plan(u, "p", NULL, &q, &err), 0);
    assert_int_equal(key = usage_add_key(u, "p", "k", &err), 0);
    assert_int_equal(usage_start(u, &err), 0);
    assert_int_equal(admit_n(u, key, 7, S_US, w), 7);
    for (int i = 0; i < 200 && row.used != 7; i++) {
        usleep(10000);
        assert_int_equal(store_quota_load(s, &row, 1, &err), 0);
    }
    assert_int_equal(row.found, 1);
    assert_int_equal(row.used, 7);
    assert_int_equal(row.period_start, utc(2024, 3, 15, 0, 0, 0));
    usage_free(u);
    store_close(s);
    tmp_remove(&t);
}

/* A process killed hard loses at most what it counted since its last
 * save, and the store stays readable. */
static void kill_9_loses_only_the_counts_since_the_last_save(void **state)
{
    struct usage_quota q = {10, USAGE_DAY};
    int64_t w = utc(2024, 3, 15, 12, 0, 0);
    struct tmp t;
    struct store *s;
    struct usage *u;
    int key, status;
    pid_t pid;

    (void)state;
    tmp_make(&t);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct err err = ERR_INIT;

        s = store_open(t.path, 1, STORE_DURABILITY_NORMAL, &err);
        if (!s)
            _exit(2);
        u = usage_create(s);
        usage_set_flush_interval(u, 600000); /* no save but ours */
        if (usage_add_plan(u, "p", NULL, &q, &err) ||
            (key = usage_add_key(u, "p", "k", &err)) < 0 ||
            usage_start(u, &err) || admit_n(u, key, 3, S_US, w) != 3 ||
            usage_flush(u, &err) || admit_n(u, key, 2, S_US, w) != 2)
            _exit(3);
        kill(getpid(), SIGKILL);
        _exit(4);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    s = store_at(t.path);
    u = reopen(s, &q, &key);
    assert_int_equal(usage_remaining_at(u, key, w), 7);
    usage_free(u);
    store_close(s);
    tmp_remove(&t);
}

/* A version-2 database (no usage_quota) migrates to version 3. */
static void version_2_database_gains_the_quota_table(void **state)
{
    struct store_quota_count row = {"p", "k", 86400, 4, 0};
    struct err err = ERR_INIT;
    struct tmp t;
    struct store *s;
    sqlite3 *db;
    sqlite3_stmt *st;

    (void)state;
    tmp_make(&t);
    store_close(store_at(t.path));
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DROP TABLE usage_quota;"
                                  " PRAGMA user_version = 2;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    s = store_at(t.path);
    assert_int_equal(store_quota_save(s, &row, 1, &err), 0);
    store_close(s);
    assert_int_equal(sqlite3_open(t.path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 3);
    sqlite3_finalize(st);
    sqlite3_close(db);
    tmp_remove(&t);
}

/* --- threads ------------------------------------------------------------- */

#define THREADS 4
#define PER_THREAD 20000

struct hammer {
    struct usage *u;
    int key;
    int64_t wall_s;
    int ok, throttled, exceeded;
};

static pthread_barrier_t start_line;

static void *hammer_main(void *arg)
{
    struct hammer *h = arg;

    pthread_barrier_wait(&start_line);
    for (int i = 0; i < PER_THREAD; i++) {
        switch (usage_admit_at(h->u, h->key, 1000 * S_US, h->wall_s)) {
        case USAGE_OK:
            h->ok++;
            break;
        case USAGE_THROTTLED:
            h->throttled++;
            break;
        case USAGE_QUOTA_EXCEEDED:
            h->exceeded++;
            break;
        }
    }
    return NULL;
}

/* THREADS threads hammer key at once; the totals of each verdict. */
static void hammer(struct usage *u, int key, int64_t wall_s, int *ok,
                   int *throttled, int *exceeded)
{
    pthread_t th[THREADS];
    struct hammer h[THREADS];

    pthread_barrier_init(&start_line, NULL, THREADS);
    *ok = *throttled = *exceeded = 0;
    for (int i = 0; i < THREADS; i++) {
        h[i] = (struct hammer){u, key, wall_s, 0, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, hammer_main, &h[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        *ok += h[i].ok;
        *throttled += h[i].throttled;
        *exceeded += h[i].exceeded;
    }
    pthread_barrier_destroy(&start_line);
}

static void four_threads_get_exactly_the_quota(void **state)
{
    struct usage_quota q = {7777, USAGE_DAY};
    int64_t w = utc(2024, 3, 15, 12, 0, 0);
    int key, ok, throttled, exceeded;
    struct usage *u = one_key(NULL, NULL, &q, &key);

    (void)state;
    hammer(u, key, w, &ok, &throttled, &exceeded);
    assert_int_equal(ok, 7777);
    assert_int_equal(throttled, 0);
    assert_int_equal(exceeded, THREADS * PER_THREAD - 7777);
    assert_int_equal(usage_remaining_at(u, key, w), 0);
    usage_free(u);
}

static void four_threads_get_exactly_the_burst(void **state)
{
    struct usage_throttle t = {0.001, 1234};
    struct usage_quota q = {1000, USAGE_DAY};
    int64_t w = utc(2024, 3, 15, 12, 0, 0);
    int key, ok, throttled, exceeded;
    struct usage *u = one_key(NULL, &t, &q, &key);

    (void)state;
    /* 1234 tokens at one instant; the quota takes the first 1000 of them,
     * and the 234 left over are refused by the quota, not the throttle. */
    hammer(u, key, w, &ok, &throttled, &exceeded);
    assert_int_equal(ok, 1000);
    assert_int_equal(exceeded, 234);
    assert_int_equal(throttled, THREADS * PER_THREAD - 1234);
    usage_free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bucket_with_burst_5_admits_5_of_10_at_once),
        cmocka_unit_test(bucket_refills_at_its_rate_up_to_its_burst),
        cmocka_unit_test(bucket_takes_fractional_rates),
        cmocka_unit_test(bucket_edges_burst_0_rate_0_and_a_clock_at_0),
        cmocka_unit_test(quota_of_3_admits_exactly_3),
        cmocka_unit_test(throttled_request_does_not_count_against_the_quota),
        cmocka_unit_test(keys_have_their_own_buckets_and_counters),
        cmocka_unit_test(bad_configuration_is_err_config_and_changes_nothing),
        cmocka_unit_test(period_starts_are_utc_days_mondays_and_firsts),
        cmocka_unit_test(period_starts_match_gmtime_every_day),
        cmocka_unit_test(quota_starts_over_each_day),
        cmocka_unit_test(quota_starts_over_each_monday),
        cmocka_unit_test(quota_starts_over_each_month),
        cmocka_unit_test(wall_clock_stepping_back_hands_out_no_second_quota),
        cmocka_unit_test(store_quota_rows_round_trip),
        cmocka_unit_test(counters_continue_after_a_restart),
        cmocka_unit_test(flusher_saves_counters_while_running),
        cmocka_unit_test(kill_9_loses_only_the_counts_since_the_last_save),
        cmocka_unit_test(version_2_database_gains_the_quota_table),
        cmocka_unit_test(four_threads_get_exactly_the_quota),
        cmocka_unit_test(four_threads_get_exactly_the_burst),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
