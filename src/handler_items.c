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
#define MSG_PRESENT "Precondition failed: the item exists"
#define MSG_ID_MISMATCH "%s in body does not match %s in %s"
#define MSG_BAD_TOKEN "nextToken is invalid"
#define MSG_BAD_LIMIT "limit must be a positive integer"
/* API Gateway's request validator says this for a missing query string */
#define MSG_NO_QUERY "Missing required request parameters: [%s]"
#define MSG_NO_BODY_KEY "Missing required key attribute in request body: %s"
#define MSG_BAD_QUERY "Query parameter %s is not valid UTF-8"
#define MSG_NOT_STRING "%s must be a non-empty string"
/* DynamoDB's words for a key of the wrong type, or an empty one */
#define MSG_KEY_TYPE                                                           \
    "One or more parameter values were invalid: Type mismatch for key %s "     \
    "expected: S actual: %s"
#define MSG_KEY_EMPTY                                                          \
    "One or more parameter values are not valid. The AttributeValue for a "    \
    "key attribute cannot contain an empty string value. Key: %s"
#define MSG_NOT_UPDATABLE "Attribute %s cannot be updated; updatable: %s"

/* What a write decides and what it leaves for the response. */
struct write_ctx {
    json_t *item;              /* the new item (create, put) or patch (patch) */
    int shallow;               /* patch: set each attribute (typed bodies) */
    const char *if_match;      /* If-Match header, or NULL */
    const char *if_none_match; /* If-None-Match header, or NULL */
    json_t *old;               /* out: the item before (new reference) */
    json_t *result;            /* out: the item after (new reference) */
};

static void write_ctx_fini(struct write_ctx *w)
{
    json_decref(w->item);
    json_decref(w->old);
    json_decref(w->result);
}

static int typed(const struct handler_env *env)
{
    return env->body_format == HANDLER_BODY_DYNAMODB;
}

/* ------------------------------------------------------------------ */
/* event → body and key                                                */

/* Parse the body into a typed item, as env's body format says, or set err.
 * New reference or NULL. */
static json_t *read_body(const struct handler_event *ev,
                         const struct handler_env *env, struct err *err)
{
    if (typed(env))
        return handler_items_typed_item(ev->body, ev->body_len, err);
    if (!ev->body) {
        err_set(err, ERR_BAD_REQUEST,
                "Request body is not valid JSON: the body is empty");
        return NULL;
    }
    return attr_item_from_json_text(ev->body, ev->body_len, err);
}

/* Is v (a typed value from a body) a usable string key named name? */
static int check_key_value(const json_t *v, const char *name,
                           const struct handler_env *env, struct err *err)
{
    const char *s = json_string_value(json_object_get(v, "S"));
    const char *type;
    json_t *inner;

    if (s && *s)
        return 0;
    if (!typed(env))
        return err_set(err, ERR_BAD_REQUEST, MSG_NOT_STRING, name);
    if (s)
        return err_set(err, ERR_BAD_REQUEST, MSG_KEY_EMPTY, name);
    json_object_foreach((json_t *)(uintptr_t)v, type, inner) break;
    return err_set(err, ERR_BAD_REQUEST, MSG_KEY_TYPE, name, type);
}

static const char *key_where(const struct handler_env *env)
{
    return env->key_source == HANDLER_KEY_QUERY  ? "query"
           : env->key_source == HANDLER_KEY_BODY ? "body"
                                                 : "path";
}

/*
 * The partition key value ({"S": "..."}, a new reference in *out) that the
 * request names where env->key_source says. body is the parsed body (needed
 * for HANDLER_KEY_BODY). A path without the parameter leaves *out NULL and
 * returns 0 (a collection POST names no item); a missing or bad query
 * parameter or body attribute is -1 with ERR_BAD_REQUEST.
 */
static int request_key(const struct handler_event *ev,
                       const struct handler_env *env, const json_t *body,
                       json_t **out, struct err *err)
{
    const char *name = env->path_param, *s;
    json_t *v;

    *out = NULL;
    switch (env->key_source) {
    case HANDLER_KEY_BODY:
        v = json_object_get(body, name);
        if (!v)
            return err_set(err, ERR_BAD_REQUEST, MSG_NO_BODY_KEY, name);
        if (check_key_value(v, name, env, err) < 0)
            return -1;
        *out = json_incref(v);
        return 0;
    case HANDLER_KEY_QUERY:
        s = handler_query(ev, name);
        if (!s)
            return err_set(err, ERR_BAD_REQUEST, MSG_NO_QUERY, name);
        if (!*s)
            return err_set(err, ERR_BAD_REQUEST, MSG_NOT_STRING, name);
        v = json_string(s);
        if (!v)
            return err_set(err, ERR_BAD_REQUEST, MSG_BAD_QUERY, name);
        break;
    default: {
        /* a REST API hands the function the parameter as sent; like any
         * function it decodes it. A bad escape or a key that is not UTF-8
         * names no item that can exist. */
        char *decoded = handler_param_decoded(ev, name);
        v = decoded ? json_string(decoded) : NULL;
        free(decoded);
        if (!v)
            return 0;
        break;
    }
    }
    *out = json_object();
    json_object_set_new(*out, "S", v);
    return 0;
}

