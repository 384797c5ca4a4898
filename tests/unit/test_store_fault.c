/*
 * Unit tests for the fault-injection seam (store_fault.c) and for what the
 * store does on a failing disk: a write fails with ERR_UNAVAILABLE and
 * SQLite's message, leaves nothing behind, reads go on, and the store
 * writes again as soon as the fault ends, whether the fault hit a commit,
 * a batch of writes or the middle of a write (a cache spill). The seam is
 * installed once for the whole binary (it becomes SQLite's default VFS);
 * every test writes the control file it needs and removes it.
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
#include <time.h>
#include <unistd.h>

#include "../../src/store_impl.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

static char control[96]; /* the control file, in its own directory */

/* --- fixtures ------------------------------------------------------------ */

struct tmp {
    char dir[64];
    char path[96];
};

/* A store on a fresh file with table Items keyed by id (S). */
static struct store *open_items(struct tmp *t)
{
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct err err = ERR_INIT;
    struct store *s;

    snprintf(t->dir, sizeof t->dir, "/tmp/crudd-fault-XXXXXX");
    if (!mkdtemp(t->dir))
        fail_msg("mkdtemp failed");
    snprintf(t->path, sizeof t->path, "%s/test.db", t->dir);
    s = store_open(t->path, 2, STORE_DURABILITY_FULL, &err);
    if (!s)
        fail_msg("store_open: %s", err.msg);
    if (store_create_table(s, "Items", &ks, 0, &err))
        fail_msg("store_create_table: %s", err.msg);
    return s;
}

static void close_items(struct store *s, struct tmp *t)
{
    char p[128];
    const char *ext[] = {"", "-wal", "-shm"};

    store_close(s);
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", t->path, ext[i]);
        unlink(p);
    }
    rmdir(t->dir);
}

static void fault_set(const char *word)
{
    FILE *f = fopen(control, "w");

    if (!f || fputs(word, f) < 0 || fclose(f))
        fail_msg("cannot write %s", control);
}

static void fault_clear(void)
{
    unlink(control);
}

static json_t *key_s(const char *id)
{
    return json_pack("{s:{s:s}}", "id", "S", id);
}

/* {"id": id, "v": v} with v of n bytes of c. */
static json_t *item_of(const char *id, size_t n, char c)
{
    char *v = xmalloc(n + 1);
    json_t *item;

    memset(v, c, n);
    v[n] = '\0';
    item = json_pack("{s:{s:s}, s:{s:s}}", "id", "S", id, "v", "S", v);
    free(v);
    return item;
}

/* store_mutate_fn: write ctx's item (a new reference given away). */
static int put_fn(void *ctx, const json_t *old_item, const char *old_etag,
                  json_t **new_item, struct err *err)
{
    (void)old_item;
    (void)old_etag;
    (void)err;
    *new_item = json_incref(ctx);
    return 0;
}

static int put(struct store *s, const char *id, size_t n, char c,
               struct err *err)
{
    json_t *key = key_s(id), *item = item_of(id, n, c);
    int rc = store_mutate_item(s, "Items", key, put_fn, item, NULL, err);

    json_decref(item);
    json_decref(key);
    return rc;
}

static void put_ok(struct store *s, const char *id, size_t n, char c)
{
    struct err err = ERR_INIT;

    if (put(s, id, n, c, &err))
        fail_msg("put %s: %s", id, err.msg);
}

/* The item at id is {"id": id, "v": n bytes of c}, or absent when n is
 * (size_t)-1. */
static void assert_item(struct store *s, const char *id, size_t n, char c)
{
    struct err err = ERR_INIT;
    json_t *key = key_s(id), *item = NULL, *want;

    if (store_get_item(s, "Items", key, &item, NULL, &err))
        fail_msg("store_get_item %s: %s", id, err.msg);
    if (n == (size_t)-1) {
        assert_null(item);
    } else {
        want = item_of(id, n, c);
        assert_non_null(item);
        assert_true(json_equal(item, want));
        json_decref(want);
    }
    json_decref(item);
    json_decref(key);
}

#define ABSENT ((size_t)-1)

static const char *const words[] = {"full", "ioerr", "readonly", "fsync"};
static const char *const messages[] = {
    "Service unavailable: database or disk is full",
    "Service unavailable: disk I/O error",
    "Service unavailable: attempt to write a readonly database",
    "Service unavailable: disk I/O error",
};

/* --- the seam ------------------------------------------------------------ */

/* The store opens through the seam, and the seam is the store's own VFS
 * (STORE_VFS) underneath: what the tests fault is what crudd runs. */
static void seam_wraps_the_vfs_the_store_opens_with(void **state)
{
    sqlite3_vfs *v = sqlite3_vfs_find(STORE_FAULT_VFS);
    sqlite3_vfs *inner = sqlite3_vfs_find(STORE_VFS);

    (void)state;
    assert_non_null(v);
    assert_non_null(inner);
    assert_string_equal(store_vfs_name(), STORE_FAULT_VFS);
    assert_ptr_equal(v->pAppData, inner->pAppData);
    assert_int_equal(v->mxPathname, inner->mxPathname);
}

