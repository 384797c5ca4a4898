/*
 * seed — the config's tables created at start and seed files loaded into
 * them (seed.h), through the DynamoDB wire API of a sink (seed_impl.h), so
 * that every check is CreateTable's and PutItem's own. Not the CLI
 * (seed_cli.c) nor the HTTP client (seed_http.c).
 */
#include "attr.h"
#include "ddb.h"
#include "log.h"
#include "seed.h"
#include "seed_impl.h"
#include "store.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/* BatchWriteItem's limit, and how often UnprocessedItems are sent again. */
#define BATCH_MAX 25
#define BATCH_RETRIES 10

int seed_call(const struct seed_sink *k, const char *op, json_t *in,
              json_t **out, struct err *err)
{
    char target[80];
    char *body = json_dumps(in, JSON_COMPACT), *resp = NULL;
    size_t rlen = 0;
    int status = 0;

    *out = NULL;
    snprintf(target, sizeof target, "DynamoDB_20120810.%s", op);
    if (k->ddb) {
        struct ddb_request req = {.target = target,
                                  .body = body,
                                  .body_len = strlen(body),
                                  .has_authorization = 1,
                                  .raw_path = "/",
                                  .source_ip = "127.0.0.1"};
        struct ddb_response res = {0};
        enum log_level level = log_get_level();
        /* no access-log line per seeded item */
        if (level < LOG_WARN)
            log_set_level(LOG_WARN);
        ddb_handle(k->ddb, &req, &res);
        log_set_level(level);
        status = res.status;
        resp = res.body;
        rlen = res.body_len;
        res.body = NULL;
        ddb_response_fini(&res);
    } else if (seed_http_post(k->host, k->port, target, body, strlen(body),
                              &status, &resp, &rlen, err) < 0) {
        free(body);
        return -1;
    }
    free(body);
    json_t *j = resp ? json_loadb(resp, rlen, 0, NULL) : NULL;
    free(resp);
    if (!json_is_object(j)) {
        json_decref(j);
        return err_set(err, ERR_UNAVAILABLE,
                       "%s: the answer (HTTP %d) is not a JSON object", op,
                       status);
    }
    if (status != 200) {
        const char *type = json_string_value(json_object_get(j, "__type"));
        const char *msg = json_string_value(json_object_get(j, "message"));
        if (!msg)
            msg = json_string_value(json_object_get(j, "Message"));
        if (type && strchr(type, '#'))
            type = strchr(type, '#') + 1;
        err_set(err, status >= 500 ? ERR_UNAVAILABLE : ERR_BAD_REQUEST,
                "%s%s%s", type ? type : "", type ? ": " : "",
                msg ? msg : "(no message)");
        json_decref(j);
        return -1;
    }
    *out = j;
    return 0;
}

/* Call op and drop its output. */
static int call0(const struct seed_sink *k, const char *op, json_t *in,
                 struct err *err)
{
    json_t *out;
    int rc = seed_call(k, op, in, &out, err);
    json_decref(out);
    return rc;
}

/* A scratch store and ddb in memory, for checking before writing. */
struct scratch {
    struct store *store;
    struct ddb *ddb;
    struct seed_sink sink;
};

static int scratch_open(struct scratch *s, struct err *err)
{
    memset(s, 0, sizeof *s);
    if (!(s->store = store_open(":memory:", 1, STORE_DURABILITY_NORMAL, err)))
        return -1;
    s->ddb = ddb_create(s->store, DDB_AUTH_OPEN, NULL, 0);
    s->sink.ddb = s->ddb;
    return 0;
}

static void scratch_close(struct scratch *s)
{
    ddb_free(s->ddb);
    store_close(s->store);
}

/* ------------------------------------------------------------------ */
/* tables                                                              */

/* The members of a config table besides CreateTable's that a CreateTable
 * request or CloudFormation's Properties may carry; crudd ignores them. */
static const char *const IGNORED[] = {"BillingMode",
                                      "ProvisionedThroughput",
                                      "StreamSpecification",
                                      "SSESpecification",
                                      "Tags",
                                      "TableClass",
                                      "DeletionProtectionEnabled",
                                      "PointInTimeRecoverySpecification",
                                      "ContributorInsightsSpecification",
                                      "OnDemandThroughput",
                                      NULL};
