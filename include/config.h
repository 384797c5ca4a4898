/*
 * config — crudd's settings from four sources in one read-only struct:
 * defaults < config file (JSON, config/crudd.json) < CRUDD_* environment
 * variables < command-line flags.
 *
 * The file is found by --config, else CRUDD_CONFIG, else config/crudd.json
 * when it exists (relative to the working directory); no file means defaults.
 * Loaded once at start on the main thread; read-only afterwards, so any
 * thread may read it.
 */
#ifndef CRUDD_CONFIG_H
#define CRUDD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

#define CRUDD_VERSION "0.1.0"
#define CONFIG_DEFAULT_FILE "config/crudd.json"
#define CONFIG_MAX_ROUTES 1024

/* The API type being emulated (API Gateway has two for proxy integrations). */
enum config_api_type {
    CONFIG_API_REST, /* REST API: payload 1.0, 403 for unknown routes */
    CONFIG_API_HTTP, /* HTTP API: payload 2.0, 404 for unknown routes */
};

/* Where an item route finds the partition key value. */
enum config_key_from {
    CONFIG_KEY_PATH,  /* the path parameter keyName */
    CONFIG_KEY_QUERY, /* the query parameter keyName */
    CONFIG_KEY_BODY,  /* the body attribute keyName */
};

enum config_auth {
    CONFIG_AUTH_NONE,
    CONFIG_AUTH_IAM, /* "AWS_IAM": a Signature Version 4 signature */
};

/*
 * Who may use the DynamoDB API (file key "dynamodbAuth", --dynamodb-auth):
 * what was asked for. config_load resolves it into enum config_ddb_access.
 */
enum config_ddb_auth {
    CONFIG_DDB_AUTH_AUTO,  /* "auto": as protected as the API's routes */
    CONFIG_DDB_AUTH_SIGV4, /* "sigv4": always check signatures */
    CONFIG_DDB_AUTH_NONE,  /* "none": open on purpose, any signature */
};

/* How the DynamoDB API is open once every source is read. */
enum config_ddb_access {
    /* any Authorization header goes: "none" asked for, or "auto" and no
     * route needs an API key or AWS_IAM (as DynamoDB Local) */
    CONFIG_DDB_OPEN,
    /* Signature Version 4 against dynamodb_credentials: "sigv4", or "auto"
     * with a protected route and credentials known */
    CONFIG_DDB_SIGV4,
    /* every request refused: "auto", a protected route, and no credentials
     * known to check signatures against */
    CONFIG_DDB_CLOSED,
};

enum config_quota_period {
    CONFIG_QUOTA_NONE,
    CONFIG_QUOTA_DAY,
    CONFIG_QUOTA_WEEK,
    CONFIG_QUOTA_MONTH,
};

/* A throttle: a token bucket of burst tokens refilled at rate a second. */
struct config_throttle {
    int set; /* 0: none declared */
    double rate;
    unsigned burst;
};

/* A list of strings, owned. */
struct config_strings {
    char **v;
    size_t n;
};

/* A name and a value, owned. */
struct config_pair {
    char *name;
    char *value;
};

/*
 * One route: method + path template → a built-in handler and its
 * parameters. A CRUD resource in the file becomes six of these, the
 * dynamodb-manager resource one. Handlers (by name): create-item, get-item,
 * list-items, put-item, update-item (PATCH), delete-item, dynamodb-manager,
 * health, echo, respond.
 */
struct config_route {
    char *method;        /* "GET", ... or "ANY" */
    char *path;          /* a template, "/items/{id}" */
    char *handler;       /* a handler name above */
    char *table;         /* item handlers: the table, else NULL */
    char *partition_key; /* item handlers: its string partition key */
    char *key_name;      /* the parameter/attribute holding the key */
    enum config_key_from key_from;
    int body_dynamodb;               /* bodies are DynamoDB-typed JSON */
    struct config_strings updatable; /* update-item: allowed attributes */
    void *result;          /* respond: the fixed result, a json_t (owned) */
    int api_key_required;  /* x-api-key must name a configured key */
    enum config_auth auth; /* authorizationType */
    char *where;           /* the file key it came from, "routes[2]" */
};

struct config_api_key {
    char *name;
    char *value; /* what clients send in x-api-key */
};

struct config_usage_plan {
    char *name;
    struct config_strings api_keys; /* names from apiKeys */
    struct config_throttle throttle;
    long long quota_limit; /* requests a period; with quota_period */
    enum config_quota_period quota_period;
};

