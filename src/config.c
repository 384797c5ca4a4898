/*
 * config — settings from defaults, file, environment and flags, merged in
 * that order. One table (SETTINGS) names each setting once with its file key,
 * environment variable, flag and help, so the four sources and --help cannot
 * drift apart. Not a validator of the API's semantics beyond its own keys.
 */
#include "config.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { STR, UINT, PORT, LEVEL, DURABILITY, ONOFF };

/* X(field, kind, file key, env var, flag, default, help) */
#define SETTINGS(X)                                                            \
    X(bind, STR, "bind", "CRUDD_BIND", "bind", "127.0.0.1",                    \
      "listen address (0.0.0.0 inside a container)")                           \
    X(port, PORT, "port", "CRUDD_PORT", "port", "3000",                        \
      "listen port; 0 picks a free port")                                      \
    X(db, STR, "db", "CRUDD_DB", "db", "./data/crudd.db",                      \
      "SQLite database file, or :memory:")                                     \
    X(stage, STR, "stage", "CRUDD_STAGE", "stage", "prod",                     \
      "stage name: routes also answer under /STAGE")                           \
    X(log_level, LEVEL, "logLevel", "CRUDD_LOG_LEVEL", "log-level", "info",    \
      "debug, info, warn or error (debug prints each proxy event)")            \
    X(threads, UINT, "threads", "CRUDD_THREADS", "threads", "0",               \
      "worker threads; 0 = one per core")                                      \
    X(write_threads, UINT, "writeThreads", "CRUDD_WRITE_THREADS",              \
      "write-threads", "32",                                                   \
      "threads for requests that may write (all but GET, HEAD, OPTIONS): "     \
      "they wait for a group commit together; 0 = on the HTTP threads")        \
    X(durability, DURABILITY, "durability", "CRUDD_DURABILITY", "durability",  \
      "full",                                                                  \
      "full (survives power loss) or normal (survives a crash; power loss "    \
      "may lose the last writes)")                                             \
    X(group_commit, ONOFF, "groupCommit", "CRUDD_GROUP_COMMIT",                \
      "group-commit", "on",                                                    \
      "on: concurrent writes share one commit; off: one commit per write "     \
      "(a benchmark baseline)")                                                \
    X(max_connections, UINT, "maxConnections", "CRUDD_MAX_CONNECTIONS",        \
      "max-connections", "1000",                                               \
      "open connections at most; one more is answered 503 and closed")         \
    X(max_connections_per_ip, UINT, "maxConnectionsPerIp",                     \
      "CRUDD_MAX_CONNECTIONS_PER_IP", "max-connections-per-ip", "0",           \
      "open connections per client address at most (0 = no limit); one "       \
      "more is answered 503 and closed")                                       \
    X(max_headers, UINT, "maxHeaders", "CRUDD_MAX_HEADERS", "max-headers",     \
      "100", "request header fields at most; more is 431")                     \
    X(max_header_bytes, UINT, "maxHeaderBytes", "CRUDD_MAX_HEADER_BYTES",      \
      "max-header-bytes", "24576",                                             \
      "request line and headers in bytes at most; more is 431")                \
    X(request_timeout_s, UINT, "requestTimeoutSeconds",                        \
      "CRUDD_REQUEST_TIMEOUT_SECONDS", "request-timeout-seconds", "60",        \
      "a request body still arriving after this long closes the connection "   \
      "(0 = no limit)")                                                        \
    X(timeout_s, UINT, "timeoutSeconds", "CRUDD_TIMEOUT_SECONDS",              \
      "timeout-seconds", "30", "idle connection timeout in seconds")           \
    X(max_body, UINT, "maxBodyBytes", "CRUDD_MAX_BODY_BYTES",                  \
      "max-body-bytes", "10485760",                                            \
      "request body cap in bytes; larger is 413 (API Gateway: 10 MB)")         \
    X(health_path, STR, "healthPath", "CRUDD_HEALTH_PATH", "health-path",      \
      "/_crudd/health", "health check path, outside the API's routes")