/*
 * Make body's key agree with key_value, the key the request named: the body
 * attribute that carried it (HANDLER_KEY_BODY under a name other than the
 * partition key's) is dropped, and a partition key attribute that differs
 * is 400.
 */
static int reconcile_key(json_t *body, const json_t *key_value,
                         const struct handler_env *env, struct err *err)
{
    const char *pk = env->partition_key;

    if (env->key_source == HANDLER_KEY_BODY && strcmp(env->path_param, pk))
        json_object_del(body, env->path_param);
    json_t *id = json_object_get(body, pk);
    if (id && !json_equal(id, key_value))
        return err_set(err, ERR_BAD_REQUEST, MSG_ID_MISMATCH, pk,
                       env->path_param, key_where(env));
    return 0;
}

/* {pk: key_value}: a new reference. */
static json_t *key_of(const struct handler_env *env, const json_t *key_value)
{
    json_t *key = json_object();

    json_object_set(key, env->partition_key, (json_t *)(uintptr_t)key_value);
    return key;
}

/* Append item, plain or typed as env says. */
static void write_item(struct buf *b, const json_t *item,
                       const struct handler_env *env)
{
    if (!typed(env)) {
        attr_write_plain_item(b, item);
        return;
    }
    /* stored items are already DynamoDB's wire shape, N as canonical text */
    char *text = json_dumps(item, JSON_COMPACT);
    buf_puts(b, text ? text : "null");
    free(text);
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

/* Does the If-None-Match field value match the current item, whose etag
 * is etag ("" when there is none)? "*" matches any item; a listed tag
 * matches by the weak comparison (RFC 9110 §13.1.2, §8.8.3.2). */
static int if_none_match_hit(const char *field, const char *etag)
{
    const char *p = field;
    size_t elen = strlen(etag);

    if (!elen)
        return 0;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return 1;
        if (p[0] == 'W' && p[1] == '/')
            p += 2;
        if (*p != '"') {
            while (*p && *p != ',')
                p++;
            continue;
        }
        const char *q = strchr(p + 1, '"');
        if (!q)
            return 0;
        if ((size_t)(q - p - 1) == elen && memcmp(p + 1, etag, elen) == 0)
            return 1;
        p = q + 1;
    }
    return 0;
}

/* The existence, If-Match and If-None-Match checks every write on an
 * existing item makes, in RFC 9110 §13.2.2's order. */
static int check_current(const struct write_ctx *w, const json_t *old,
                         const char *old_etag, struct err *err)
{
    if (w->if_match && !if_match_ok(w->if_match, old_etag))
        return err_set(err, ERR_PRECONDITION, MSG_STALE);
    if (w->if_none_match && old &&
        if_none_match_hit(w->if_none_match, old_etag))
        return err_set(err, ERR_PRECONDITION, MSG_PRESENT);
    if (!old)
        return err_set(err, ERR_NOT_FOUND, MSG_NOT_FOUND);
    return 0;
}

static void set_etag(struct handler_result *res, const char *etag)
{
    if (etag && etag[0]) {
        char quoted[STORE_ETAG_SIZE + 2];
        size_t n = strnlen(etag, STORE_ETAG_SIZE - 1);
        quoted[0] = '"';
        memcpy(quoted + 1, etag, n);
        memcpy(quoted + 1 + n, "\"", 2);
        handler_set_header(res, "ETag", quoted);
    }
}

/* Answer status with {"message": message, "item": item}, the item plain or
 * typed as env says. */
