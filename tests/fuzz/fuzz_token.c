/*
 * fuzz_token — the REST face's page token (static token_decode in
 * src/handler_items.c), driven black-box through the list handler:
 * GET /items?limit=2&nextToken=<input> on a store with a few items.
 *
 * Input: the token text (up to its first NUL, as a decoded query value is a
 * C string). An input starting with '{' is instead taken as the JSON of a
 * start key and wrapped as the server wraps one (Base64url of a version
 * byte, the FNV-1a checksum and the JSON; see token_encode), so that the
 * fuzzer reaches the store's start key checks past the checksum.
 *
 * Properties: nothing crashes or leaks; the answer is 200 or 400, never
 * 500 or 503; a 200's body is JSON, and its nextToken, sent back, is 200.
 */
#include "b64.h"
#include "err.h"
#include "handler.h"
#include "handler_items.h"
#include "store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *store;

static int put_decide(void *ctx, const json_t *old, const char *old_etag,
                      json_t **new_item, struct err *err)
{
    (void)old;
    (void)old_etag;
    (void)err;
    *new_item = json_incref(ctx);
    return 0;
}

static void die(const char *what, const struct err *err)
{
    fprintf(stderr, "fuzz_token fixture: %s: %s\n", what, err->msg);
    abort();
}

/* ":memory:" with ItemsTable (partition key id, S) and four items. */
static void open_store(void)
{
    static const char *const ids[] = {"a", "b b", "c/\xc3\xa9", "d"};
    struct store_key_schema ks = {"id", 'S', NULL, 0};
    struct err err = ERR_INIT;

    store = store_open(":memory:", 1, STORE_DURABILITY_NORMAL, &err);
    if (!store)
        die("store_open", &err);
    if (store_create_table(store, "ItemsTable", &ks, 0, &err) < 0)
        die("store_create_table", &err);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        json_t *item = json_pack("{s:{s:s}, s:{s:s}, s:{s:[{s:b}]}}", "id", "S",
                                 ids[i], "n", "N", "1.5", "l", "L", "BOOL", 1);
        json_t *key = json_pack("{s:{s:s}}", "id", "S", ids[i]);
        if (store_mutate_item(store, "ItemsTable", key, put_decide, item, NULL,
                              &err) < 0)
            die("store_mutate_item", &err);
        json_decref(key);
        json_decref(item);
    }
}

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* A token that checks out, around n bytes of start key JSON. */
static char *wrap(const char *json, size_t n)
{
    unsigned char *raw = malloc(n + 9);
    uint64_t h = fnv1a((const unsigned char *)json, n);

    raw[0] = 1;
    for (int i = 0; i < 8; i++)
        raw[1 + i] = (unsigned char)(h >> (56 - 8 * i));
    memcpy(raw + 9, json, n);
    char *token = b64_encode(raw, n + 9, 1);
    free(raw);
    return token;
}

/* GET /items?limit=2&nextToken=token; the status, and a new nextToken (or
 * NULL) in *next when the status is 200. */
static int list(const char *token, char **next)
{
    struct handler_env env = {store, "ItemsTable", "id", "id"};
    struct handler_kv query[] = {{"limit", "2"}, {"nextToken", token}};
    struct handler_event ev = {0};
    struct handler_result res;
    int status;

    ev.resource = "/items";
    ev.path = "/items";
    ev.method = "GET";
    ev.query = query;
    ev.nquery = 2;
    ev.request_id = "c0ffee00-0000-4000-8000-000000000000";
    ev.stage = "prod";
    ev.request_path = "/prod/items";
    ev.source_ip = "127.0.0.1";
    *next = NULL;
    handler_result_init(&res);
    if (handler_items_list(&ev, &env, &res) != 0)
        abort();
    status = res.status;
    if (status == 200) {
        json_t *body = json_loadb(res.body.data, res.body.len, 0, NULL);
        json_t *t = json_object_get(body, "nextToken");
        if (!json_is_array(json_object_get(body, "items"))) {
            fprintf(stderr, "200 with a bad body: %s\n", res.body.data);
            abort();
        }
        if (json_is_string(t))
            *next = strdup(json_string_value(t));
        json_decref(body);
    }
    handler_result_fini(&res);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *token, *next = NULL;
    int status;

    if (!store)
        open_store();
    memcpy(text, data, size);
    text[size] = '\0';
    token = text[0] == '{' ? wrap(text, size) : strdup(text);

    status = list(token, &next);
    if (status != 200 && status != 400) {
        fprintf(stderr, "nextToken %s: status %d\n", token, status);
        abort();
    }
    if (next) {
        char *after;
        status = list(next, &after);
        if (status != 200) {
            fprintf(stderr, "the server's own nextToken %s: status %d\n", next,
                    status);
            abort();
        }
        free(after);
        free(next);
    }
    free(token);
    free(text);
    return 0;
}