static const char *const CREATE[] = {"TableName",
                                     "KeySchema",
                                     "AttributeDefinitions",
                                     "GlobalSecondaryIndexes",
                                     "LocalSecondaryIndexes",
                                     NULL};

static int listed(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (!strcmp(*list, name))
            return 1;
    return 0;
}

/* A config table → its CreateTable request (new reference) and TTL
 * attribute (borrowed; NULL when none is enabled). */
static json_t *create_request(json_t *t, const char **ttl, const char **why)
{
    const char *key;
    json_t *v;

    *ttl = NULL;
    if (!json_is_object(t))
        return *why = "must be an object (a CreateTable request)", NULL;
    if (!json_is_string(json_object_get(t, "TableName")))
        return *why = "needs \"TableName\", a string", NULL;
    json_object_foreach(t, key, v)
    {
        /* main thread only (seed.h), so one buffer is enough */
        static char unknown[320];
        if (!listed(CREATE, key) && !listed(IGNORED, key) &&
            strcmp(key, "TimeToLiveSpecification")) {
            snprintf(unknown, sizeof unknown,
                     "key \"%.200s\": unknown (CreateTable's keys and "
                     "TimeToLiveSpecification only)",
                     key);
            return *why = unknown, NULL;
        }
    }
    json_t *mode = json_object_get(t, "BillingMode");
    if (mode && (!json_is_string(mode) ||
                 (strcmp(json_string_value(mode), "PAY_PER_REQUEST") &&
                  strcmp(json_string_value(mode), "PROVISIONED"))))
        return *why = "BillingMode: must be PAY_PER_REQUEST or PROVISIONED",
               NULL;
    json_t *spec = json_object_get(t, "TimeToLiveSpecification");
    if (spec) {
        json_t *name = json_object_get(spec, "AttributeName");
        json_t *on = json_object_get(spec, "Enabled");
        if (!json_is_object(spec) || !json_is_string(name) ||
            (on && !json_is_boolean(on)))
            return *why = "TimeToLiveSpecification: must be "
                          "{\"AttributeName\": NAME, \"Enabled\": true}",
                   NULL;
        if (!on || json_is_true(on))
            *ttl = json_string_value(name);
    }
    json_t *req = json_object();
    for (const char *const *m = CREATE; *m; m++)
        if ((v = json_object_get(t, *m)))
            json_object_set(req, *m, v);
    return req;
}

/* "id (S)" or "pk (S), sk (N)" of a TableDescription. */
static char *schema_text(const json_t *table)
{
    const json_t *ks = json_object_get(table, "KeySchema");
    const json_t *defs = json_object_get(table, "AttributeDefinitions");
    struct buf b;
    size_t i, j;
    json_t *k, *d;

    buf_init(&b);
    json_array_foreach(ks, i, k)
    {
        const char *name =
            json_string_value(json_object_get(k, "AttributeName"));
        const char *type = "?";
        json_array_foreach(defs, j, d)
        {
            const char *n =
                json_string_value(json_object_get(d, "AttributeName"));
            if (n && name && !strcmp(n, name))
                type = json_string_value(json_object_get(d, "AttributeType"));
        }
        buf_printf(&b, "%s%s (%s)", i ? ", " : "", name ? name : "?",
                   type ? type : "?");
    }
    buf_append(&b, "", 0);
    return b.data ? buf_steal(&b, NULL) : xstrdup("");
}

static const char *file_of(const struct config *c)
{
    return c->file ? c->file : "config";
}

