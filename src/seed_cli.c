/*
 * seed_cli — `crudd export` and `crudd import`: move a table (or all) to
 * and from a file, against a stopped database file (--db, opened here:
 * refused while a server holds it) or a running server (--endpoint, its
 * DynamoDB API). Not the server's start-up loading (seed.c).
 */
#include "ddb.h"
#include "log.h"
#include "seed.h"
#include "seed_impl.h"
#include "store.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli {
    const char *cmd; /* "export" or "import" */
    const char *table, *db, *endpoint, *format, *config;
    char *host, *port;
    const char **files;
    size_t nfiles;
};

static int usage(const struct cli *c, const char *why)
{
    fprintf(stderr,
            "crudd %s: %s\n"
            "usage: crudd export [--table T] [--db PATH | --endpoint URL] "
            "[--format batch|jsonl] > FILE\n"
            "       crudd import [--table T] [--db PATH | --endpoint URL] "
            "[--config FILE] FILE...\n",
            c->cmd, why);
    return 2;
}

/* "http://host:port[/]" → host, port. */
static int parse_endpoint(struct cli *c)
{
    const char *u = c->endpoint;
    if (!strncmp(u, "http://", 7))
        u += 7;
    else if (strstr(u, "://"))
        return -1;
    size_t n = strcspn(u, "/");
    char *hp = strndup(u, n);
    char *colon = strrchr(hp, ':');
    if (colon && !strchr(colon, ']')) {
        *colon = '\0';
        c->port = xstrdup(colon + 1);
    } else {
        c->port = xstrdup("80");
    }
    if (hp[0] == '[') {
        c->host = strndup(hp + 1, strcspn(hp + 1, "]"));
        free(hp);
    } else {
        c->host = hp;
    }
    return *c->host && *c->port ? 0 : -1;
}

static int table_names(const struct seed_sink *k, const struct cli *c,
                       json_t **names, struct err *err)
{
    json_t *start = NULL;

    *names = json_array();
    if (c->table) {
        json_array_append_new(*names, json_string(c->table));
        return 0;
    }
    for (;;) {
        json_t *req = json_object(), *out;
        if (start)
            json_object_set_new(req, "ExclusiveStartTableName", start);
        int bad = seed_call(k, "ListTables", req, &out, err) < 0;
        json_decref(req);
        if (bad)
            return -1;
        json_array_extend(*names, json_object_get(out, "TableNames"));
        start = json_incref(json_object_get(out, "LastEvaluatedTableName"));
        json_decref(out);
        if (!start)
            return 0;
    }
}

static int export_tables(const struct seed_sink *k, const struct cli *c,
                         struct err *err)
{
    int jsonl = c->format && !strcmp(c->format, "jsonl");
    json_t *names, *v;
    size_t i, total = 0;
    int rc = -1;

    if (table_names(k, c, &names, err) < 0)
        goto out;
    if (jsonl && json_array_size(names) != 1) {
        err_set(err, ERR_BAD_REQUEST,
                "--format jsonl holds one table and there are %zu: name one "
                "with --table",
                json_array_size(names));
        goto out;
    }
    if (!jsonl)
        fputs("{", stdout);
    json_array_foreach(names, i, v)
    {
        const char *name = json_string_value(v);
        json_t *start = NULL;
        size_t n = 0;
        if (!jsonl) {
            char *q = json_dumps(v, JSON_ENCODE_ANY);
            printf("%s\n%s: [", i ? "," : "", q);
            free(q);
        }
        do {
            json_t *req = json_pack("{s:s}", "TableName", name), *out, *item;
            size_t j;
            if (start)
                json_object_set_new(req, "ExclusiveStartKey", start);
            int bad = seed_call(k, "Scan", req, &out, err) < 0;
            json_decref(req);
            if (bad)
                goto out;
            json_array_foreach(json_object_get(out, "Items"), j, item)
            {
                char *t = json_dumps(item, JSON_COMPACT);
                if (jsonl)
                    printf("{\"Item\":%s}\n", t);
                else
                    printf("%s\n  {\"PutRequest\": {\"Item\": %s}}",
                           n ? "," : "", t);
                free(t);
                n++;
            }
            start = json_incref(json_object_get(out, "LastEvaluatedKey"));
            json_decref(out);
        } while (start);
        if (!jsonl)
            fputs("\n]", stdout);
        fprintf(stderr, "crudd export: %s: %zu item%s\n", name, n,
                n == 1 ? "" : "s");
        total += n;
    }
    if (!jsonl)
        fputs("\n}\n", stdout);
    rc = fflush(stdout) == 0 ? 0 : err_set(err, ERR_UNAVAILABLE, "stdout: %m");
out:
    json_decref(names);
    return rc;
}

