/*
 * http — libmicrohttpd glue. Per-request state is created on the first call
 * of the access handler and freed in the request-completed callback. The
 * response is always queued on a later call than the first: libmicrohttpd
 * 0.9.75 turns keep-alive off for responses queued on the first call, which
 * costs about 4× in throughput (src/DESIGN.md, "Facts measured"). Not routing,
 * not API Gateway rules: those are the gateway's.
 */
#include "http.h"
#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "gateway.h"
#include "log.h"
#include "sigv4.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 128
/* Query string parameters at most; more is 414. libmicrohttpd (0.9.75)
 * parses them into the connection's memory pool after on_uri, and when the
 * pool runs out it queues a 431 it never sends and never calls back: the
 * pool is sized for this many (a parameter record costs at most
 * POOL_PER_FIELD bytes), and on_uri stops the parse beyond it. */
#define MAX_QUERY 256
#define POOL_PER_FIELD 64

struct request;

struct http {
    struct MHD_Daemon *daemon;
    const struct config *cfg;
    struct gateway *gateway;
    struct ddb *ddb;
    int port;
    atomic_int in_flight;
    /* the write pool: requests that may write wait here for their commit,
     * their connections suspended, so that libmicrohttpd's threads (one per
     * core) keep serving and many writes can share one group commit */
    pthread_t *pool; /* started on demand, up to cfg->write_threads */
    unsigned npool;
    unsigned pool_idle;
    /* open connections, in all and per client address (limits) */
    pthread_mutex_t conns_lock;
    unsigned nconns;
    struct conn_state *conns; /* every open connection, oldest last */
    unsigned nclosing;        /* of nconns, shut down by crudd */
    unsigned closed_unlogged; /* shut down since the reaper last said so */
    int draining;             /* http_close has begun */
    /* the reaper: closes connections slow to send a request head */
    pthread_t reaper;
    int reaping, reaper_stop;
    pthread_cond_t reaper_wake; /* with conns_lock */
    struct peer *peers;
    size_t npeers, peers_cap;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct request *queue, *queue_tail;
    int stopping;
};

/* A client address with open connections. */
struct peer {
    char ip[INET6_ADDRSTRLEN];
    unsigned conns;
};

/* One connection's state (libmicrohttpd's socket context). */
struct conn_state {
    char ip[INET6_ADDRSTRLEN];
    const char *refused; /* over a limit: the answer's message */
    int fd;
    /* since when it has been waiting for a request head (it opened, or its
     * previous request completed), in clock_now_us; 0 while a request is
     * served. Written on the connection's thread, read by the reaper. */
    _Atomic uint64_t head_since_us;
    /* under conns_lock: on h->conns; shut down by crudd */
    struct conn_state *prev, *next;
    int closing;
    /* the request on_uri made, until the access handler sees it: a request
     * libmicrohttpd answers itself (a 431, a bad header line) or that the
     * client abandons mid-head never reaches on_completed, so the
     * connection frees it when it closes */
    struct request *pending;
};

/* Headers and query parameters: they point into libmicrohttpd's memory
 * for the request, which lives until the request completes. */
struct fields {
    struct handler_kv headers[MAX_HEADERS];
    size_t nheaders;
    struct handler_kv query[MAX_QUERY];
    size_t nquery;
};

/* One request's state, from its first callback to its completion. */
struct request {
    struct buf body;
    int too_large;
    uint64_t start_us;
    /* set when the request goes to the write pool */
    enum { READING, QUEUED, ANSWERED, REFUSED } state;
    struct MHD_Connection *conn;
    const char *method, *url, *target, *version;
    char *raw_uri; /* the request target as sent: "/a%20b?x=1", in uri */
    const char *uri_refused; /* on_uri's verdict: 414's message, or NULL */
    /* the target in libmicrohttpd's read buffer, and its length up to the
     * first NUL (a NUL sent in it ends the string there) */
    const char *target_at;
    size_t target_len;
    int begun; /* the access handler has seen it */
    struct fields *fields;
    char ip[INET6_ADDRSTRLEN];
    struct request *next;
    /* the answer, kept until it is queued */
    int is_ddb;
    struct gateway_response gres;
    struct ddb_response dres;
    char uri[]; /* raw_uri's bytes: one allocation per request */
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind,
                               const char *key, const char *value)
{
    struct fields *r = cls;

    if (kind == MHD_HEADER_KIND && r->nheaders < MAX_HEADERS)
        r->headers[r->nheaders++] =
            (struct handler_kv){key, value ? value : ""};
    else if (kind == MHD_GET_ARGUMENT_KIND && r->nquery < MAX_QUERY)
        r->query[r->nquery++] = (struct handler_kv){key, value ? value : ""};
    return MHD_YES;
}

