/*
 * store — DynamoDB-like tables and items on SQLite: the connection pool, the
 * embedded schema, the order-preserving key encoding, and the read, write and
 * scan primitives. It is not DynamoDB's API (that is ddb) nor its expressions
 * (expr): callers make their decisions inside store_mutate_item's callback.
 * The only module that includes sqlite3.h.
 */
#include "store.h"
#include "attr.h"
#include "b64.h"
#include "buf.h"
#include "xalloc.h"

#include <assert.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* schema.sql, turned into a C string by the Makefile (build/schema.c). */
extern const char schema_sql[];

/* Generous, because a writer waits for every writer queued before it. */
#define BUSY_TIMEOUT_MS 10000
/* BEGIN IMMEDIATE attempts, each waiting up to BUSY_TIMEOUT_MS: only a lock
 * held by another process for a minute makes a write fail. */
#define BUSY_RETRIES 6

#define MSG_KEY_SCHEMA "The provided key element does not match the schema"
#define MSG_INVALID "One or more parameter values were invalid: "

enum {
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_TABLE_GET,
    ST_TABLE_PUT,
    ST_ITEM_GET,
    ST_ITEM_PUT,
    ST_ITEM_DEL,
    ST_SCAN_FIRST,
    ST_SCAN_AFTER,
    ST_COUNT
};

static const char *const statements[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_TABLE_GET] = "SELECT id, pk_name, pk_type, sk_name, sk_type"
                     " FROM tables WHERE name = ?1",
    [ST_TABLE_PUT] = "INSERT INTO tables (name, pk_name, pk_type, sk_name,"
                     " sk_type) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_ITEM_GET] = "SELECT item, etag FROM items"
                    " WHERE table_id = ?1 AND pk = ?2 AND sk = ?3",
    [ST_ITEM_PUT] = "INSERT OR REPLACE INTO items"
                    " (table_id, pk, sk, item, etag, size)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ITEM_DEL] = "DELETE FROM items"
                    " WHERE table_id = ?1 AND pk = ?2 AND sk = ?3",
    [ST_SCAN_FIRST] = "SELECT item, size FROM items WHERE table_id = ?1"
                      " ORDER BY pk, sk",
    /* A row-value comparison, so SQLite seeks the primary key index. */
    [ST_SCAN_AFTER] = "SELECT item, size FROM items WHERE table_id = ?1"
                      " AND (pk, sk) > (?2, ?3) ORDER BY pk, sk",
};

/* One SQLite connection with its prepared statements; used by one thread at
 * a time (it is opened SQLITE_OPEN_NOMUTEX). */
struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    struct conn *next; /* in the idle list */
};

/* A table's metadata, cached for the store's life: tables are never dropped
 * or altered, so a cached entry never goes stale. */
struct table {
    int64_t id;
    char *name;
    char *pk_name;
    char *sk_name; /* NULL when the table has no sort key */
    char pk_type;
    char sk_type;
};

struct store {
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    struct conn *conns; /* nconn of them */
    unsigned nconn;
    struct conn *idle;

    pthread_mutex_t tables_lock;
    struct table **tables;
    size_t ntables;
    size_t tables_cap;
};

/* --- SQLite helpers ----------------------------------------------------- */

static int db_fail(struct err *err, sqlite3 *db, const char *what)
{
    return err_set(err, ERR_UNAVAILABLE, "%s: %s", what, sqlite3_errmsg(db));
}

/* Make st ready for its next use. Bindings point at the caller's buffers
 * (SQLITE_STATIC), so clear them before those buffers go away. */
