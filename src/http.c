/*
 * http — libmicrohttpd glue. Per-request state is created on the first call
 * of the access handler and freed in the request-completed callback. The
 * response is always queued on a later call than the first: libmicrohttpd
 * 0.9.75 turns keep-alive off for responses queued on the first call, which
 * costs about 4× in throughput (DESIGN.md, "Facts measured"). Not routing,
 * not API Gateway rules: those are the gateway's.
 */
#include "http.h"
#include "buf.h"
#include "clock.h"
#include "ddb.h"
#include "gateway.h"
#include "log.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_HEADERS 128
#define MAX_QUERY 128

struct http {
    struct MHD_Daemon *daemon;
    const struct config *cfg;
    struct gateway *gateway;
    struct ddb *ddb;
    int port;
    atomic_int in_flight;
};

/* One request's state, from its first callback to its completion. */
struct request {
    struct buf body;
    int too_large;
    uint64_t start_us;
};

/* Headers and query parameters, gathered on the last callback only (on its
 * stack: they point into libmicrohttpd's memory for the request). */
struct fields {
    struct handler_kv headers[MAX_HEADERS];
    size_t nheaders;
    struct handler_kv query[MAX_QUERY];
    size_t nquery;
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

/* The DynamoDB wire API: the second front door, on the same port. */
static enum MHD_Result answer_ddb(struct http *h, struct MHD_Connection *c,
                                  const struct gateway_request *req,
                                  const char *target)
{
    struct ddb_response res;
    struct ddb_request dreq = {
        .target = target,
        .body = req->body,
        .body_len = req->body_len,
        .has_authorization = MHD_lookup_connection_value(
                                 c, MHD_HEADER_KIND, "Authorization") != NULL,
        .source_ip = req->source_ip,
        .start_us = req->start_us,
    };
    char crc[16];
    enum MHD_Result ret;

    ddb_handle(h->ddb, &dreq, &res);
    struct MHD_Response *response = MHD_create_response_from_buffer(
        res.body_len, res.body, MHD_RESPMEM_MUST_FREE);
    if (!response) {
        ddb_response_fini(&res);
        return MHD_NO;
    }
    res.body = NULL; /* libmicrohttpd frees it with the response */
    snprintf(crc, sizeof crc, "%lu", res.crc32);
    MHD_add_response_header(response, "Content-Type",
                            "application/x-amz-json-1.0");
    MHD_add_response_header(response, "x-amzn-RequestId", res.request_id);
    MHD_add_response_header(response, "x-amz-crc32", crc);
    ret = MHD_queue_response(c, (unsigned)res.status, response);
    MHD_destroy_response(response);
    ddb_response_fini(&res);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http *h = cls;
    struct request *r = *con_cls;
    struct gateway_response res;
    char ip[INET6_ADDRSTRLEN];
    enum MHD_Result ret;

    (void)version;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->start_us = clock_now_us();
        *con_cls = r;
        atomic_fetch_add(&h->in_flight, 1);
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

    struct fields f;
    f.nheaders = f.nquery = 0;
    client_address(c, ip, sizeof ip);
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect, &f);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect, &f);
    struct gateway_request req = {
        .method = method,
        .path = url,
        .headers = f.headers,
        .nheaders = f.nheaders,
        .query = f.query,
        .nquery = f.nquery,
        .body = r->body.data,
        .body_len = r->body.len,
        .source_ip = ip,
        .start_us = r->start_us,
    };
    const char *target =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Target");
    if (target && !r->too_large && !strcmp(method, "POST") && !strcmp(url, "/"))
        return answer_ddb(h, c, &req, target);
    if (r->too_large)
        gateway_reject(h->gateway, &req, 413, "Request Too Long", &res);
    else
        gateway_handle(h->gateway, &req, &res);
    ret = send_response(c, &res);
    gateway_response_fini(&res);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http *h = cls;
    struct request *r = *con_cls;

    (void)c;
    (void)toe;
    if (!r)
        return;
    buf_fini(&r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&h->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];

    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_warn("libmicrohttpd: %s", line);
}

struct http *http_open(const struct config *cfg, unsigned threads,
                       struct gateway *g, struct ddb *d, struct err *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                     MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct http *h = xcalloc(1, sizeof *h);

    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->bind, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)cfg->port);
    } else if (inet_pton(AF_INET6, cfg->bind, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        free(h);
        err_set(err, ERR_CONFIG, "bind: \"%s\" is not an IPv4 or IPv6 address",
                cfg->bind);
        return NULL;
    }
    h->cfg = cfg;
    h->gateway = g;
    h->ddb = d;
    h->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, h,
        /* first, or libmicrohttpd logs its own warnings on stderr */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_END);
    if (!h->daemon) {
        free(h);
        err_set(err, ERR_CONFIG,
                "cannot listen on %s:%d (address in use, or not this "
                "machine's?)",
                cfg->bind, cfg->port);
        return NULL;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_LISTEN_FD);
    len = sizeof ss;
    if (info && getsockname(info->listen_fd, (struct sockaddr *)&ss, &len) == 0)
        h->port =
            ntohs(ss.ss_family == AF_INET6 ? v6->sin6_port : v4->sin_port);
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
    /* stop accepting; connections already open go on */
    MHD_socket fd = MHD_quiesce_daemon(h->daemon);
    uint64_t until = clock_now_us() + (uint64_t)grace_ms * 1000u;
    while (atomic_load(&h->in_flight) > 0 && clock_now_us() < until) {
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(h->daemon);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    free(h);
}
