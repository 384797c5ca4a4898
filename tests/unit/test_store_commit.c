/*
 * Unit tests for store's group commit (store_writer.c): writes queued
 * while the writer is busy share one transaction, each keeps its own
 * result, a failed one never affects its neighbours, and every write is
 * visible once it has returned. White-box where it must be: the tests hold
 * the writer in a callback, watch its queue and count its transactions
 * through store_impl.h, so that a batch is certain, not likely.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/store_impl.h"
#include "attr.h"
#include "buf.h"
#include "store.h"
#include "xalloc.h"

/* --- fixtures ------------------------------------------------------------ */

struct tmp {
    char dir[64];
    char path[96];
};

static void tmp_make(struct tmp *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/crudd-commit-XXXXXX");
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

/* A store (file in t, or ":memory:" when t is NULL) with table Items keyed
 * by id (S). */
static struct store *open_items(struct tmp *t, enum store_commit commit)
{
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct err err = ERR_INIT;
    struct store *s;

    if (t)
        tmp_make(t);
    s = store_open_ex(t ? t->path : ":memory:", 4, STORE_DURABILITY_FULL,
                      commit, &err);
    if (!s)
        fail_msg("store_open_ex: %s", err.msg);
    if (store_create_table(s, "Items", &ks, 0, &err))
        fail_msg("store_create_table: %s", err.msg);
    return s;
}

static json_t *key_s(const char *id)
{
    return json_pack("{s:{s:s}}", "id", "S", id);
}

static json_t *item_s(const char *id, const char *v)
{
    return json_pack("{s:{s:s}, s:{s:s}}", "id", "S", id, "v", "S", v);
}

/* The item's v, or "" when there is no item (a new string). */
static char *value_of(struct store *s, const char *id, char *etag)
{
    struct err err = ERR_INIT;
    json_t *key = key_s(id), *item = NULL;
    char *v;

    if (store_get_item(s, "Items", key, &item, etag, &err))
        fail_msg("store_get_item: %s", err.msg);
    json_decref(key);
    v = xstrdup(item ? json_string_value(
                           json_object_get(json_object_get(item, "v"), "S"))
                     : "");
    json_decref(item);
    return v;
}

static size_t queued(struct store *s)
{
    size_t n = 0;

    pthread_mutex_lock(&s->writer_lock);
    for (struct job *j = s->queue; j; j = j->next)
        n++;
    pthread_mutex_unlock(&s->writer_lock);
    return n;
}

static void nap(void)
{
    struct timespec ts = {0, 1000 * 1000};
    nanosleep(&ts, NULL);
}

/* --- decisions (run on the writer thread: no cmocka asserts) -------------- */

enum op {
    OP_CREATE,     /* write ctx's item; ERR_CONFLICT when one exists */
    OP_PUT,        /* write ctx's item over whatever is there */
    OP_REPLACE_IF, /* write it if the ETag is if_match, else ERR_PRECONDITION */
    OP_DELETE,     /* delete; ERR_NOT_FOUND when there is none */
    OP_APPEND,     /* v := old v + ctx's v: read-modify-write */
    OP_GATE,       /* OP_PUT once the gate opens (holds the writer) */
};

struct gate {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered, open;
};

/* One write from its own thread: what to do, and what came back. */
struct call {
    struct store *s;
    enum op op;
    const char *id;
    const char *v;
    const char *if_match;
    struct gate *gate;
    int rc;
    struct err err;
    char etag[STORE_ETAG_SIZE];
    pthread_t thread;
};

static int decide(void *ctx, const json_t *old_item, const char *old_etag,
                  json_t **new_item, struct err *err)
{
    struct call *c = ctx;
    const char *old_v = old_item ? json_string_value(json_object_get(
                                       json_object_get(old_item, "v"), "S"))
                                 : NULL;
    char joined[256];

    switch (c->op) {
    case OP_GATE:
        pthread_mutex_lock(&c->gate->lock);
        c->gate->entered = 1;
        pthread_cond_broadcast(&c->gate->cond);
        while (!c->gate->open)
            pthread_cond_wait(&c->gate->cond, &c->gate->lock);
        pthread_mutex_unlock(&c->gate->lock);
        break;
    case OP_CREATE:
        if (old_item)
            return err_set(err, ERR_CONFLICT, NULL);
        break;
    case OP_REPLACE_IF:
        if (!old_item || strcmp(old_etag, c->if_match) != 0)
            return err_set(err, ERR_PRECONDITION, NULL);
        break;
    case OP_DELETE:
        if (!old_item)
            return err_set(err, ERR_NOT_FOUND, NULL);
        *new_item = NULL;
        return 0;
    case OP_APPEND:
        snprintf(joined, sizeof joined, "%s%s", old_v ? old_v : "", c->v);
        *new_item = item_s(c->id, joined);
        return 0;
    case OP_PUT:
        break;
    }
    *new_item = item_s(c->id, c->v);
    return 0;
}

static void *call_run(void *arg)
{
    struct call *c = arg;
    json_t *key = key_s(c->id);

    c->err = (struct err)ERR_INIT;
    c->rc = store_mutate_item(c->s, "Items", key, decide, c, c->etag, &c->err);
    json_decref(key);
    return NULL;
}

/* Start call c on its own thread and wait until it is queued (behind the
 * writer held by a gate), so that calls queue in the order started. */
static void start_queued(struct call *c)
{
    size_t before = queued(c->s);

    if (pthread_create(&c->thread, NULL, call_run, c))
        fail_msg("pthread_create failed");
    while (queued(c->s) == before)
        nap();
}

/* Hold the writer inside a write of "gate" until gate_open. */
static void gate_hold(struct store *s, struct gate *g, struct call *c)
{
    *g = (struct gate){PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
                       0};
    *c =
        (struct call){.s = s, .op = OP_GATE, .id = "gate", .v = "g", .gate = g};
    if (pthread_create(&c->thread, NULL, call_run, c))
        fail_msg("pthread_create failed");
    pthread_mutex_lock(&g->lock);
    while (!g->entered)
        pthread_cond_wait(&g->cond, &g->lock);
    pthread_mutex_unlock(&g->lock);
}

static void gate_open(struct gate *g)
{
    pthread_mutex_lock(&g->lock);
    g->open = 1;
    pthread_cond_broadcast(&g->cond);
    pthread_mutex_unlock(&g->lock);
}

static void put_ok(struct store *s, const char *id, const char *v, char *etag)
{
    struct call c = {.s = s, .op = OP_PUT, .id = id, .v = v};

    call_run(&c);
    if (c.rc)
        fail_msg("put %s: %s", id, c.err.msg);
    if (etag)
        memcpy(etag, c.etag, STORE_ETAG_SIZE);
}

static void assert_v(struct store *s, const char *id, const char *want)
{
    char *v = value_of(s, id, NULL);

    assert_string_equal(v, want);
    free(v);
}

/* --- tests --------------------------------------------------------------- */

#define N_WRITERS 8

/* Eight creates queue behind a held writer; the fourth is of an item that
 * exists (a failed condition). They commit in one transaction: the seven
 * others are written, the failed one changes nothing. */
static void batch(struct store *s)
{
    struct gate g;
    struct call gate, c[N_WRITERS];
    char ids[N_WRITERS][16];
    char before[STORE_ETAG_SIZE], after[STORE_ETAG_SIZE];
    unsigned long txns;

    put_ok(s, "w3", "old", before);
    gate_hold(s, &g, &gate);
    txns = s->transactions;
    for (int i = 0; i < N_WRITERS; i++) {
        snprintf(ids[i], sizeof ids[i], "w%d", i);
        c[i] = (struct call){.s = s, .op = OP_CREATE, .id = ids[i], .v = "new"};
        start_queued(&c[i]);
    }
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    assert_int_equal(gate.rc, 0);
    for (int i = 0; i < N_WRITERS; i++) {
        pthread_join(c[i].thread, NULL);
        if (i == 3) {
            assert_int_equal(c[i].rc, -1);
            assert_int_equal(c[i].err.kind, ERR_CONFLICT);
            assert_string_equal(c[i].etag, "");
            continue;
        }
        if (c[i].rc)
            fail_msg("create %s: %s", ids[i], c[i].err.msg);
        assert_v(s, ids[i], "new");
    }
    /* The gate's transaction, then one for the eight. */
    assert_int_equal(s->transactions, txns + 2);
    assert_v(s, "w3", "old");
    free(value_of(s, "w3", after));
    assert_string_equal(after, before);
}

static void
failed_condition_in_a_batch_leaves_its_neighbours_written(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);

    (void)state;
    batch(s);
    store_close(s);
    tmp_remove(&t);
}