static void client_address(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, n, "-");
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET,
                  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6,
                  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  out, (socklen_t)n);
}

static enum MHD_Result send_response(struct MHD_Connection *c,
                                     struct gateway_response *res)
{
    struct MHD_Response *response = MHD_create_response_from_buffer(
        res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
    enum MHD_Result ret;

    if (!response)
        return MHD_NO;
    res->body = NULL; /* libmicrohttpd frees it with the response */
    for (size_t i = 0; i < res->nheaders; i++)
        MHD_add_response_header(response, res->headers[i].name,
                                res->headers[i].value);
    ret = MHD_queue_response(c, (unsigned)res->status, response);
    MHD_destroy_response(response);
    return ret;
}

/* Answer r: the DynamoDB wire API (the second front door, on the same port)
 * or the gateway, into r's stored answer. Runs on a libmicrohttpd thread or
 * a write-pool thread. */
static void run(struct http *h, struct request *r, const struct fields *f)
{
    const char *q = r->raw_uri ? strchr(r->raw_uri, '?') : NULL;
    if (q && r->raw_uri)
        r->raw_uri[q - r->raw_uri] = '\0';
    struct gateway_request req = {
        .method = r->method,
        .path = r->url,
        .raw_path = r->raw_uri ? r->raw_uri : r->url,
        .raw_query = q ? q + 1 : "",
        .protocol = r->version,
        .headers = f->headers,
        .nheaders = f->nheaders,
        .query = f->query,
        .nquery = f->nquery,
        .body = r->body.data,
        .body_len = r->body.len,
        .source_ip = r->ip,
        .start_us = r->start_us,
    };
    if (r->is_ddb) {
        int auth = 0;
        for (size_t i = 0; i < f->nheaders && !auth; i++)
            auth = !strcasecmp(f->headers[i].name, "Authorization");
        struct sigv4_header sh[MAX_HEADERS];
        for (size_t i = 0; i < f->nheaders; i++)
            sh[i] =
                (struct sigv4_header){f->headers[i].name, f->headers[i].value};
        struct ddb_request dreq = {
            .target = r->target,
            .body = r->body.data,
            .body_len = r->body.len,
            .has_authorization = auth,
            .raw_path = req.raw_path,
            .raw_query = req.raw_query,
            .headers = sh,
            .nheaders = f->nheaders,
            .source_ip = r->ip,
            .start_us = r->start_us,
        };
        ddb_handle(h->ddb, &dreq, &r->dres);
    } else if (r->too_large) {
        gateway_reject(h->gateway, &req, 413, "Request Too Long", &r->gres);
    } else {
        gateway_handle(h->gateway, &req, &r->gres);
    }
    r->state = ANSWERED;
}

/* Queue r's stored answer on its connection. */
static enum MHD_Result send_answer(struct MHD_Connection *c, struct request *r)
{
    if (!r->is_ddb)
        return send_response(c, &r->gres);

