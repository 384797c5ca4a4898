/*
 * gateway_openapi — the configured API as the OpenAPI 3.0.1 document API
 * Gateway exports with its extensions ("Export a REST API from API
 * Gateway", "Export HTTP APIs from API Gateway", "Working with API Gateway
 * extensions to OpenAPI"), so that Postman, Swagger UI or API Gateway's own
 * import can take crudd's API as it is: each route an operation with its
 * path and query parameters, request body, responses, security and an
 * aws_proxy x-amazon-apigateway-integration naming a Lambda function after
 * the route's handler.
 *
 * For generators (openapi-typescript, openapi-generator, Postman) every
 * operation has a stable, unique operationId and says its security (an
 * empty list on an open route), and the bodies are described: an item of a
 * table is an object with its partition key required and any other
 * attribute allowed; the item functions' answers wrap it as crudd sends
 * them ({"message", "item"}, {"items", "count", "nextToken"}).
 *
 * A REST API's CORS is, as the console's Enable CORS leaves it, an OPTIONS
 * method with a mock integration on each path; an HTTP API's is its
 * x-amazon-apigateway-cors. Not the serving of the document (gateway.c) and
 * not crudd's own paths (health, metrics, this document): they are outside
 * the API.
 */
#include "buf.h"
#include "function.h"
#include "gateway_impl.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The account and region of the integration ARNs: AWS's documentation
 * placeholders, so that an import shows plainly what to replace. */
#define LAMBDA_URI                                                             \
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"           \
    "arn:aws:lambda:us-east-1:123456789012:function:%s/invocations"

#define REST_DEFAULT_HEADERS                                                   \
    "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"

static json_t *ref(const char *schema)
{
    char *path = xasprintf("#/components/schemas/%s", schema);
    json_t *r = json_pack("{s:s}", "$ref", path);

    free(path);
    return r;
}

static json_t *string_schema(void)
{
    return json_pack("{s:s}", "type", "string");
}

/* responses[status] = "<status> response" with a JSON body of schema
 * (stolen, not NULL). */
static void add_response(json_t *responses, int status, json_t *schema)
{
    char code[8], text[32];

    snprintf(code, sizeof code, "%d", status);
    snprintf(text, sizeof text, "%d response", status);
    json_object_set_new(responses, code,
                        json_pack("{s:s, s:{s:{s:o}}}", "description", text,
                                  "content", "application/json", "schema",
                                  schema));
}

/* A string header name of responses[status] (added with add_response). */
static void add_header(json_t *responses, int status, const char *name)
{
    char code[8];

    snprintf(code, sizeof code, "%d", status);
    json_t *r = json_object_get(responses, code);
    json_t *headers = json_object_get(r, "headers");
    if (!headers) {
        headers = json_object();
        json_object_set_new(r, "headers", headers);
    }
    json_object_set_new(headers, name,
                        json_pack("{s:o}", "schema", string_schema()));
}

/* Each of statuses (0-terminated) as {"message"}, the Error model (added
 * to schemas when first used). */
static void add_errors(json_t *responses, const int *statuses, json_t *schemas)
{
    if (*statuses && !json_object_get(schemas, "Error"))
        json_object_set_new(schemas, "Error",
                            json_pack("{s:s, s:s, s:[s], s:{s:o}}", "title",
                                      "Error Schema", "type", "object",
                                      "required", "message", "properties",
                                      "message", string_schema()));
    for (; *statuses; statuses++)
        add_response(responses, *statuses, ref("Error"));
}

/* schema (stolen) as the named component base, or base2, base3, ... when
 * that name holds another schema (one table served plain and typed);
 * an equal schema already there is shared. Returns the name (borrowed
 * from schemas). */
