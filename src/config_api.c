/*
 * config_api — the API part of the config file: resources and routes (each
 * CRUD resource becomes its six routes here, so the gateway sees only
 * routes), stage variables and throttle, API keys, usage plans, IAM
 * credentials, CORS and binary media types. Checks shapes and references,
 * and each route against what its function asks (function.h's flags); what
 * a function does is the gateway's business.
 */
#include "config_impl.h"
#include "function.h"
#include "route.h"
#include "xalloc.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Routes from "resources" and from "routes", kept apart while loading (the
 * file's key order is free) and joined by config_api_check. */
struct config_loading {
    struct config_route *res, *rt;
    size_t nres, nrt;
    int seen; /* 1 once either key was read */
};

static struct config_loading *loading_of(struct config *c)
{
    if (!c->loading)
        c->loading = xcalloc(1, sizeof *c->loading);
    return c->loading;
}

static int fail(struct err *err, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct err *err, const char *file, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, ERR_CONFIG, "%s: %s", file, msg);
}

static void strings_fini(struct config_strings *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* v: an array of non-empty strings (at most max) into *out. */
static int load_strings(struct config_strings *out, json_t *v, const char *file,
                        const char *key, size_t max, struct err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v) || json_array_size(v) > max)
        return fail(err, file,
                    "key \"%s\": must be an array of at most %zu strings", key,
                    max);
    strings_fini(out);
    out->v = xcalloc(json_array_size(v) + 1, sizeof *out->v);
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e) || !*json_string_value(e))
            return fail(err, file,
                        "key \"%s[%zu]\": must be a non-empty string", key, i);
        out->v[out->n++] = xstrdup(json_string_value(e));
    }
    return 0;
}

static int load_throttle(struct config_throttle *t, json_t *v, const char *file,
                         const char *key, struct err *err)
{
    json_t *rate = NULL;
    json_int_t burst = 0;
    json_error_t jerr;

    if (json_unpack_ex(v, &jerr, JSON_STRICT, "{s:o, s:I}", "rateLimit", &rate,
                       "burstLimit", &burst) < 0)
        return fail(err, file,
                    "key \"%s\": %s (a throttle is {\"rateLimit\": requests "
                    "a second, \"burstLimit\": requests})",
                    key, jerr.text);
    if (!json_is_number(rate) || json_number_value(rate) < 0 ||
        !isfinite(json_number_value(rate)))
        return fail(err, file,
                    "key \"%s.rateLimit\": must be a number of requests a "
                    "second, 0 or more",
                    key);
    if (burst < 0 || burst > 1000000000)
        return fail(err, file,
                    "key \"%s.burstLimit\": must be an integer from 0 to "
                    "1000000000",
                    key);
    t->set = 1;
    t->rate = json_number_value(rate);
    t->burst = (unsigned)burst;
    return 0;
}

static void route_fini(struct config_route *r)
{
    free(r->method);
    free(r->path);
    free(r->handler);
    free(r->table);
    free(r->partition_key);
    free(r->key_name);
    free(r->where);
    strings_fini(&r->updatable);
    json_decref(r->result);
}

static void routes_free(struct config_route *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        route_fini(&v[i]);
    free(v);
}

static struct config_route *push_route(struct config_route **v, size_t *n)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    memset(&(*v)[*n], 0, sizeof **v);
    return &(*v)[(*n)++];
}

/* The options a resource and a route share. */
static int load_access(struct config_route *r, const char *file,
                       const char *where, int api_key_required,
                       const char *auth, const char *body_format,
                       struct err *err)
{
    r->api_key_required = api_key_required;
    if (!auth || !strcmp(auth, "NONE"))
        r->auth = CONFIG_AUTH_NONE;
    else if (!strcmp(auth, "AWS_IAM"))
        r->auth = CONFIG_AUTH_IAM;
    else
        return fail(err, file,
                    "key \"%s.authorizationType\": must be \"NONE\" or "
                    "\"AWS_IAM\"",
                    where);
    if (!body_format || !strcmp(body_format, "json"))
        r->body_dynamodb = 0;
    else if (!strcmp(body_format, "dynamodb"))
        r->body_dynamodb = 1;
    else
        return fail(err, file,
                    "key \"%s.bodyFormat\": must be \"json\" or \"dynamodb\"",
                    where);
    return 0;
}