static void batch_works_on_an_in_memory_store(void **state)
{
    struct store *s = open_items(NULL, STORE_COMMIT_GROUP);

    (void)state;
    batch(s);
    store_close(s);
}

/* Writes of every kind in one batch, several to one item: each gets the
 * result and ETag of its own step, in queue order. */
static void each_write_in_a_batch_gets_its_own_result(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    struct gate g;
    struct call gate, c[9];
    char etag_a[STORE_ETAG_SIZE], etag[STORE_ETAG_SIZE];
    unsigned long txns;
    char *v;

    (void)state;
    put_ok(s, "a", "1", etag_a);
    put_ok(s, "b", "doomed", NULL);
    gate_hold(s, &g, &gate);
    txns = s->transactions;
    c[0] = (struct call){
        .s = s, .op = OP_REPLACE_IF, .id = "a", .v = "2", .if_match = etag_a};
    /* The same ETag again: stale now that c[0] changed the item. */
    c[1] = (struct call){
        .s = s, .op = OP_REPLACE_IF, .id = "a", .v = "3", .if_match = etag_a};
    c[2] = (struct call){.s = s, .op = OP_DELETE, .id = "b"};
    c[3] = (struct call){.s = s, .op = OP_DELETE, .id = "b"};
    c[4] = (struct call){.s = s, .op = OP_CREATE, .id = "c", .v = "x"};
    c[5] = (struct call){.s = s, .op = OP_CREATE, .id = "c", .v = "y"};
    c[6] = (struct call){.s = s, .op = OP_APPEND, .id = "n", .v = "p"};
    c[7] = (struct call){.s = s, .op = OP_APPEND, .id = "n", .v = "q"};
    c[8] = (struct call){.s = s, .op = OP_APPEND, .id = "n", .v = "r"};
    for (int i = 0; i < 9; i++)
        start_queued(&c[i]);
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    for (int i = 0; i < 9; i++)
        pthread_join(c[i].thread, NULL);
    assert_int_equal(s->transactions, txns + 2);

    assert_int_equal(c[0].rc, 0);
    assert_int_equal(c[1].rc, -1);
    assert_int_equal(c[1].err.kind, ERR_PRECONDITION);
    v = value_of(s, "a", etag);
    assert_string_equal(v, "2");
    assert_string_equal(c[0].etag, etag);
    free(v);

    assert_int_equal(c[2].rc, 0);
    assert_string_equal(c[2].etag, "");
    assert_int_equal(c[3].rc, -1);
    assert_int_equal(c[3].err.kind, ERR_NOT_FOUND);
    assert_v(s, "b", "");

    assert_int_equal(c[4].rc, 0);
    assert_int_equal(c[5].rc, -1);
    assert_int_equal(c[5].err.kind, ERR_CONFLICT);
    v = value_of(s, "c", etag);
    assert_string_equal(v, "x");
    assert_string_equal(c[4].etag, etag);
    free(v);

    /* Each read-modify-write saw the one before it in the transaction. */
    for (int i = 6; i < 9; i++)
        assert_int_equal(c[i].rc, 0);
    v = value_of(s, "n", etag);
    assert_string_equal(v, "pqr");
    assert_string_equal(c[8].etag, etag);
    free(v);
    store_close(s);
    tmp_remove(&t);
}

