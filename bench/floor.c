/*
 * floor — the performance floor crudd's benchmark is measured against.
 *
 * The least a libmicrohttpd + SQLite server can do for the same requests:
 * a thread pool sized to the cores it may run on (like crudd), epoll, one
 * SQLite connection per worker thread (opened lazily, WAL, unix-excl,
 * prepared statements), GET /items/{id} as one point lookup answered with the
 * stored JSON, POST /items as one single-row transaction with synchronous=FULL.
 * No routing, no gateway, no JSON parsing, no access log: it is not a server to
 * use, only a yardstick.
 *
 *   floor --port N --db FILE [--threads N] [--seed N]
 *
 * --seed N stores items item-00000 .. item-(N-1) in one transaction when
 * the table is empty, with the same JSON text bench/run.sh posts to crudd.
 * The first stderr line is "listening on 127.0.0.1:PORT"; SIGINT or SIGTERM
 * stop it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>
#include <sqlite3.h>
#include <uuid/uuid.h>

#define FLOOR_MAX_BODY (64 * 1024)
#define ITEMS_PREFIX "/items/"

static const char schema[] = "CREATE TABLE IF NOT EXISTS items ("
                             " key TEXT PRIMARY KEY, item TEXT NOT NULL"
                             ") WITHOUT ROWID";

static const char *db_path;
/* The per-request state of anything but a POST: only its address is used. */
static char no_body;
static pthread_key_t conn_key;
/*
 * SQLite lets one writer in at a time anyway; queueing writers here spares
 * them its busy handler, which sleeps in steps of up to 100 ms.
 */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* One per worker thread, closed by the thread-specific key's destructor. */
struct conn {
    sqlite3 *db;
    sqlite3_stmt *get;
    sqlite3_stmt *put;
};

/*
 * Per-request state of a POST: created on the first access-handler call.
 * Any other request gets &no_body, so a GET allocates nothing.
 */
struct req {
    size_t len;
    char body[FLOOR_MAX_BODY];
    int too_big;
};

static void conn_free(void *p)
{
    struct conn *c = p;

    if (!c)
        return;
    sqlite3_finalize(c->get);
    sqlite3_finalize(c->put);
    sqlite3_close(c->db);
    free(c);
}

/* With SQLite's "unix-excl" VFS, as crudd opens its database: the process
 * holds the file and a read transaction locks nothing outside it. The floor
 * does the least a server can do, so it skips what crudd skips. */