    struct ddb_response *res = &r->dres;
    char crc[16];
    enum MHD_Result ret;
    struct MHD_Response *response = MHD_create_response_from_buffer(
        res->body_len, res->body, MHD_RESPMEM_MUST_FREE);
    if (!response)
        return MHD_NO;
    res->body = NULL; /* libmicrohttpd frees it with the response */
    /* the decimal digits of the CRC, without snprintf's format machinery */
    char *d = crc + sizeof crc - 1;
    unsigned long v = res->crc32;
    *d = '\0';
    do
        *--d = (char)('0' + v % 10);
    while (v /= 10);
    MHD_add_response_header(response, "Content-Type",
                            "application/x-amz-json-1.0");
    MHD_add_response_header(response, "x-amzn-RequestId", res->request_id);
    MHD_add_response_header(response, "x-amz-crc32", d);
    ret = MHD_queue_response(c, (unsigned)res->status, response);
    MHD_destroy_response(response);
    return ret;
}

/* Does this request stay on the libmicrohttpd thread? Reads do: they never
 * wait for a commit, and a hand-off would cost them two thread switches. */
static int runs_inline(const struct request *r)
{
    /* the DynamoDB operations that only read, after "DynamoDB_20120810." */
    static const char *const reads[] = {"GetItem",
                                        "Query",
                                        "Scan",
                                        "BatchGetItem",
                                        "TransactGetItems",
                                        "DescribeTable",
                                        "ListTables",
                                        "DescribeTimeToLive"};
    if (r->too_large)
        return 1;
    if (!r->is_ddb)
        return !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD") ||
               !strcmp(r->method, "OPTIONS");
    const char *op = strchr(r->target, '.');
    for (size_t i = 0; op && i < sizeof reads / sizeof reads[0]; i++)
        if (!strcmp(op + 1, reads[i]))
            return 1;
    return 0;
}

static void *pool_loop(void *arg)
{
    struct http *h = arg;

    pthread_mutex_lock(&h->lock);
    for (;;) {
        h->pool_idle++;
        while (!h->queue && !h->stopping)
            pthread_cond_wait(&h->wake, &h->lock);
        h->pool_idle--;
        struct request *r = h->queue;
        if (!r)
            break; /* stopping, and nothing left to answer */
        h->queue = r->next;
        if (!h->queue)
            h->queue_tail = NULL;
        pthread_mutex_unlock(&h->lock);
        run(h, r, r->fields);
        /* libmicrohttpd calls on_request again, which queues the answer */
        MHD_resume_connection(r->conn);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* Queue r (its connection already suspended) for the write pool; once the
 * pool is stopping, answer it here instead and resume at once. */
static void hand_off(struct http *h, struct request *r)
{
    pthread_mutex_lock(&h->lock);
    /* grow the pool while every pool thread is busy: an idle server keeps no
     * threads, and start-up does not wait for 32 of them */
    if (!h->stopping && !h->pool_idle && h->npool < h->cfg->write_threads &&
        pthread_create(&h->pool[h->npool], NULL, pool_loop, h) == 0) {
        char name[16]; /* the kernel's limit, with the NUL */
        snprintf(name, sizeof name, "crudd-http-%u", h->npool);
        pthread_setname_np(h->pool[h->npool], name);
        h->npool++;
    }
    if (h->stopping || !h->npool) {
        pthread_mutex_unlock(&h->lock);
        run(h, r, r->fields);
        MHD_resume_connection(r->conn);
        return;
    }
    r->state = QUEUED;
    r->next = NULL;
    if (h->queue_tail)
        h->queue_tail->next = r;
    else
        h->queue = r;
    h->queue_tail = r;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
}

/* Free what r holds, and r. */
static void request_free(struct request *r)
{
    buf_fini(&r->body);
    free(r->fields);
    gateway_response_fini(&r->gres);
    ddb_response_fini(&r->dres);
    free(r);
}

static struct conn_state *conn_state_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The count of connections from ip, found or added; under conns_lock. */
static unsigned *peer_conns(struct http *h, const char *ip)
{
    for (size_t i = 0; i < h->npeers; i++)
        if (!strcmp(h->peers[i].ip, ip))
            return &h->peers[i].conns;
    if (h->npeers == h->peers_cap) {
        h->peers_cap = h->peers_cap ? 2 * h->peers_cap : 16;
        h->peers = xrealloc(h->peers, h->peers_cap * sizeof *h->peers);
    }
    struct peer *p = &h->peers[h->npeers++];
    snprintf(p->ip, sizeof p->ip, "%s", ip);
    p->conns = 0;
    return &p->conns;
}

/* Close cs's connection from any thread: libmicrohttpd sees the end of
 * its input, closes it on its own thread and calls on_connection, which
 * takes cs off the list before the descriptor is closed, so that under
 * conns_lock the descriptor of a listed connection is still its own. */
static void shut_down(struct http *h, struct conn_state *cs)
{
    cs->closing = 1;
    h->nclosing++;
    h->closed_unlogged++;
    shutdown(cs->fd, SHUT_RDWR);
}

/* The connection waiting longest for a request head, but not newest; or
 * NULL when every other one is serving a request. Under conns_lock. */
static struct conn_state *longest_waiting(struct http *h,
                                          const struct conn_state *newest)
{
    struct conn_state *best = NULL;
    uint64_t best_since = UINT64_MAX;

    for (struct conn_state *cs = h->conns; cs; cs = cs->next) {
        uint64_t since = atomic_load(&cs->head_since_us);
        if (cs != newest && !cs->closing && since && since < best_since) {
            best = cs;
            best_since = since;
        }
    }
    return best;
}

/* Count connections as they open and close. One over the limit makes room
 * by closing the connection that has waited longest for a request head
 * (a slow client, or an idle keep-alive one): a crowd of clients that
 * never finish a request cannot lock out a new one. When every other
 * connection is serving a request it is not refused at accept
 * (libmicrohttpd would close it without a word): it is marked, and its
 * first request is answered 503 with a message. */
static void on_connection(void *cls, struct MHD_Connection *c,
                          void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    struct http *h = cls;
    struct conn_state *cs = *socket_context;

    pthread_mutex_lock(&h->conns_lock);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        cs = xcalloc(1, sizeof *cs);
        client_address(c, cs->ip, sizeof cs->ip);
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cs->fd = fd ? fd->connect_fd : -1;
        atomic_store(&cs->head_since_us, clock_now_us());
        cs->next = h->conns;
        if (h->conns)
            h->conns->prev = cs;
        h->conns = cs;
        unsigned *mine = peer_conns(h, cs->ip);
        h->nconns++;
        (*mine)++;
        struct conn_state *victim;
        if (h->cfg->max_connections &&
            h->nconns - h->nclosing > h->cfg->max_connections &&
            (victim = longest_waiting(h, cs)) && victim->fd >= 0)
            shut_down(h, victim);
        if (h->draining)
            cs->refused = "Server is stopping";
        else if (h->cfg->max_connections &&
                 h->nconns - h->nclosing > h->cfg->max_connections)
            cs->refused = "Too many connections";
        else if (h->cfg->max_connections_per_ip &&
                 *mine > h->cfg->max_connections_per_ip)
            cs->refused = "Too many connections from this address";
        *socket_context = cs;
    } else if (cs) {
        h->nconns--;
        (*peer_conns(h, cs->ip))--;
        if (cs->closing)
            h->nclosing--;
        if (cs->prev)
            cs->prev->next = cs->next;
        else
            h->conns = cs->next;
        if (cs->next)
            cs->next->prev = cs->prev;
        if (cs->pending)
            request_free(cs->pending);
        free(cs);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&h->conns_lock);
}

/* The reaper: once a second, close each connection that has waited longer
 * than headerTimeoutSeconds for a whole request head. libmicrohttpd's idle
 * timeout restarts with every byte, so a client that trickles its head a
 * byte at a time would otherwise hold its connection for ever. */
static void *reap_loop(void *arg)
{
    struct http *h = arg;
    uint64_t limit_us = (uint64_t)h->cfg->header_timeout_s * 1000000u;

    pthread_setname_np(pthread_self(), "crudd-reaper");
    pthread_mutex_lock(&h->conns_lock);
    while (!h->reaper_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&h->reaper_wake, &h->conns_lock, &until);
        if (h->reaper_stop)
            break;
        uint64_t now = clock_now_us();
        for (struct conn_state *cs = h->conns; cs; cs = cs->next) {
            uint64_t since = atomic_load(&cs->head_since_us);
            /* since may be later than now: set by its thread meanwhile */
            if (!cs->closing && since && since < now &&
                now - since > limit_us && cs->fd >= 0)
                shut_down(h, cs);
        }
        if (h->closed_unlogged) {
            log_warn("closed %u connection%s that had not sent a whole "
                     "request head (slow, idle, or making room for a new "
                     "one); %u open",
                     h->closed_unlogged, h->closed_unlogged == 1 ? "" : "s",
                     h->nconns - h->nclosing);
            h->closed_unlogged = 0;
        }
    }
    pthread_mutex_unlock(&h->conns_lock);
    return NULL;
}

/* The size of the request line and header fields, as sent. */
struct header_size {
    size_t bytes;
    unsigned fields;
};

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind,
                                const char *key, const char *value)
{
    struct header_size *n = cls;

    (void)kind;
    n->bytes += strlen(key) + (value ? strlen(value) : 0) + 4; /* ": ", CRLF */
    n->fields++;
    return MHD_YES;
}