/* Set one setting from text; 0 or -1 with a message in why. */
static int set_value(struct config *c, const char *field, enum kind kind,
                     const char *text, const char **why)
{
    char *end;
    unsigned long long v;

#define FIELD_PTR(f, k, fk, ev, fl, def, help)                                 \
    if (!strcmp(field, #f))                                                    \
        target = &c->f;
    void *target = NULL;
    SETTINGS(FIELD_PTR)
#undef FIELD_PTR
    switch (kind) {
    case STR:
        if (!*text)
            return *why = "must not be empty", -1;
        free(*(char **)target);
        *(char **)target = xstrdup(text);
        return 0;
    case UINT:
    case PORT:
        errno = 0;
        v = strtoull(text, &end, 10);
        if (!*text || *end || errno || text[0] == '-' ||
            v > (kind == PORT ? 65535ull : UINT_MAX))
            return *why = kind == PORT ? "must be a port number from 0 to "
                                         "65535"
                                       : "must be a non-negative integer",
                   -1;
        if (!strcmp(field, "max_body"))
            c->max_body = (size_t)v;
        else if (kind == PORT)
            c->port = (int)v;
        else
            *(unsigned *)target = (unsigned)v;
        return 0;
    case LEVEL:
        if (log_level_parse(text) < 0)
            return *why = "must be debug, info, warn or error", -1;
        c->log_level = log_level_parse(text);
        return 0;
    case DURABILITY:
        if (!strcmp(text, "full"))
            c->durability = STORE_DURABILITY_FULL;
        else if (!strcmp(text, "normal"))
            c->durability = STORE_DURABILITY_NORMAL;
        else
            return *why = "must be full or normal", -1;
        return 0;
    case ONOFF:
        if (!strcmp(text, "on") || !strcmp(text, "true"))
            *(int *)target = 1;
        else if (!strcmp(text, "off") || !strcmp(text, "false"))
            *(int *)target = 0;
        else
            return *why = "must be on or off", -1;
        return 0;
    }
    return 0;
}

static void set_defaults(struct config *c)
{
    const char *why;
    memset(c, 0, sizeof *c);
#define DEFAULT(f, k, fk, ev, fl, def, help) set_value(c, #f, k, def, &why);
    SETTINGS(DEFAULT)
#undef DEFAULT
}

/* A JSON value from the file as the text set_value takes. */
static int json_text(json_t *v, enum kind kind, char *out, size_t n)
{
    if (kind == ONOFF && json_is_boolean(v)) {
        snprintf(out, n, "%s", json_is_true(v) ? "on" : "off");
        return 0;
    }
    if (kind == STR || kind == ONOFF || kind == LEVEL || kind == DURABILITY) {
        if (!json_is_string(v))
            return -1;
        snprintf(out, n, "%s", json_string_value(v));
        return 0;
    }
    if (!json_is_integer(v))
        return -1;
    snprintf(out, n, "%lld", (long long)json_integer_value(v));
    return 0;
}

static int load_resources(struct config *c, const char *file, json_t *list,
                          struct err *err)
{
    size_t i;
    json_t *r;

    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > CONFIG_MAX_RESOURCES)
        return err_set(err, ERR_CONFIG,
                       "%s: key \"resources\": must be an array of 1 to %d "
                       "resource objects",
                       file, CONFIG_MAX_RESOURCES);
    json_array_foreach(list, i, r)
    {
        const char *path = NULL, *table = NULL, *pk = NULL, *handler = NULL;
        json_error_t jerr;
        if (json_unpack_ex(r, &jerr, JSON_STRICT, "{s:s, s?s, s?s, s?s}",
                           "path", &path, "table", &table, "partitionKey", &pk,
                           "handler", &handler) < 0)
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu]\": %s (a resource is "
                           "{\"path\", \"table\", \"partitionKey\"} or "
                           "{\"path\", \"handler\": \"dynamodb-manager\"})",
                           file, i, jerr.text);
        enum config_handler kind = CONFIG_HANDLER_CRUD;
        if (handler && !strcmp(handler, "dynamodb-manager"))
            kind = CONFIG_HANDLER_MANAGER;
        else if (handler && strcmp(handler, "crud"))
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu].handler\": must be "
                           "\"crud\" or \"dynamodb-manager\"",
                           file, i);
        if (path[0] != '/' || strchr(path, '{') || strlen(path) < 2 ||
            path[strlen(path) - 1] == '/')
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu].path\": must be a path "
                           "like \"/items\" (no trailing '/', no {param})",
                           file, i);
        if (kind == CONFIG_HANDLER_CRUD && (!table || !pk))
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu]\": a CRUD resource "
                           "needs \"table\" and \"partitionKey\"",
                           file, i);
        if (kind == CONFIG_HANDLER_MANAGER && (table || pk))
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu]\": the dynamodb-manager "
                           "takes the table from each request's body; remove "
                           "\"table\" and \"partitionKey\"",
                           file, i);
        if (pk && (!*pk || strpbrk(pk, "{}/")))
            return err_set(err, ERR_CONFIG,
                           "%s: key \"resources[%zu].partitionKey\": must be "
                           "a non-empty attribute name without {, } or /",
                           file, i);
        struct config_resource *cr = &c->resources[i];
        free(cr->path);
        free(cr->table);
        free(cr->partition_key);
        cr->handler = kind;
        cr->path = xstrdup(path);
        cr->table = table ? xstrdup(table) : NULL;
        cr->partition_key = pk ? xstrdup(pk) : NULL;
    }
    c->nresources = (int)json_array_size(list);
    return 0;
}