static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;

    if (sqlite3_open_v2(path, &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        "unix-excl") != SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "floor: %s: %s\n", path,
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* This thread's connection, opened on its first request. */
static struct conn *conn_get(void)
{
    struct conn *c = pthread_getspecific(conn_key);

    if (c)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (!(c->db = db_open(db_path)) ||
        sqlite3_prepare_v3(c->db, "SELECT item FROM items WHERE key = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &c->get,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(c->db, "INSERT INTO items (key, item) VALUES (?, ?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &c->put,
                           NULL) != SQLITE_OK) {
        if (c->db)
            fprintf(stderr, "floor: %s\n", sqlite3_errmsg(c->db));
        conn_free(c);
        return NULL;
    }
    pthread_setspecific(conn_key, c);
    return c;
}

static enum MHD_Result reply(struct MHD_Connection *mc, unsigned status,
                             const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    ret = MHD_queue_response(mc, status, r);
    MHD_destroy_response(r);
    return ret;
}

#define REPLY_LIT(mc, status, lit) reply(mc, status, lit, sizeof lit - 1)

static enum MHD_Result get_item(struct MHD_Connection *mc, const char *key)
{
    struct conn *c = conn_get();
    enum MHD_Result ret;
    int rc;

    if (!c)
        return REPLY_LIT(mc, 500, "{\"message\":\"database\"}");
    sqlite3_bind_text(c->get, 1, key, -1, SQLITE_STATIC);
    rc = sqlite3_step(c->get);
    if (rc == SQLITE_ROW)
        /* MUST_COPY copies the column text before the reset below. */
        ret =
            reply(mc, MHD_HTTP_OK, (const char *)sqlite3_column_text(c->get, 0),
                  (size_t)sqlite3_column_bytes(c->get, 0));
    else if (rc == SQLITE_DONE)
        ret = REPLY_LIT(mc, MHD_HTTP_NOT_FOUND,
                        "{\"message\":\"Item not found\"}");
    else
        ret = REPLY_LIT(mc, 500, "{\"message\":\"database\"}");
    sqlite3_reset(c->get);
    sqlite3_clear_bindings(c->get);
    return ret;
}

static enum MHD_Result post_item(struct MHD_Connection *mc,
                                 const struct req *rq)
{
    struct conn *c = conn_get();
    uuid_t u;
    char key[37], out[64];
    int rc, n;

    if (!c)
        return REPLY_LIT(mc, 500, "{\"message\":\"database\"}");
    uuid_generate_random(u);
    uuid_unparse_lower(u, key);
    /* One statement in autocommit mode is one transaction. */
    sqlite3_bind_text(c->put, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(c->put, 2, rq->body, (int)rq->len, SQLITE_STATIC);
    pthread_mutex_lock(&write_lock);
    rc = sqlite3_step(c->put);
    pthread_mutex_unlock(&write_lock);
    sqlite3_reset(c->put);
    sqlite3_clear_bindings(c->put);
    if (rc != SQLITE_DONE)
        return REPLY_LIT(mc, 500, "{\"message\":\"database\"}");
    n = snprintf(out, sizeof out, "{\"id\":\"%s\"}", key);
    return reply(mc, MHD_HTTP_CREATED, out, (size_t)n);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    struct req *rq;

    (void)cls;
    (void)version;
    if (!*con_cls) {
        /*
         * Queue nothing on the first call: libmicrohttpd 0.9.75 turns
         * keep-alive off for a response queued this early.
         */
        if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
            *con_cls = &no_body;
            return MHD_YES;
        }
        rq = malloc(sizeof *rq);
        if (!rq)
            return MHD_NO;
        rq->len = 0;
        rq->too_big = 0;
        *con_cls = rq;
        return MHD_YES;
    }
    rq = *con_cls == &no_body ? NULL : *con_cls;
    if (*upload_size) {
        if (!rq) {
            *upload_size = 0; /* a body where none is expected: ignored */
            return MHD_YES;
        }
        if (rq->len + *upload_size > sizeof rq->body)
            rq->too_big = 1;
        else
            memcpy(rq->body + rq->len, upload, *upload_size);
        rq->len += *upload_size;
        *upload_size = 0;
        return MHD_YES;
    }
    if (rq && strcmp(url, "/items") == 0)
        return rq->too_big ? REPLY_LIT(mc, MHD_HTTP_CONTENT_TOO_LARGE,
                                       "{\"message\":\"too large\"}")
                           : post_item(mc, rq);
    if (strcmp(method, MHD_HTTP_METHOD_GET) == 0 &&
        strncmp(url, ITEMS_PREFIX, sizeof ITEMS_PREFIX - 1) == 0 &&
        url[sizeof ITEMS_PREFIX - 1] != '\0')
        return get_item(mc, url + sizeof ITEMS_PREFIX - 1);
    return REPLY_LIT(mc, MHD_HTTP_NOT_FOUND, "{\"message\":\"Not Found\"}");
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)mc;
    (void)toe;
    if (*con_cls != &no_body)
        free(*con_cls);
    *con_cls = NULL;
}

/* Creates the table and, when it is empty, stores n items at once. */
static int seed(const char *path, long n)
{
    sqlite3 *db = db_open(path);
    sqlite3_stmt *ins = NULL;
    char key[32], item[160];
    int rc = -1;

    if (!db)
        return -1;
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT OR IGNORE INTO items (key, item) "
                           "VALUES (?, ?)",
                           -1, &ins, NULL) != SQLITE_OK)
        goto out;
    for (long i = 0; i < n; i++) {
        snprintf(key, sizeof key, "item-%05ld", i);
        /* The body bench/run.sh posts to crudd, which crudd echoes back. */
        snprintf(item, sizeof item,
                 "{\"id\":\"%s\",\"name\":\"item %ld\",\"price\":19.99,"
                 "\"qty\":%ld,\"tags\":[\"bench\"]}",
                 key, i, i);
        sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, item, -1, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            goto out;
        sqlite3_reset(ins);
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        goto out;
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "floor: seed: %s\n", sqlite3_errmsg(db));
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: floor --port N --db FILE [--threads N] "
                    "[--seed N]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    struct MHD_Daemon *d;
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    const union MHD_DaemonInfo *info;
    long port = -1, threads = sysconf(_SC_NPROCESSORS_ONLN), n = 0;
    sigset_t stop;
    int sig;
    cpu_set_t cpus;

    if (sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 0)
        threads = CPU_COUNT(&cpus);

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0)
            port = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--db") == 0)
            db_path = argv[i + 1];
        else if (strcmp(argv[i], "--threads") == 0)
            threads = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--seed") == 0)
            n = strtol(argv[i + 1], NULL, 10);
        else
            usage();
    }
    if (argc % 2 == 0 || port < 0 || port > 65535 || !db_path || threads < 1 ||
        n < 0)
        usage();
    if (seed(db_path, n) < 0)
        return 1;
    if (pthread_key_create(&conn_key, conn_free) != 0)
        return 1;

    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC,
        (uint16_t)port, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "floor: cannot listen on 127.0.0.1:%ld\n", port);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD);
    if (!info || getsockname(info->listen_fd, (struct sockaddr *)&sa, &len))
        return 1;
    fprintf(stderr, "listening on 127.0.0.1:%d\n", ntohs(sa.sin_port));
    fprintf(stderr, "floor: %s, %ld threads, %ld items seeded\n", db_path,
            threads, n);
    sigwait(&stop, &sig);
    MHD_stop_daemon(d);
    return 0;
}