/* A path prefix or template: starts with '/', no trailing '/'. */
static int path_ok(const char *p)
{
    size_t n = strlen(p);
    return p[0] == '/' && (n == 1 || p[n - 1] != '/') && !strstr(p, "//");
}

static int key_name_ok(const char *k)
{
    return *k && !strpbrk(k, "{}/");
}

static int load_resource(struct config_loading *l, const char *file, size_t i,
                         json_t *r, struct err *err)
{
    const char *path = NULL, *table = NULL, *pk = NULL, *handler = NULL,
               *auth = NULL, *body = NULL;
    int key_req = 0;
    json_error_t jerr;
    char where[64];

    snprintf(where, sizeof where, "resources[%zu]", i);
    if (json_unpack_ex(r, &jerr, JSON_STRICT,
                       "{s:s, s?s, s?s, s?s, s?b, s?s, s?s}", "path", &path,
                       "table", &table, "partitionKey", &pk, "handler",
                       &handler, "apiKeyRequired", &key_req,
                       "authorizationType", &auth, "bodyFormat", &body) < 0)
        return fail(err, file,
                    "key \"%s\": %s (a resource is {\"path\", \"table\", "
                    "\"partitionKey\"} or {\"path\", \"handler\": "
                    "\"dynamodb-manager\"}, with optional \"apiKeyRequired\", "
                    "\"authorizationType\" and \"bodyFormat\")",
                    where, jerr.text);
    int manager = handler && function_named(handler) ==
                                 function_builtin(FUNCTION_DYNAMODB_MANAGER);
    if (handler && !manager && strcmp(handler, "crud"))
        return fail(err, file,
                    "key \"%s.handler\": must be \"crud\" or "
                    "\"dynamodb-manager\"",
                    where);
    if (!path_ok(path) || strchr(path, '{') || !strcmp(path, "/"))
        return fail(err, file,
                    "key \"%s.path\": must be a path like \"/items\" (no "
                    "trailing '/', no {param})",
                    where);
    if (!manager && (!table || !pk))
        return fail(err, file,
                    "key \"%s\": a CRUD resource needs \"table\" and "
                    "\"partitionKey\"",
                    where);
    if (manager && (table || pk))
        return fail(err, file,
                    "key \"%s\": the dynamodb-manager takes the table from "
                    "each request's body; remove \"table\" and "
                    "\"partitionKey\"",
                    where);
    if (pk && !key_name_ok(pk))
        return fail(err, file,
                    "key \"%s.partitionKey\": must be a non-empty attribute "
                    "name without {, } or /",
                    where);
    static const enum function_id fns[6] = {
        FUNCTION_CREATE_ITEM, FUNCTION_LIST_ITEMS,  FUNCTION_GET_ITEM,
        FUNCTION_PUT_ITEM,    FUNCTION_UPDATE_ITEM, FUNCTION_DELETE_ITEM};
    static const char *const methods[6] = {"POST", "GET",   "GET",
                                           "PUT",  "PATCH", "DELETE"};
    for (int j = 0; j < (manager ? 1 : 6); j++) {
        struct config_route *cr = push_route(&l->res, &l->nres);
        cr->where = xstrdup(where);
        if (load_access(cr, file, where, key_req, auth, body, err) < 0)
            return -1;
        if (manager) {
            cr->method = xstrdup("POST");
            cr->path = xstrdup(path);
            cr->handler =
                xstrdup(function_builtin(FUNCTION_DYNAMODB_MANAGER)->name);
            continue;
        }
        cr->method = xstrdup(methods[j]);
        cr->path = j < 2 ? xstrdup(path) : xasprintf("%s/{%s}", path, pk);
        cr->handler = xstrdup(function_builtin(fns[j])->name);
        cr->table = xstrdup(table);
        cr->partition_key = xstrdup(pk);
        cr->key_name = xstrdup(pk);
        cr->key_from = CONFIG_KEY_PATH;
    }
    return 0;
}