int seed_check_tables(const struct config *c, struct err *err)
{
    const json_t *tables = c->tables;
    struct scratch s;
    struct err e = ERR_INIT;
    size_t i;
    json_t *t;
    int rc = 0;

    if (!json_array_size(tables))
        return 0;
    if (scratch_open(&s, err) < 0)
        return -1;
    json_array_foreach(tables, i, t)
    {
        const char *why = NULL, *ttl;
        const char *name = json_string_value(json_object_get(t, "TableName"));
        json_t *req = create_request(t, &ttl, &why);
        if (!req) {
            rc = err_set(err, ERR_CONFIG, "%s: tables[%zu]%s%s%s: %s",
                         file_of(c), i, name ? " (" : "", name ? name : "",
                         name ? ")" : "", why);
            break;
        }
        int bad = call0(&s.sink, "CreateTable", req, &e) < 0;
        json_decref(req);
        if (!bad && ttl) {
            json_t *u = json_pack("{s:s, s:{s:s, s:b}}", "TableName", name,
                                  "TimeToLiveSpecification", "AttributeName",
                                  ttl, "Enabled", 1);
            bad = call0(&s.sink, "UpdateTimeToLive", u, &e) < 0;
            json_decref(u);
        }
        if (bad) {
            const char *msg = e.msg;
            if (!strncmp(msg, "ValidationException: ", 21))
                msg += 21;
            rc = err_set(err, ERR_CONFIG, "%s: tables[%zu] (%s): %s",
                         file_of(c), i, name, msg);
            break;
        }
    }
    scratch_close(&s);
    return rc;
}

/* Create or check table i of the config in k. */
static int apply_table(const struct config *c, size_t i, json_t *t,
                       const struct seed_sink *k, struct buf *notes,
                       struct err *err)
{
    const char *ttl, *why;
    const char *name = json_string_value(json_object_get(t, "TableName"));
    json_t *req = create_request(t, &ttl, &why), *out = NULL;
    struct err e = ERR_INIT;
    int rc = -1;

    if (!req)
        return err_set(err, ERR_CONFIG, "%s: tables[%zu]: %s", file_of(c), i,
                       why);
    json_t *dreq = json_pack("{s:s}", "TableName", name);
    if (seed_call(k, "DescribeTable", dreq, &out, &e) == 0) {
        char *have = schema_text(json_object_get(out, "Table"));
        char *want = schema_text(req);
        int same = !strcmp(have, want);
        if (!same)
            err_set(err, ERR_CONFIG,
                    "%s: tables[%zu] (%s): the table exists with key schema "
                    "%s, the config declares %s; crudd never drops a table: "
                    "delete it (aws dynamodb delete-table --table-name %s) "
                    "or declare its schema",
                    file_of(c), i, name, have, want, name);
        free(have);
        free(want);
        if (!same)
            goto out;
        buf_printf(notes, "table %s: exists, kept with its items\n", name);
    } else if (strstr(e.msg, "ResourceNotFoundException")) {
        if (call0(k, "CreateTable", req, err) < 0)
            goto out;
        buf_printf(notes, "table %s: created from %s tables[%zu]\n", name,
                   file_of(c), i);
    } else {
        *err = e;
        goto out;
    }
    if (ttl) {
        json_t *dt = NULL;
        if (seed_call(k, "DescribeTimeToLive", dreq, &dt, err) < 0)
            goto out;
        json_t *d = json_object_get(dt, "TimeToLiveDescription");
        const char *status =
            json_string_value(json_object_get(d, "TimeToLiveStatus"));
        const char *attr =
            json_string_value(json_object_get(d, "AttributeName"));
        int enabled = status && !strcmp(status, "ENABLED");
        if (!enabled) {
            json_t *u = json_pack("{s:s, s:{s:s, s:b}}", "TableName", name,
                                  "TimeToLiveSpecification", "AttributeName",
                                  ttl, "Enabled", 1);
            int bad = call0(k, "UpdateTimeToLive", u, err) < 0;
            json_decref(u);
            if (bad) {
                json_decref(dt);
                goto out;
            }
        } else if (attr && strcmp(attr, ttl)) {
            buf_printf(notes,
                       "table %s: Time to Live stays on attribute %s (the "
                       "config declares %s)\n",
                       name, attr, ttl);
        }
        json_decref(dt);
    }
    rc = 0;
out:
    json_decref(dreq);
    json_decref(out);
    json_decref(req);
    return rc;
}

int seed_apply_tables(const struct config *c, const struct seed_sink *k,
                      struct buf *notes, struct err *err)
{
    size_t i;
    json_t *t;

    json_array_foreach((json_t *)c->tables, i, t)
    {
        if (apply_table(c, i, t, k, notes, err) < 0)
            return -1;
    }
    return 0;
}

int seed_apply(const struct config *c, struct store *store, struct buf *notes,
               struct err *err)
{
    struct ddb *d = ddb_create(store, DDB_AUTH_OPEN, NULL, 0);
    struct seed_sink k = {.ddb = d};
    int rc = -1;