static int check_item(void *ctx, const json_t *old_item, const char *old_etag,
                      json_t **new_item, struct err *err)
{
    (void)ctx;
    (void)old_etag;
    (void)new_item;
    return old_item ? 0 : err_set(err, ERR_CONFLICT, NULL);
}

static int put_item(void *ctx, const json_t *old_item, const char *old_etag,
                    json_t **new_item, struct err *err)
{
    (void)old_item;
    (void)old_etag;
    (void)err;
    *new_item = json_incref(ctx);
    return 0;
}

struct txn_call {
    struct store *s;
    int rc;
    struct err err, reasons[2];
    pthread_t thread;
};

/* A cancelled TransactWriteItems: put t1, on condition that "missing"
 * exists. */
static void *txn_run(void *arg)
{
    struct txn_call *x = arg;
    json_t *k1 = key_s("t1"), *k2 = key_s("missing"), *i1 = item_s("t1", "t");
    struct store_write_op ops[2] = {
        {"Items", k1, put_item, i1, 0},
        {"Items", k2, check_item, NULL, 1},
    };

    x->err = (struct err)ERR_INIT;
    x->rc = store_transact(x->s, ops, 2, x->reasons, &x->err);
    json_decref(i1);
    json_decref(k2);
    json_decref(k1);
    return NULL;
}