static int load_route(struct config_loading *l, const char *file, size_t i,
                      json_t *r, struct err *err)
{
    const char *method = NULL, *path = NULL, *handler = NULL, *table = NULL,
               *pk = NULL, *key_from = NULL, *key_name = NULL, *auth = NULL,
               *body = NULL;
    json_t *updatable = NULL, *result = NULL;
    int key_req = 0;
    json_error_t jerr;
    char where[64], sub[96];

    snprintf(where, sizeof where, "routes[%zu]", i);
    if (json_unpack_ex(r, &jerr, JSON_STRICT,
                       "{s:s, s:s, s:s, s?s, s?s, s?s, s?s, s?o, s?o, s?b, "
                       "s?s, s?s}",
                       "method", &method, "path", &path, "handler", &handler,
                       "table", &table, "partitionKey", &pk, "keyFrom",
                       &key_from, "keyName", &key_name, "updatableAttributes",
                       &updatable, "result", &result, "apiKeyRequired",
                       &key_req, "authorizationType", &auth, "bodyFormat",
                       &body) < 0)
        return fail(err, file,
                    "key \"%s\": %s (a route is {\"method\", \"path\", "
                    "\"handler\", ...}; see README.md)",
                    where, jerr.text);
    static const char *const methods[] = {"GET",    "POST", "PUT",     "PATCH",
                                          "DELETE", "HEAD", "OPTIONS", "ANY"};
    int known = 0;
    for (size_t j = 0; j < sizeof methods / sizeof *methods; j++)
        known |= !strcmp(method, methods[j]);
    if (!known)
        return fail(err, file,
                    "key \"%s.method\": must be GET, POST, PUT, PATCH, "
                    "DELETE, HEAD, OPTIONS or ANY",
                    where);
    if (!path_ok(path))
        return fail(err, file,
                    "key \"%s.path\": must be a path template like "
                    "\"/items/{id}\" (no trailing '/')",
                    where);
    const struct function *fn = function_named(handler);
    if (!fn) {
        char names[256];
        function_names(names, sizeof names);
        return fail(err, file,
                    "key \"%s.handler\": unknown handler \"%s\" (one of "
                    "%s)",
                    where, handler, names);
    }
    int items = function_has(fn, FUNCTION_NEEDS_TABLE);
    if (items && (!table || !pk))
        return fail(err, file,
                    "key \"%s\": handler %s needs \"table\" and "
                    "\"partitionKey\"",
                    where, handler);
    if (!items && (table || pk || key_from || key_name || updatable))
        return fail(err, file,
                    "key \"%s\": handler %s takes no table, partitionKey, "
                    "keyFrom, keyName or updatableAttributes",
                    where, handler);
    if (!!result != function_has(fn, FUNCTION_TAKES_RESULT))
        return fail(err, file,
                    "key \"%s\": \"result\" (the function's fixed proxy "
                    "result) goes with handler respond, and only with it",
                    where);
    if (pk && !key_name_ok(pk))
        return fail(err, file,
                    "key \"%s.partitionKey\": must be a non-empty attribute "
                    "name without {, } or /",
                    where);
    struct config_route *cr = push_route(&l->rt, &l->nrt);
    cr->where = xstrdup(where);
    if (load_access(cr, file, where, key_req, auth, body, err) < 0)
        return -1;
    cr->method = xstrdup(method);
    cr->path = xstrdup(path);
    cr->handler = xstrdup(handler);
    cr->result = json_incref(result);
    if (!items)
        return 0;
    cr->table = xstrdup(table);
    cr->partition_key = xstrdup(pk);
    cr->key_name = xstrdup(key_name ? key_name : pk);
    if (!key_name_ok(cr->key_name))
        return fail(err, file,
                    "key \"%s.keyName\": must be a non-empty name without "
                    "{, } or /",
                    where);
    if (!key_from || !strcmp(key_from, "path"))
        cr->key_from = CONFIG_KEY_PATH;
    else if (!strcmp(key_from, "query"))
        cr->key_from = CONFIG_KEY_QUERY;
    else if (!strcmp(key_from, "body"))
        cr->key_from = CONFIG_KEY_BODY;
    else
        return fail(err, file,
                    "key \"%s.keyFrom\": must be \"path\", \"query\" or "
                    "\"body\"",
                    where);
    if (cr->key_from == CONFIG_KEY_PATH &&
        function_has(fn, FUNCTION_KEY_IN_PATH)) {
        char *param = xasprintf("{%s}", cr->key_name);
        int has = strstr(path, param) != NULL;
        free(param);
        if (!has)
            return fail(err, file,
                        "key \"%s.path\": the key comes from the path, so "
                        "the template needs {%s}",
                        where, cr->key_name);
    }
    if (updatable) {
        snprintf(sub, sizeof sub, "%s.updatableAttributes", where);
        if (!function_has(fn, FUNCTION_TAKES_UPDATABLE))
            return fail(err, file, "key \"%s\": only for update-item", sub);
        if (load_strings(&cr->updatable, updatable, file, sub, 1024, err) < 0)
            return -1;
    }
    return 0;
}