static void finish(sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Step a statement that returns no rows we want, then finish it. */
static int run(struct conn *c, int which, const char *what, struct err *err)
{
    sqlite3_stmt *st = c->st[which];
    int rc = sqlite3_step(st);

    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        db_fail(err, c->db, what);
    finish(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* The busy handler waits BUSY_TIMEOUT_MS; retrying on top of it means that
 * writers in this process queue up rather than ever seeing SQLITE_BUSY. */
static int begin(struct conn *c, struct err *err)
{
    sqlite3_stmt *st = c->st[ST_BEGIN];

    for (int tries = 1;; tries++) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            finish(st);
            return 0;
        }
        if ((rc & 0xff) != SQLITE_BUSY || tries == BUSY_RETRIES) {
            db_fail(err, c->db, "begin");
            finish(st);
            return -1;
        }
        finish(st);
    }
}

/* Roll back if a transaction is still open: SQLite ends it by itself after
 * some errors (SQLITE_FULL, SQLITE_IOERR), and a second ROLLBACK would fail. */
static void rollback(struct conn *c)
{
    if (!sqlite3_get_autocommit(c->db))
        run(c, ST_ROLLBACK, "rollback", NULL);
}

static void bind_blob(sqlite3_stmt *st, int i, const struct buf *b)
{
    /* A NULL pointer would bind SQL NULL; "" binds the empty blob. */
    sqlite3_bind_blob(st, i, b->len ? b->data : "", (int)b->len, SQLITE_STATIC);
}

/* --- connections -------------------------------------------------------- */

static int schema_version(void)
{
    static const char tag[] = "PRAGMA user_version = ";
    const char *p = strstr(schema_sql, tag);

    assert(p && "schema.sql must set PRAGMA user_version");
    return atoi(p + sizeof tag - 1);
}

static int user_version(sqlite3 *db, int *version, struct err *err)
{
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
        return db_fail(err, db, "schema");
    if (sqlite3_step(st) != SQLITE_ROW) {
        db_fail(err, db, "schema");
        sqlite3_finalize(st);
        return -1;
    }
    *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* Apply schema.sql in one transaction when the database is older than it;
 * the version is read again inside the transaction so that two processes
 * opening a new file at once apply it once. */
static int apply_schema(sqlite3 *db, struct err *err)
{
    int want = schema_version(), have;

    if (user_version(db, &have, err))
        return -1;
    if (have > want)
        return err_set(err, ERR_UNAVAILABLE,
                       "database schema version %d is newer than this "
                       "crudd's (%d)",
                       have, want);
    if (have == want)
        return 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
        return db_fail(err, db, "schema");
    if (user_version(db, &have, err))
        goto fail;
    if (have < want && sqlite3_exec(db, schema_sql, NULL, NULL, NULL)) {
        db_fail(err, db, "schema");
        goto fail;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL)) {
        db_fail(err, db, "schema");
        goto fail;
    }
    return 0;
fail:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* On failure c->db may be set and some statements prepared: conn_close
 * releases whatever is there. */
static int conn_open(struct conn *c, const char *path,
                     enum store_durability durability, int first,
                     struct err *err)
{
    const int flags =
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const char *sync = durability == STORE_DURABILITY_FULL
                           ? "PRAGMA synchronous = FULL"
                           : "PRAGMA synchronous = NORMAL";

    if (sqlite3_open_v2(path, &c->db, flags, NULL)) {
        if (!c->db)
            return err_set(err, ERR_UNAVAILABLE, "%s: out of memory", path);
        return err_set(err, ERR_UNAVAILABLE, "%s: %s", path,
                       sqlite3_errmsg(c->db));
    }
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) ||
        sqlite3_exec(c->db, sync, NULL, NULL, NULL))
        return err_set(err, ERR_UNAVAILABLE, "%s: %s", path,
                       sqlite3_errmsg(c->db));
    if (first && apply_schema(c->db, err))
        return -1;
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(c->db, statements[i], -1,
                               SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL))
            return err_set(err, ERR_UNAVAILABLE, "%s: %s", path,
                           sqlite3_errmsg(c->db));
    return 0;
}

static void conn_close(struct conn *c)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    /* The last connection to close checkpoints the WAL into the file. */
    sqlite3_close(c->db);
}

static struct conn *borrow(struct store *s)
{
    struct conn *c;

