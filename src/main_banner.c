/*
 * main_banner — the start-up lines that say what this crudd serves, so a
 * newcomer sees at once which file was read, where each route answers and
 * which endpoint the AWS CLI and SDKs take. Not the serving itself.
 */
#include "buf.h"
#include "log.h"
#include "main_impl.h"

#include <jansson.h>
#include <string.h>

/* The host part of a URL a local client can use: a wildcard bind address
 * is reached through loopback. */
static const char *url_host(const char *bind)
{
    if (!strcmp(bind, "0.0.0.0") || !*bind)
        return "127.0.0.1";
    if (!strcmp(bind, "::"))
        return "[::1]";
    return bind;
}

static const char *auth_of(const struct config_route *r)
{
    if (r->auth == CONFIG_AUTH_IAM)
        return r->api_key_required ? "AWS_IAM + API key" : "AWS_IAM";
    return r->api_key_required ? "API key" : "open";
}

static void log_tables(struct store *store)
{
    json_t *names = NULL, *last = NULL;
    struct err err = ERR_INIT;
    struct buf b;
    size_t i;
    json_t *n;

    if (store_list_tables(store, NULL, 0, &names, &last, &err) < 0) {
        log_warn("tables: cannot list them: %s", err.msg);
        return;
    }
    buf_init(&b);
    json_array_foreach(names, i, n)
    {
        buf_puts(&b, i ? ", " : "");
        buf_puts(&b, json_string_value(n));
    }
    log_info("tables: %s", json_array_size(names) ? b.data
                                                  : "none yet (CreateTable "
                                                    "or a route's table "
                                                    "makes them)");
    buf_fini(&b);
    json_decref(names);
    json_decref(last);
}

void main_banner(const struct config *cfg, struct store *store, int port)
{
    char base[300];
    int http_api = cfg->api_type == CONFIG_API_HTTP;
    int root = !strcmp(cfg->stage, "$default");

    snprintf(base, sizeof base, "http://%s:%d", url_host(cfg->bind), port);
    if (cfg->file)
        log_info("config: %s", cfg->file);
    else
        log_info("config: none found (no %s here, no --config): the default "
                 "API",
                 CONFIG_DEFAULT_FILE);
    log_info("API %s (%s API), stage %s: %zu route%s%s", cfg->api_name,
             http_api ? "HTTP" : "REST", cfg->stage, cfg->nroutes,
             cfg->nroutes == 1 ? "" : "s",
             root ? "" : " (each also answers without the stage prefix)");
    for (size_t i = 0; i < cfg->nroutes; i++) {
        const struct config_route *r = &cfg->routes[i];
        log_info("  %-7s %s%s%s%s  %s%s%s  %s", r->method, base,
                 root ? "" : "/", root ? "" : cfg->stage, r->path, r->handler,
                 r->table ? " on " : "", r->table ? r->table : "", auth_of(r));
    }
    log_tables(store);
    log_info(
        "DynamoDB API endpoint: %s (aws dynamodb --endpoint-url %s ...; SDKs: "
        "endpoint_url / AWS_ENDPOINT_URL)",
        base, base);
    log_info("health %s%s, metrics %s%s, OpenAPI %s%s", base, cfg->health_path,
             base, cfg->metrics_path, base, cfg->openapi_path);
}