static const char *named(json_t *schemas, const char *base, json_t *schema)
{
    for (int n = 1;; n++) {
        char *name = n == 1 ? xstrdup(base) : xasprintf("%s%d", base, n);
        json_t *have = json_object_get(schemas, name);
        if (!have || json_equal(have, schema)) {
            if (!have)
                json_object_set_new(schemas, name, schema);
            else
                json_decref(schema);
            const char *key =
                json_object_iter_key(json_object_iter_at(schemas, name));
            free(name);
            return key;
        }
        free(name);
    }
}

/* A key attribute's value: a non-empty string, or DynamoDB's {"S": ...}. */
static json_t *key_value_schema(const struct config_route *r)
{
    if (r->body_dynamodb)
        return json_pack("{s:s, s:[s], s:{s:{s:s, s:i}}, s:b}", "type",
                         "object", "required", "S", "properties", "S", "type",
                         "string", "minLength", 1, "additionalProperties", 0);
    return json_pack("{s:s, s:i}", "type", "string", "minLength", 1);
}

/* DynamoDB's AttributeValue: an object with exactly one of its types. */
static json_t *attribute_value_schema(void)
{
    json_t *self = ref("AttributeValue");
    json_t *strings =
        json_pack("{s:s, s:{s:s}}", "type", "array", "items", "type", "string");

    return json_pack(
        "{s:s, s:s, s:i, s:i, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, "
        "s:{s:s, s:[b]}, s:{s:s, s:O}, s:{s:s, s:o}, s:O, s:O, s:o}, s:b}",
        "description",
        "A DynamoDB AttributeValue: one of S, N (a number as a string), B "
        "(Base64), BOOL, NULL, M, L, SS, NS, BS",
        "type", "object", "minProperties", 1, "maxProperties", 1, "properties",
        "S", "type", "string", "N", "type", "string", "B", "type", "string",
        "BOOL", "type", "boolean", "NULL", "type", "boolean", "enum", 1, "M",
        "type", "object", "additionalProperties", self, "L", "type", "array",
        "items", self, "SS", strings, "NS", strings, "BS", strings,
        "additionalProperties", 0);
}

/* What an item's other attributes may be: anything (plain JSON) or an
 * AttributeValue (DynamoDB-typed bodies). New reference. */
static json_t *other_attributes(const struct config_route *r, json_t *schemas)
{
    if (!r->body_dynamodb)
        return json_true();
    if (!json_object_get(schemas, "AttributeValue"))
        json_object_set_new(schemas, "AttributeValue",
                            attribute_value_schema());
    return ref("AttributeValue");
}

/* The named schema of one item of route r's table as crudd answers it:
 * its partition key (a string, as crudd's tables have) required, any
 * other attribute allowed. Returns the name (borrowed from schemas). */
static const char *item_name(const struct config_route *r, json_t *schemas)
{
    json_t *s = json_pack("{s:s, s:[s], s:{s:o}, s:o}", "type", "object",
                          "required", r->partition_key, "properties",
                          r->partition_key, key_value_schema(r),
                          "additionalProperties", other_attributes(r, schemas));

    return named(schemas, r->table, s);
}

static json_t *item_schema(const struct config_route *r, json_t *schemas)
{
    return ref(item_name(r, schemas));
}

/* A named schema derived from route r's item (its name + suffix). */
static json_t *item_derived(const struct config_route *r, json_t *schemas,
                            const char *suffix, json_t *schema)
{
    char *base = xasprintf("%s%s", item_name(r, schemas), suffix);
    json_t *out = ref(named(schemas, base, schema));

    free(base);
    return out;
}

/* {"message": string, "item": the item}, the item handlers' answer. */
static json_t *message_item(const struct config_route *r, json_t *schemas)
{
    return item_derived(r, schemas, "Message",
                        json_pack("{s:s, s:[s, s], s:{s:o, s:o}}", "type",
                                  "object", "required", "message", "item",
                                  "properties", "message", string_schema(),
                                  "item", item_schema(r, schemas)));
}

