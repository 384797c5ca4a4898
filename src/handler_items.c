/*
 * handler_items — the CRUD "Lambda functions" over one table with a string
 * partition key. Each parses its event, asks the store, and shapes the
 * answer; all conditions (exists, not exists, If-Match) are decided inside
 * the store's write transaction through a store_mutate_fn, never by a read
 * followed by a separate write. Not HTTP: it sees only proxy events.
 */
#include "handler_items.h"
#include "attr.h"
#include "b64.h"
#include "buf.h"
#include "ids.h"
#include "store.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MSG_NOT_FOUND "Item not found"
#define MSG_EXISTS "Item already exists"
#define MSG_STALE "Precondition failed: the item has changed"
#define MSG_ID_MISMATCH "%s in body does not match %s in path"
#define MSG_BAD_TOKEN "nextToken is invalid"
#define MSG_BAD_LIMIT "limit must be a positive integer"

/* What a write decides and what it leaves for the response. */
struct write_ctx {
    json_t *item;         /* the new item (create, put) or patch (patch) */
    const char *if_match; /* If-Match header, or NULL */
    json_t *old;          /* out: the item before (new reference) */
    json_t *result;       /* out: the item after (new reference) */
};

static void write_ctx_fini(struct write_ctx *w)
{
    json_decref(w->item);
    json_decref(w->old);
    json_decref(w->result);
}

/* ------------------------------------------------------------------ */
/* event → key                                                         */

/* The key object {pk: {"S": value}} for the item named in the path. */
static json_t *path_key(const struct handler_event *ev,
                        const struct handler_env *env)
{
    const char *id = handler_param(ev, env->path_param);
    json_t *s = id ? json_string(id) : NULL;

    if (!s)
        return NULL;
    json_t *value = json_object(), *key = json_object();
    json_object_set_new(value, "S", s);
    json_object_set_new(key, env->partition_key, value);
    return key;
}

/* Parse the body into a typed item, or set err. New reference or NULL. */
static json_t *body_item(const struct handler_event *ev, struct err *err)
{
    if (!ev->body) {
        err_set(err, ERR_BAD_REQUEST,
                "Request body is not valid JSON: the body is empty");
        return NULL;
    }
    return attr_item_from_json_text(ev->body, ev->body_len, err);
}

/* ------------------------------------------------------------------ */
/* ETag and If-Match (RFC 9110 §8.8.3, §13.1.1)                       */

/* Does the If-Match field value match the current strong etag? */
static int if_match_ok(const char *field, const char *etag)
{
    const char *p = field;
    size_t elen = strlen(etag);

    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return etag[0] != '\0';
        if (*p == '"') {
            const char *q = strchr(p + 1, '"');
            if (!q)
                return 0;
            if ((size_t)(q - p - 1) == elen && elen &&
                memcmp(p + 1, etag, elen) == 0)
                return 1;
            p = q + 1;
        } else {
            /* a weak tag (W/"...") never matches for If-Match; skip it */
            while (*p && *p != ',')
                p++;
        }
    }
    return 0;
}

/* The existence and If-Match checks every write on an existing item makes. */
static int check_current(const struct write_ctx *w, const json_t *old,
                         const char *old_etag, struct err *err)
{
    if (w->if_match && !if_match_ok(w->if_match, old_etag))
        return err_set(err, ERR_PRECONDITION, MSG_STALE);
    if (!old)
        return err_set(err, ERR_NOT_FOUND, MSG_NOT_FOUND);
    return 0;
}

static void set_etag(struct handler_result *res, const char *etag)
{
    if (etag && etag[0]) {
        char quoted[STORE_ETAG_SIZE + 2];
        snprintf(quoted, sizeof quoted, "\"%s\"", etag);
        handler_set_header(res, "ETag", quoted);
    }
}

/* Answer status with {"message": message, "item": plain item}. */
static int message_with_item(struct handler_result *res, int status,
                             const char *message, const json_t *item)
{
    struct buf *b = &res->body;

    handler_respond(res, status);
    buf_puts(b, "{\"message\": ");
    buf_json_string(b, message, strlen(message));
    buf_puts(b, ", \"item\": ");
    attr_write_plain_item(b, item);
    buf_puts(b, "}");
    return 0;
}