static struct header_size header_size(struct MHD_Connection *c,
                                      const char *method, const char *url)
{
    /* " ", " HTTP/1.1", CRLF */
    struct header_size n = {strlen(method) + strlen(url) + 12, 0};

    MHD_get_connection_values(c, MHD_HEADER_KIND, add_size, &n);
    return n;
}

/* What the header fields say about the body's framing (RFC 9112 §6). */
struct framing {
    const char *content_length;
    unsigned transfer_encodings;
    const char *transfer_encoding;
    int bad_name, conflicting_length;
};

static enum MHD_Result add_framing(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    struct framing *f = cls;

    (void)kind;
    if (!value)
        value = "";
    /* libmicrohttpd keeps "Transfer-Encoding :" as a field named
     * "Transfer-Encoding ", which it would not recognise as framing */
    if (strpbrk(key, " \t"))
        f->bad_name = 1;
    else if (!strcasecmp(key, "Content-Length")) {
        if (f->content_length && strcmp(f->content_length, value))
            f->conflicting_length = 1;
        f->content_length = value;
    } else if (!strcasecmp(key, "Transfer-Encoding")) {
        f->transfer_encodings++;
        f->transfer_encoding = value;
    }
    return MHD_YES;
}

/* Is the request's framing ambiguous (request smuggling, RFC 9112 §6.3) or
 * one that crudd cannot read? Returns 0, or the status to answer with
 * *message, after which the connection must close: the bytes that follow
 * cannot be trusted to start the next request. */