    if (seed_apply_tables(c, &k, notes, err) < 0)
        goto out;
    for (size_t i = 0; i < c->seeds.n; i++) {
        size_t n = 0;
        if (seed_load_file(&k, c->seeds.v[i], NULL, &n, err) < 0)
            goto out;
        buf_printf(notes, "seed %s: %zu item%s put\n", c->seeds.v[i], n,
                   n == 1 ? "" : "s");
    }
    rc = 0;
out:
    ddb_free(d);
    return rc;
}

/* ------------------------------------------------------------------ */
/* seed files                                                          */

/* One item to put. */
struct entry {
    const char *table; /* borrowed from the parsed file */
    json_t *item;      /* typed (not yet checked); owned */
    int line;
    size_t index; /* 1-based, within its table in the file */
};

struct load {
    const char *file;
    struct entry *v;
    size_t n, cap;
};

static void add_entry(struct load *l, const char *table, json_t *item, int line,
                      size_t index)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (struct entry){table, item, line, index};
}

static const char *const TYPES[] = {"S", "N",  "B",  "BOOL", "NULL", "M",
                                    "L", "SS", "NS", "BS",   NULL};

/* Does every attribute of item look like a typed value? */
static int looks_typed(json_t *item)
{
    const char *key;
    json_t *v;

    if (!json_is_object(item) || !json_object_size(item))
        return 0;
    json_object_foreach(item, key, v)
    {
        if (!json_is_object(v) || json_object_size(v) != 1)
            return 0;
        void *it = json_object_iter(v);
        if (!listed(TYPES, json_object_iter_key(it)))
            return 0;
    }
    return 1;
}

/* Where each element of each top-level member's array is in the text:
 * [[[line, start, end], ...], ...] (byte offsets, end exclusive) in the
 * order the members appear (jansson keeps that order), for messages and
 * for reading plain items from their own text (exact numbers); jansson
 * keeps no positions. */
static json_t *element_spans(const char *t, size_t n)
{
    json_t *all = json_array(), *cur = NULL, *open = NULL;
    char stack[ATTR_MAX_DEPTH + 8];
    int depth = 0, line = 1, in_str = 0, expect = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = t[i];
        if (ch == '\n')
            line++;
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        int in_list = depth == 2 && stack[1] == '[';
        if (in_list && expect && !isspace((unsigned char)ch) && ch != ']') {
            open = json_pack("[i, I, I]", line, (json_int_t)i, (json_int_t)n);
            json_array_append_new(cur, open);
            expect = 0;
        }
        if (in_list && open && (ch == ',' || ch == ']')) {
            json_array_set_new(open, 2, json_integer((json_int_t)i));
            open = NULL;
        }
        switch (ch) {
        case '"':
            in_str = 1;
            break;
        case '{':
        case '[':
            if (depth < (int)sizeof stack)
                stack[depth] = ch;
            depth++;
            if (depth == 2 && ch == '[') {
                cur = json_array();
                json_array_append_new(all, cur);
                expect = 1;
            }
            break;
        case '}':
        case ']':
            depth--;
            break;
        case ',':
            if (in_list)
                expect = 1;
            break;
        }
    }
    return all;
}