struct config_credential {
    char *access_key_id;
    char *secret_access_key;
};

/* CORS as API Gateway configures it (an HTTP API's corsConfiguration). */
struct config_cors {
    int enabled;
    struct config_strings allow_origins; /* "*" or exact origins */
    struct config_strings allow_methods;
    struct config_strings allow_headers;
    struct config_strings expose_headers;
    int allow_credentials;
    int max_age; /* seconds; -1: not sent */
};

enum config_mode {
    CONFIG_SERVE,       /* run the server */
    CONFIG_HELP,        /* --help */
    CONFIG_VERSION,     /* --version */
    CONFIG_HEALTHCHECK, /* --healthcheck: ask a running server, exit 0/1 */
};

struct config {
    enum config_mode mode;
    char *file;             /* the config file read, or NULL */
    char *bind;             /* listen address, "127.0.0.1" */
    int port;               /* listen port, 3000; 0 = a free port */
    char *db;               /* database file or ":memory:", "./data/crudd.db" */
    char *stage;            /* the stage prefix, "prod" */
    int log_level;          /* enum log_level */
    unsigned threads;       /* worker threads; 0 = one per usable core */
    unsigned write_threads; /* the write pool (http.c); 0 = none */
    int durability;         /* enum store_durability */
    int group_commit;       /* 1: concurrent writes share commits (default) */
    unsigned timeout_s;     /* idle connection timeout, seconds */
    unsigned max_connections;        /* open connections at most */
    unsigned max_connections_per_ip; /* per client address; 0 = no limit */
    unsigned max_headers;            /* header fields per request */
    unsigned max_header_bytes;       /* request line + headers, bytes */
    unsigned request_timeout_s;      /* a body's upload; 0 = no limit */
    unsigned header_timeout_s; /* a request head's arrival; 0 = no limit */
    size_t max_body;   /* request body cap, bytes (API Gateway: 10 MB) */
    char *health_path; /* "/_crudd/health", outside the API's routes */
    /* the API */
    char *api_name;       /* "crudd" */
    int api_type;         /* enum config_api_type */
    int access_log_json;  /* 1: JSON access log lines, 0: CLF */
    char *metrics_path;   /* "/metrics" */
    char *openapi_path;   /* "/openapi.json" */
    unsigned memory_size; /* the functions' "Memory Size", MB */
    int dynamodb_auth;    /* enum config_ddb_auth, as asked */
    /* what config_load made of dynamodb_auth (see enum config_ddb_access) */
    enum config_ddb_access dynamodb_access;
    /* CONFIG_DDB_SIGV4: the keys whose signatures the DynamoDB API accepts,
     * the config's "credentials" then the AWS CLI's own (below); owned */
    struct config_credential *dynamodb_credentials;
    size_t ndynamodb_credentials;
    /* the access key the AWS CLI would sign with where crudd started, and
     * where it was found ("environment variables AWS_ACCESS_KEY_ID and
     * AWS_SECRET_ACCESS_KEY", "/home/u/.aws/credentials [default]"); NULLs
     * when none is, or when it was not looked for (open on purpose, or no
     * route protected); owned */
    struct config_credential aws_credential;
    char *aws_credential_source;
    struct config_route *routes; /* in declaration order */
    size_t nroutes;
    struct config_pair *stage_variables;
    size_t nstage_variables;
    struct config_throttle stage_throttle;
    struct config_api_key *api_keys;
    size_t napi_keys;
    struct config_usage_plan *usage_plans;
    size_t nusage_plans;
    struct config_credential *credentials;
    size_t ncredentials;
    struct config_cors cors;
    struct config_strings binary_media_types;
    /* "tables": the CreateTable requests to create at start, a json_t
     * array (new reference, owned) or NULL; checked by seed_check_tables */
    void *tables;
    /* seed files, "[TABLE=]FILE", from "seed" (FILE made relative to the
     * config file's folder) then --seed (as given), in order */
    struct config_strings seeds;
    struct config_loading *loading; /* config's own, while loading */
};

/*
 * Fill c from the four sources. Returns 0, or -1 with ERR_CONFIG and a
 * message naming the source (file, environment variable or flag), the key
 * and the problem; c must still be passed to config_fini. argv is borrowed.
 */
int config_load(struct config *c, int argc, char **argv, struct err *err);

/* Free what config_load allocated. */
void config_fini(struct config *c);

/* Print --help: every flag, its environment variable and its default. */
void config_usage(FILE *out);

#endif
