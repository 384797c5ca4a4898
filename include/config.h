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
#define CONFIG_MAX_RESOURCES 64

/* What a resource's routes run. */
enum config_handler {
    CONFIG_HANDLER_CRUD,    /* the six routes of the items contract */
    CONFIG_HANDLER_MANAGER, /* POST path: the DynamoDB manager function */
};

/* A resource. CRUD: path "/items" gets the six routes of the items
 * contract on table, whose string partition key names an item in
 * "/items/{key}". Manager: POST path runs handler_manager (table and
 * partition_key NULL: the body names the table). */
struct config_resource {
    enum config_handler handler;
    char *path;          /* "/items" */
    char *table;         /* "ItemsTable" */
    char *partition_key; /* "id"; also the path parameter's name */
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
    unsigned threads;       /* worker threads; 0 = one per core */
    unsigned write_threads; /* the write pool (http.c); 0 = none */
    int durability;         /* enum store_durability */
    int group_commit;       /* 1: concurrent writes share commits (default) */
    unsigned timeout_s;     /* idle connection timeout, seconds */
    unsigned max_connections;        /* open connections at most */
    unsigned max_connections_per_ip; /* per client address; 0 = no limit */
    unsigned max_headers;            /* header fields per request */
    unsigned max_header_bytes;       /* request line + headers, bytes */
    unsigned request_timeout_s;      /* a body's upload; 0 = no limit */
    size_t max_body;   /* request body cap, bytes (API Gateway: 10 MB) */
    char *health_path; /* "/_crudd/health", outside the API's routes */
    struct config_resource resources[CONFIG_MAX_RESOURCES];
    int nresources;
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