/* A cancelled transaction between two writes in one batch: its reasons
 * are its own, its put is not written, its neighbours are. */
static void cancelled_transaction_in_a_batch_keeps_its_reasons(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    struct gate g;
    struct call gate, c[2];
    struct txn_call x = {.s = s};
    size_t before;

    (void)state;
    gate_hold(s, &g, &gate);
    c[0] = (struct call){.s = s, .op = OP_PUT, .id = "before", .v = "1"};
    c[1] = (struct call){.s = s, .op = OP_PUT, .id = "after", .v = "2"};
    start_queued(&c[0]);
    before = queued(s);
    if (pthread_create(&x.thread, NULL, txn_run, &x))
        fail_msg("pthread_create failed");
    while (queued(s) == before)
        nap();
    start_queued(&c[1]);
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    pthread_join(x.thread, NULL);
    pthread_join(c[0].thread, NULL);
    pthread_join(c[1].thread, NULL);
    assert_int_equal(x.rc, -1);
    assert_int_equal(x.err.kind, ERR_CONFLICT);
    assert_int_equal(x.reasons[0].kind, ERR_NONE);
    assert_int_equal(x.reasons[1].kind, ERR_CONFLICT);
    assert_int_equal(c[0].rc, 0);
    assert_int_equal(c[1].rc, 0);
    assert_v(s, "before", "1");
    assert_v(s, "after", "2");
    assert_v(s, "t1", "");
    store_close(s);
    tmp_remove(&t);
}

/* A job that ends the transaction under the writer (as SQLite does after
 * SQLITE_FULL or an I/O error). */
static int lose_transaction(struct store *s, struct conn *c, void *arg,
                            struct err *err)
{
    (void)s;
    (void)arg;
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return err_set(err, ERR_UNAVAILABLE, "disk I/O error");
}

struct lose_call {
    struct store *s;
    int rc;
    struct err err;
    pthread_t thread;
};

static void *lose_run(void *arg)
{
    struct lose_call *x = arg;

    x->err = (struct err)ERR_INIT;
    x->rc = store_write(x->s, lose_transaction, NULL, &x->err);
    return NULL;
}

/* When a batch's transaction is lost, no write in it is acknowledged: the
 * ones that had succeeded fail with ERR_UNAVAILABLE and are not written;
 * the ones queued after it commit in the next transaction. */