    pthread_mutex_lock(&s->pool_lock);
    while (!s->idle)
        pthread_cond_wait(&s->pool_cond, &s->pool_lock);
    c = s->idle;
    s->idle = c->next;
    pthread_mutex_unlock(&s->pool_lock);
    return c;
}

static void give_back(struct store *s, struct conn *c)
{
    pthread_mutex_lock(&s->pool_lock);
    c->next = s->idle;
    s->idle = c;
    pthread_cond_signal(&s->pool_cond);
    pthread_mutex_unlock(&s->pool_lock);
}

struct store *store_open(const char *path, unsigned connections,
                         enum store_durability durability, struct err *err)
{
    struct store *s = xcalloc(1, sizeof *s);

    /* Each connection to ":memory:" would be a database of its own. */
    if (connections == 0 || strcmp(path, ":memory:") == 0)
        connections = 1;
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_cond_init(&s->pool_cond, NULL);
    pthread_mutex_init(&s->tables_lock, NULL);
    s->conns = xcalloc(connections, sizeof *s->conns);
    s->nconn = connections;
    for (unsigned i = 0; i < connections; i++) {
        if (conn_open(&s->conns[i], path, durability, i == 0, err)) {
            store_close(s);
            return NULL;
        }
        s->conns[i].next = s->idle;
        s->idle = &s->conns[i];
    }
    return s;
}

static void table_free(struct table *t)
{
    if (!t)
        return;
    free(t->name);
    free(t->pk_name);
    free(t->sk_name);
    free(t);
}

void store_close(struct store *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < s->nconn; i++)
        conn_close(&s->conns[i]);
    free(s->conns);
    for (size_t i = 0; i < s->ntables; i++)
        table_free(s->tables[i]);
    free(s->tables);
    pthread_mutex_destroy(&s->tables_lock);
    pthread_cond_destroy(&s->pool_cond);
    pthread_mutex_destroy(&s->pool_lock);
    free(s);
}

/* --- tables ------------------------------------------------------------- */

static int valid_table_name(const char *name)
{
    size_t n = strlen(name);

    if (n < 3 || n > 255)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int valid_key_type(char type)
{
    return type == 'S' || type == 'N' || type == 'B';
}

static char *column_dup(sqlite3_stmt *st, int i)
{
    const char *p = (const char *)sqlite3_column_text(st, i);
    return p ? xstrdup(p) : NULL;
}

/* Read table name from the database: 1 found (*out a new table), 0 none,
 * -1 failed. */
static int table_load(struct conn *c, const char *name, struct table **out,
                      struct err *err)
{
    sqlite3_stmt *st = c->st[ST_TABLE_GET];
    struct table *t;
    int rc;

    *out = NULL;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        finish(st);
        return 0;
    }
    if (rc != SQLITE_ROW) {
        db_fail(err, c->db, "table");
        finish(st);
        return -1;
    }
    t = xcalloc(1, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->name = xstrdup(name);
    t->pk_name = column_dup(st, 1);
    t->pk_type = (char)sqlite3_column_text(st, 2)[0];
    t->sk_name = column_dup(st, 3);
    t->sk_type = t->sk_name ? (char)sqlite3_column_text(st, 4)[0] : 0;
    finish(st);
    *out = t;
    return 1;
}

static struct table *table_cached(struct store *s, const char *name)
{
    struct table *t = NULL;

    pthread_mutex_lock(&s->tables_lock);
    for (size_t i = 0; i < s->ntables && !t; i++)
        if (strcmp(s->tables[i]->name, name) == 0)
            t = s->tables[i];
    pthread_mutex_unlock(&s->tables_lock);
    return t;
}

/* Table name's metadata (borrowed from the cache, valid until store_close),
 * or NULL with ERR_NOT_FOUND or ERR_UNAVAILABLE. Only hits are cached: a
 * table created later is then found on its first use. */
static const struct table *table_get(struct store *s, struct conn *c,
                                     const char *name, struct err *err)
{
    struct table *t = table_cached(s, name), *loaded;
    int rc;

    if (t)
        return t;
    if (!valid_table_name(name))
        goto none;
    rc = table_load(c, name, &loaded, err);
    if (rc < 0)
        return NULL;
    if (rc == 0)
        goto none;
    pthread_mutex_lock(&s->tables_lock);
    /* Another thread may have cached it meanwhile; keep the first. */
    for (size_t i = 0; i < s->ntables && !t; i++)
        if (strcmp(s->tables[i]->name, name) == 0)
            t = s->tables[i];
    if (!t) {
        if (s->ntables == s->tables_cap) {
            s->tables_cap = s->tables_cap ? 2 * s->tables_cap : 8;
            s->tables = xrealloc(s->tables, s->tables_cap * sizeof *s->tables);
        }
        t = s->tables[s->ntables++] = loaded;
        loaded = NULL;
    }
    pthread_mutex_unlock(&s->tables_lock);
    table_free(loaded);
    return t;
none:
    err_set(err, ERR_NOT_FOUND, "Requested resource not found");
    return NULL;
}

static int check_key_schema(const struct store_key_schema *ks, struct err *err)
{
    if (!ks || !ks->partition_key || !*ks->partition_key ||
        strlen(ks->partition_key) > 255 ||
        (ks->sort_key && (!*ks->sort_key || strlen(ks->sort_key) > 255)))
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "a key attribute name must be 1 to 255 "
                                   "bytes long");
    if (!valid_key_type(ks->partition_type) ||
        (ks->sort_key && !valid_key_type(ks->sort_type)))
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "a key attribute must be of type S, N "
                                   "or B");
    if (ks->sort_key && strcmp(ks->partition_key, ks->sort_key) == 0)
        return err_set(err, ERR_BAD_REQUEST,
                       "Both the Hash Key and the Range Key element in the "
                       "KeySchema have the same name");
    return 0;
}