static int framing_error(struct MHD_Connection *c, const char **message)
{
    struct framing f = {0};

    MHD_get_connection_values(c, MHD_HEADER_KIND, add_framing, &f);
    if (f.bad_name)
        *message = "Whitespace in a header field name";
    else if (f.conflicting_length)
        *message = "Conflicting Content-Length header fields";
    else if (f.transfer_encodings && f.content_length)
        *message = "Content-Length with Transfer-Encoding";
    else if (f.transfer_encodings > 1)
        *message = "More than one Transfer-Encoding header field";
    else if (f.transfer_encodings &&
             strcasecmp(f.transfer_encoding, "chunked") != 0) {
        /* RFC 9112 §6.1: a coding the server does not understand */
        *message = "Transfer-Encoding not implemented";
        return 501;
    } else
        return 0;
    return 400;
}

/* Is there a NUL in the request target: sent raw, or as %00 in the path?
 * libmicrohttpd would cut the path at it ("/items/a<NUL>b" reads as
 * "/items/a"), and no path holds one. libmicrohttpd (0.9.75) ends the
 * target by writing a NUL over the space before the version, so the
 * version starts one byte after the target's end: later than that, the
 * target held a NUL of its own. */
static int nul_in_target(const struct request *r, const char *version)
{
    uintptr_t at = (uintptr_t)r->target_at, v = (uintptr_t)version;

    if (version && *version && v > at && v - at - 1 > r->target_len &&
        v - at <= 65536)
        return 1;
    for (const char *p = r->raw_uri; *p && *p != '?'; p++)
        if (p[0] == '%' && p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

/* Answer at once, before the body is read, and close the connection. */
static enum MHD_Result refuse(struct http *h, struct MHD_Connection *c,
                              struct request *r, const char *method,
                              const char *url, int status, const char *message)
{
    struct gateway_request req = {.method = method,
                                  .path = url,
                                  .source_ip = r->ip,
                                  .start_us = r->start_us};

    gateway_reject(h->gateway, &req, status, message, &r->gres);
    handler_headers_add(&r->gres.headers, &r->gres.nheaders, "Connection",
                        "close");
    r->state = REFUSED;
    return send_response(c, &r->gres);
}

/* libmicrohttpd's URI log callback: the first sight of a request, before
 * the path is percent-decoded and the query parsed. The request's state
 * starts here, holding the target as sent (SigV4 signs the encoded path and
 * query); the connection owns it until the access handler sees it. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http *h = cls;
    size_t n = strlen(uri) + 1;
    char *query = strchr(uri, '?');
    const char *refused = NULL;

    /* the request line alone over the cap on the request head (its
     * " HTTP/1.1" and CRLF are 11 more bytes) */
    if (h->cfg->max_header_bytes && n + 11 > h->cfg->max_header_bytes)
        refused = "Request-URI Too Long";
    else if (query) {
        size_t params = 1;
        for (const char *p = query; (p = strchr(p + 1, '&'));)
            params++;
        if (params > MAX_QUERY)
            refused = "Too many query string parameters";
    }
    if (refused && query)
        /* libmicrohttpd parses the query in place right after this
         * callback (0.9.75): an empty one costs it no pool memory */
        query[1] = '\0';
    size_t len = n - 1;
    if (refused)
        n = 1; /* nothing of it is kept */
    struct request *r = xcalloc(1, sizeof *r + n);
    r->start_us = clock_now_us();
    r->uri_refused = refused;
    r->target_at = uri;
    r->target_len = len;
    r->raw_uri = memcpy(r->uri, refused ? "" : uri, n);
    struct conn_state *cs = conn_state_of(c);
    if (cs) {
        if (cs->pending)
            request_free(cs->pending);
        cs->pending = r;
    }
    return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http *h = cls;
    struct request *r = *con_cls;

    if (!r->begun) {
        r->begun = 1;
        r->version = version;
        atomic_fetch_add(&h->in_flight, 1);
        struct conn_state *cs = conn_state_of(c);
        if (cs && cs->pending == r)
            cs->pending = NULL; /* on_completed frees it from here on */
        if (cs)
            atomic_store(&cs->head_since_us, 0); /* the head is in */
        /* the connection's address, found once when it opened */
        if (cs)
            memcpy(r->ip, cs->ip, sizeof r->ip);
        else
            client_address(c, r->ip, sizeof r->ip);
        if (cs && cs->refused)
            return refuse(h, c, r, method, url, 503, cs->refused);
        if (r->uri_refused)
            return refuse(h, c, r, method, url, 414, r->uri_refused);
        /* the target as sent, query included */
        const struct header_size size =
            header_size(c, method, *r->raw_uri ? r->raw_uri : url);
        if ((h->cfg->max_headers && size.fields > h->cfg->max_headers) ||
            (h->cfg->max_header_bytes && size.bytes > h->cfg->max_header_bytes))
            return refuse(h, c, r, method, url, 431,
                          "Request Header Fields Too Large");
        const char *why;
        int status = framing_error(c, &why);
        if (status)
            return refuse(h, c, r, method, url, status, why);
        if (nul_in_target(r, version))
            return refuse(h, c, r, method, url, 400, "Invalid request path");
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > h->cfg->max_body)
            r->too_large = 1;
        if (!r->too_large)
            return MHD_YES;
        /* answer before reading the body: no memory spent on it, and the
         * client is not made to upload 10 MB for nothing (the connection
         * closes after this answer) */
    } else if (*upload_data_size) {
        /* a client that trickles its body may not hold a thread forever;
         * mid-upload there is no way to answer, so the connection closes */
        if (h->cfg->request_timeout_s &&
            clock_now_us() - r->start_us >
                (uint64_t)h->cfg->request_timeout_s * 1000000u) {
            log_warn("%s \"%s %s\": request body not complete after %u s; "
                     "closing the connection",
                     r->ip, method, url, h->cfg->request_timeout_s);
            return MHD_NO;
        }
        if (!r->too_large &&
            r->body.len + *upload_data_size > h->cfg->max_body) {
            r->too_large = 1; /* chunked: no Content-Length to judge by */
            buf_fini(&r->body);
        }
        if (!r->too_large)
            buf_append(&r->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }

    if (r->state == REFUSED)
        return MHD_YES; /* answered on the first call; closing */
    if (r->state == ANSWERED)
        return send_answer(c, r); /* back from the write pool */
    if (r->state == QUEUED)
        return MHD_YES;

    r->conn = c;
    r->method = method;
    r->url = url;
    r->target = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    r->is_ddb = r->target && !r->too_large && !strcmp(method, "POST") &&
                !strcmp(url, "/");
    if (runs_inline(r) || !h->cfg->write_threads) {
        struct fields f;
        f.nheaders = f.nquery = 0;
        MHD_get_connection_values(c, MHD_HEADER_KIND, collect, &f);
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, &f);
        run(h, r, &f);
        return send_answer(c, r);
    }
    r->fields = xmalloc(sizeof *r->fields);
    r->fields->nheaders = r->fields->nquery = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect, r->fields);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, r->fields);
    MHD_suspend_connection(c);
    hand_off(h, r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http *h = cls;
    struct request *r = *con_cls;

    (void)toe;
    if (!r)
        return;
    struct conn_state *cs = conn_state_of(c);
    if (cs && cs->pending == r)
        cs->pending = NULL;
    if (cs) /* the next request's head, on a kept-alive connection */
        atomic_store(&cs->head_since_us, clock_now_us());
    if (r->begun)
        atomic_fetch_sub(&h->in_flight, 1);
    request_free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];

    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    /* every connection the reaper closes, and every slow client that gives
     * up, would say so: a flood under a slowloris; the reaper counts them */
    if (!strncmp(line, "Connection was closed by remote side with incomplete",
                 52) ||
        !strncmp(line, "Connection socket is closed when reading request", 48))
        return;
    log_warn("libmicrohttpd: %s", line);
}