static int message_with_item(struct handler_result *res, int status,
                             const char *message, const json_t *item,
                             const struct handler_env *env)
{
    struct buf *b = &res->body;

    handler_respond(res, status);
    buf_puts(b, "{\"message\": ");
    buf_json_string(b, message, strlen(message));
    buf_puts(b, ", \"item\": ");
    write_item(b, item, env);
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

/* Percent-encode the string v for a URI path segment (RFC 3986 §2.3
 * unreserved kept); a NUL is data, and becomes %00. */
static void append_segment(struct buf *b, const json_t *v)
{
    static const char hex[] = "0123456789ABCDEF";
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);

    for (size_t i = 0; s && i < n; i++, s++) {
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
    json_t *key = NULL, *named = NULL, *id;
    char etag[STORE_ETAG_SIZE];
    struct buf location;

    buf_init(&location);
    json_t *body = read_body(ev, env, &err);
    if (!body || request_key(ev, env, body, &named, &err) < 0)
        goto fail;
    if (named) {
        if (reconcile_key(body, named, env, &err) < 0)
            goto fail;
        id = json_incref(named);
    } else if ((id = json_object_get(body, env->partition_key))) {
        if (check_key_value(id, env->partition_key, env, &err) < 0)
            goto fail;
        json_incref(id);
    } else {
        char text[37];
        ids_uuid4(text);
        id = json_pack("{s:s}", "S", text);
    }
    /* the key first, then the body's attributes in the order given */
    w.item = key_of(env, id);
    json_decref(id);
    json_object_update_missing(w.item, body);
    key = key_of(env, json_object_get(w.item, env->partition_key));
    if (store_mutate_item(env->store, env->table, key, create_decide, &w, etag,
                          &err) < 0)
        goto fail;

    message_with_item(res, 201, "Item created successfully!", w.item, env);
    /* where the item is, when the API names items by path: the path as the
     * client sent it, so a staged request gets a staged Location */
    if (env->key_source == HANDLER_KEY_PATH) {
        buf_puts(&location, ev->request_path ? ev->request_path : ev->path);
        if (!named) {
            if (location.len == 0 || location.data[location.len - 1] != '/')
                buf_puts(&location, "/");
            append_segment(
                &location,
                json_object_get(json_object_get(w.item, env->partition_key),
                                "S"));
        }
        handler_set_header(res, "Location", location.data);
    }
    set_etag(res, etag);
    goto out;
fail:
    handler_error(res, &err);
out:
    buf_fini(&location);
    json_decref(named);
    json_decref(key);
    json_decref(body);
    write_ctx_fini(&w);
    return 0;
}

/* ------------------------------------------------------------------ */
/* get                                                                 */

/* Append the item whose stored text is text, plain or typed as env says,
 * without parsing it; -1 (res->body as it was) when the text is not what
 * the fast readers take, for the caller to read it again as a tree. */
static int write_item_text(struct buf *b, const struct buf *text,
                           const struct handler_env *env)
{
    if (!typed(env))
        return attr_typed_text_to_plain(b, text->data, text->len);
    /* stored text is json_dumps(item, JSON_COMPACT): write_item's output */
    if (attr_typed_text_check(text->data, text->len) < 0)
        return -1;
    buf_append(b, text->data, text->len);
    return 0;
}

/* Append the item whose stored text is text as write_item would: as the
 * text when the fast readers take it, else as the tree parsed from that
 * same text, so the row is read once. -1 with err when the text is not an
 * item. */
static int write_stored(struct buf *b, const struct buf *text,
                        const struct handler_env *env, struct err *err)
{
    json_t *item;

    if (write_item_text(b, text, env) == 0)
        return 0;
    if (!(item = store_item_parse(text->data, text->len, err)))
        return -1;
    write_item(b, item, env);
    json_decref(item);
    return 0;
}

/*
 * The item a get, put, patch or delete names: its body (read when the
 * operation has one, or when the key is in it), the key value it names and
 * the key object. Returns 0; 1 when the request names no item (res is then
 * the 404); -1 with err. *body, *named and *key are new references (or NULL)
 * the caller releases either way.
 */
static int locate(const struct handler_event *ev, const struct handler_env *env,
                  int has_body, json_t **body, json_t **named, json_t **key,
                  struct handler_result *res, struct err *err)
{
    if ((has_body || env->key_source == HANDLER_KEY_BODY) &&
        !(*body = read_body(ev, env, err)))
        return -1;
    if (request_key(ev, env, *body, named, err) < 0)
        return -1;
    if (!*named) {
        handler_message(res, 404, MSG_NOT_FOUND);
        return 1;
    }
    *key = key_of(env, *named);
    return 0;
}

/*
 * get's common case with no jansson key: the key is the path parameter and
 * plain ASCII (so valid UTF-8, as the general path's json_string checks),
 * and the store reads it as the table's string partition key when that is
 * the table's key (store_get_item_text_s). Returns 1 when res is the
 * answer; 0 (res untouched) when the general path must answer: another key
 * source, or no or a bad or non-ASCII parameter.
 */
static int get_by_path_key(const struct handler_event *ev,
                           const struct handler_env *env,
                           struct handler_result *res)
{
    struct err err = ERR_INIT;
    struct store_item_info info;
    struct buf text;
    char *id;

    if (env->key_source != HANDLER_KEY_PATH ||
        !(id = handler_param_decoded(ev, env->path_param)))
        return 0;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p >= 0x80) {
            free(id);
            return 0;
        }
    buf_init(&text);
    if (store_get_item_text_s(env->store, env->table, env->partition_key, id,
                              strlen(id), &text, &info, &err) < 0) {
        handler_error(res, &err);
    } else if (!info.found) {
        handler_message(res, 404, MSG_NOT_FOUND);
    } else if (write_stored(&res->body, &text, env, &err) < 0) {
        handler_error(res, &err);
    } else {
        handler_respond(res, 200);
        set_etag(res, info.etag);
    }
    buf_fini(&text);
    free(id);
    return 1;
}