static void lost_transaction_acknowledges_none_of_its_writes(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    struct gate g;
    struct call gate, c[2];
    struct lose_call x = {.s = s};
    size_t before;

    (void)state;
    gate_hold(s, &g, &gate);
    c[0] = (struct call){.s = s, .op = OP_PUT, .id = "lost", .v = "1"};
    c[1] = (struct call){.s = s, .op = OP_PUT, .id = "kept", .v = "2"};
    start_queued(&c[0]);
    before = queued(s);
    if (pthread_create(&x.thread, NULL, lose_run, &x))
        fail_msg("pthread_create failed");
    while (queued(s) == before)
        nap();
    start_queued(&c[1]);
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    pthread_join(x.thread, NULL);
    pthread_join(c[0].thread, NULL);
    pthread_join(c[1].thread, NULL);
    assert_int_equal(x.rc, -1);
    assert_int_equal(x.err.kind, ERR_UNAVAILABLE);
    assert_int_equal(c[0].rc, -1);
    assert_int_equal(c[0].err.kind, ERR_UNAVAILABLE);
    assert_string_equal(c[0].etag, "");
    assert_int_equal(c[1].rc, 0);
    assert_v(s, "lost", "");
    assert_v(s, "kept", "2");
    store_close(s);
    tmp_remove(&t);
}

/* A job that writes item "half" and then fails, as a write whose second
 * statement fails would. */
static int write_then_fail(struct store *s, struct conn *c, void *arg,
                           struct err *err)
{
    const struct table *t = store_table_get(s, c, "Items", err);
    json_t *key = key_s("half"), *item = item_s("half", "h");
    struct buf pk, sk;
    int rc;

    (void)arg;
    buf_init(&pk);
    buf_init(&sk);
    rc = !t || store_encode_key(t, key, &pk, &sk, err) ||
         store_item_store(c, t, &pk, &sk, NULL, item, NULL, err);
    buf_fini(&sk);
    buf_fini(&pk);
    json_decref(item);
    json_decref(key);
    return rc ? -1 : err_set(err, ERR_INTERNAL, "failed after a write");
}

static void *half_run(void *arg)
{
    struct lose_call *x = arg;

    x->err = (struct err)ERR_INIT;
    x->rc = store_write(x->s, write_then_fail, NULL, &x->err);
    return NULL;
}

/* A write that fails after writing is rolled back to its savepoint: what
 * it wrote is gone, its neighbours' writes are kept. */
static void failed_write_is_rolled_back_to_its_savepoint(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    struct gate g;
    struct call gate, c[2];
    struct lose_call x = {.s = s};
    unsigned long txns;
    size_t before;

    (void)state;
    gate_hold(s, &g, &gate);
    txns = s->transactions;
    c[0] = (struct call){.s = s, .op = OP_PUT, .id = "left", .v = "1"};
    c[1] = (struct call){.s = s, .op = OP_PUT, .id = "right", .v = "2"};
    start_queued(&c[0]);
    before = queued(s);
    if (pthread_create(&x.thread, NULL, half_run, &x))
        fail_msg("pthread_create failed");
    while (queued(s) == before)
        nap();
    start_queued(&c[1]);
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    pthread_join(x.thread, NULL);
    pthread_join(c[0].thread, NULL);
    pthread_join(c[1].thread, NULL);
    assert_int_equal(s->transactions, txns + 2);
    assert_int_equal(x.rc, -1);
    assert_int_equal(x.err.kind, ERR_INTERNAL);
    assert_int_equal(c[0].rc, 0);
    assert_int_equal(c[1].rc, 0);
    assert_v(s, "half", "");
    assert_v(s, "left", "1");
    assert_v(s, "right", "2");
    store_close(s);
    tmp_remove(&t);
}

/* With group commit off, the same queue commits one write per
 * transaction, with the same results. */