/* {"Table": [...]} files. */
static int parse_tables(struct load *l, json_t *root, const char *text,
                        size_t len, const char *only, struct err *err)
{
    json_t *spans = element_spans(text, len), *arr;
    const char *table;
    size_t k = 0;
    int rc = -1;

    json_object_foreach(root, table, arr)
    {
        json_t *sp = json_array_get(spans, k++);
        size_t j;
        json_t *x;
        if (!json_is_array(arr)) {
            err_set(err, ERR_BAD_REQUEST,
                    "%s: \"%s\": must be an array of items (or of "
                    "PutRequest)",
                    l->file, table);
            goto out;
        }
        if (only && strcmp(only, table))
            continue;
        int typed = json_array_size(arr) > 0;
        json_array_foreach(arr, j, x)
        {
            if (!json_object_get(x, "PutRequest") && !looks_typed(x))
                typed = 0;
        }
        json_array_foreach(arr, j, x)
        {
            json_t *at = json_array_get(sp, j);
            int line = (int)json_integer_value(json_array_get(at, 0));
            size_t from = (size_t)json_integer_value(json_array_get(at, 1));
            size_t to = (size_t)json_integer_value(json_array_get(at, 2));
            json_t *put = json_object_get(x, "PutRequest"), *item;
            struct err e = ERR_INIT;
            if (json_object_get(x, "DeleteRequest")) {
                err_set(err, ERR_BAD_REQUEST,
                        "%s:%d: item %zu of table %s: a DeleteRequest (a seed "
                        "only puts items)",
                        l->file, line, j + 1, table);
                goto out;
            }
            if (put) {
                item = json_object_get(put, "Item");
                if (!json_is_object(item)) {
                    err_set(err, ERR_BAD_REQUEST,
                            "%s:%d: item %zu of table %s: PutRequest needs "
                            "an \"Item\" object",
                            l->file, line, j + 1, table);
                    goto out;
                }
                item = json_incref(item);
            } else if (!json_is_object(x)) {
                err_set(err, ERR_BAD_REQUEST,
                        "%s:%d: item %zu of table %s: must be a JSON object",
                        l->file, line, j + 1, table);
                goto out;
            } else if (typed) {
                item = json_incref(x);
            } else if (!(item = attr_item_from_json_text(
                             text + from, to > from ? to - from : 0, &e))) {
                const char *msg = e.msg;
                if (!strncmp(msg, "Request body ", 13))
                    msg += 13; /* "is not valid JSON", "must be ..." */
                err_set(err, ERR_BAD_REQUEST,
                        "%s:%d: item %zu of table %s: %s%s", l->file, line,
                        j + 1, table, msg == e.msg ? "" : "the item ", msg);
                goto out;
            }
            add_entry(l, table, item, line, j + 1);
        }
    }
    rc = 0;
out:
    json_decref(spans);
    return rc;
}

/* DynamoDB export lines: {"Item": {...}} each. The parsed lines are kept
 * in keep (their table names and items are borrowed from it). */
static int parse_lines(struct load *l, const char *text, const char *table,
                       json_t *keep, struct err *err)
{
    int line = 0;
    size_t index = 0;

    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        json_error_t jerr;
        line++;
        const char *q = p;
        p = nl ? nl + 1 : p + n;
        while (n && isspace((unsigned char)q[n - 1]))
            n--;
        while (n && isspace((unsigned char)*q))
            q++, n--;
        if (!n)
            continue;
        json_t *o = json_loadb(q, n, JSON_REJECT_DUPLICATES, &jerr);
        index++;
        if (!o)
            return err_set(err, ERR_BAD_REQUEST,
                           "%s:%d: item %zu of table %s: not valid JSON: %s",
                           l->file, line, index, table, jerr.text);
        json_array_append_new(keep, o);
        json_t *item = json_object_get(o, "Item");
        if (!json_is_object(item))
            return err_set(err, ERR_BAD_REQUEST,
                           "%s:%d: item %zu of table %s: a line must be "
                           "{\"Item\": {...}} (DynamoDB JSON)",
                           l->file, line, index, table);
        add_entry(l, table, json_incref(item), line, index);
    }
    return 0;
}

/* The whole file; gzip-compressed (as DynamoDB's export writes its
 * files, .json.gz) or not, which zlib tells apart by itself. */