/* Answer everything queued, then end the write pool's threads. */
static void stop_pool(struct http *h)
{
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->lock);
    for (unsigned i = 0; i < h->npool; i++)
        pthread_join(h->pool[i], NULL);
    free(h->pool);
    h->pool = NULL;
    h->npool = 0;
}

/* The socket address to listen on: bind is an IPv4 or IPv6 address, or a
 * name resolved as getaddrinfo(3) resolves it (IPv4 first, so "localhost"
 * is 127.0.0.1 as most clients try it). ERR_CONFIG when it is neither. */
static int bind_address(const char *bind, int port, struct sockaddr_storage *ss,
                        struct err *err)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *a;
    int rc;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return 0;
    }
    if ((rc = getaddrinfo(bind, NULL, &hints, &res)) != 0)
        return err_set(err, ERR_CONFIG,
                       "bind: \"%s\" is not an IPv4 or IPv6 address, and "
                       "not a name this machine resolves (%s)",
                       bind, gai_strerror(rc));
    for (a = res; a && a->ai_family != AF_INET; a = a->ai_next)
        ;
    for (a = a ? a : res;
         a && a->ai_family != AF_INET6 && a->ai_family != AF_INET;
         a = a->ai_next)
        ;
    if (!a) {
        freeaddrinfo(res);
        return err_set(err, ERR_CONFIG,
                       "bind: \"%s\" resolves to no IPv4 or IPv6 address",
                       bind);
    }
    memcpy(ss, a->ai_addr, a->ai_addrlen);
    if (a->ai_family == AF_INET)
        v4->sin_port = htons((uint16_t)port);
    else
        v6->sin6_port = htons((uint16_t)port);
    freeaddrinfo(res);
    return 0;
}