static void group_commit_off_commits_each_write_alone(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_SINGLE);
    struct gate g;
    struct call gate, c[4];
    unsigned long txns;

    (void)state;
    put_ok(s, "x1", "old", NULL);
    gate_hold(s, &g, &gate);
    txns = s->transactions;
    c[0] = (struct call){.s = s, .op = OP_CREATE, .id = "x0", .v = "new"};
    c[1] = (struct call){.s = s, .op = OP_CREATE, .id = "x1", .v = "new"};
    c[2] = (struct call){.s = s, .op = OP_CREATE, .id = "x2", .v = "new"};
    c[3] = (struct call){.s = s, .op = OP_APPEND, .id = "x2", .v = "+"};
    for (int i = 0; i < 4; i++)
        start_queued(&c[i]);
    gate_open(&g);
    pthread_join(gate.thread, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(c[i].thread, NULL);
    assert_int_equal(s->transactions, txns + 1 + 4);
    assert_int_equal(gate.rc, 0);
    assert_int_equal(c[0].rc, 0);
    assert_int_equal(c[1].rc, -1);
    assert_int_equal(c[1].err.kind, ERR_CONFLICT);
    assert_int_equal(c[2].rc, 0);
    assert_int_equal(c[3].rc, 0);
    assert_v(s, "x0", "new");
    assert_v(s, "x1", "old");
    assert_v(s, "x2", "new+");
    store_close(s);
    tmp_remove(&t);
}

#define THREADS 8
#define WRITES 100

struct reader_writer {
    struct store *s;
    int id;
    int misses;
    char msg[ERR_MSG_SIZE];
};

/* Write, then read on a pool connection at once: the write must be there
 * (no cmocka asserts: a worker thread). */
static void *write_then_read(void *arg)
{
    struct reader_writer *w = arg;
    char id[32], v[32], etag[STORE_ETAG_SIZE];

    for (int i = 0; i < WRITES; i++) {
        struct call c = {.s = w->s, .op = OP_PUT, .id = id, .v = v};
        snprintf(id, sizeof id, "r%d-%d", w->id, i % 10);
        snprintf(v, sizeof v, "%d", i);
        call_run(&c);
        if (c.rc) {
            w->misses++;
            memcpy(w->msg, c.err.msg, sizeof w->msg);
            continue;
        }
        char *got = value_of(w->s, id, etag);
        if (strcmp(got, v) != 0 || strcmp(etag, c.etag) != 0) {
            w->misses++;
            snprintf(w->msg, sizeof w->msg, "%s: wrote %s, read %s", id, v,
                     got);
        }
        free(got);
    }
    return NULL;
}

static void writes_are_visible_when_they_return(enum store_commit commit)
{
    struct tmp t;
    struct store *s = open_items(&t, commit);
    struct reader_writer w[THREADS];
    pthread_t th[THREADS];

    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct reader_writer){s, i, 0, ""};
        assert_int_equal(pthread_create(&th[i], NULL, write_then_read, &w[i]),
                         0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        if (w[i].misses)
            fail_msg("thread %d: %d misses, last: %s", i, w[i].misses,
                     w[i].msg);
    }
    /* Concurrent writers shared transactions (group commit) or did not. */
    if (commit == STORE_COMMIT_SINGLE)
        assert_true(s->transactions >= THREADS * WRITES);
    store_close(s);
    tmp_remove(&t);
}

static void writes_are_visible_when_they_return_grouped(void **state)
{
    (void)state;
    writes_are_visible_when_they_return(STORE_COMMIT_GROUP);
}

static void writes_are_visible_when_they_return_single(void **state)
{
    (void)state;
    writes_are_visible_when_they_return(STORE_COMMIT_SINGLE);
}

/* Writes and table changes from many threads at once: the changes run
 * alone, the writes around them keep working. */
struct ddl_worker {
    struct store *s;
    int id;
    int failures;
    char msg[ERR_MSG_SIZE];
};