static char *read_all(const char *path, size_t *len, struct err *err)
{
    gzFile f = gzopen(path, "rb");
    struct buf b;
    char chunk[65536];
    int r;

    if (!f)
        return err_set(err, ERR_BAD_REQUEST, "%s: %m", path), NULL;
    buf_init(&b);
    while ((r = gzread(f, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)r);
    int errnum = 0;
    const char *why = r < 0 ? gzerror(f, &errnum) : NULL;
    if (why) {
        err_set(err, ERR_BAD_REQUEST, "%s: cannot read: %s", path, why);
        gzclose(f);
        buf_fini(&b);
        return NULL;
    }
    gzclose(f);
    buf_append(&b, "", 0);
    return buf_steal(&b, len);
}

/* One table's key attribute names, from DescribeTable. */
struct keys {
    const char *table;
    char *pk, *sk;
};

static json_t *key_of(const struct keys *ks, const json_t *item)
{
    json_t *k = json_object();
    json_object_set(k, ks->pk, json_object_get(item, ks->pk));
    if (ks->sk)
        json_object_set(k, ks->sk, json_object_get(item, ks->sk));
    return k;
}

/* Write a batch {table: [{"PutRequest": ...}]} until nothing is left. */
static int flush(const struct seed_sink *k, json_t *batch, struct err *err)
{
    json_t *req = json_pack("{s:O}", "RequestItems", batch);

    for (int tries = 0; json_object_size(batch); tries++) {
        json_t *out;
        if (tries == BATCH_RETRIES) {
            json_decref(req);
            return err_set(err, ERR_UNAVAILABLE,
                           "BatchWriteItem left items unprocessed after %d "
                           "tries",
                           BATCH_RETRIES);
        }
        if (tries)
            usleep(50000u << (tries < 5 ? tries : 5));
        if (seed_call(k, "BatchWriteItem", req, &out, err) < 0) {
            json_decref(req);
            return -1;
        }
        json_t *left = json_object_get(out, "UnprocessedItems");
        json_object_set(req, "RequestItems", left ? left : json_object());
        batch = json_object_get(req, "RequestItems");
        json_decref(out);
        if (!json_object_size(batch))
            break;
    }
    json_decref(req);
    return 0;
}

/* Check every entry in a scratch copy of its tables, then write them. */
static int check_and_write(const struct seed_sink *k, struct load *l,
                           size_t *nitems, struct err *err)
{
    struct scratch s;
    struct keys *ks = xcalloc(l->n + 1, sizeof *ks);
    size_t nks = 0;
    json_t *batch = NULL, *batch_keys = NULL;
    size_t in_batch = 0;
    int rc = -1;

    if (scratch_open(&s, err) < 0) {
        free(ks);
        return -1;
    }
    for (size_t i = 0; i < l->n; i++) {
        const struct entry *e = &l->v[i];
        size_t t;
        for (t = 0; t < nks && strcmp(ks[t].table, e->table); t++)
            ;
        if (t == nks) {
            struct err de = ERR_INIT;
            json_t *d = json_pack("{s:s}", "TableName", e->table), *out;
            int bad = seed_call(k, "DescribeTable", d, &out, &de) < 0;
            json_decref(d);
            if (bad) {
                err_set(err, de.kind, "%s: table %s: %s%s", l->file, e->table,
                        de.msg,
                        strstr(de.msg, "ResourceNotFound")
                            ? " (declare it in the config's \"tables\")"
                            : "");
                goto out;
            }
            json_t *desc = json_object_get(out, "Table"), *x;
            json_t *c = json_object();
            size_t j;
            for (const char *const *m = CREATE; *m; m++)
                if ((x = json_object_get(desc, *m)))
                    json_object_set(c, *m, x);
            json_t *idx[2] = {json_object_get(c, "GlobalSecondaryIndexes"),
                              json_object_get(c, "LocalSecondaryIndexes")};
            for (int w = 0; w < 2; w++) {
                json_t *clean = json_array();
                json_array_foreach(idx[w], j, x)
                {
                    json_array_append_new(
                        clean,
                        json_pack("{s:O, s:O, s:O}", "IndexName",
                                  json_object_get(x, "IndexName"), "KeySchema",
                                  json_object_get(x, "KeySchema"), "Projection",
                                  json_object_get(x, "Projection")));
                }
                if (idx[w])
                    json_object_set_new(c,
                                        w ? "LocalSecondaryIndexes"
                                          : "GlobalSecondaryIndexes",
                                        clean);
                else
                    json_decref(clean);
            }
            ks[nks].table = e->table;
            json_array_foreach(json_object_get(desc, "KeySchema"), j, x)
            {
                const char *n =
                    json_string_value(json_object_get(x, "AttributeName"));
                if (j == 0)
                    ks[nks].pk = xstrdup(n ? n : "");
                else
                    ks[nks].sk = xstrdup(n ? n : "");
            }
            nks++;
            bad = call0(&s.sink, "CreateTable", c, err) < 0;
            json_decref(c);
            json_decref(out);
            if (bad)
                goto out;
        }
        struct err pe = ERR_INIT;
        json_t *put =
            json_pack("{s:s, s:O}", "TableName", e->table, "Item", e->item);
        int bad = call0(&s.sink, "PutItem", put, &pe) < 0;
        json_decref(put);
        if (bad) {
            const char *msg = pe.msg;
            if (!strncmp(msg, "ValidationException: ", 21))
                msg += 21;
            err_set(err, ERR_BAD_REQUEST, "%s:%d: item %zu of table %s: %s",
                    l->file, e->line, e->index, e->table, msg);
            goto out;
        }
    }
    /* every item passed: write them, 25 a batch, no key twice in one */
    batch = json_object();
    batch_keys = json_array();
    for (size_t i = 0; i < l->n; i++) {
        const struct entry *e = &l->v[i];
        size_t t, j;
        json_t *x;
        for (t = 0; strcmp(ks[t].table, e->table); t++)
            ;
        json_t *key = json_pack("{s:s, s:o}", "t", e->table, "k",
                                key_of(&ks[t], e->item));
        int dup = 0;
        json_array_foreach(batch_keys, j, x) dup = dup || json_equal(x, key);
        if (dup || in_batch == BATCH_MAX) {
            if (flush(k, batch, err) < 0) {
                json_decref(key);
                goto out;
            }
            json_object_clear(batch);
            json_array_clear(batch_keys);
            in_batch = 0;
        }
        json_array_append_new(batch_keys, key);
        json_t *list = json_object_get(batch, e->table);
        if (!list)
            json_object_set_new(batch, e->table, list = json_array());
        json_array_append_new(
            list, json_pack("{s:{s:O}}", "PutRequest", "Item", e->item));
        in_batch++;
    }
    if (in_batch && flush(k, batch, err) < 0)
        goto out;
    *nitems = l->n;
    rc = 0;
out:
    json_decref(batch);
    json_decref(batch_keys);
    for (size_t t = 0; t < nks; t++) {
        free(ks[t].pk);
        free(ks[t].sk);
    }
    free(ks);
    scratch_close(&s);
    return rc;
}

/* The table a JSON-lines file names: its base name up to the first '.'. */
static char *table_of_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strndup(base, strcspn(base, "."));
}