static int load_file(struct config *c, const char *file, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    const char *key, *why;
    json_t *value;
    int rc = -1;

    if (!root)
        return err_set(err, ERR_CONFIG, "%s:%d:%d: not valid JSON: %s", file,
                       jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        err_set(err, ERR_CONFIG, "%s: must be a JSON object", file);
        goto out;
    }
    json_object_foreach(root, key, value)
    {
        char text[4096];
        int known = 0;
        if (!strcmp(key, "resources")) {
            if (load_resources(c, file, value, err) < 0)
                goto out;
            continue;
        }
        /* keys starting with '_' are comments */
        if (key[0] == '_')
            continue;
#define FROM_FILE(f, k, fk, ev, fl, def, help)                                 \
    if (!strcmp(key, fk)) {                                                    \
        known = 1;                                                             \
        if (json_text(value, k, text, sizeof text) < 0) {                      \
            err_set(err, ERR_CONFIG, "%s: key \"%s\": must be a %s", file,     \
                    key,                                                       \
                    k == ONOFF ? "boolean or \"on\"/\"off\""                   \
                    : k == STR || k == LEVEL || k == DURABILITY ? "string"     \
                                                                : "number");   \
            goto out;                                                          \
        }                                                                      \
        if (set_value(c, #f, k, text, &why) < 0) {                             \
            err_set(err, ERR_CONFIG, "%s: key \"%s\": %s", file, key, why);    \
            goto out;                                                          \
        }                                                                      \
    }
        SETTINGS(FROM_FILE)
#undef FROM_FILE
        if (!known) {
            err_set(err, ERR_CONFIG, "%s: key \"%s\": unknown key", file, key);
            goto out;
        }
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static int load_env(struct config *c, struct err *err)
{
    const char *v, *why;
#define FROM_ENV(f, k, fk, ev, fl, def, help)                                  \
    if ((v = getenv(ev)) && *v && set_value(c, #f, k, v, &why) < 0)            \
        return err_set(err, ERR_CONFIG, "environment variable %s: %s", ev, why);
    SETTINGS(FROM_ENV)
#undef FROM_ENV
    return 0;
}

/* The value of flag "--name value" or "--name=value" at argv[*i]. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i] + 2;
    size_t n = strlen(name);

    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] == '\0' && *i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static int load_flags(struct config *c, int argc, char **argv, struct err *err)
{
    const char *why;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            c->mode = CONFIG_HELP;
            continue;
        }
        if (!strcmp(a, "--version")) {
            c->mode = CONFIG_VERSION;
            continue;
        }
        if (!strcmp(a, "--healthcheck")) {
            c->mode = CONFIG_HEALTHCHECK;
            continue;
        }
        if (strncmp(a, "--", 2) == 0 && flag_value(argc, argv, &i, "config"))
            continue; /* read before the file was loaded */
        int known = 0;
#define FROM_FLAG(f, k, fk, ev, fl, def, help)                                 \
    if (!known && strncmp(a, "--", 2) == 0 &&                                  \
        (v = flag_value(argc, argv, &i, fl))) {                                \
        known = 1;                                                             \
        if (set_value(c, #f, k, v, &why) < 0)                                  \
            return err_set(err, ERR_CONFIG, "flag --%s: %s", fl, why);         \
    }
        SETTINGS(FROM_FLAG)
#undef FROM_FLAG
        if (!known)
            return err_set(err, ERR_CONFIG,
                           "unknown flag or missing value: %s (see --help)", a);
    }
    return 0;
}

/* --config / CRUDD_CONFIG / the default file, or NULL for none. */
static const char *find_file(int argc, char **argv)
{
    const char *f = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strncmp(argv[i], "--", 2) == 0 &&
            (v = flag_value(argc, argv, &i, "config")))
            f = v;
    }
    if (f)
        return f;
    if ((f = getenv("CRUDD_CONFIG")) && *f)
        return f;
    if (access(CONFIG_DEFAULT_FILE, R_OK) == 0)
        return CONFIG_DEFAULT_FILE;
    return NULL;
}

int config_load(struct config *c, int argc, char **argv, struct err *err)
{
    const char *file = find_file(argc, argv);

    set_defaults(c);
    c->resources[0].path = xstrdup("/items");
    c->resources[0].table = xstrdup("ItemsTable");
    c->resources[0].partition_key = xstrdup("id");
    c->nresources = 1;
    if (file) {
        c->file = xstrdup(file);
        if (load_file(c, file, err) < 0)
            return -1;
    }
    if (load_env(c, err) < 0 || load_flags(c, argc, argv, err) < 0)
        return -1;
    if (c->health_path[0] != '/')
        return err_set(err, ERR_CONFIG,
                       "healthPath: must start with '/' (got \"%s\")",
                       c->health_path);
    return 0;
}

void config_fini(struct config *c)
{
    free(c->file);
    free(c->bind);
    free(c->db);
    free(c->stage);
    free(c->health_path);
    for (int i = 0; i < CONFIG_MAX_RESOURCES; i++) {
        free(c->resources[i].path);
        free(c->resources[i].table);
        free(c->resources[i].partition_key);
    }
    memset(c, 0, sizeof *c);
}

void config_usage(FILE *out)
{
    fprintf(out,
            "crudd " CRUDD_VERSION " — API Gateway + Lambda + DynamoDB on one "
            "laptop\n\n"
            "usage: crudd [flags]\n\n"
            "Settings come from defaults < config file < environment < "
            "flags.\n\n"
            "  --config FILE          config file (env CRUDD_CONFIG; "
            "default " CONFIG_DEFAULT_FILE " if present)\n");
#define USAGE(f, k, fk, ev, fl, def, help)                                     \
    fprintf(out,                                                               \
            "  --%-20s %s\n  %-22s   (env %s, file key \"%s\", default "       \
            "%s)\n",                                                           \
            fl " V", help, "", ev, fk, def);
    SETTINGS(USAGE)
#undef USAGE
    fprintf(out,
            "  --healthcheck          ask the server at --bind/--port for "
            "its health path;\n"
            "                         exit 0 if it answers 200 (for "
            "Docker's HEALTHCHECK)\n"
            "  --help                 this text\n"
            "  --version              print the version\n\n"
            "The config file may also declare \"resources\": [{\"path\": "
            "\"/items\", \"table\":\n"
            "\"ItemsTable\", \"partitionKey\": \"id\"}, ...]; each gets the "
            "six routes of the\n"
            "items contract. See README.md.\n");
}
