/*
 * store_writer — the one thread that writes, and group commit.
 *
 * Every write of the store (items, transactions, the TTL sweep, table
 * definitions) is a job: the calling thread puts it on a queue and sleeps
 * until the writer thread has run it and committed it. The writer takes
 * every job waiting at that moment (at most WRITER_BATCH_MAX), opens one
 * IMMEDIATE transaction, runs each job inside its own SAVEPOINT (released
 * when the job succeeds, rolled back to when it fails, so that a failed
 * condition never touches its neighbours), commits once, and only then
 * wakes each caller with its own result. One fsync thus acknowledges many
 * writes: with synchronous=FULL a commit costs a WAL sync whether it holds
 * one row or a hundred (src/DESIGN.md, "Facts measured"), so durability stays
 * the default and throughput follows the number of writers waiting.
 *
 * It also ends the busy waiting of one connection per writer: nothing in
 * the process contends for SQLite's write lock, so no writer sleeps in
 * SQLite's busy handler (steps of up to 100 ms: a p99 over a second).
 *
 * Checkpoints stay SQLite's automatic ones, run by the writer in the
 * commit that crosses STORE_CHECKPOINT_PAGES (750) WAL pages: fewer pages
 * than SQLite's 1000, because the writes queued behind that commit wait
 * for it, and a shorter checkpoint is a shorter p99 (store_impl.h has the
 * figures). A PASSIVE checkpoint on a thread of
 * its own was measured here at about half the throughput: the writer then
 * never finds the WAL wholly checkpointed, so never restarts it, and every
 * commit's sync also has to extend the file.
 *
 * With group commit off (STORE_COMMIT_SINGLE) the writer takes one job per
 * transaction: the baseline the benchmark measures group commit against.
 * Not the place where jobs are written (store_write.c, store_txn.c,
 * store_table.c, store_usage.c), nor the read path (the connection pool,
 * store_db.c). It calls only store_db.c.
 */
#include "store_impl.h"

#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* At most this many jobs per transaction, and a transaction stops taking
 * jobs once it has written about this many bytes of items: the wait of the
 * last job of a batch stays bounded (a full batch of small writes commits
 * in a few milliseconds here). */
#define WRITER_BATCH_MAX 256
#define WRITER_BATCH_BYTES (1024 * 1024)

/* A job that succeeded (or never ran) inside a transaction that did not
 * commit fails with ERR_UNAVAILABLE: nothing of it was written, and it must
 * not be acknowledged. A job that failed on its own keeps its own error
 * (a failed condition, a cancelled transaction with its reasons): it wrote
 * nothing either way, and its answer does not depend on its neighbours. */
static void job_lost(struct job *j, const char *why)
{
    if (j->rc == 0) {
        err_set(&j->err, ERR_UNAVAILABLE, "%s", why);
        j->rc = -1;
    }
}

/* A lone job: its own transaction, rolled back if it fails. */
static void run_one(struct store *s, struct conn *c, struct job *j)
{
    if (store_begin(c, &j->err)) {
        j->rc = -1;
        return;
    }
    j->rc = j->fn(s, c, j->arg, &j->err);
    if (j->rc == 0 && store_run(c, ST_COMMIT, "commit", &j->err))
        j->rc = -1;
    store_rollback(c);
}

/* Run job j inside its savepoint. Returns 0, or -1 when the transaction is
 * no longer usable (SQLite rolled it back after SQLITE_FULL or an I/O
 * error, or a savepoint could not be rolled back to); why then says so. */
static int run_nested(struct store *s, struct conn *c, struct job *j,
                      struct err *why)
{
    if (store_run(c, ST_SAVEPOINT, "savepoint", why))
        return -1;
    j->rc = j->fn(s, c, j->arg, &j->err);
    if (sqlite3_get_autocommit(c->db)) {
        if (j->rc)
            err_set(why, ERR_UNAVAILABLE, "%s", j->err.msg);
        else
            err_set(why, ERR_UNAVAILABLE, "%s: the transaction was rolled back",
                    err_default_message(ERR_UNAVAILABLE));
        return -1;
    }
    if (j->rc && store_run(c, ST_ROLLBACK_TO, "rollback to savepoint", why))
        return -1;
    return store_run(c, ST_RELEASE, "release savepoint", why);
}

/* Run jobs[0..n-1] (n >= 2) in one transaction, as many as fit in it.
 * Returns how many were run (at least 1), each with rc and err set. */
