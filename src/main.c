/*
 * main — argv, environment and config into one struct config; start the
 * store, the gateway and the server; wait for SIGINT/SIGTERM; stop in order.
 * The only caller of exit(). Not where requests are handled.
 */
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "ddb.h"
#include "gateway.h"
#include "healthcheck.h"
#include "http.h"
#include "log.h"
#include "main_impl.h"
#include "seed.h"
#include "sigv4.h"
#include "store.h"
#include "xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* How long a stop waits for requests in flight (docker stop allows 10 s;
 * a CRUD request takes milliseconds). */
#define STOP_GRACE_MS 1500

/* The cores this process may run on: its CPU affinity (taskset, docker
 * --cpuset-cpus), as nproc(1) counts them; all online cores if that is
 * unknown. At least 1. */
static unsigned usable_cores(void)
{
    cpu_set_t set;
    long online;

    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (unsigned)CPU_COUNT(&set);
    online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (unsigned)online : 1;
}

/* Room for maxConnections sockets: the soft limit on open files is raised
 * to the hard one (a shell's usual soft limit, 1024, is about the default
 * maxConnections, and a descriptor short means a client left unanswered in
 * the listen queue). */
static void raise_open_files(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* mkdir -p of path's directory, so that ./data/crudd.db works at once. */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    int rc = 0;

    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    free(dir);
    return rc;
}

/* Refuse, with the path and the fix, a database this user cannot write:
 * the file itself, or its folder, where SQLite creates the -wal and -shm
 * files beside it. Otherwise crudd would start and every write fail. */
static int db_writable(const char *db)
{
    char *dir = xstrdup(db), *slash = strrchr(dir, '/');

    if (slash)
        *(slash == dir ? slash + 1 : slash) = '\0';
    else
        strcpy(dir, ".");
    if (access(db, F_OK) == 0 && access(db, W_OK) < 0) {
        fprintf(stderr,
                "crudd: the database %s is not writable by this user (%s): "
                "fix its permissions (chmod u+w %s, or chown it), or choose "
                "another file with --db\n",
                db, strerror(errno), db);
        free(dir);
        return -1;
    }
    if (access(dir, W_OK | X_OK) < 0) {
        fprintf(stderr,
                "crudd: the folder %s of the database %s is not writable by "
                "this user (%s); crudd creates the database and its -wal and "
                "-shm files there: fix the folder's permissions, or choose "
                "another place with --db\n",
                dir, db, strerror(errno));
        free(dir);
        return -1;
    }
    free(dir);
    return 0;
}

/* The Time to Live sweeper: DynamoDB deletes expired items in the
 * background; crudd looks once a second. */
struct sweeper {
    struct store *store;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
};

static void *sweep_loop(void *arg)
{
    struct sweeper *sw = arg;

    pthread_setname_np(pthread_self(), "crudd-ttl");
    pthread_mutex_lock(&sw->lock);
    while (!sw->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&sw->wake, &sw->lock, &until);
        if (sw->stop)
            break;
        pthread_mutex_unlock(&sw->lock);
        struct err err = ERR_INIT;
        size_t deleted = 0;
        if (store_sweep_expired(sw->store, clock_epoch_seconds(), 1000,
                                &deleted, &err) < 0)
            log_warn("ttl sweep: %s", err.msg);
        else if (deleted)
            log_info("ttl sweep: deleted %zu expired items", deleted);
        pthread_mutex_lock(&sw->lock);
    }
    pthread_mutex_unlock(&sw->lock);
    return NULL;
}

static void sweeper_stop(struct sweeper *sw)
{
    pthread_mutex_lock(&sw->lock);
    sw->stop = 1;
    pthread_cond_signal(&sw->wake);
    pthread_mutex_unlock(&sw->lock);
    pthread_join(sw->thread, NULL);
}

/* One line at start: which way the DynamoDB API is open, and why. */
static void log_dynamodb_access(const struct config *cfg)
{
    switch (cfg->dynamodb_access) {
    case CONFIG_DDB_OPEN:
        if (cfg->dynamodb_auth == CONFIG_DDB_AUTH_NONE)
            log_warn("DynamoDB API: open to any client on purpose "
                     "(dynamodbAuth none): signatures are not checked");
        else
            log_info("DynamoDB API: open, signatures not checked (no route "
                     "needs an API key or AWS_IAM; --dynamodb-auth sigv4 "
                     "checks them)");
        break;
    case CONFIG_DDB_SIGV4:
        log_info("DynamoDB API: SigV4 signatures checked against %zu access "
                 "key%s (%s%s%s)",
                 cfg->ndynamodb_credentials,
                 cfg->ndynamodb_credentials == 1 ? "" : "s",
                 cfg->ncredentials ? "the config's \"credentials\"" : "",
                 cfg->ncredentials && cfg->aws_credential_source ? ", " : "",
                 cfg->aws_credential_source ? cfg->aws_credential_source : "");
        break;
    case CONFIG_DDB_CLOSED:
        log_warn("DynamoDB API: closed: the API's routes need an API key or "
                 "AWS_IAM and no credentials are known (declare "
                 "\"credentials\", set AWS_ACCESS_KEY_ID and "
                 "AWS_SECRET_ACCESS_KEY, or open it with --dynamodb-auth "
                 "none)");
        break;
    }
}

