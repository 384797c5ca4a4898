/*
 * usage — API Gateway's usage plans for REST APIs: per API key throttling
 * (a token bucket) and quotas (requests per day, week or month), and the
 * token bucket on its own for stage-level throttling.
 *
 * AWS: "Usage plans and API keys for REST APIs in API Gateway" and "Throttle
 * requests to your REST APIs for better throughput in API Gateway". A usage
 * plan has an optional throttle (rate in requests per second, burst = the
 * bucket's capacity) and an optional quota (limit requests per period).
 * Each API key of a plan has its own bucket and its own quota counter. A
 * request is checked against the throttle first, then the quota; a request
 * the throttle refuses does not count against the quota. The gateway
 * answers USAGE_THROTTLED with 429 {"message":"Too Many Requests"} and
 * USAGE_QUOTA_EXCEEDED with 429 {"message":"Limit Exceeded"}
 * (x-amzn-ErrorType: LimitExceededException).
 *
 * Differences from AWS, all deliberate:
 *   - one API: an API key belongs to at most one plan (in AWS a key may be
 *     in several plans, one per API stage);
 *   - no QuotaSettings.offset, no per-method throttles;
 *   - AWS applies limits "on a best-effort basis"; here the throttle is an
 *     exact token bucket and the quota exact: with a limit of L, exactly L
 *     requests are admitted in a period, however many threads ask at once.
 *
 * Quota periods are calendar periods in UTC: a DAY starts at 00:00 UTC, a
 * WEEK on Monday at 00:00 UTC (ISO 8601's week), a MONTH on the 1st at
 * 00:00 UTC. The counter starts over at 0 when a period starts.
 *
 * Persistence, and what a kill -9 may lose. With a store, quota counters
 * survive a restart: usage_start reads back each key's counter, which goes
 * on counting if it is from the current period (and starts over at 0 if it
 * is from an earlier one). Counting itself never touches SQLite: a request
 * costs a few atomic operations in memory (well under a microsecond),
 * where a durable SQLite write per request would cost a commit (about
 * 150 µs here, src/DESIGN.md) and put every request of every key in the
 * writer's queue. A background thread (the flusher) saves the counters
 * that changed once per flush interval (USAGE_FLUSH_INTERVAL_MS, 1 s), in
 * one transaction, and usage_free saves them once more. A graceful stop
 * therefore loses nothing; a process killed hard (kill -9, a crash, power
 * loss) loses the counts of at most the last flush interval (plus the
 * commit in flight), so after the restart a key may get up to that many
 * more requests in the period than its limit. Quotas are a business limit
 * over a day or a month, not a safety mechanism: a second's worth of
 * slack after a crash is the trade for a request path without I/O.
 *
 * Threads: configuration (usage_create, usage_add_plan, usage_add_key,
 * usage_set_flush_interval, usage_start) from one thread, before any other
 * call. After usage_start succeeded, usage_admit, usage_remaining and
 * usage_flush may be called from any thread at once. usage_free once no
 * other call is in flight, and before the store is closed.
 */
#ifndef CRUDD_USAGE_H
#define CRUDD_USAGE_H

#include <stdatomic.h>
#include <stdint.h>

#include "err.h"

struct store;

/* --- the token bucket ----------------------------------------------------- */

/*
 * A token bucket of capacity burst, refilled at rate tokens per second,
 * full at the start; each request takes a token or is throttled. Kept as a
 * "generic cell rate algorithm": one atomic word, the time at which the
 * bucket will be full again (tat), so that taking a token is one
 * compare-and-swap and a refused request writes nothing. Embed it (the
 * gateway keeps one per stage); no allocation, nothing to free.
 */
struct usage_bucket {
    _Atomic uint64_t tat;  /* ns on the caller's clock: full again then */
    uint64_t interval_ns;  /* the time one token takes to come back */
    uint64_t tolerance_ns; /* burst * interval_ns */
};

/*
 * Make b a full bucket of capacity burst refilled at rate requests per
 * second. rate may be fractional (0.01: a token every 100 s); a rate of 0
 * (or negative, or NaN) never refills in practice, so only the first burst
 * requests are admitted. A burst of 0 throttles every request. Rates above
 * 1e9 are taken as 1e9 (the clock's resolution is 1 ns), and a token's
 * interval is capped so that a full bucket is at most about 146 years away
 * (no effect on any rate of 0.001 or more with a burst under 4.6 million).
 * Not thread-safe: initialise before sharing b.
 */
void usage_bucket_init(struct usage_bucket *b, double rate, unsigned burst);

/*
 * Take a token at now_us (microseconds on one monotonic clock for all
 * calls on b, e.g. clock_now_us()). Returns 1 when admitted, 0 when
 * throttled (nothing is then taken). Any thread; lock-free, no allocation,
 * no system call. A now_us earlier than a previous call's counts as no time
 * passing.
 */
int usage_bucket_take(struct usage_bucket *b, uint64_t now_us);

/* --- usage plans ---------------------------------------------------------- */

/* ThrottleSettings: rateLimit (requests per second) and burstLimit. */
struct usage_throttle {
    double rate;    /* finite, >= 0; may be fractional */
    unsigned burst; /* the bucket's capacity */
};