static size_t run_batch(struct store *s, struct conn *c, struct job **jobs,
                        size_t n)
{
    struct err why = ERR_INIT;
    size_t i;

    c->written = 0;
    if (store_begin(c, &why)) {
        for (i = 0; i < n; i++)
            job_lost(jobs[i], why.msg);
        return n;
    }
    for (i = 0; i < n && (i == 0 || c->written < WRITER_BATCH_BYTES); i++) {
        if (run_nested(s, c, jobs[i], &why)) {
            /* Nothing of this transaction will commit: every job in it so
             * far fails, and the rest go into the next one. */
            for (size_t k = 0; k <= i; k++)
                job_lost(jobs[k], why.msg);
            store_rollback(c);
            return i + 1;
        }
    }
    if (store_run(c, ST_COMMIT, "commit", &why)) {
        for (size_t k = 0; k < i; k++)
            job_lost(jobs[k], why.msg);
    }
    store_rollback(c);
    return i;
}

/* Hand results back. A semaphore rather than a condition variable on
 * writer_lock: a woken caller does not then queue for the lock the writer
 * holds, and glibc allows destroying it as soon as sem_wait returns, so a
 * job is not touched after its sem_post. */
static void wake(struct job **jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sem_post(&jobs[i]->done);
}

static void *writer_main(void *arg)
{
    struct store *s = arg;
    struct job *jobs[WRITER_BATCH_MAX];
    size_t max = s->commit == STORE_COMMIT_GROUP ? WRITER_BATCH_MAX : 1;

    pthread_mutex_lock(&s->writer_lock);
    for (;;) {
        size_t n = 0, done = 0;
        struct conn *c;

        while (!s->queue && !s->writer_stop)
            pthread_cond_wait(&s->writer_wake, &s->writer_lock);
        if (!s->queue)
            break; /* stopping, and every job has been run */
        while (s->queue && n < max) {
            jobs[n++] = s->queue;
            s->queue = s->queue->next;
        }
        if (!s->queue)
            s->queue_tail = NULL;
        pthread_mutex_unlock(&s->writer_lock);

        /* ":memory:" has one connection, shared with the readers. */
        c = s->writer_conn ? s->writer_conn : store_borrow(s);
        while (done < n) {
            size_t ran;
            if (n - done == 1) {
                run_one(s, c, jobs[done]);
                ran = 1;
            } else {
                ran = run_batch(s, c, jobs + done, n - done);
            }
            s->transactions++;
            wake(jobs + done, ran);
            done += ran;
        }
        if (!s->writer_conn)
            store_give_back(s, c);
        pthread_mutex_lock(&s->writer_lock);
    }
    pthread_mutex_unlock(&s->writer_lock);
    return NULL;
}

int store_writer_start(struct store *s, struct err *err)
{
    if (pthread_create(&s->writer, NULL, writer_main, s))
        return err_set(err, ERR_UNAVAILABLE, "cannot start the writer thread");
    s->writer_running = 1;
    return 0;
}

void store_writer_stop(struct store *s)
{
    if (!s->writer_running)
        return;
    pthread_mutex_lock(&s->writer_lock);
    s->writer_stop = 1;
    pthread_cond_signal(&s->writer_wake);
    pthread_mutex_unlock(&s->writer_lock);
    pthread_join(s->writer, NULL);
    s->writer_running = 0;
}

int store_write_locked(struct store *s, store_job_fn *fn, void *arg,
                       struct err *err)
{
    struct job j;

    memset(&j, 0, sizeof j);
    j.fn = fn;
    j.arg = arg;
    sem_init(&j.done, 0, 0);
    pthread_mutex_lock(&s->writer_lock);
    if (s->queue_tail)
        s->queue_tail->next = &j;
    else
        s->queue = &j;
    s->queue_tail = &j;
    pthread_cond_signal(&s->writer_wake);
    pthread_mutex_unlock(&s->writer_lock);
    while (sem_wait(&j.done))
        ; /* EINTR */
    sem_destroy(&j.done);
    if (j.rc && err)
        *err = j.err;
    return j.rc;
}

int store_write(struct store *s, store_job_fn *fn, void *arg, struct err *err)
{
    int rc;

    store_lock(s, 0);
    rc = store_write_locked(s, fn, arg, err);
    store_unlock(s);
    return rc;
}