/* Why libmicrohttpd could not listen at ss: bind a socket there once more
 * and tell the user what its errno means, and what to do. */
static void bind_failure(const struct config *cfg,
                         const struct sockaddr_storage *ss, struct err *err)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0;
    int one = 1;

    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (const struct sockaddr *)ss,
                 ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
                                          : sizeof(struct sockaddr_in6)) < 0)
            e = errno;
        close(fd);
    } else {
        e = errno;
    }
    switch (e) {
    case EADDRINUSE:
        err_set(err, ERR_CONFIG,
                "cannot listen on %s:%d: the port is in use by another "
                "process (another crudd? `ss -ltnp` shows which): stop it, "
                "or choose another port with --port",
                cfg->bind, cfg->port);
        break;
    case EACCES:
        err_set(err, ERR_CONFIG,
                "cannot listen on %s:%d: permission denied: ports below 1024 "
                "need root (or CAP_NET_BIND_SERVICE); use a port from 1024 "
                "up, e.g. --port 3000",
                cfg->bind, cfg->port);
        break;
    case EADDRNOTAVAIL:
        err_set(err, ERR_CONFIG,
                "cannot listen on %s:%d: %s is not an address of this "
                "machine; use 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                "interface) with --bind",
                cfg->bind, cfg->port, cfg->bind);
        break;
    default:
        err_set(err, ERR_CONFIG, "cannot listen on %s:%d: %s", cfg->bind,
                cfg->port, e ? strerror(e) : "libmicrohttpd could not start");
    }
}