static int load_list(struct config_loading *l, const char *file,
                     const char *key, json_t *v, struct err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v) || json_array_size(v) > CONFIG_MAX_ROUTES / 6)
        return fail(err, file,
                    "key \"%s\": must be an array of at most %d "
                    "objects",
                    key, CONFIG_MAX_ROUTES / 6);
    json_array_foreach(v, i, e)
    {
        int rc = !strcmp(key, "resources") ? load_resource(l, file, i, e, err)
                                           : load_route(l, file, i, e, err);
        if (rc < 0)
            return -1;
    }
    l->seen = 1;
    return 0;
}

static int load_stage_variables(struct config *c, const char *file, json_t *v,
                                struct err *err)
{
    const char *k;
    json_t *e;

    if (!json_is_object(v))
        return fail(err, file,
                    "key \"stageVariables\": must be an object of strings");
    json_object_foreach(v, k, e)
    {
        if (!json_is_string(e))
            return fail(err, file,
                        "key \"stageVariables.%s\": must be a string", k);
        c->stage_variables =
            xrealloc(c->stage_variables,
                     (c->nstage_variables + 1) * sizeof *c->stage_variables);
        c->stage_variables[c->nstage_variables++] =
            (struct config_pair){xstrdup(k), xstrdup(json_string_value(e))};
    }
    return 0;
}

static int load_api_keys(struct config *c, const char *file, json_t *v,
                         struct err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v))
        return fail(err, file,
                    "key \"apiKeys\": must be an array of "
                    "{\"name\", \"value\"} objects");
    json_array_foreach(v, i, e)
    {
        const char *name, *value;
        json_error_t jerr;
        if (json_unpack_ex(e, &jerr, JSON_STRICT, "{s:s, s:s}", "name", &name,
                           "value", &value) < 0)
            return fail(err, file,
                        "key \"apiKeys[%zu]\": %s (an API key is {\"name\", "
                        "\"value\"})",
                        i, jerr.text);
        /* API Gateway: "The value must be at least 20 characters" */
        size_t n = strlen(value);
        if (n < 20 || n > 128)
            return fail(err, file,
                        "key \"apiKeys[%zu].value\": must be 20 to 128 "
                        "characters, as API Gateway requires",
                        i);
        for (size_t j = 0; j < c->napi_keys; j++)
            if (!strcmp(c->api_keys[j].name, name) ||
                !strcmp(c->api_keys[j].value, value))
                return fail(err, file,
                            "key \"apiKeys[%zu]\": name or value repeats "
                            "apiKeys[%zu]",
                            i, j);
        c->api_keys =
            xrealloc(c->api_keys, (c->napi_keys + 1) * sizeof *c->api_keys);
        c->api_keys[c->napi_keys++] =
            (struct config_api_key){xstrdup(name), xstrdup(value)};
    }
    return 0;
}

static int load_usage_plans(struct config *c, const char *file, json_t *v,
                            struct err *err)
{
    size_t i;
    json_t *e;
    char where[64], sub[96];

