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
 * A REST API's CORS is, as the console's Enable CORS leaves it, an OPTIONS
 * method with a mock integration on each path; an HTTP API's is its
 * x-amazon-apigateway-cors. Not the serving of the document (gateway.c) and
 * not crudd's own paths (health, metrics, this document): they are outside
 * the API.
 */
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
 * (stolen; NULL: the Empty model, as API Gateway's export names it). */
static void add_response(json_t *responses, int status, json_t *schema)
{
    char code[8], text[32];

    snprintf(code, sizeof code, "%d", status);
    snprintf(text, sizeof text, "%d response", status);
    json_object_set_new(responses, code,
                        json_pack("{s:s, s:{s:{s:o}}}", "description", text,
                                  "content", "application/json", "schema",
                                  schema ? schema : ref("Empty")));
}

static void add_errors(json_t *responses, const int *statuses)
{
    for (; *statuses; statuses++)
        add_response(responses, *statuses, ref("Error"));
}

/* The schema of one item of route r's table: a named model with its
 * partition key (a string, as crudd's tables have), added to schemas once.
 * DynamoDB-typed bodies get a plain object. New reference. */
static json_t *item_schema(const struct config_route *r, json_t *schemas)
{
    if (r->body_dynamodb || !r->table)
        return json_pack("{s:s}", "type", "object");
    if (!json_object_get(schemas, r->table))
        json_object_set_new(schemas, r->table,
                            json_pack("{s:s, s:[s], s:{s:o}}", "type", "object",
                                      "required", r->partition_key,
                                      "properties", r->partition_key,
                                      string_schema()));
    return ref(r->table);
}

/* {"message": string, "item": the item}, the item handlers' answer. */
static json_t *message_item(const struct config_route *r, json_t *schemas)
{
    return json_pack("{s:s, s:{s:o, s:o}}", "type", "object", "properties",
                     "message", string_schema(), "item",
                     item_schema(r, schemas));
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

/* The request body of r's method, or NULL: the item handlers and the
 * manager read a JSON object; a key from the body makes one for any
 * handler. New reference. */
static json_t *request_body(const struct config_route *r)
{
    const struct function *f = function_named(r->handler);
    json_t *schema;

    if (r->key_from == CONFIG_KEY_BODY && r->key_name &&
        f->id != FUNCTION_CREATE_ITEM)
        schema =
            json_pack("{s:s, s:[s], s:{s:o}}", "type", "object", "required",
                      r->key_name, "properties", r->key_name, string_schema());
    else if (function_has(f, FUNCTION_READS_BODY))
        schema = json_pack("{s:s}", "type", "object");
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
        json_object_set_new(
            json_object_get(rs, "201"), "headers",
            json_pack("{s:{s:o}}", "Location", "schema", string_schema()));
        add_errors(rs, create_errors);
        break;
    case FUNCTION_SHAPE_LIST:
        add_response(rs, 200,
                     json_pack("{s:s, s:[s], s:{s:{s:s, s:o}, s:{s:s}, s:o}}",
                               "type", "object", "required", "items",
                               "properties", "items", "type", "array", "items",
                               item_schema(r, schemas), "count", "type",
                               "integer", "nextToken", string_schema()));
        add_errors(rs, list_errors);
        break;
    case FUNCTION_SHAPE_ITEM:
        add_response(rs, 200, item_schema(r, schemas));
        add_errors(rs, get_errors);
        break;
    case FUNCTION_SHAPE_WRITTEN:
        add_response(rs, 200, message_item(r, schemas));
        add_errors(rs, write_errors);
        break;
    case FUNCTION_SHAPE_DELETED:
        add_response(rs, 200, message_item(r, schemas));
        add_errors(rs, delete_errors);
        break;
    case FUNCTION_SHAPE_STATUS:
        add_response(rs, 200,
                     json_pack("{s:s, s:{s:o}}", "type", "object", "properties",
                               "status", string_schema()));
        break;
    case FUNCTION_SHAPE_FIXED: {
        /* the fixed result's statusCode, when it is a plain integer */
        json_t *code = json_object_get(r->result, "statusCode");
        json_int_t s = json_is_integer(code) ? json_integer_value(code) : 200;
        add_response(rs, s >= 100 && s <= 599 ? (int)s : 200, NULL);
        break;
    }
    case FUNCTION_SHAPE_MANAGER:
        add_response(rs, 200, NULL);
        add_errors(rs, list_errors);
        break;
    case FUNCTION_SHAPE_PLAIN:
        add_response(rs, 200, NULL);
        break;
    }
    if (r->api_key_required || r->auth == CONFIG_AUTH_IAM)
        add_errors(rs, auth_errors);
    return rs;
}

/* One route as an operation. New reference. */
static json_t *operation(const struct gateway *g, const struct config_route *r,
                         json_t *schemas)
{
    json_t *op = json_object();
    json_t *params = json_array();
    char *uri;

    json_object_set_new(op, "summary", json_string(r->handler));
    add_path_parameters(params, r->path);
    if (r->key_from == CONFIG_KEY_QUERY && r->key_name)
        add_parameter(params, r->key_name, "query", 1, string_schema());
    if (function_has(function_named(r->handler), FUNCTION_PAGED)) {
        add_parameter(params, "limit", "query", 0,
                      json_pack("{s:s, s:i}", "type", "integer", "minimum", 1));
        add_parameter(params, "nextToken", "query", 0, string_schema());
    }
    if (json_array_size(params))
        json_object_set_new(op, "parameters", params);
    else
        json_decref(params);
    json_t *body = request_body(r);
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
    if (json_object_size(need))
        json_object_set_new(op, "security", json_pack("[o]", need));
    else
        json_decref(need);
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
static json_t *cors_mock(const struct config *cfg, const char *path)
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
    return json_pack(
        "{s:{s:{s:s, s:o, s:{s:{s:o}}}}, s:{s:s, s:{s:s}, s:s, s:{s:{s:s, "
        "s:o}}}}",
        "responses", "200", "description", "200 response", "headers", headers,
        "content", "application/json", "schema", ref("Empty"),
        "x-amazon-apigateway-integration", "type", "mock", "requestTemplates",
        "application/json", "{\"statusCode\": 200}", "passthroughBehavior",
        "when_no_match", "responses", "default", "statusCode", "200",
        "responseParameters", params);
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
    json_t *schemas =
        json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:[s], s:{s:o}}}", "Empty",
                  "title", "Empty Schema", "type", "object", "Error", "title",
                  "Error Schema", "type", "object", "required", "message",
                  "properties", "message", string_schema());
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
        json_object_set_new(item, key, operation(g, r, schemas));
        keys |= r->api_key_required;
        sigv4 |= r->auth == CONFIG_AUTH_IAM;
    }
    if (cfg->cors.enabled && !g->http_api) {
        const char *path;
        json_t *item;
        json_object_foreach(paths, path, item)
        {
            if (!json_object_get(item, "options"))
                json_object_set_new(item, "options", cors_mock(cfg, path));
        }
    }
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
