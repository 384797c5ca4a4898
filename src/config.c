/*
 * config — settings from defaults, file, environment and flags, merged in
 * that order. One table (SETTINGS) names each setting once with its file key,
 * environment variable, flag and help, so the four sources and --help cannot
 * drift apart. Not a validator of the API's semantics beyond its own keys.
 */
#include "config.h"
#include "config_impl.h"
#include "log.h"
#include "store.h"
#include "xalloc.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind {
    STR,
    UINT,
    PORT,
    LEVEL,
    DURABILITY,
    ONOFF,
    APITYPE,
    LOGFORMAT,
    DDBAUTH, /* auto, sigv4 or none */
    DDBSIG,  /* dynamodbSignatures, the older spelling: on/off */
};

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
      "worker threads; 0 = one per core it may run on (its CPU affinity)")     \
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
      "max-header-bytes", "10240",                                             \
      "request line and headers in bytes at most (API Gateway's quota); "      \
      "more is 431")                                                           \
    X(request_timeout_s, UINT, "requestTimeoutSeconds",                        \
      "CRUDD_REQUEST_TIMEOUT_SECONDS", "request-timeout-seconds", "60",        \
      "a request body still arriving after this long closes the connection "   \
      "(0 = no limit)")                                                        \
    X(header_timeout_s, UINT, "headerTimeoutSeconds",                          \
      "CRUDD_HEADER_TIMEOUT_SECONDS", "header-timeout-seconds", "30",          \
      "a connection that has not sent a whole request head this long after "   \
      "it opened or after its previous answer is closed (slow clients; 0 = "   \
      "no limit)")                                                             \
    X(timeout_s, UINT, "timeoutSeconds", "CRUDD_TIMEOUT_SECONDS",              \
      "timeout-seconds", "30", "idle connection timeout in seconds")           \
    X(max_body, UINT, "maxBodyBytes", "CRUDD_MAX_BODY_BYTES",                  \
      "max-body-bytes", "10485760",                                            \
      "request body cap in bytes; larger is 413 (API Gateway: 10 MB)")         \
    X(health_path, STR, "healthPath", "CRUDD_HEALTH_PATH", "health-path",      \
      "/_crudd/health", "health check path, outside the API's routes")         \
    X(metrics_path, STR, "metricsPath", "CRUDD_METRICS_PATH", "metrics-path",  \
      "/metrics", "Prometheus metrics path, outside the API's routes")         \
    X(openapi_path, STR, "openapiPath", "CRUDD_OPENAPI_PATH", "openapi-path",  \
      "/openapi.json", "OpenAPI 3.0 export path, outside the API's routes")    \
    X(api_name, STR, "apiName", "CRUDD_API_NAME", "api-name", "crudd",         \
      "the API's name (metrics, OpenAPI, access logs)")                        \
    X(api_type, APITYPE, "apiType", "CRUDD_API_TYPE", "api-type", "REST",      \
      "REST (payload 1.0 events) or HTTP (an HTTP API: payload 2.0 events)")   \
    X(access_log_json, LOGFORMAT, "accessLogFormat",                           \
      "CRUDD_ACCESS_LOG_FORMAT", "access-log-format", "clf",                   \
      "access log lines: clf (Common Log Format) or json")                     \
    X(dynamodb_auth, DDBAUTH, "dynamodbAuth", "CRUDD_DYNAMODB_AUTH",           \
      "dynamodb-auth", "auto",                                                 \
      "who may use the DynamoDB API (POST / with X-Amz-Target): auto = as "    \
      "protected as the API (open when no route needs an API key or "          \
      "AWS_IAM; else SigV4 against \"credentials\" and the AWS CLI's own "     \
      "keys, refused when there are none); sigv4 = always SigV4; none = "      \
      "open on purpose, any signature")                                        \
    X(dynamodb_auth, DDBSIG, "dynamodbSignatures",                             \
      "CRUDD_DYNAMODB_SIGNATURES", "dynamodb-signatures", "auto",              \
      "the older spelling of --dynamodb-auth: on = sigv4, off = none")         \
    X(memory_size, UINT, "memorySize", "CRUDD_MEMORY_SIZE", "memory-size",     \
      "128", "the functions' Memory Size in MB, for REPORT lines")

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
    case APITYPE:
        if (!strcmp(text, "REST"))
            c->api_type = CONFIG_API_REST;
        else if (!strcmp(text, "HTTP"))
            c->api_type = CONFIG_API_HTTP;
        else
            return *why = "must be REST or HTTP", -1;
        return 0;
    case LOGFORMAT:
        if (!strcmp(text, "clf"))
            c->access_log_json = 0;
        else if (!strcmp(text, "json"))
            c->access_log_json = 1;
        else
            return *why = "must be clf or json", -1;
        return 0;
    case DDBAUTH:
    case DDBSIG:
        if (!strcmp(text, "auto"))
            c->dynamodb_auth = CONFIG_DDB_AUTH_AUTO;
        else if (kind == DDBAUTH && !strcmp(text, "sigv4"))
            c->dynamodb_auth = CONFIG_DDB_AUTH_SIGV4;
        else if (kind == DDBAUTH && !strcmp(text, "none"))
            c->dynamodb_auth = CONFIG_DDB_AUTH_NONE;
        else if (kind == DDBSIG &&
                 (!strcmp(text, "on") || !strcmp(text, "true")))
            c->dynamodb_auth = CONFIG_DDB_AUTH_SIGV4;
        else if (kind == DDBSIG &&
                 (!strcmp(text, "off") || !strcmp(text, "false")))
            c->dynamodb_auth = CONFIG_DDB_AUTH_NONE;
        else
            return *why = kind == DDBAUTH ? "must be auto, sigv4 or none"
                                          : "must be on or off",
                   -1;
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
    if ((kind == ONOFF || kind == DDBSIG) && json_is_boolean(v)) {
        snprintf(out, n, "%s", json_is_true(v) ? "on" : "off");
        return 0;
    }
    if (kind == STR || kind == ONOFF || kind == LEVEL || kind == DURABILITY ||
        kind == APITYPE || kind == LOGFORMAT || kind == DDBAUTH ||
        kind == DDBSIG) {
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

/* One more seed spec "[TABLE=]FILE" (--seed or the "seed" key), in
 * order. From the file (config_file not NULL), a relative FILE is relative
 * to the config file's directory, so that a config and its seed files move
 * together; from a flag, to the working directory. */
static void config_seed_add(struct config *c, const char *spec,
                            const char *config_file)
{
    const char *eq = strchr(spec, '='), *slash = strchr(spec, '/');
    const char *path = eq && (!slash || eq < slash) ? eq + 1 : spec;
    const char *dir_end = config_file ? strrchr(config_file, '/') : NULL;
    char *full;

    if (dir_end && path[0] != '/')
        full = xasprintf("%.*s%.*s/%s", (int)(path - spec), spec,
                         (int)(dir_end - config_file), config_file, path);
    else
        full = xstrdup(spec);
    c->seeds.v = xrealloc(c->seeds.v, (c->seeds.n + 1) * sizeof *c->seeds.v);
    c->seeds.v[c->seeds.n++] = full;
}

static int load_file(struct config *c, const char *file, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    const char *key, *why;
    json_t *value;
    int rc = -1;

    if (!root && access(file, R_OK) < 0)
        return err_set(err, ERR_CONFIG, "%s: %s", file,
                       errno == ENOENT ? "no such file" : strerror(errno));
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
        int api = config_api_load(c, file, key, value, err);
        if (api < 0)
            goto out;
        if (api)
            continue;
        /* tables and seed files: seed.c checks and uses them */
        if (!strcmp(key, "tables")) {
            if (!json_is_array(value)) {
                err_set(err, ERR_CONFIG,
                        "%s: key \"tables\": must be an array of CreateTable "
                        "requests",
                        file);
                goto out;
            }
            json_decref(c->tables);
            c->tables = json_incref(value);
            continue;
        }
        if (!strcmp(key, "seed")) {
            size_t j;
            json_t *f;
            json_t *list = json_is_string(value) ? json_pack("[O]", value)
                                                 : json_incref(value);
            json_array_foreach(list, j, f)
            {
                if (!json_is_string(f) || !*json_string_value(f)) {
                    json_decref(list);
                    err_set(err, ERR_CONFIG,
                            "%s: key \"seed\": must be a file name or an "
                            "array of them",
                            file);
                    goto out;
                }
                config_seed_add(c, json_string_value(f), file);
            }
            if (!json_is_array(list)) {
                json_decref(list);
                err_set(err, ERR_CONFIG,
                        "%s: key \"seed\": must be a file name or an array "
                        "of them",
                        file);
                goto out;
            }
            json_decref(list);
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
                    k == ONOFF || k == DDBSIG ? "boolean or \"on\"/\"off\""    \
                    : k == STR || k == LEVEL || k == DURABILITY ||             \
                            k == APITYPE || k == LOGFORMAT || k == DDBAUTH     \
                        ? "string"                                             \
                        : "number");                                           \
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
        if (strncmp(a, "--", 2) == 0 &&
            (v = flag_value(argc, argv, &i, "seed"))) {
            config_seed_add(c, v, NULL);
            continue;
        }
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

/* Does any route need an API key or a signature? */
static int api_is_protected(const struct config *c)
{
    for (size_t i = 0; i < c->nroutes; i++)
        if (c->routes[i].api_key_required ||
            c->routes[i].auth == CONFIG_AUTH_IAM)
            return 1;
    return 0;
}

/* dynamodb_auth, the routes and the credentials known into dynamodb_access
 * and dynamodb_credentials: a client that cannot pass the API's own checks
 * must not reach its tables through the DynamoDB API unless the user opened
 * that door on purpose. */
static int resolve_dynamodb_access(struct config *c, struct err *err)
{
    if (c->dynamodb_auth == CONFIG_DDB_AUTH_NONE ||
        (c->dynamodb_auth == CONFIG_DDB_AUTH_AUTO && !api_is_protected(c))) {
        c->dynamodb_access = CONFIG_DDB_OPEN;
        return 0;
    }
    int ambient =
        config_aws_credential(&c->aws_credential, &c->aws_credential_source);
    size_t n = c->ncredentials + (size_t)ambient;
    c->dynamodb_credentials = xcalloc(n + 1, sizeof *c->dynamodb_credentials);
    for (size_t i = 0; i < c->ncredentials; i++)
        c->dynamodb_credentials[i] = (struct config_credential){
            xstrdup(c->credentials[i].access_key_id),
            xstrdup(c->credentials[i].secret_access_key)};
    if (ambient)
        c->dynamodb_credentials[c->ncredentials] = (struct config_credential){
            xstrdup(c->aws_credential.access_key_id),
            xstrdup(c->aws_credential.secret_access_key)};
    c->ndynamodb_credentials = n;
    if (n) {
        c->dynamodb_access = CONFIG_DDB_SIGV4;
        return 0;
    }
    if (c->dynamodb_auth == CONFIG_DDB_AUTH_SIGV4)
        return err_set(err, ERR_CONFIG,
                       "dynamodbAuth: sigv4 (also --dynamodb-signatures on) "
                       "checks signatures against credentials, and none are "
                       "known: declare \"credentials\" in the config, set "
                       "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give "
                       "the AWS CLI's profile keys in ~/.aws/credentials");
    c->dynamodb_access = CONFIG_DDB_CLOSED;
    return 0;
}

int config_load(struct config *c, int argc, char **argv, struct err *err)
{
    const char *file = find_file(argc, argv);

    set_defaults(c);
    config_api_defaults(c);
    if (file) {
        c->file = xstrdup(file);
        if (load_file(c, file, err) < 0)
            return -1;
    }
    if (load_env(c, err) < 0 || load_flags(c, argc, argv, err) < 0)
        return -1;
    const char *paths[3][2] = {{"healthPath", c->health_path},
                               {"metricsPath", c->metrics_path},
                               {"openapiPath", c->openapi_path}};
    for (int i = 0; i < 3; i++)
        if (paths[i][1][0] != '/')
            return err_set(err, ERR_CONFIG,
                           "%s: must start with '/' (got \"%s\")", paths[i][0],
                           paths[i][1]);
    if (strchr(c->stage, '/') ||
        (c->stage[0] == '$' && strcmp(c->stage, "$default")))
        return err_set(err, ERR_CONFIG,
                       "stage: must be a name without '/', or \"$default\" "
                       "(got \"%s\")",
                       c->stage);
    if (config_api_check(c, err) < 0)
        return -1;
    return resolve_dynamodb_access(c, err);
}

void config_fini(struct config *c)
{
    free(c->file);
    free(c->bind);
    free(c->db);
    free(c->stage);
    free(c->health_path);
    free(c->metrics_path);
    free(c->openapi_path);
    free(c->api_name);
    for (size_t i = 0; i < c->ndynamodb_credentials; i++) {
        free(c->dynamodb_credentials[i].access_key_id);
        free(c->dynamodb_credentials[i].secret_access_key);
    }
    free(c->dynamodb_credentials);
    free(c->aws_credential.access_key_id);
    free(c->aws_credential.secret_access_key);
    free(c->aws_credential_source);
    config_api_fini(c);
    json_decref(c->tables);
    for (size_t i = 0; i < c->seeds.n; i++)
        free(c->seeds.v[i]);
    free(c->seeds.v);
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
            "  --seed [TABLE=]FILE    load items at start (repeatable; file "
            "key \"seed\"): put by\n"
            "                         key, all or nothing per file (see "
            "below)\n"
            "  --healthcheck          ask the server at --bind/--port for "
            "its health path;\n"
            "                         exit 0 if it answers 200 (for "
            "Docker's HEALTHCHECK)\n"
            "  --help                 this text\n"
            "  --version              print the version\n\n"
            "The config file also declares the API: \"resources\" (CRUD "
            "resources, six\nroutes each), \"routes\" (a method and path "
            "template bound to a built-in\nhandler), \"apiKeys\", "
            "\"usagePlans\", \"throttle\", \"stageVariables\",\n"
            "\"credentials\" (AWS_IAM), \"cors\" and \"binaryMediaTypes\". "
            "Examples in config/examples/;\nevery key in README.md.\n\n"
            "The DynamoDB API (POST / with X-Amz-Target) is as protected as "
            "the API: when a\nroute needs an API key or AWS_IAM, requests "
            "must be signed (SigV4) with\n\"credentials\" or with the keys "
            "the AWS CLI would use here (AWS_ACCESS_KEY_ID and\n"
            "AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, ~/.aws/config; "
            "profile AWS_PROFILE),\nand it is closed when there are none; "
            "--dynamodb-auth none opens it on purpose.\n\n"
            "Tables and data: \"tables\" in the config file is an array of "
            "CreateTable\nrequests (TableName, KeySchema, "
            "AttributeDefinitions, GlobalSecondaryIndexes,\n"
            "LocalSecondaryIndexes, TimeToLiveSpecification, BillingMode), "
            "created at start\nwhen absent. A seed file is {\"Table\": "
            "[items]} (plain or DynamoDB-typed JSON),\nthe file aws dynamodb "
            "batch-write-item --request-items takes, or DynamoDB\nexport JSON "
            "lines ({\"Item\": {...}} per line; the table is TABLE= or the "
            "file's\nname).\n\n"
            "  crudd export [--table T] [--db PATH | --endpoint URL] "
            "[--format batch|jsonl]\n"
            "      write a table (or all) to stdout; batch (default) is the "
            "batch-write-item\n      file, jsonl DynamoDB's export lines "
            "(one table)\n"
            "  crudd import [--table T] [--db PATH | --endpoint URL] "
            "[--config FILE] FILE...\n"
            "      load seed files into a stopped database file (--db, "
            "default\n      ./data/crudd.db) or a running server (--endpoint "
            "http://127.0.0.1:3000,\n      signed with AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY when set);\n      --config FILE first "
            "creates that config's missing \"tables\"\n");
}