static int same_key_schema(const struct table *t,
                           const struct store_key_schema *ks)
{
    if (strcmp(t->pk_name, ks->partition_key) != 0 ||
        t->pk_type != ks->partition_type)
        return 0;
    if (!t->sk_name || !ks->sort_key)
        return !t->sk_name && !ks->sort_key;
    return strcmp(t->sk_name, ks->sort_key) == 0 && t->sk_type == ks->sort_type;
}

int store_create_table(struct store *s, const char *name,
                       const struct store_key_schema *ks, int if_not_exists,
                       struct err *err)
{
    struct conn *c = NULL;
    struct table *old = NULL;
    sqlite3_stmt *st;
    char pk_type[2] = {0}, sk_type[2] = {0};
    int rc = -1, found;

    if (!valid_table_name(name)) {
        err_set(err, ERR_BAD_REQUEST,
                "1 validation error detected: Value '%.255s' at 'tableName' "
                "failed to satisfy constraint: Member must have length 3 to "
                "255 and match the pattern [a-zA-Z0-9_.-]+",
                name);
        goto out;
    }
    if (check_key_schema(ks, err))
        goto out;
    c = borrow(s);
    if (begin(c, err))
        goto out;
    found = table_load(c, name, &old, err);
    if (found < 0)
        goto out;
    if (found) {
        if (!if_not_exists)
            err_set(err, ERR_CONFLICT, "Table already exists: %s", name);
        else if (!same_key_schema(old, ks))
            err_set(err, ERR_CONFLICT,
                    "Table already exists with another key schema: %s", name);
        else
            rc = 0;
        goto out;
    }
    st = c->st[ST_TABLE_PUT];
    pk_type[0] = ks->partition_type;
    sk_type[0] = ks->sort_type;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ks->partition_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, pk_type, -1, SQLITE_STATIC);
    if (ks->sort_key) {
        sqlite3_bind_text(st, 4, ks->sort_key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, sk_type, -1, SQLITE_STATIC);
    }
    if (run(c, ST_TABLE_PUT, "create table", err) ||
        run(c, ST_COMMIT, "commit", err))
        goto out;
    rc = 0;
out:
    if (c) {
        rollback(c);
        give_back(s, c);
    }
    table_free(old);
    return rc;
}