/* {"items": [item], "count": n, "nextToken"?: t}, a page of list-items. */
static json_t *item_page(const struct config_route *r, json_t *schemas)
{
    return item_derived(
        r, schemas, "Page",
        json_pack("{s:s, s:[s, s], s:{s:{s:s, s:o}, s:{s:s, s:i}, s:o}}",
                  "type", "object", "required", "items", "count", "properties",
                  "items", "type", "array", "items", item_schema(r, schemas),
                  "count", "type", "integer", "minimum", 0, "nextToken",
                  string_schema()));
}

/* The item as a request body: the partition key optional (create makes
 * one, put and update take it from the path or query, where it must agree)
 * but for a key from the body, which the body must carry. */
static json_t *item_input(const struct config_route *r, json_t *schemas)
{
    json_t *props = json_pack("{s:o}", r->partition_key, key_value_schema(r));
    json_t *s =
        json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props,
                  "additionalProperties", other_attributes(r, schemas));

    if (r->key_from == CONFIG_KEY_BODY && r->key_name) {
        json_object_set_new(props, r->key_name, key_value_schema(r));
        json_object_set_new(s, "required", json_pack("[s]", r->key_name));
    }
    return item_derived(r, schemas, "Input", s);
}

/* Any JSON object (the event echo answers, DynamoDB's answers). */
static json_t *open_object(void)
{
    return json_pack("{s:s, s:b}", "type", "object", "additionalProperties", 1);
}

static void add_parameter(json_t *params, const char *name, const char *in,
                          int required, json_t *schema)
{
    json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:o}", "name",
                                            name, "in", in, "required",
                                            required, "schema", schema));
}

/* The path parameters of template ("/items/{id}", "/{proxy+}": "proxy",
 * as API Gateway names a greedy one), in order. */
static void add_path_parameters(json_t *params, const char *template)
{
    for (const char *p = strchr(template, '{'); p; p = strchr(p, '{')) {
        const char *end = strchr(p, '}');
        if (!end)
            return;
        size_t n = (size_t)(end - p - 1);
        if (n && p[n] == '+')
            n--;
        char *name = xstrndup(p + 1, n);
        add_parameter(params, name, "path", 1, string_schema());
        free(name);
        p = end;
    }
}

/* The request body of r's method, or NULL: the item handlers read an
 * item (update-item a JSON Merge Patch of one, which has its shape), the
 * manager its {"operation", "tableName", "payload"}; a key from the body
 * makes one for any handler. New reference. */
static json_t *request_body(const struct config_route *r, json_t *schemas)
{
    const struct function *f = function_named(r->handler);
    json_t *schema;

    if (r->table && (function_has(f, FUNCTION_READS_BODY) ||
                     r->key_from == CONFIG_KEY_BODY))
        schema = item_input(r, schemas);
    else if (f->id == FUNCTION_DYNAMODB_MANAGER)
        schema = json_pack(
            "{s:s, s:[s], s:{s:{s:s, s:[s, s, s, s, s, s, s]}, s:o, s:o}, "
            "s:b}",
            "type", "object", "required", "operation", "properties",
            "operation", "type", "string", "enum", "create", "read", "update",
            "delete", "list", "echo", "ping", "tableName", string_schema(),
            "payload", open_object(), "additionalProperties", 1);
    else if (function_has(f, FUNCTION_READS_BODY))
        schema = open_object();
    else
        return NULL;
    return json_pack("{s:{s:{s:o}}, s:b}", "content", "application/json",
                     "schema", schema, "required", 1);
}