    if (!json_is_array(v))
        return fail(err, file, "key \"usagePlans\": must be an array");
    json_array_foreach(v, i, e)
    {
        const char *name;
        json_t *keys, *throttle = NULL, *quota = NULL;
        json_error_t jerr;
        snprintf(where, sizeof where, "usagePlans[%zu]", i);
        if (json_unpack_ex(e, &jerr, JSON_STRICT, "{s:s, s:o, s?o, s?o}",
                           "name", &name, "apiKeys", &keys, "throttle",
                           &throttle, "quota", &quota) < 0)
            return fail(err, file,
                        "key \"%s\": %s (a usage plan is {\"name\", "
                        "\"apiKeys\": [names], \"throttle\"?, \"quota\"?})",
                        where, jerr.text);
        c->usage_plans = xrealloc(c->usage_plans, (c->nusage_plans + 1) *
                                                      sizeof *c->usage_plans);
        struct config_usage_plan *p = &c->usage_plans[c->nusage_plans++];
        memset(p, 0, sizeof *p);
        p->name = xstrdup(name);
        snprintf(sub, sizeof sub, "%s.apiKeys", where);
        if (load_strings(&p->api_keys, keys, file, sub, 10000, err) < 0)
            return -1;
        snprintf(sub, sizeof sub, "%s.throttle", where);
        if (throttle &&
            load_throttle(&p->throttle, throttle, file, sub, err) < 0)
            return -1;
        if (!quota)
            continue;
        const char *period;
        json_int_t limit;
        if (json_unpack_ex(quota, &jerr, JSON_STRICT, "{s:I, s:s}", "limit",
                           &limit, "period", &period) < 0)
            return fail(err, file,
                        "key \"%s.quota\": %s (a quota is {\"limit\": "
                        "requests, \"period\": \"DAY\", \"WEEK\" or "
                        "\"MONTH\"})",
                        where, jerr.text);
        if (limit < 0)
            return fail(err, file, "key \"%s.quota.limit\": must be 0 or more",
                        where);
        p->quota_limit = limit;
        if (!strcmp(period, "DAY"))
            p->quota_period = CONFIG_QUOTA_DAY;
        else if (!strcmp(period, "WEEK"))
            p->quota_period = CONFIG_QUOTA_WEEK;
        else if (!strcmp(period, "MONTH"))
            p->quota_period = CONFIG_QUOTA_MONTH;
        else
            return fail(err, file,
                        "key \"%s.quota.period\": must be DAY, WEEK or MONTH",
                        where);
    }
    return 0;
}

static int load_credentials(struct config *c, const char *file, json_t *v,
                            struct err *err)
{
    size_t i;
    json_t *e;

    if (!json_is_array(v))
        return fail(err, file, "key \"credentials\": must be an array");
    json_array_foreach(v, i, e)
    {
        const char *id, *secret;
        json_error_t jerr;
        if (json_unpack_ex(e, &jerr, JSON_STRICT, "{s:s, s:s}", "accessKeyId",
                           &id, "secretAccessKey", &secret) < 0 ||
            !*id || !*secret)
            return fail(err, file,
                        "key \"credentials[%zu]\": must be "
                        "{\"accessKeyId\", \"secretAccessKey\"}, both "
                        "non-empty",
                        i);
        c->credentials = xrealloc(c->credentials, (c->ncredentials + 1) *
                                                      sizeof *c->credentials);
        c->credentials[c->ncredentials++] =
            (struct config_credential){xstrdup(id), xstrdup(secret)};
    }
    return 0;
}

static int load_cors(struct config *c, const char *file, json_t *v,
                     struct err *err)
{
    json_t *origins = NULL, *methods = NULL, *headers = NULL, *expose = NULL;
    int creds = 0;
    json_int_t max_age = -1;
    json_error_t jerr;
    struct config_cors *k = &c->cors;