/* --- keys ----------------------------------------------------------------- */

/*
 * Numbers are encoded so that memcmp order is numeric order. With the value
 * written as 0.d1d2...dn × 10^E (d1 not 0, dn not 0):
 *   zero      0x02
 *   positive  0x03, E + 0x8000 as 2 bytes big-endian, the digits '0'..'9'
 *   negative  0x01, 0x7fff - E as 2 bytes, each digit as '9' - d, 0xff
 * A larger exponent means a larger magnitude, and with equal exponents the
 * digits compare as a fraction (a shorter prefix is smaller). For negatives
 * both are reversed, and the 0xff terminator, above any digit byte, makes a
 * shorter prefix sort after its extensions (-0.5 > -0.55). Trailing and
 * leading zeros are dropped, so equal numbers have equal encodings.
 */
#define NUM_NEGATIVE 0x01
#define NUM_ZERO 0x02
#define NUM_POSITIVE 0x03
#define NUM_EXP_BIAS 0x8000
/* Exponents past this are far outside DynamoDB's range (1E-130 to 1E+126)
 * and would not fit the 2-byte field. */
#define NUM_EXP_MAX 30000

/* Append the encoding of the n-byte number text s ([+-]digits[.digits]
 * [(e|E)[+-]digits], the exponent only for robustness: stored numbers are
 * canonical). n is at most STORE_PARTITION_KEY_MAX. Returns -1 if s is not a
 * number. */
static int encode_number(struct buf *out, const char *s, size_t n)
{
    char digits[STORE_PARTITION_KEY_MAX];
    size_t i = 0, nd = 0, point = 0, lead = 0, end;
    int neg = 0, seen_point = 0;
    long exp10 = 0, e;

    assert(n <= sizeof digits);
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits[nd++] = s[i];
        else if (s[i] == '.' && !seen_point) {
            seen_point = 1;
            point = nd;
        } else
            break;
    }
    if (nd == 0)
        return -1;
    if (!seen_point)
        point = nd;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t start;
        if (++i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        for (start = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if ((exp10 = exp10 * 10 + (s[i] - '0')) > NUM_EXP_MAX)
                return -1;
        if (i == start)
            return -1;
        if (eneg)
            exp10 = -exp10;
    }
    if (i != n)
        return -1;
    while (lead < nd && digits[lead] == '0')
        lead++;
    if (lead == nd) {
        buf_append(out, "\x02", 1);
        return 0;
    }
    for (end = nd; digits[end - 1] == '0'; end--)
        ;
    e = (long)point - (long)lead + exp10;
    if (e > NUM_EXP_MAX || e < -NUM_EXP_MAX)
        return -1;

    unsigned char head[3];
    unsigned be = (unsigned)(e + NUM_EXP_BIAS);
    if (neg)
        be = 0xffffu - be;
    head[0] = neg ? NUM_NEGATIVE : NUM_POSITIVE;
    head[1] = (unsigned char)(be >> 8);
    head[2] = (unsigned char)be;
    buf_append(out, head, sizeof head);
    for (size_t k = lead; k < end; k++) {
        char d = neg ? (char)('9' - digits[k] + '0') : digits[k];
        buf_append(out, &d, 1);
    }
    if (neg)
        buf_append(out, "\xff", 1);
    return 0;
}

static const char *type_name(char type)
{
    return type == 'S' ? "S" : type == 'N' ? "N" : "B";
}

/* The type of an attribute value, for messages: "S", "M", ... or "?". */
static const char *value_type(const json_t *v)
{
    static const char *const types[] = {"S", "N", "B",  "BOOL", "NULL",
                                        "M", "L", "SS", "NS",   "BS"};

    if (json_is_object(v) && json_object_size(v) == 1)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (json_object_get(v, types[i]))
                return types[i];
    return "?";
}

/* Append the encoding of key attribute value v, of the given type, named
 * name, whose value may take at most max bytes. */