/* ------------------------------------------------------------------ */
/* create                                                              */

static int create_decide(void *ctx, const json_t *old, const char *old_etag,
                         json_t **new_item, struct err *err)
{
    struct write_ctx *w = ctx;

    (void)old_etag;
    if (old)
        return err_set(err, ERR_CONFLICT, MSG_EXISTS);
    *new_item = json_incref(w->item);
    return 0;
}

/* Percent-encode s for a URI path segment (RFC 3986 §2.3 unreserved kept). */
static void append_segment(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            buf_append(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

int handler_items_create(const struct handler_event *ev,
                         const struct handler_env *env,
                         struct handler_result *res)
{
    struct err err = ERR_INIT;
    struct write_ctx w = {0};
    json_t *key = NULL;
    char etag[STORE_ETAG_SIZE];
    struct buf location;

    buf_init(&location);
    json_t *body = body_item(ev, &err);
    if (!body)
        goto fail;
    json_t *id = json_object_get(body, env->partition_key);
    const char *id_s = json_string_value(json_object_get(id, "S"));
    if (id && (!id_s || !*id_s)) {
        err_set(&err, ERR_BAD_REQUEST, "%s must be a non-empty string",
                env->partition_key);
        goto fail;
    }
    /* the key first, then the body's attributes in the order given */
    w.item = json_object();
    if (id) {
        json_object_set(w.item, env->partition_key, id);
    } else {
        char text[37];
        json_t *v = json_object();
        ids_uuid4(text);
        json_object_set_new(v, "S", json_string(text));
        json_object_set_new(w.item, env->partition_key, v);
    }
    json_object_update(w.item, body);
    key = json_object();
    json_object_set(key, env->partition_key,
                    json_object_get(w.item, env->partition_key));
    if (store_mutate_item(env->store, env->table, key, create_decide, &w, etag,
                          &err) < 0)
        goto fail;

    /* the path as the client sent it, so a staged request gets a staged
     * Location */
    buf_puts(&location, ev->request_path ? ev->request_path : ev->path);
    if (location.len == 0 || location.data[location.len - 1] != '/')
        buf_puts(&location, "/");
    append_segment(&location,
                   json_string_value(json_object_get(
                       json_object_get(w.item, env->partition_key), "S")));
    message_with_item(res, 201, "Item created successfully!", w.item);
    handler_set_header(res, "Location", location.data);
    set_etag(res, etag);
    goto out;
fail:
    handler_error(res, &err);
out:
    buf_fini(&location);
    json_decref(key);
    json_decref(body);
    write_ctx_fini(&w);
    return 0;
}

/* ------------------------------------------------------------------ */
/* get                                                                 */

int handler_items_get(const struct handler_event *ev,
                      const struct handler_env *env, struct handler_result *res)
{
    struct err err = ERR_INIT;
    json_t *key = path_key(ev, env), *item = NULL;
    char etag[STORE_ETAG_SIZE];

    if (!key)
        return handler_message(res, 404, MSG_NOT_FOUND);
    if (store_get_item(env->store, env->table, key, &item, etag, &err) < 0) {
        handler_error(res, &err);
    } else if (!item) {
        handler_message(res, 404, MSG_NOT_FOUND);
    } else {
        handler_respond(res, 200);
        set_etag(res, etag);
        attr_write_plain_item(&res->body, item);
    }
    json_decref(item);
    json_decref(key);
    return 0;
}

/* ------------------------------------------------------------------ */
/* list                                                                */

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

/*
 * A page token: Base64url of a version byte, an 8-byte checksum and the
 * compact JSON of the last key. The checksum is not a secret: a forged token
 * can only name another start key, which DynamoDB's ExclusiveStartKey allows
 * anyway; it exists so that a damaged token is refused, not misread.
 */
static char *token_encode(const json_t *last_key)
{
    char *text = json_dumps(last_key, JSON_COMPACT);
    size_t n = strlen(text);
    unsigned char *raw = xmalloc(n + 9);
    uint64_t h = fnv1a((unsigned char *)text, n);

    raw[0] = 1;
    for (int i = 0; i < 8; i++)
        raw[1 + i] = (unsigned char)(h >> (56 - 8 * i));
    memcpy(raw + 9, text, n);
    char *token = b64_encode(raw, n + 9, 1);
    free(raw);
    free(text);
    return token;
}

/* The key in a token, a new reference; NULL if the token does not check. */
static json_t *token_decode(const char *token)
{
    size_t n;
    unsigned char *raw = b64_decode(token, strlen(token), &n);
    json_t *key = NULL;
    uint64_t h = 0;

    if (!raw || n < 10 || raw[0] != 1)
        goto out;
    for (int i = 0; i < 8; i++)
        h = h << 8 | raw[1 + i];
    if (h != fnv1a(raw + 9, n - 9))
        goto out;
    key = json_loadb((char *)raw + 9, n - 9, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(key)) {
        json_decref(key);
        key = NULL;
    }
out:
    free(raw);
    return key;
}

/* ?limit=N: a positive integer; 0 when absent. -1 when bad. */
static long long parse_limit(const char *s)
{
    char *end;

    if (!s)
        return 0;
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 1 || v > INT32_MAX)
        return -1;
    return v;
}

int handler_items_list(const struct handler_event *ev,
                       const struct handler_env *env,
                       struct handler_result *res)
{
    struct err err = ERR_INIT;
    const char *limit_s = handler_query(ev, "limit");
    const char *token = handler_query(ev, "nextToken");
    json_t *start = NULL, *items = NULL, *last = NULL, *item;
    long long limit = parse_limit(limit_s);
    size_t i;

    if (limit < 0)
        return handler_message(res, 400, MSG_BAD_LIMIT);
    if (token && !(start = token_decode(token)))
        return handler_message(res, 400, MSG_BAD_TOKEN);
    if (store_scan(env->store, env->table, start, (size_t)limit, &items, &last,
                   &err) < 0) {
        /* a start key the table's schema refuses came from a bad token */
        if (start && err.kind == ERR_BAD_REQUEST)
            handler_message(res, 400, MSG_BAD_TOKEN);
        else
            handler_error(res, &err);
        goto out;
    }
    struct buf *b = &res->body;
    handler_respond(res, 200);
    buf_puts(b, "{\"items\": [");
    json_array_foreach(items, i, item)
    {
        if (i)
            buf_puts(b, ", ");
        attr_write_plain_item(b, item);
    }
    buf_printf(b, "], \"count\": %zu", json_array_size(items));
    if (last) {
        char *t = token_encode(last);
        buf_printf(b, ", \"nextToken\": \"%s\"", t);
        free(t);
    }
    buf_puts(b, "}");
out:
    json_decref(start);
    json_decref(items);
    json_decref(last);
    return 0;
}

/* ------------------------------------------------------------------ */
/* put, patch, delete                                                  */

static int put_decide(void *ctx, const json_t *old, const char *old_etag,
                      json_t **new_item, struct err *err)
{
    struct write_ctx *w = ctx;

    if (check_current(w, old, old_etag, err) < 0)
        return -1;
    w->old = json_deep_copy(old);
    *new_item = json_incref(w->item);
    w->result = json_incref(*new_item);
    return 0;
}

/* RFC 7396 MergePatch on typed values: {"NULL": true} in the patch removes,
 * an M merges into an M, anything else replaces. Returns a new reference. */
static json_t *merge_patch(const json_t *target, const json_t *patch)
{
    json_t *m = json_object_get(patch, "M");
    if (!m)
        return json_deep_copy(patch);
    json_t *t = json_object_get(target, "M");
    json_t *out = t ? json_deep_copy(t) : json_object();
    const char *name;
    json_t *value;
    json_object_foreach(m, name, value)
    {
        if (json_object_get(value, "NULL")) {
            json_object_del(out, name);
            continue;
        }
        json_object_set_new(out, name,
                            merge_patch(json_object_get(out, name), value));
    }
    return json_pack("{s:o}", "M", out);
}

static int patch_decide(void *ctx, const json_t *old, const char *old_etag,
                        json_t **new_item, struct err *err)
{
    struct write_ctx *w = ctx;

    if (check_current(w, old, old_etag, err) < 0)
        return -1;
    w->old = json_deep_copy(old);
    json_t *wrapped_old = json_pack("{s:O}", "M", old);
    json_t *wrapped_patch = json_pack("{s:O}", "M", w->item);
    json_t *merged = merge_patch(wrapped_old, wrapped_patch);
    *new_item = json_incref(json_object_get(merged, "M"));
    w->result = json_incref(*new_item);
    json_decref(merged);
    json_decref(wrapped_old);
    json_decref(wrapped_patch);
    return 0;
}

static int delete_decide(void *ctx, const json_t *old, const char *old_etag,
                         json_t **new_item, struct err *err)
{
    struct write_ctx *w = ctx;

    if (check_current(w, old, old_etag, err) < 0)
        return -1;
    w->old = json_deep_copy(old);
    *new_item = NULL;
    return 0;
}

/* The body of a PUT or PATCH, its key checked against the path. For PUT the
 * result is the whole new item (key first); for PATCH the patch itself. */
static json_t *update_body(const struct handler_event *ev,
                           const struct handler_env *env, const json_t *key,
                           int whole, struct err *err)
{
    json_t *body = body_item(ev, err);
    if (!body)
        return NULL;
    json_t *key_value = json_object_get(key, env->partition_key);
    json_t *id = json_object_get(body, env->partition_key);
    if (id && !json_equal(id, key_value)) {
        err_set(err, ERR_BAD_REQUEST, MSG_ID_MISMATCH, env->partition_key,
                env->partition_key);
        json_decref(body);
        return NULL;
    }
    if (!whole)
        return body;
    json_t *item = json_pack("{s:O}", env->partition_key, key_value);
    json_object_update_missing(item, body);
    json_decref(body);
    return item;
}

/* PUT, PATCH and DELETE differ only in the body they take, the decision
 * inside the transaction and the words of the answer. */
static int update(const struct handler_event *ev, const struct handler_env *env,
                  struct handler_result *res, store_mutate_fn *decide,
                  int body_kind, const char *message)
{
    struct err err = ERR_INIT;
    struct write_ctx w = {0};
    json_t *key = path_key(ev, env);
    char etag[STORE_ETAG_SIZE];

    if (!key)
        return handler_message(res, 404, MSG_NOT_FOUND);
    if (body_kind &&
        !(w.item = update_body(ev, env, key, body_kind == 1, &err)))
        goto fail;
    w.if_match = handler_header(ev, "If-Match");
    if (store_mutate_item(env->store, env->table, key, decide, &w, etag, &err) <
        0)
        goto fail;
    if (decide == delete_decide) {
        message_with_item(res, 200, message, w.old);
    } else {
        /* the item as this request's transaction wrote it (for PATCH, the
         * merge), not a later read that another writer may have overtaken */
        message_with_item(res, 200, message, w.result);
        set_etag(res, etag);
    }
    goto out;
fail:
    handler_error(res, &err);
out:
    json_decref(key);
    write_ctx_fini(&w);
    return 0;
}

int handler_items_put(const struct handler_event *ev,
                      const struct handler_env *env, struct handler_result *res)
{
    return update(ev, env, res, put_decide, 1, "Item updated successfully!");
}

int handler_items_patch(const struct handler_event *ev,
                        const struct handler_env *env,
                        struct handler_result *res)
{
    return update(ev, env, res, patch_decide, 2, "Item updated successfully!");
}

int handler_items_delete(const struct handler_event *ev,
                         const struct handler_env *env,
                         struct handler_result *res)
{
    return update(ev, env, res, delete_decide, 0, "Item deleted successfully!");
}