/* What r's handler answers, as a REST API's method responses. */
static json_t *responses_of(const struct config_route *r, json_t *schemas)
{
    static const int create_errors[] = {400, 409, 0};
    static const int list_errors[] = {400, 0};
    static const int get_errors[] = {400, 404, 0};
    static const int write_errors[] = {400, 404, 412, 0};
    static const int delete_errors[] = {404, 412, 0};
    static const int auth_errors[] = {403, 0};
    json_t *rs = json_object();

    switch (function_named(r->handler)->shape) {
    case FUNCTION_SHAPE_CREATED:
        add_response(rs, 201, message_item(r, schemas));
        add_header(rs, 201, "Location");
        add_header(rs, 201, "ETag");
        add_errors(rs, create_errors, schemas);
        break;
    case FUNCTION_SHAPE_LIST:
        add_response(rs, 200, item_page(r, schemas));
        add_errors(rs, list_errors, schemas);
        break;
    case FUNCTION_SHAPE_ITEM:
        add_response(rs, 200, item_schema(r, schemas));
        add_header(rs, 200, "ETag");
        add_errors(rs, get_errors, schemas);
        break;
    case FUNCTION_SHAPE_WRITTEN:
        add_response(rs, 200, message_item(r, schemas));
        add_header(rs, 200, "ETag");
        add_errors(rs, write_errors, schemas);
        break;
    case FUNCTION_SHAPE_DELETED:
        add_response(rs, 200, message_item(r, schemas));
        add_errors(rs, delete_errors, schemas);
        break;
    case FUNCTION_SHAPE_STATUS:
        add_response(rs, 200,
                     json_pack("{s:s, s:[s], s:{s:o}}", "type", "object",
                               "required", "status", "properties", "status",
                               string_schema()));
        break;
    case FUNCTION_SHAPE_FIXED: {
        /* the fixed result's statusCode, when it is a plain integer */
        json_t *code = json_object_get(r->result, "statusCode");
        json_int_t s = json_is_integer(code) ? json_integer_value(code) : 200;
        /* its body may be any text: any value */
        add_response(rs, s >= 100 && s <= 599 ? (int)s : 200, json_object());
        break;
    }
    case FUNCTION_SHAPE_MANAGER:
        /* DynamoDB's answer to the operation, "pong" to a ping: any value */
        add_response(rs, 200, json_object());
        add_errors(rs, list_errors, schemas);
        break;
    case FUNCTION_SHAPE_PLAIN:
        /* echo: the event */
        add_response(rs, 200, open_object());
        break;
    }
    if (r->api_key_required || r->auth == CONFIG_AUTH_IAM)
        add_errors(rs, auth_errors, schemas);
    return rs;
}

/* operationIds: a verb and a noun in camelCase, "createItem", "listItems",
 * "getItem" for the items resource. The verb is the item function's
 * (create, get, list, put, update, delete), else the method's ("get",
 * "any", "options"). The noun is the path's literal segments in
 * PascalCase, a segment singular when a {param} follows it (the member of a
 * collection) and, for an item function but list, when it is the last
 * (create makes one member); "Root" when there is none. An RPC-style path,
 * one segment already in lowerCamelCase ("/getCustomerDetails"), is its own
 * operationId. A name taken by an earlier operation gets 2, 3, ... So an id
 * depends only on the config, never on the request. */