static void no_control_file_and_unknown_words_are_no_fault(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t);

    (void)state;
    fault_clear();
    put_ok(s, "a", 3, 'a');
    fault_set("nothing\n");
    put_ok(s, "b", 3, 'b');
    fault_set("");
    put_ok(s, "c", 3, 'c');
    fault_clear();
    assert_item(s, "a", 3, 'a');
    assert_item(s, "b", 3, 'b');
    assert_item(s, "c", 3, 'c');
    close_items(s, &t);
}

/* A fault fails every kind of write with its message; nothing of it is
 * written; reads go on; the next write after it works. */
static void each_fault_fails_writes_and_ends_with_its_file(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof words / sizeof words[0]; f++) {
        struct tmp t;
        struct store *s = open_items(&t);
        struct err err = ERR_INIT;
        json_t *k1 = key_s("t1"), *k2 = key_s("t2");
        json_t *i1 = item_of("t1", 1, '1'), *i2 = item_of("t2", 1, '2');
        struct store_write_op ops[2] = {{"Items", k1, put_fn, i1, 0},
                                        {"Items", k2, put_fn, i2, 0}};
        struct err reasons[2];

        put_ok(s, "old", 5, 'o');
        fault_set(words[f]);
        assert_int_equal(put(s, "new", 5, 'n', &err), -1);
        assert_int_equal(err.kind, ERR_UNAVAILABLE);
        assert_string_equal(err.msg, messages[f]);
        err = (struct err)ERR_INIT;
        assert_int_equal(put(s, "old", 5, 'x', &err), -1);
        assert_string_equal(err.msg, messages[f]);
        err = (struct err)ERR_INIT;
        assert_int_equal(store_transact(s, ops, 2, reasons, &err), -1);
        assert_int_equal(err.kind, ERR_UNAVAILABLE);
        assert_string_equal(err.msg, messages[f]);
        assert_item(s, "old", 5, 'o');
        assert_item(s, "new", ABSENT, 0);
        assert_item(s, "t1", ABSENT, 0);
        assert_item(s, "t2", ABSENT, 0);

        fault_clear();
        put_ok(s, "new", 5, 'n');
        put_ok(s, "old", 5, 'x');
        err = (struct err)ERR_INIT;
        assert_int_equal(store_transact(s, ops, 2, reasons, &err), 0);
        assert_item(s, "old", 5, 'x');
        assert_item(s, "new", 5, 'n');
        assert_item(s, "t1", 1, '1');
        json_decref(i2);
        json_decref(i1);
        json_decref(k2);
        json_decref(k1);
        close_items(s, &t);
    }
}

/* --- batches and spills -------------------------------------------------- */

/* A job that holds the writer until released, so that the writes queued
 * meanwhile run as one batch. */
struct hold {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int entered, released;
};

static int hold_job(struct store *s, struct conn *c, void *arg, struct err *err)
{
    struct hold *h = arg;

    (void)s;
    (void)c;
    (void)err;
    pthread_mutex_lock(&h->lock);
    h->entered = 1;
    pthread_cond_broadcast(&h->cond);
    while (!h->released)
        pthread_cond_wait(&h->cond, &h->lock);
    pthread_mutex_unlock(&h->lock);
    return 0;
}

struct hold_call {
    struct store *s;
    struct hold *h;
    pthread_t thread;
};

static void *hold_run(void *arg)
{
    struct hold_call *x = arg;
    struct err err = ERR_INIT;

    store_write(x->s, hold_job, x->h, &err);
    return NULL;
}

struct put_call {
    struct store *s;
    char id[16];
    size_t n;
    int rc;
    struct err err;
    pthread_t thread;
};