    if (json_unpack_ex(v, &jerr, JSON_STRICT, "{s?o, s?o, s?o, s?o, s?b, s?I}",
                       "allowOrigins", &origins, "allowMethods", &methods,
                       "allowHeaders", &headers, "exposeHeaders", &expose,
                       "allowCredentials", &creds, "maxAge", &max_age) < 0)
        return fail(err, file,
                    "key \"cors\": %s (keys: allowOrigins, allowMethods, "
                    "allowHeaders, exposeHeaders, allowCredentials, maxAge)",
                    jerr.text);
    if ((origins && load_strings(&k->allow_origins, origins, file,
                                 "cors.allowOrigins", 100, err) < 0) ||
        (methods && load_strings(&k->allow_methods, methods, file,
                                 "cors.allowMethods", 100, err) < 0) ||
        (headers && load_strings(&k->allow_headers, headers, file,
                                 "cors.allowHeaders", 100, err) < 0) ||
        (expose && load_strings(&k->expose_headers, expose, file,
                                "cors.exposeHeaders", 100, err) < 0))
        return -1;
    if (max_age < -1 || max_age > 86400)
        return fail(err, file,
                    "key \"cors.maxAge\": must be 0 to 86400 seconds");
    if (k->allow_origins.n == 0)
        return fail(err, file,
                    "key \"cors.allowOrigins\": name at least one "
                    "origin, or \"*\"");
    for (size_t i = 0; creds && i < k->allow_origins.n; i++)
        if (!strcmp(k->allow_origins.v[i], "*"))
            return fail(err, file,
                        "key \"cors\": allowCredentials true needs explicit "
                        "allowOrigins, not \"*\" (API Gateway refuses it)");
    k->enabled = 1;
    k->allow_credentials = creds;
    k->max_age = (int)max_age;
    return 0;
}

int config_api_load(struct config *c, const char *file, const char *key,
                    json_t *value, struct err *err)
{
    int rc;

    if (!strcmp(key, "resources") || !strcmp(key, "routes"))
        rc = load_list(loading_of(c), file, key, value, err);
    else if (!strcmp(key, "stageVariables"))
        rc = load_stage_variables(c, file, value, err);
    else if (!strcmp(key, "throttle"))
        rc = load_throttle(&c->stage_throttle, value, file, key, err);
    else if (!strcmp(key, "apiKeys"))
        rc = load_api_keys(c, file, value, err);
    else if (!strcmp(key, "usagePlans"))
        rc = load_usage_plans(c, file, value, err);
    else if (!strcmp(key, "credentials"))
        rc = load_credentials(c, file, value, err);
    else if (!strcmp(key, "cors"))
        rc = load_cors(c, file, value, err);
    else if (!strcmp(key, "binaryMediaTypes"))
        rc = load_strings(&c->binary_media_types, value, file, key, 100, err);
    else
        return 0;
    return rc < 0 ? -1 : 1;
}

void config_api_defaults(struct config *c)
{
    struct config_loading *l = loading_of(c);
    json_t *items = json_pack("{s:s, s:s, s:s}", "path", "/items", "table",
                              "ItemsTable", "partitionKey", "id");
    struct err err;

    c->cors.max_age = -1;
    load_resource(l, "defaults", 0, items, &err);
    json_decref(items);
    c->routes = l->res;
    c->nroutes = l->nres;
    l->res = NULL;
    l->nres = 0;
}