int seed_load_file(const struct seed_sink *k, const char *spec,
                   const char *table_override, size_t *nitems, struct err *err)
{
    const char *eq = strchr(spec, '=');
    const char *slash = strchr(spec, '/');
    char *table = NULL, *text = NULL;
    struct load l = {0};
    json_t *root = NULL, *keep = json_array();
    json_error_t jerr;
    size_t len;
    int rc = -1;

    *nitems = 0;
    if (eq && (!slash || eq < slash)) {
        table = strndup(spec, (size_t)(eq - spec));
        l.file = eq + 1;
    } else {
        l.file = spec;
    }
    if (table_override) {
        free(table);
        table = xstrdup(table_override);
    }
    if (!(text = read_all(l.file, &len, err)))
        goto out;
    /* JSON lines when the first line is a whole object on its own */
    const char *p = text + strspn(text, " \t\r\n");
    size_t first = strcspn(p, "\n");
    json_t *one = json_loadb(p, first, 0, NULL);
    int lines =
        json_is_object(one) && json_is_object(json_object_get(one, "Item"));
    json_decref(one);
    if (lines) {
        if (!table)
            table = table_of_path(l.file);
        if (parse_lines(&l, text, table, keep, err) < 0)
            goto out;
    } else {
        /* big integers as reals: plain items are read again, exactly,
         * from their own text; typed numbers are strings */
        root = json_loadb(
            text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
        if (!root) {
            err_set(err, ERR_BAD_REQUEST, "%s:%d:%d: not valid JSON: %s",
                    l.file, jerr.line, jerr.column, jerr.text);
            goto out;
        }
        if (!json_is_object(root)) {
            err_set(err, ERR_BAD_REQUEST,
                    "%s: must be {\"Table\": [items]}, a batch-write-item "
                    "request file, or DynamoDB JSON lines",
                    l.file);
            goto out;
        }
        if (parse_tables(&l, root, text, len, table, err) < 0)
            goto out;
    }
    rc = check_and_write(k, &l, nitems, err);
out:
    for (size_t i = 0; i < l.n; i++)
        json_decref(l.v[i].item);
    free(l.v);
    json_decref(root);
    json_decref(keep);
    free(text);
    free(table);
    return rc;
}