static void *put_run(void *arg)
{
    struct put_call *p = arg;

    p->err = (struct err)ERR_INIT;
    p->rc = put(p->s, p->id, p->n, 'p', &p->err);
    return NULL;
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

/* Run nput writes of n bytes each as one batch, under fault word (NULL:
 * none); each call's result lands in calls[]. */
static void batch_of_puts(struct store *s, struct put_call *calls, size_t nput,
                          size_t n, const char *word)
{
    struct hold h = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    struct hold_call x = {s, &h, 0};

    if (pthread_create(&x.thread, NULL, hold_run, &x))
        fail_msg("pthread_create failed");
    pthread_mutex_lock(&h.lock);
    while (!h.entered)
        pthread_cond_wait(&h.cond, &h.lock);
    pthread_mutex_unlock(&h.lock);
    for (size_t i = 0; i < nput; i++) {
        calls[i].s = s;
        snprintf(calls[i].id, sizeof calls[i].id, "b%zu", i);
        calls[i].n = n;
        if (pthread_create(&calls[i].thread, NULL, put_run, &calls[i]))
            fail_msg("pthread_create failed");
    }
    while (queued(s) < nput)
        nap();
    if (word)
        fault_set(word);
    pthread_mutex_lock(&h.lock);
    h.released = 1;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    pthread_join(x.thread, NULL);
    for (size_t i = 0; i < nput; i++)
        pthread_join(calls[i].thread, NULL);
    fault_clear();
}

/* Shrink the write connection's page cache so that a big item spills
 * pages to the WAL before its commit: a fault then hits the middle of a
 * write, not its commit. Runs as a job, on the writer's own thread. */
static int small_cache_job(struct store *s, struct conn *c, void *arg,
                           struct err *err)
{
    (void)s;
    (void)arg;
    if (sqlite3_exec(c->db, "PRAGMA cache_size = 10", NULL, NULL, NULL))
        return store_db_fail(err, c->db, "cache_size");
    return 0;
}

static void faults_fail_whole_batches_and_spills(void **state)
{
    (void)state;
    for (size_t f = 0; f < sizeof words / sizeof words[0]; f++) {
        /* small items fail at the batch's commit; 200 KB ones (with a
         * 10-page cache) while they are written */
        const size_t sizes[] = {10, 200 * 1000};
        for (size_t z = 0; z < 2; z++) {
            struct tmp t;
            struct store *s = open_items(&t);
            struct put_call calls[4];
            struct err err = ERR_INIT;

            if (store_write(s, small_cache_job, NULL, &err))
                fail_msg("cache_size: %s", err.msg);
            put_ok(s, "old", 5, 'o');
            batch_of_puts(s, calls, 4, sizes[z], words[f]);
            for (size_t i = 0; i < 4; i++) {
                assert_int_equal(calls[i].rc, -1);
                assert_int_equal(calls[i].err.kind, ERR_UNAVAILABLE);
                assert_string_equal(calls[i].err.msg, messages[f]);
                assert_item(s, calls[i].id, ABSENT, 0);
            }
            assert_item(s, "old", 5, 'o');
            /* a lone big write under the fault, then none: recovered */
            fault_set(words[f]);
            assert_int_equal(put(s, "big", 300 * 1000, 'g', &err), -1);
            assert_string_equal(err.msg, messages[f]);
            fault_clear();
            assert_item(s, "big", ABSENT, 0);
            batch_of_puts(s, calls, 4, sizes[z], NULL);
            for (size_t i = 0; i < 4; i++) {
                assert_int_equal(calls[i].rc, 0);
                assert_item(s, calls[i].id, sizes[z], 'p');
            }
            put_ok(s, "big", 300 * 1000, 'g');
            assert_item(s, "big", 300 * 1000, 'g');
            close_items(s, &t);
        }
    }
}

/* What was written before a fault, and after it, is there after a close
 * (whose checkpoint may itself fail) and a reopen. */
static void writes_around_a_fault_survive_a_reopen(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t);
    struct err err = ERR_INIT;

    (void)state;
    put_ok(s, "before", 100, 'b');
    fault_set("ioerr");
    assert_int_equal(put(s, "during", 100, 'd', &err), -1);
    fault_clear();
    put_ok(s, "after", 100, 'a');
    fault_set("ioerr");
    store_close(s); /* its checkpoint fails: the WAL stays */
    fault_clear();
    s = store_open(t.path, 2, STORE_DURABILITY_FULL, &err);
    if (!s)
        fail_msg("store_open: %s", err.msg);
    assert_item(s, "before", 100, 'b');
    assert_item(s, "during", ABSENT, 0);
    assert_item(s, "after", 100, 'a');
    close_items(s, &t);
}

static void installing_again_moves_the_control_file(void **state)
{
    struct tmp t;
    struct store *s = open_items(&t);
    struct err err = ERR_INIT;
    char other[sizeof control + 8];

    (void)state;
    snprintf(other, sizeof other, "%s.other", control);
    fault_set("full");
    assert_int_equal(store_fault_install(other, &err), 0);
    put_ok(s, "free", 1, 'f'); /* the old file is not read any more */
    assert_int_equal(store_fault_install(control, &err), 0);
    assert_int_equal(put(s, "full", 1, 'f', &err), -1);
    fault_clear();
    close_items(s, &t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seam_wraps_the_vfs_the_store_opens_with),
        cmocka_unit_test(no_control_file_and_unknown_words_are_no_fault),
        cmocka_unit_test(each_fault_fails_writes_and_ends_with_its_file),
        cmocka_unit_test(faults_fail_whole_batches_and_spills),
        cmocka_unit_test(writes_around_a_fault_survive_a_reopen),
        cmocka_unit_test(installing_again_moves_the_control_file),
    };
    static char dir[64] = "/tmp/crudd-fault-ctl-XXXXXX";
    struct err err = ERR_INIT;
    int rc;

    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp failed\n");
        return 1;
    }
    snprintf(control, sizeof control, "%s/fault", dir);
    log_set_level(LOG_ERROR); /* the store warns of every failed write */
    if (store_fault_install(control, &err)) {
        fprintf(stderr, "store_fault_install: %s\n", err.msg);
        return 1;
    }
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(control);
    rmdir(dir);
    return rc;
}