static int encode_value(struct buf *out, char type, const json_t *v,
                        const char *name, size_t max, struct err *err)
{
    const json_t *s = json_object_get(v, type_name(type));
    const char *text;
    size_t n;

    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_string(s))
        return err_set(err, ERR_BAD_REQUEST, MSG_KEY_SCHEMA);
    text = json_string_value(s);
    n = json_string_length(s);
    if (n == 0 && type != 'N')
        return err_set(err, ERR_BAD_REQUEST,
                       "One or more parameter values are not valid. The "
                       "AttributeValue for a key attribute cannot contain an "
                       "empty %s value. Key: %s",
                       type == 'S' ? "string" : "binary", name);
    /* Base64 text is 4/3 of its bytes: cap it before decoding anything. */
    if (n > (type == 'B' ? (max + 2) / 3 * 4 : max))
        goto too_big;
    if (type == 'S') {
        buf_append(out, text, n);
    } else if (type == 'B') {
        size_t len;
        unsigned char *bytes = b64_decode(text, n, &len);
        if (!bytes)
            return err_set(err, ERR_BAD_REQUEST,
                           MSG_INVALID "key %s is not valid Base64", name);
        if (len > max) {
            free(bytes);
            goto too_big;
        }
        buf_append(out, bytes, len);
        free(bytes);
    } else if (encode_number(out, text, n)) {
        return err_set(err, ERR_BAD_REQUEST,
                       "The parameter cannot be converted to a numeric value: "
                       "%.64s",
                       text);
    }
    return 0;
too_big:
    if (max == STORE_PARTITION_KEY_MAX)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Size of hashkey has exceeded the maximum "
                                   "size limit of %d bytes",
                       STORE_PARTITION_KEY_MAX);
    return err_set(err, ERR_BAD_REQUEST,
                   MSG_INVALID "Aggregated size of all range keys has "
                               "exceeded the size limit of %d bytes",
                   STORE_SORT_KEY_MAX);
}

/* Check that key holds exactly t's key attributes, and encode them. */
static int encode_key(const struct table *t, const json_t *key, struct buf *pk,
                      struct buf *sk, struct err *err)
{
    const json_t *pv, *sv = NULL;

    if (!json_is_object(key) ||
        json_object_size(key) != (t->sk_name ? 2u : 1u) ||
        !(pv = json_object_get(key, t->pk_name)) ||
        (t->sk_name && !(sv = json_object_get(key, t->sk_name))))
        return err_set(err, ERR_BAD_REQUEST, MSG_KEY_SCHEMA);
    if (encode_value(pk, t->pk_type, pv, t->pk_name, STORE_PARTITION_KEY_MAX,
                     err))
        return -1;
    if (sv &&
        encode_value(sk, t->sk_type, sv, t->sk_name, STORE_SORT_KEY_MAX, err))
        return -1;
    return 0;
}

/* Check that item's key attribute name has the type and (encoded) value
 * of the key it is written at. */
static int check_item_key(const json_t *item, const char *name, char type,
                          const struct buf *want, size_t max, struct err *err)
{
    const json_t *v = json_object_get(item, name);
    struct buf got;
    int rc;

    if (!v)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Missing the key %s in the item", name);
    if (strcmp(value_type(v), type_name(type)) != 0)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Type mismatch for key %s expected: %s "
                                   "actual: %s",
                       name, type_name(type), value_type(v));
    buf_init(&got);
    rc = encode_value(&got, type, v, name, max, err);
    if (rc == 0 && (got.len != want->len ||
                    (got.len && memcmp(got.data, want->data, got.len))))
        rc = err_set(err, ERR_BAD_REQUEST,
                     MSG_INVALID "the item's key %s differs from the key it "
                                 "is written at",
                     name);
    buf_fini(&got);
    return rc;
}

/* The key of item (a new reference), as a caller passes it back. */
static json_t *key_of(const struct table *t, const json_t *item)
{
    json_t *key = json_object();
    json_t *pv = json_object_get(item, t->pk_name);
    json_t *sv = t->sk_name ? json_object_get(item, t->sk_name) : NULL;

    if (pv)
        json_object_set_new(key, t->pk_name, json_deep_copy(pv));
    if (sv)
        json_object_set_new(key, t->sk_name, json_deep_copy(sv));
    return key;
}