/* QuotaSettings.period. */
enum usage_period {
    USAGE_DAY,   /* from 00:00 UTC */
    USAGE_WEEK,  /* from Monday 00:00 UTC */
    USAGE_MONTH, /* from the 1st, 00:00 UTC */
};

/* The largest quota limit: QuotaSettings.limit is a 32-bit Integer. */
#define USAGE_QUOTA_MAX 2147483647u

/* QuotaSettings: limit requests per period. */
struct usage_quota {
    unsigned limit; /* 0 to USAGE_QUOTA_MAX; 0 refuses every request */
    enum usage_period period;
};

/* What usage_admit decided. */
enum usage_verdict {
    USAGE_OK,             /* go on */
    USAGE_THROTTLED,      /* 429 {"message":"Too Many Requests"} */
    USAGE_QUOTA_EXCEEDED, /* 429 {"message":"Limit Exceeded"} */
};

/* The key handle of an API key in no usage plan: usage_admit says
 * USAGE_OK to it. */
#define USAGE_NO_KEY (-1)

/* How often the flusher saves changed counters, by default (ms). */
#define USAGE_FLUSH_INTERVAL_MS 1000

struct usage;

/*
 * A set of usage plans, empty. store (borrowed; it must outlive the
 * usage) keeps the quota counters, or NULL to keep them in memory only
 * (they then start at 0 at every start). Never NULL; free with usage_free.
 */
struct usage *usage_create(struct store *store);

/*
 * Add usage plan name (copied; non-empty, unique) with an optional throttle
 * and an optional quota (each NULL for none; copied). A plan with neither
 * admits everything. Returns 0, or -1 with ERR_CONFIG (a duplicate or
 * empty name, a negative or non-finite rate, a limit over USAGE_QUOTA_MAX,
 * an unknown period); nothing is added then. Before usage_start only.
 */
int usage_add_plan(struct usage *u, const char *name,
                   const struct usage_throttle *throttle,
                   const struct usage_quota *quota, struct err *err);

/*
 * Put API key key_id (copied) in plan. key_id names the key in the counter
 * table, so it must stay the same across restarts: use the key's name or
 * id from the configuration, not its secret value. Returns the key's
 * handle (0, 1, ... in the order of the calls) for usage_admit, or -1 with
 * ERR_CONFIG: no such plan, an empty key_id, or a key already in a plan
 * ("API key <id> is already in usage plan <plan>": here a key belongs to
 * at most one plan). Nothing is added after a failure. Before usage_start
 * only.
 */
int usage_add_key(struct usage *u, const char *plan, const char *key_id,
                  struct err *err);

/* The handle of API key key_id, or USAGE_NO_KEY when it is in no plan.
 * Linear in the number of keys: look it up once, at configuration time. */
int usage_find_key(const struct usage *u, const char *key_id);

/* Save changed counters every ms milliseconds (0: the default,
 * USAGE_FLUSH_INTERVAL_MS) instead. Before usage_start only. */
void usage_set_flush_interval(struct usage *u, unsigned ms);

/*
 * Make u ready to admit: read back every key's quota counter from the
 * store and start the flusher thread (neither when the store is NULL).
 * Returns 0, or -1 with ERR_UNAVAILABLE (the store could not be read, or
 * the thread not started); u is then as before and usage_start may be
 * called again. Once only.
 */
int usage_start(struct usage *u, struct err *err);

/*
 * Decide whether the request of API key handle key (from usage_add_key, or
 * USAGE_NO_KEY) at now_us (microseconds on the monotonic clock,
 * clock_now_us()) may go on, against its plan's throttle first, then its
 * quota in the current period of the wall clock (CLOCK_REALTIME). A request
 * refused by the throttle counts against nothing; an admitted one has taken
 * a token and counted against the quota. After usage_start, any thread;
 * lock-free, no allocation, no I/O.
 */
enum usage_verdict usage_admit(struct usage *u, int key, uint64_t now_us);

/* usage_admit with the wall clock given: wall_s is seconds since the Unix
 * epoch (UTC), for tests that cross a day, a week or a month. */
enum usage_verdict usage_admit_at(struct usage *u, int key, uint64_t now_us,
                                  int64_t wall_s);

/*
 * How many more requests key's quota admits in the current period (the
 * wall clock's; _at: at wall_s), or -1 when key has no quota (no plan, or a
 * plan without one). A snapshot: other threads may take some meanwhile.
 * After usage_start, any thread.
 */
long long usage_remaining(struct usage *u, int key);
long long usage_remaining_at(struct usage *u, int key, int64_t wall_s);

/*
 * The start (seconds since the Unix epoch) of the period that holds wall_s:
 * 00:00 UTC of its day, of the Monday of its week, of the 1st of its month.
 * wall_s before the epoch is taken as the epoch. Any thread.
 */
int64_t usage_period_start(enum usage_period period, int64_t wall_s);

/*
 * Save every quota counter that changed since it was last saved, now, in
 * one store transaction (what the flusher does every interval). Returns 0
 * (also without a store), or -1 with ERR_UNAVAILABLE: the counters stay
 * in memory and are tried again at the next flush. After usage_start, any
 * thread.
 */
int usage_flush(struct usage *u, struct err *err);

/*
 * Stop the flusher, save the counters once more (a failure is logged as a
 * warning), and free u. u may be NULL. No other call may be in flight, and
 * the store must still be open.
 */
void usage_free(struct usage *u);

#endif