int handler_items_get(const struct handler_event *ev,
                      const struct handler_env *env, struct handler_result *res)
{
    struct err err = ERR_INIT;
    json_t *body = NULL, *named = NULL, *key = NULL;
    struct store_item_info info;
    struct buf text;

    if (get_by_path_key(ev, env, res))
        return 0;
    buf_init(&text);
    switch (locate(ev, env, 0, &body, &named, &key, res, &err)) {
    case -1:
        goto fail;
    case 1:
        goto out;
    }
    if (store_get_item_text(env->store, env->table, key, &text, &info, &err) <
        0)
        goto fail;
    if (info.found && write_stored(&res->body, &text, env, &err) < 0)
        goto fail;
    if (!info.found) {
        handler_message(res, 404, MSG_NOT_FOUND);
    } else {
        handler_respond(res, 200);
        set_etag(res, info.etag);
    }
    goto out;
fail:
    handler_error(res, &err);
out:
    buf_fini(&text);
    json_decref(key);
    json_decref(named);
    json_decref(body);
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
        write_item(b, item, env);
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
    if (w->shallow) {
        /* DynamoDB's UpdateItem SET of each given attribute */
        *new_item = json_deep_copy(old);
        json_object_update(*new_item, w->item);
        w->result = json_incref(*new_item);
        return 0;
    }
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

/* An attribute of a partial update that env does not allow, or NULL. */
static const char *not_updatable(const json_t *patch,
                                 const struct handler_env *env)
{
    const char *name;
    json_t *v;

    if (!env->updatable)
        return NULL;
    json_object_foreach((json_t *)(uintptr_t)patch, name, v)
    {
        size_t i = 0;
        /* the key is there only to name the item (reconcile_key) */
        if (!strcmp(name, env->partition_key))
            continue;
        while (i < env->nupdatable && strcmp(name, env->updatable[i]))
            i++;
        if (i == env->nupdatable)
            return name;
    }
    return NULL;
}

static int refuse_attribute(const char *name, const struct handler_env *env,
                            struct err *err)
{
    struct buf list;

    buf_init(&list);
    for (size_t i = 0; i < env->nupdatable; i++)
        buf_printf(&list, "%s%s", i ? ", " : "", env->updatable[i]);
    err_set(err, ERR_BAD_REQUEST, MSG_NOT_UPDATABLE, name,
            list.len ? list.data : "none");
    buf_fini(&list);
    return -1;
}

/* PUT, PATCH and DELETE differ only in the body they take (body_kind: 0
 * none, 1 a whole item, 2 a patch), the decision inside the transaction and
 * the words of the answer. */
static int update(const struct handler_event *ev, const struct handler_env *env,
                  struct handler_result *res, store_mutate_fn *decide,
                  int body_kind, const char *message)
{
    struct err err = ERR_INIT;
    struct write_ctx w = {0};
    json_t *body = NULL, *named = NULL, *key = NULL;
    const char *bad;
    char etag[STORE_ETAG_SIZE];

    switch (locate(ev, env, body_kind, &body, &named, &key, res, &err)) {
    case -1:
        goto fail;
    case 1:
        goto out;
    }
    if (body_kind) {
        if (reconcile_key(body, named, env, &err) < 0)
            goto fail;
        if (body_kind == 2 && (bad = not_updatable(body, env))) {
            refuse_attribute(bad, env, &err);
            goto fail;
        }
        if (body_kind == 1) {
            /* the whole new item, key first */
            w.item = key_of(env, named);
            json_object_update_missing(w.item, body);
        } else {
            w.item = json_incref(body);
            w.shallow = typed(env);
        }
    }
    w.if_match = handler_header(ev, "If-Match");
    w.if_none_match = handler_header(ev, "If-None-Match");
    if (store_mutate_item(env->store, env->table, key, decide, &w, etag, &err) <
        0)
        goto fail;
    if (decide == delete_decide) {
        message_with_item(res, 200, message, w.old, env);
    } else {
        /* the item as this request's transaction wrote it (for PATCH, the
         * merge), not a later read that another writer may have overtaken */
        message_with_item(res, 200, message, w.result, env);
        set_etag(res, etag);
    }
    goto out;
fail:
    handler_error(res, &err);
out:
    json_decref(key);
    json_decref(named);
    json_decref(body);
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