/* --- items -------------------------------------------------------------- */

static void etag_of(const char *text, size_t n, char etag[STORE_ETAG_SIZE])
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a 64 */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)text[i];
        h *= 0x100000001b3u;
    }
    snprintf(etag, STORE_ETAG_SIZE, "%016" PRIx64, h);
}

/* Parse a stored item: the column text is copied into jansson's values, so
 * the statement can be reset afterwards. */
static json_t *item_decode(sqlite3_stmt *st, int col, struct err *err)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    json_error_t jerr;
    json_t *item;

    if (!text)
        goto bad;
    item = json_loadb(text, (size_t)sqlite3_column_bytes(st, col),
                      JSON_ALLOW_NUL, &jerr);
    if (item && json_is_object(item))
        return item;
    json_decref(item);
bad:
    err_set(err, ERR_UNAVAILABLE, "a stored item is not valid JSON");
    return NULL;
}

/* Read the item at (t, pk, sk): 0 with *item a new reference or NULL, and
 * etag its ETag or "". */
static int item_read(struct conn *c, const struct table *t,
                     const struct buf *pk, const struct buf *sk, json_t **item,
                     char etag[STORE_ETAG_SIZE], struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_GET];
    int rc;

    *item = NULL;
    etag[0] = '\0';
    sqlite3_bind_int64(st, 1, t->id);
    bind_blob(st, 2, pk);
    bind_blob(st, 3, sk);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *tag = (const char *)sqlite3_column_text(st, 1);
        snprintf(etag, STORE_ETAG_SIZE, "%s", tag ? tag : "");
        *item = item_decode(st, 0, err);
    } else if (rc != SQLITE_DONE) {
        db_fail(err, c->db, "read");
    }
    finish(st);
    return (rc == SQLITE_ROW && *item) || rc == SQLITE_DONE ? 0 : -1;
}

int store_get_item(struct store *s, const char *table, const json_t *key,
                   json_t **item, char etag[STORE_ETAG_SIZE], struct err *err)
{
    struct conn *c = borrow(s);
    const struct table *t;
    struct buf pk, sk;
    char tag[STORE_ETAG_SIZE] = "";
    int rc = -1;

    *item = NULL;
    buf_init(&pk);
    buf_init(&sk);
    if (!(t = table_get(s, c, table, err)) ||
        encode_key(t, key, &pk, &sk, err) ||
        item_read(c, t, &pk, &sk, item, tag, err))
        goto out;
    rc = 0;
out:
    if (etag)
        memcpy(etag, tag, STORE_ETAG_SIZE);
    buf_fini(&sk);
    buf_fini(&pk);
    give_back(s, c);
    return rc;
}

/* Check a new item and write it at (t, pk, sk), etag receiving its ETag. */
static int item_write(struct conn *c, const struct table *t,
                      const struct buf *pk, const struct buf *sk,
                      const json_t *item, char etag[STORE_ETAG_SIZE],
                      struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_PUT];
    size_t size, len;
    char *text;
    int rc;

    if (!json_is_object(item))
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "an item must be a map of attributes");
    if (check_item_key(item, t->pk_name, t->pk_type, pk,
                       STORE_PARTITION_KEY_MAX, err) ||
        (t->sk_name && check_item_key(item, t->sk_name, t->sk_type, sk,
                                      STORE_SORT_KEY_MAX, err)))
        return -1;
    size = attr_item_size(item);
    if (size > ATTR_ITEM_MAX_BYTES)
        return err_set(err, ERR_BAD_REQUEST,
                       "Item size has exceeded the maximum allowed size");
    text = json_dumps(item, JSON_COMPACT);
    if (!text)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "the item cannot be written as JSON");
    len = strlen(text);
    etag_of(text, len, etag);
    sqlite3_bind_int64(st, 1, t->id);
    bind_blob(st, 2, pk);
    bind_blob(st, 3, sk);
    sqlite3_bind_text(st, 4, text, (int)len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, etag, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)size);
    rc = run(c, ST_ITEM_PUT, "write", err);
    free(text);
    return rc;
}