static int serve(const struct config *cfg)
{
    struct err err = ERR_INIT;
    struct store *store = NULL;
    struct gateway *gw = NULL;
    struct ddb *ddb = NULL;
    struct http *http = NULL;
    struct sweeper sw = {.lock = PTHREAD_MUTEX_INITIALIZER,
                         .wake = PTHREAD_COND_INITIALIZER};
    int sweeping = 0;
    struct buf notes; /* seed_apply's lines, logged after the first */
    /* the DynamoDB face's accepted keys, when it checks signatures */
    size_t ncreds = cfg->ndynamodb_credentials;
    struct sigv4_credential *creds = xcalloc(ncreds + 1, sizeof *creds);
    for (size_t i = 0; i < ncreds; i++)
        creds[i] = (struct sigv4_credential){
            cfg->dynamodb_credentials[i].access_key_id,
            cfg->dynamodb_credentials[i].secret_access_key};
    enum ddb_auth ddb_auth =
        cfg->dynamodb_access == CONFIG_DDB_SIGV4    ? DDB_AUTH_SIGV4
        : cfg->dynamodb_access == CONFIG_DDB_CLOSED ? DDB_AUTH_CLOSED
                                                    : DDB_AUTH_OPEN;
    sigset_t stop;
    int sig, rc = 1;

    buf_init(&notes);
    unsigned threads = cfg->threads ? cfg->threads : usable_cores();

    /* block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below receives them */
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* a file size limit (ulimit -f) must not kill the server: with the
     * signal ignored, the write fails with EFBIG and takes the store's
     * disk-full path (503, and writes resume once there is room) */
    signal(SIGXFSZ, SIG_IGN);
    raise_open_files();

    if (strcmp(cfg->db, ":memory:") != 0 && make_parent_dirs(cfg->db) < 0) {
        fprintf(stderr, "crudd: cannot create the directory of %s: %s\n",
                cfg->db, strerror(errno));
        goto out;
    }
    if (strcmp(cfg->db, ":memory:") != 0 && db_writable(cfg->db) < 0)
        goto out;
    /* a test seam (src/DESIGN.md, house style): the disk fails on demand under
     * the store */
    const char *fault = getenv("CRUDD_FAULT_FILE");
    if (fault && *fault && store_fault_install(fault, &err) < 0) {
        fprintf(stderr, "crudd: %s\n", err.msg);
        goto out;
    }
    /* a reading connection per worker thread and one spare; writes (the
     * sweeper's too) go through the store's writer thread */
    if (!(store = store_open_ex(cfg->db, threads + 1, cfg->durability,
                                cfg->group_commit ? STORE_COMMIT_GROUP
                                                  : STORE_COMMIT_SINGLE,
                                &err)) ||
        seed_apply(cfg, store, &notes, &err) < 0 ||
        !(gw = gateway_create(cfg, store, &err)) ||
        !(ddb = ddb_create(store, ddb_auth, creds, ncreds)) ||
        !(http = http_open(cfg, threads, gw, ddb, &err))) {
        fprintf(stderr, "crudd: %s\n", err.msg);
        goto out;
    }
    log_msg(LOG_ALWAYS, "listening on %s:%d", cfg->bind, http_port(http));
    if (fault && *fault)
        log_warn("fault injection enabled: %s", fault);
    sw.store = store;
    sweeping = pthread_create(&sw.thread, NULL, sweep_loop, &sw) == 0;
    log_info("database %s, stage /%s, %u worker thread%s, durability %s, "
             "group commit %s",
             cfg->db, cfg->stage, threads, threads == 1 ? "" : "s",
             cfg->durability == STORE_DURABILITY_FULL ? "full" : "normal",
             cfg->group_commit ? "on" : "off");
    main_banner(cfg, store, http_port(http));
    log_dynamodb_access(cfg);
    for (char *line = notes.data, *nl; line && (nl = strchr(line, '\n'));
         line = nl + 1) {
        *nl = '\0';
        log_info("%s", line);
    }
    /* SIGHUP would kill a process that does not handle it: until reloading
     * exists, it is logged and crudd keeps serving what it loaded */
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP)
        log_warn("SIGHUP: crudd cannot reload its configuration yet; it keeps "
                 "serving the one it started with (restart it to apply "
                 "changes)");
    log_info("%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
out:
    http_close(http, STOP_GRACE_MS);
    if (sweeping)
        sweeper_stop(&sw);
    ddb_free(ddb);
    free(creds);
    gateway_free(gw);
    store_close(store);
    buf_fini(&notes);
    if (rc == 0)
        log_info("stopped");
    return rc;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct err err = ERR_INIT;
    int rc;

    if (argc > 1 && (!strcmp(argv[1], "export") || !strcmp(argv[1], "import")))
        exit(seed_cli(argc - 1, argv + 1));
    if (config_load(&cfg, argc, argv, &err) < 0 ||
        (cfg.mode == CONFIG_SERVE && seed_check_tables(&cfg, &err) < 0)) {
        fprintf(stderr, "crudd: bad configuration: %s\n", err.msg);
        config_fini(&cfg);
        exit(2);
    }
    log_set_level(cfg.log_level);
    switch (cfg.mode) {
    case CONFIG_HELP:
        config_usage(stdout);
        rc = 0;
        break;
    case CONFIG_VERSION:
        printf("crudd %s\n", CRUDD_VERSION);
        rc = 0;
        break;
    case CONFIG_HEALTHCHECK:
        rc = healthcheck_run(cfg.bind, cfg.port, cfg.health_path, 2000) == 0
                 ? 0
                 : 1;
        break;
    case CONFIG_SERVE:
    default:
        rc = serve(&cfg);
        break;
    }
    config_fini(&cfg);
    exit(rc);
}