static int lower_camel(const char *seg, size_t n)
{
    int upper = 0;

    if (!n || seg[0] < 'a' || seg[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)seg[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9')))
            return 0;
        upper |= c >= 'A' && c <= 'Z';
    }
    return upper;
}

/* seg[0..n) in PascalCase onto b: letters and digits kept, each run after
 * another character capitalized; singular: "ies" to "y", a final "s"
 * dropped but for "ss", "us" and "is" ("address", "status", "analysis"). */
static void append_pascal(struct buf *b, const char *seg, size_t n,
                          int singular)
{
    int cap = 1;
    const char *tail = "";

    if (singular && n > 3 && !strncmp(seg + n - 3, "ies", 3)) {
        n -= 3;
        tail = "y";
    } else if (singular && n > 1 && seg[n - 1] == 's' &&
               !strchr("siu", seg[n - 2])) {
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        char c = seg[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9');
        if (!alnum) {
            cap = 1;
            continue;
        }
        if (cap && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        buf_append(b, &c, 1);
        cap = 0;
    }
    buf_puts(b, tail);
}

/* Nonzero when the rest of a path (after a '/') has a literal segment. */
static int literal_after(const char *p)
{
    while (*p) {
        size_t n = strcspn(p, "/");
        if (n && p[0] != '{')
            return 1;
        p += n + (p[n] == '/');
    }
    return 0;
}

static const char *item_verb(enum function_id id)
{
    switch (id) {
    case FUNCTION_CREATE_ITEM:
        return "create";
    case FUNCTION_GET_ITEM:
        return "get";
    case FUNCTION_LIST_ITEMS:
        return "list";
    case FUNCTION_PUT_ITEM:
        return "put";
    case FUNCTION_UPDATE_ITEM:
        return "update";
    case FUNCTION_DELETE_ITEM:
        return "delete";
    default:
        return NULL;
    }
}

/* The operationId of method ("GET", "ANY", "OPTIONS") on path, invoking f
 * (NULL for the CORS mock), unique in ids (an object of the names taken,
 * to which it is added). Returns a new string. */
static char *operation_id(const char *method, const char *path,
                          const struct function *f, json_t *ids)
{
    const char *verb = f ? item_verb(f->id) : NULL;
    int member = verb && f->id != FUNCTION_LIST_ITEMS;
    const char *p = path + (path[0] == '/');
    size_t n = strcspn(p, "/");
    struct buf b;

    buf_init(&b);
    if (f && !p[n] && lower_camel(p, n)) {
        buf_append(&b, p, n);
    } else {
        if (verb) {
            buf_puts(&b, verb);
        } else {
            for (const char *m = method; *m; m++) {
                char c = (char)(*m | 0x20);
                buf_append(&b, &c, 1);
            }
        }
        size_t start = b.len;
        while (*p) {
            n = strcspn(p, "/");
            const char *next = p + n + (p[n] == '/');
            if (n && p[0] != '{')
                append_pascal(&b, p, n,
                              next[0] == '{' ||
                                  (member && !literal_after(next)));
            p = next;
        }
        if (b.len == start)
            buf_puts(&b, "Root");
    }
    char *base = buf_steal(&b, NULL);
    char *id = xstrdup(base);
    for (int i = 2; json_object_get(ids, id); i++) {
        free(id);
        id = xasprintf("%s%d", base, i);
    }
    json_object_set_new(ids, id, json_true());
    free(base);
    return id;
}

/* One route as an operation. New reference. */
static json_t *operation(const struct gateway *g, const struct config_route *r,
                         json_t *schemas, json_t *ids)
{
    json_t *op = json_object();
    json_t *params = json_array();
    char *uri;

    char *id =
        operation_id(r->method, r->path, function_named(r->handler), ids);
    json_object_set_new(op, "summary", json_string(r->handler));
    json_object_set_new(op, "operationId", json_string(id));
    free(id);
    add_path_parameters(params, r->path);
    if (r->key_from == CONFIG_KEY_QUERY && r->key_name)
        add_parameter(params, r->key_name, "query", 1, string_schema());
    /* the conditions of a write on one item (RFC 9110 §13.1) */
    enum function_id fid = function_named(r->handler)->id;
    if (fid == FUNCTION_PUT_ITEM || fid == FUNCTION_UPDATE_ITEM ||
        fid == FUNCTION_DELETE_ITEM) {
        add_parameter(params, "If-Match", "header", 0, string_schema());
        add_parameter(params, "If-None-Match", "header", 0, string_schema());
    }
    if (function_has(function_named(r->handler), FUNCTION_PAGED)) {
        add_parameter(params, "limit", "query", 0,
                      json_pack("{s:s, s:i}", "type", "integer", "minimum", 1));
        add_parameter(params, "nextToken", "query", 0, string_schema());
    }
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    json_t *body = request_body(r, schemas);
    if (body)
        json_object_set_new(op, "requestBody", body);
    json_object_set_new(op, "responses", responses_of(r, schemas));
    /* both in one requirement: API Gateway asks for the key and the
     * signature together */
    json_t *need = json_object();
    if (r->api_key_required)
        json_object_set_new(need, "api_key", json_array());
    if (r->auth == CONFIG_AUTH_IAM)
        json_object_set_new(need, "sigv4", json_array());
    /* an open route says so: no requirement at all, not "unknown" */
    if (json_object_size(need)) {
        json_object_set_new(op, "security", json_pack("[o]", need));
    } else {
        json_decref(need);
        json_object_set_new(op, "security", json_array());
    }
    uri = xasprintf(LAMBDA_URI, r->handler);
    json_t *in = json_pack("{s:s, s:s, s:s}", "type", "aws_proxy", "httpMethod",
                           "POST", "uri", uri);
    free(uri);
    if (g->http_api) {
        json_object_set_new(in, "payloadFormatVersion", json_string("2.0"));
        json_object_set_new(in, "connectionType", json_string("INTERNET"));
    } else {
        json_object_set_new(in, "passthroughBehavior",
                            json_string("when_no_match"));
    }
    json_object_set_new(op, "x-amazon-apigateway-integration", in);
    return op;
}

static json_t *strings_json(const struct config_strings *s)
{
    json_t *a = json_array();

    for (size_t i = 0; i < s->n; i++)
        json_array_append_new(a, json_string(s->v[i]));
    return a;
}

static char *joined(const struct config_strings *s, const char *quote)
{
    size_t n = 2 * strlen(quote) + 1;

    for (size_t i = 0; i < s->n; i++)
        n += strlen(s->v[i]) + 1;
    char *out = xmalloc(n);
    strcpy(out, quote);
    for (size_t i = 0; i < s->n; i++) {
        if (i)
            strcat(out, ",");
        strcat(out, s->v[i]);
    }
    strcat(out, quote);
    return out;
}

/* The OPTIONS method the console's Enable CORS adds to a REST resource: a
 * mock integration answering 200 with fixed headers. A fixed header holds
 * one origin: "*" when allowed, else the first configured one (crudd
 * itself answers each allowed origin with its own). New reference. */
static json_t *cors_mock(const struct config *cfg, const char *path,
                         json_t *schemas, json_t *ids)
{
    const struct config_cors *c = &cfg->cors;
    json_t *headers = json_object(), *params = json_object();
    char *v, methods[64] = "";
    int star = 0;

    for (size_t i = 0; i < c->allow_origins.n; i++)
        star |= !strcmp(c->allow_origins.v[i], "*");
    v = xasprintf("'%s'", star ? "*" : c->allow_origins.v[0]);
    json_object_set_new(params,
                        "method.response.header.Access-Control-Allow-Origin",
                        json_string(v));
    free(v);
    if (c->allow_methods.n) {
        v = joined(&c->allow_methods, "'");
    } else {
        /* the resource's methods, as the console ticks them */
        static const char *const all[] = {"DELETE", "GET",  "HEAD",
                                          "PATCH",  "POST", "PUT"};
        for (size_t m = 0; m < sizeof all / sizeof *all; m++)
            for (size_t i = 0; i < cfg->nroutes; i++)
                if (!strcmp(cfg->routes[i].path, path) &&
                    (!strcmp(cfg->routes[i].method, all[m]) ||
                     !strcmp(cfg->routes[i].method, "ANY"))) {
                    strcat(methods, all[m]);
                    strcat(methods, ",");
                    break;
                }
        v = xasprintf("'%sOPTIONS'", methods);
    }
    json_object_set_new(params,
                        "method.response.header.Access-Control-Allow-Methods",
                        json_string(v));
    free(v);
    v = c->allow_headers.n ? joined(&c->allow_headers, "'")
                           : xstrdup("'" REST_DEFAULT_HEADERS "'");
    json_object_set_new(params,
                        "method.response.header.Access-Control-Allow-Headers",
                        json_string(v));
    free(v);
    if (c->allow_credentials)
        json_object_set_new(
            params, "method.response.header.Access-Control-Allow-Credentials",
            json_string("'true'"));
    if (c->max_age >= 0) {
        v = xasprintf("'%d'", c->max_age);
        json_object_set_new(params,
                            "method.response.header.Access-Control-Max-Age",
                            json_string(v));
        free(v);
    }
    const char *name;
    json_t *value;
    json_object_foreach(params, name, value)
    {
        (void)value;
        json_object_set_new(headers, name + strlen("method.response.header."),
                            json_pack("{s:o}", "schema", string_schema()));
    }
    json_t *mock = json_pack(
        "{s:{s:{s:s, s:o, s:{s:{s:o}}}}, s:{s:s, s:{s:s}, s:s, s:{s:{s:s, "
        "s:o}}}}",
        "responses", "200", "description", "200 response", "headers", headers,
        "content", "application/json", "schema", ref("Empty"),
        "x-amazon-apigateway-integration", "type", "mock", "requestTemplates",
        "application/json", "{\"statusCode\": 200}", "passthroughBehavior",
        "when_no_match", "responses", "default", "statusCode", "200",
        "responseParameters", params);
    if (!json_object_get(schemas, "Empty"))
        json_object_set_new(
            schemas, "Empty",
            json_pack("{s:s, s:s}", "title", "Empty Schema", "type", "object"));
    /* a preflight is never authorized: open, as every operation says */
    char *id = operation_id("OPTIONS", path, NULL, ids);
    json_object_set_new(mock, "summary", json_string("CORS preflight"));
    json_object_set_new(mock, "operationId", json_string(id));
    free(id);
    json_t *path_params = json_array();
    add_path_parameters(path_params, path);
    if (json_array_size(path_params))
        json_object_set_new(mock, "parameters", path_params);
    else
        json_decref(path_params);
    json_object_set_new(mock, "security", json_array());
    return mock;
}

/* The HTTP API's corsConfiguration, with only what is configured. */
static json_t *cors_configuration(const struct config_cors *c)
{
    json_t *o = json_object();

    json_object_set_new(o, "allowOrigins", strings_json(&c->allow_origins));
    if (c->allow_methods.n)
        json_object_set_new(o, "allowMethods", strings_json(&c->allow_methods));
    if (c->allow_headers.n)
        json_object_set_new(o, "allowHeaders", strings_json(&c->allow_headers));
    if (c->expose_headers.n)
        json_object_set_new(o, "exposeHeaders",
                            strings_json(&c->expose_headers));
    json_object_set_new(o, "allowCredentials",
                        json_boolean(c->allow_credentials));
    if (c->max_age >= 0)
        json_object_set_new(o, "maxAge", json_integer(c->max_age));
    return o;
}

/* servers: where crudd answers, the stage as API Gateway's export writes
 * it, a basePath variable (its default without the leading '/', so that
 * the URL has no "//"); the $default stage has none. host ("127.0.0.1:3000")
 * or NULL: then the URL is relative, which OpenAPI resolves against where
 * this document was fetched from, crudd itself. */
static json_t *servers(const struct gateway *g, const char *host)
{
    char *url;
    json_t *server;

    if (g->stage_prefix)
        url = host ? xasprintf("http://%s/{basePath}", host)
                   : xstrdup("/{basePath}");
    else
        url = host ? xasprintf("http://%s", host) : xstrdup("/");
    server = json_pack("{s:s}", "url", url);
    free(url);
    if (g->stage_prefix)
        json_object_set_new(
            server, "variables",
            json_pack("{s:{s:s}}", "basePath", "default", g->stage_prefix + 1));
    return json_pack("[o]", server);
}

/* The document for host (see servers). New reference. */
static json_t *document(const struct gateway *g, const char *host)
{
    const struct config *cfg = g->cfg;
    json_t *paths = json_object();
    json_t *schemas = json_object(); /* the models, as first used */
    json_t *ids = json_object();     /* the operationIds taken */
    int keys = 0, sigv4 = 0;

    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct config_route *r = &cfg->routes[i];
        json_t *item = json_object_get(paths, r->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, r->path, item);
        }
        const char *key = "x-amazon-apigateway-any-method";
        char method[16];
        if (strcmp(r->method, "ANY")) {
            size_t n = 0;
            for (; r->method[n] && n < sizeof method - 1; n++)
                method[n] = (char)(r->method[n] | 0x20);
            method[n] = '\0';
            key = method;
        }
        json_object_set_new(item, key, operation(g, r, schemas, ids));
        keys |= r->api_key_required;
        sigv4 |= r->auth == CONFIG_AUTH_IAM;
    }
    if (cfg->cors.enabled && !g->http_api) {
        const char *path;
        json_t *item;
        json_object_foreach(paths, path, item)
        {
            if (!json_object_get(item, "options"))
                json_object_set_new(item, "options",
                                    cors_mock(cfg, path, schemas, ids));
        }
    }
    json_decref(ids);
    json_t *doc =
        json_pack("{s:s, s:{s:s, s:s}, s:o, s:o}", "openapi", "3.0.1", "info",
                  "title", cfg->api_name, "version", CRUDD_VERSION, "servers",
                  servers(g, host), "paths", paths);
    json_t *components = json_pack("{s:o}", "schemas", schemas);
    json_t *schemes = json_object();
    if (keys)
        json_object_set_new(schemes, "api_key",
                            json_pack("{s:s, s:s, s:s}", "type", "apiKey",
                                      "name", "x-api-key", "in", "header"));
    if (sigv4)
        json_object_set_new(schemes, "sigv4",
                            json_pack("{s:s, s:s, s:s, s:s}", "type", "apiKey",
                                      "name", "Authorization", "in", "header",
                                      "x-amazon-apigateway-authtype",
                                      "awsSigv4"));
    if (json_object_size(schemes))
        json_object_set_new(components, "securitySchemes", schemes);
    else
        json_decref(schemes);
    json_object_set_new(doc, "components", components);
    if (g->http_api) {
        json_object_set_new(doc, "x-amazon-apigateway-importexport-version",
                            json_string("1.0"));
        if (cfg->cors.enabled)
            json_object_set_new(doc, "x-amazon-apigateway-cors",
                                cors_configuration(&cfg->cors));
    }
    if (cfg->binary_media_types.n)
        json_object_set_new(doc, "x-amazon-apigateway-binary-media-types",
                            strings_json(&cfg->binary_media_types));
    if (cfg->napi_keys)
        json_object_set_new(doc, "x-amazon-apigateway-api-key-source",
                            json_string("HEADER"));
    return doc;
}

/* A Host header fit to put in a URL: host[:port], at most 255 characters
 * of letters, digits and . : - [ ] (RFC 3986's reg-name and IP literals,
 * without the rarely used rest). */
static int plain_host(const char *h)
{
    size_t n = h ? strlen(h) : 0;

    if (n == 0 || n > 255)
        return 0;
    return strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789.:-[]") == n;
}

char *gateway_openapi(const struct gateway *g, const char *request_host,
                      size_t *len)
{
    const struct config *cfg = g->cfg;
    char *host = NULL;

    /* where the client reached crudd (right behind a container's port
     * mapping); else the configured address; a free port (0) is known only
     * to http, so the URL is then relative to this document's own */
    if (plain_host(request_host)) {
        host = xstrdup(request_host);
    } else if (cfg->port) {
        const char *b = cfg->bind;
        if (!strcmp(b, "0.0.0.0") || !strcmp(b, "::"))
            b = "localhost";
        host = strchr(b, ':') ? xasprintf("[%s]:%d", b, cfg->port)
                              : xasprintf("%s:%d", b, cfg->port);
    }
    json_t *doc = document(g, host);
    char *text = json_dumps(doc, JSON_INDENT(2));
    json_decref(doc);
    free(host);
    if (!text) {
        fputs("out of memory\n", stderr);
        abort();
    }
    *len = strlen(text);
    return text;
}