struct http *http_open(const struct config *cfg, unsigned threads,
                       struct gateway *g, struct ddb *d, struct err *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
    struct http *h = xcalloc(1, sizeof *h);

    if (bind_address(cfg->bind, cfg->port, &ss, err) < 0) {
        free(h);
        return NULL;
    }
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    h->cfg = cfg;
    h->gateway = g;
    h->ddb = d;
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    pthread_mutex_init(&h->conns_lock, NULL);
    pthread_cond_init(&h->reaper_wake, NULL);
    h->pool = xcalloc(cfg->write_threads + 1, sizeof *h->pool);
    /* One thread is the internal polling thread alone: libmicrohttpd
     * (0.9.75) warns about a pool size of 0 or 1, so the option is left
     * out (an array that starts with MHD_OPTION_END is empty). */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END,
         (intptr_t)threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, h,
        /* first, or libmicrohttpd logs its own warnings on stderr */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_ARRAY, pool,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, h,
        /* the request line, headers and query parameters must fit; the
         * rest is the read buffer for the body */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)cfg->max_header_bytes + 8192 + MAX_QUERY * POOL_PER_FIELD,
        /* a hard stop above the soft limit that answers 503 */
        MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections ? cfg->max_connections + 64 : 100000u,
        MHD_OPTION_END);
    if (!h->daemon) {
        stop_pool(h);
        free(h);
        bind_failure(cfg, &ss, err);
        return NULL;
    }
    if (cfg->header_timeout_s)
        h->reaping = pthread_create(&h->reaper, NULL, reap_loop, h) == 0;
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    len = sizeof ss;
    if (info && getsockname(info->listen_fd, (struct sockaddr *)&ss, &len) == 0)
        h->port = ntohs(ss.ss_family == AF_INET6
                            ? ((struct sockaddr_in6 *)&ss)->sin6_port
                            : ((struct sockaddr_in *)&ss)->sin_port);
    return h;
}

int http_port(const struct http *h)
{
    return h->port;
}

void http_close(struct http *h, unsigned grace_ms)
{
    if (!h)
        return;
    /* new connections are answered 503 from here on; those already open
     * go on. Not MHD_quiesce_daemon: with epoll and its own threads,
     * libmicrohttpd 0.9.75 races its workers to take the listening socket
     * out of their epoll sets, and the loser aborts the process ("Failed
     * to remove listen FD from epoll set") */
    pthread_mutex_lock(&h->conns_lock);
    h->draining = 1;
    pthread_mutex_unlock(&h->conns_lock);
    uint64_t until = clock_now_us() + (uint64_t)grace_ms * 1000u;
    while (atomic_load(&h->in_flight) > 0 && clock_now_us() < until) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* every request handed off is answered and its connection resumed
     * before the daemon stops (it refuses to stop with one suspended) */
    stop_pool(h);
    if (h->reaping) {
        pthread_mutex_lock(&h->conns_lock);
        h->reaper_stop = 1;
        pthread_cond_signal(&h->reaper_wake);
        pthread_mutex_unlock(&h->conns_lock);
        pthread_join(h->reaper, NULL);
    }
    MHD_stop_daemon(h->daemon);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->conns_lock);
    pthread_cond_destroy(&h->reaper_wake);
    free(h->peers);
    free(h);
}