static int item_delete(struct conn *c, const struct table *t,
                       const struct buf *pk, const struct buf *sk,
                       struct err *err)
{
    sqlite3_stmt *st = c->st[ST_ITEM_DEL];

    sqlite3_bind_int64(st, 1, t->id);
    bind_blob(st, 2, pk);
    bind_blob(st, 3, sk);
    return run(c, ST_ITEM_DEL, "delete", err);
}

int store_mutate_item(struct store *s, const char *table, const json_t *key,
                      store_mutate_fn *fn, void *ctx,
                      char new_etag[STORE_ETAG_SIZE], struct err *err)
{
    struct conn *c = borrow(s);
    const struct table *t;
    struct buf pk, sk;
    json_t *old = NULL, *new = NULL;
    char old_etag[STORE_ETAG_SIZE], etag[STORE_ETAG_SIZE] = "";
    int rc = -1;

    if (new_etag)
        new_etag[0] = '\0';
    buf_init(&pk);
    buf_init(&sk);
    if (!(t = table_get(s, c, table, err)) ||
        encode_key(t, key, &pk, &sk, err) || begin(c, err) ||
        item_read(c, t, &pk, &sk, &old, old_etag, err) ||
        fn(ctx, old, old_etag, &new, err))
        goto out;
    if (new) {
        if (item_write(c, t, &pk, &sk, new, etag, err))
            goto out;
    } else if (old && item_delete(c, t, &pk, &sk, err)) {
        goto out;
    }
    if (run(c, ST_COMMIT, "commit", err))
        goto out;
    rc = 0;
    if (new_etag)
        memcpy(new_etag, etag, STORE_ETAG_SIZE);
out:
    rollback(c);
    json_decref(new);
    json_decref(old);
    buf_fini(&sk);
    buf_fini(&pk);
    give_back(s, c);
    return rc;
}

/* --- scan --------------------------------------------------------------- */

int store_scan(struct store *s, const char *table,
               const json_t *exclusive_start_key, size_t limit, json_t **items,
               json_t **last_key, struct err *err)
{
    struct conn *c = borrow(s);
    const struct table *t;
    sqlite3_stmt *st = NULL;
    struct buf pk, sk;
    json_t *page = json_array(), *item;
    size_t bytes = 0, count = 0;
    int rc = -1, step, more = 0;

    *items = NULL;
    *last_key = NULL;
    buf_init(&pk);
    buf_init(&sk);
    if (!(t = table_get(s, c, table, err)))
        goto out;
    if (exclusive_start_key) {
        if (encode_key(t, exclusive_start_key, &pk, &sk, err))
            goto out;
        st = c->st[ST_SCAN_AFTER];
        bind_blob(st, 2, &pk);
        bind_blob(st, 3, &sk);
    } else {
        st = c->st[ST_SCAN_FIRST];
    }
    sqlite3_bind_int64(st, 1, t->id);
    /* One statement is one read snapshot (WAL), so a page is consistent.
     * The row after the page is stepped to, never decoded: it only tells
     * whether to hand back a last key. */
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t size = (size_t)sqlite3_column_int64(st, 1);
        if ((limit && count == limit) ||
            (count && bytes + size > STORE_PAGE_MAX_BYTES)) {
            more = 1;
            break;
        }
        if (!(item = item_decode(st, 0, err)))
            goto out;
        json_array_append_new(page, item);
        bytes += size;
        count++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        db_fail(err, c->db, "scan");
        goto out;
    }
    if (more)
        *last_key = key_of(t, json_array_get(page, count - 1));
    *items = page;
    page = NULL;
    rc = 0;
out:
    if (st)
        finish(st);
    json_decref(page);
    buf_fini(&sk);
    buf_fini(&pk);
    give_back(s, c);
    return rc;
}