int config_api_check(struct config *c, struct err *err)
{
    struct config_loading *l = loading_of(c);
    const char *file = c->file ? c->file : "config";

    if (l->seen) {
        routes_free(c->routes, c->nroutes);
        c->nroutes = l->nres + l->nrt;
        c->routes = xcalloc(c->nroutes + 1, sizeof *c->routes);
        if (l->nres)
            memcpy(c->routes, l->res, l->nres * sizeof *c->routes);
        if (l->nrt)
            memcpy(c->routes + l->nres, l->rt, l->nrt * sizeof *c->routes);
        free(l->res);
        free(l->rt);
        memset(l, 0, sizeof *l);
    } else if (!c->cors.enabled) {
        /* The default API answers CORS for any origin, so that a front end
         * served from another port just works; an API the config declares
         * keeps exactly the CORS it declares, as in the cloud. */
        strings_fini(&c->cors.allow_origins);
        c->cors.allow_origins.v = xcalloc(2, sizeof *c->cors.allow_origins.v);
        c->cors.allow_origins.v[c->cors.allow_origins.n++] = xstrdup("*");
        c->cors.enabled = 1;
    }
    if (c->nroutes == 0)
        return fail(err, file,
                    "key \"resources\"/\"routes\": the API "
                    "declares no route");
    if (c->nroutes > CONFIG_MAX_ROUTES)
        return fail(err, file, "more than %d routes", CONFIG_MAX_ROUTES);
    for (size_t i = 0; i < c->nusage_plans; i++) {
        const struct config_usage_plan *p = &c->usage_plans[i];
        for (size_t j = 0; j < p->api_keys.n; j++) {
            size_t k = 0;
            while (k < c->napi_keys &&
                   strcmp(c->api_keys[k].name, p->api_keys.v[j]))
                k++;
            if (k == c->napi_keys)
                return fail(err, file,
                            "key \"usagePlans[%zu].apiKeys[%zu]\": no API "
                            "key is named \"%s\"",
                            i, j, p->api_keys.v[j]);
            for (size_t q = 0; q < i; q++)
                for (size_t r = 0; r < c->usage_plans[q].api_keys.n; r++)
                    if (!strcmp(c->usage_plans[q].api_keys.v[r],
                                p->api_keys.v[j]))
                        return fail(err, file,
                                    "key \"usagePlans[%zu].apiKeys[%zu]\": "
                                    "key \"%s\" is already in usage plan "
                                    "\"%s\" (a key has one plan per API)",
                                    i, j, p->api_keys.v[j],
                                    c->usage_plans[q].name);
        }
    }
    for (size_t i = 0; i < c->nroutes; i++) {
        const struct config_route *r = &c->routes[i];
        if (r->api_key_required && c->api_type == CONFIG_API_HTTP)
            return fail(err, file,
                        "key \"%s.apiKeyRequired\": an HTTP API has no API "
                        "keys (API Gateway's HTTP APIs do not support them); "
                        "declare a REST API (\"apiType\": \"REST\") to "
                        "require one",
                        r->where);
        if (r->api_key_required && c->napi_keys == 0)
            return fail(err, file,
                        "key \"%s.apiKeyRequired\": the route needs an API "
                        "key, but \"apiKeys\" declares none",
                        r->where);
        if (r->auth == CONFIG_AUTH_IAM && c->ncredentials == 0)
            return fail(err, file,
                        "key \"%s.authorizationType\": AWS_IAM needs "
                        "\"credentials\", and none are declared",
                        r->where);
    }
    /* the templates and duplicates, as the gateway's table will see them:
     * refused here, where the file key is known, before anything opens */
    struct route_table *t = route_table_create();
    struct err rerr;
    int rc = 0;
    for (size_t i = 0; i < c->nroutes && rc == 0; i++) {
        const struct config_route *r = &c->routes[i];
        if (route_add(t, r->method, r->path, r, &rerr) < 0)
            rc = fail(err, file, "key \"%s%s\": %s", r->where,
                      strncmp(rerr.msg, "duplicate", 9) ? ".path" : "",
                      rerr.msg);
    }
    route_table_free(t);
    return rc;
}

void config_api_fini(struct config *c)
{
    struct config_loading *l = loading_of(c);

    routes_free(l->res, l->nres);
    routes_free(l->rt, l->nrt);
    free(l);
    c->loading = NULL;
    routes_free(c->routes, c->nroutes);
    for (size_t i = 0; i < c->nstage_variables; i++) {
        free(c->stage_variables[i].name);
        free(c->stage_variables[i].value);
    }
    free(c->stage_variables);
    for (size_t i = 0; i < c->napi_keys; i++) {
        free(c->api_keys[i].name);
        free(c->api_keys[i].value);
    }
    free(c->api_keys);
    for (size_t i = 0; i < c->nusage_plans; i++) {
        free(c->usage_plans[i].name);
        strings_fini(&c->usage_plans[i].api_keys);
    }
    free(c->usage_plans);
    for (size_t i = 0; i < c->ncredentials; i++) {
        free(c->credentials[i].access_key_id);
        free(c->credentials[i].secret_access_key);
    }
    free(c->credentials);
    strings_fini(&c->cors.allow_origins);
    strings_fini(&c->cors.allow_methods);
    strings_fini(&c->cors.allow_headers);
    strings_fini(&c->cors.expose_headers);
    strings_fini(&c->binary_media_types);
}