static void *ddl_run(void *arg)
{
    struct ddl_worker *w = arg;
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct err err = ERR_INIT;
    char name[32];

    for (int i = 0; i < 10; i++) {
        snprintf(name, sizeof name, "T%d-%d", w->id, i);
        if (store_create_table(w->s, name, &ks, 0, &err) ||
            store_set_ttl(w->s, name, "exp", &err) ||
            store_delete_table(w->s, name, NULL, &err)) {
            w->failures++;
            memcpy(w->msg, err.msg, sizeof w->msg);
        }
    }
    return NULL;
}

static void table_changes_and_writes_interleave(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    struct ddl_worker d[2];
    struct reader_writer w[4];
    pthread_t th[6];

    (void)state;
    for (int i = 0; i < 2; i++) {
        d[i] = (struct ddl_worker){s, i, 0, ""};
        assert_int_equal(pthread_create(&th[i], NULL, ddl_run, &d[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        w[i] = (struct reader_writer){s, i, 0, ""};
        assert_int_equal(
            pthread_create(&th[2 + i], NULL, write_then_read, &w[i]), 0);
    }
    for (int i = 0; i < 6; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        if (d[i].failures)
            fail_msg("ddl %d: %s", i, d[i].msg);
    for (int i = 0; i < 4; i++)
        if (w[i].misses)
            fail_msg("writer %d: %s", i, w[i].msg);
    store_close(s);
    tmp_remove(&t);
}

/* The writer checkpoints the WAL at 750 pages, not SQLite's 1000: after
 * writes worth far more than that, the WAL file (reused from its start
 * after each checkpoint) never held 1000 pages. */
static void writer_checkpoints_before_1000_wal_pages(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    char id[32], wal[128], *v = xmalloc(2049);
    struct stat st;

    (void)state;
    memset(v, 'x', 2048);
    v[2048] = '\0';
    for (int i = 0; i < 2500; i++) {
        snprintf(id, sizeof id, "item-%d", i);
        put_ok(s, id, v, NULL);
    }
    snprintf(wal, sizeof wal, "%s-wal", t.path);
    if (stat(wal, &st))
        fail_msg("no WAL at %s", wal);
    /* a WAL frame is a 24-byte header and a 4096-byte page */
    assert_true(st.st_size > 500 * (4096 + 24));
    assert_true(st.st_size < 1000 * (4096 + 24));
    assert_v(s, "item-2499", v);
    free(v);
    store_close(s);
    tmp_remove(&t);
}

/* STORE_VFS: the WAL index lives in the process (no -shm file) while the
 * store's reader and writer connections share the WAL as usual. */
static void database_is_held_by_the_process_without_a_shm_file(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t, STORE_COMMIT_GROUP);
    char shm[128];

    (void)state;
    assert_string_equal(store_vfs_name(), "unix-excl");
    put_ok(s, "a", "1", NULL);
    assert_v(s, "a", "1");
    put_ok(s, "a", "2", NULL);
    assert_v(s, "a", "2");
    snprintf(shm, sizeof shm, "%s-shm", t.path);
    assert_int_equal(access(shm, F_OK), -1);
    store_close(s);
    tmp_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            failed_condition_in_a_batch_leaves_its_neighbours_written),
        cmocka_unit_test(batch_works_on_an_in_memory_store),
        cmocka_unit_test(each_write_in_a_batch_gets_its_own_result),
        cmocka_unit_test(cancelled_transaction_in_a_batch_keeps_its_reasons),
        cmocka_unit_test(lost_transaction_acknowledges_none_of_its_writes),
        cmocka_unit_test(failed_write_is_rolled_back_to_its_savepoint),
        cmocka_unit_test(group_commit_off_commits_each_write_alone),
        cmocka_unit_test(writes_are_visible_when_they_return_grouped),
        cmocka_unit_test(writes_are_visible_when_they_return_single),
        cmocka_unit_test(table_changes_and_writes_interleave),
        cmocka_unit_test(writer_checkpoints_before_1000_wal_pages),
        cmocka_unit_test(database_is_held_by_the_process_without_a_shm_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