int seed_cli(int argc, char **argv)
{
    struct cli c = {.cmd = argv[0]};
    struct err err = ERR_INIT;
    struct store *store = NULL;
    struct ddb *ddb = NULL;
    struct seed_sink k = {0};
    struct config cfg = {0};
    int have_cfg = 0;
    int rc = 1;

    c.files = xcalloc((size_t)argc + 1, sizeof *c.files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--table")      ? &c.table
                            : !strcmp(a, "--db")       ? &c.db
                            : !strcmp(a, "--endpoint") ? &c.endpoint
                            : !strcmp(a, "--format")   ? &c.format
                            : !strcmp(a, "--config")   ? &c.config
                                                       : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            rc = usage(&c, "move tables to and from files") == 2 ? 0 : 0;
            goto out;
        }
        if (slot) {
            if (i + 1 == argc) {
                rc = usage(&c, "a flag needs a value");
                goto out;
            }
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            rc = usage(&c, "unknown flag");
            goto out;
        } else {
            c.files[c.nfiles++] = a;
        }
    }
    int is_export = !strcmp(c.cmd, "export");
    if (c.db && c.endpoint) {
        rc = usage(&c, "--db and --endpoint: one or the other");
        goto out;
    }
    if (c.format && strcmp(c.format, "jsonl") && strcmp(c.format, "batch")) {
        rc = usage(&c, "--format is batch or jsonl");
        goto out;
    }
    if (is_export ? c.nfiles != 0 : c.nfiles == 0) {
        rc = usage(&c, is_export ? "export writes to stdout: no file names"
                                 : "import needs a FILE");
        goto out;
    }
    if (c.config) {
        char *cargv[] = {"crudd", "--config", (char *)(uintptr_t)c.config,
                         NULL};
        have_cfg = 1;
        if (is_export) {
            rc = usage(&c, "--config is for import (its \"tables\")");
            goto out;
        }
        if (config_load(&cfg, 3, cargv, &err) < 0 ||
            seed_check_tables(&cfg, &err) < 0) {
            fprintf(stderr, "crudd import: bad configuration: %s\n", err.msg);
            rc = 2;
            goto out;
        }
    }
    if (c.endpoint) {
        if (parse_endpoint(&c) < 0) {
            rc = usage(&c, "--endpoint is http://HOST:PORT");
            goto out;
        }
        k.host = c.host;
        k.port = c.port;
    } else {
        if (!c.db)
            c.db = "./data/crudd.db";
        if (is_export && access(c.db, F_OK) < 0) {
            fprintf(stderr, "crudd export: %s: no such database file\n", c.db);
            goto out;
        }
        log_set_level(LOG_WARN);
        if (!(store = store_open(c.db, 1, STORE_DURABILITY_FULL, &err))) {
            fprintf(stderr,
                    "crudd %s: %s; to move data in or out of a running "
                    "server, use --endpoint http://HOST:PORT\n",
                    c.cmd, err.msg);
            goto out;
        }
        ddb = ddb_create(store, DDB_AUTH_OPEN, NULL, 0);
        k.ddb = ddb;
    }
    if (is_export) {
        if (export_tables(&k, &c, &err) < 0) {
            fprintf(stderr, "crudd export: %s\n", err.msg);
            goto out;
        }
    } else {
        struct buf notes;
        buf_init(&notes);
        int bad = have_cfg && seed_apply_tables(&cfg, &k, &notes, &err) < 0;
        if (notes.len)
            fputs(notes.data, stderr);
        buf_fini(&notes);
        if (bad) {
            fprintf(stderr, "crudd import: %s\n", err.msg);
            goto out;
        }
        for (size_t i = 0; i < c.nfiles; i++) {
            size_t n = 0;
            if (seed_load_file(&k, c.files[i], c.table, &n, &err) < 0) {
                fprintf(stderr, "crudd import: %s\n", err.msg);
                goto out;
            }
            fprintf(stderr, "crudd import: %s: %zu item%s put\n", c.files[i], n,
                    n == 1 ? "" : "s");
        }
    }
    rc = 0;
out:
    ddb_free(ddb);
    store_close(store);
    free(c.host);
    free(c.port);
    free(c.files);
    if (have_cfg)
        config_fini(&cfg);
    return rc;
}
