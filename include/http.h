/*
 * http — the libmicrohttpd server: every libmicrohttpd call in crudd lives
 * here. It reads a request (method, path, query, headers, body up to the
 * configured cap), hands it to the gateway, and sends what the gateway
 * answers.
 *
 * Threading: libmicrohttpd's internal thread pool (one thread per usable
 * core by default, epoll), each worker running the gateway for its
 * connections; with one thread, libmicrohttpd's polling thread alone.
 * http_open and http_close run on the main thread.
 */
#ifndef CRUDD_HTTP_H
#define CRUDD_HTTP_H

#include "config.h"
#include "err.h"

struct ddb;
struct gateway;
struct http;

/*
 * Listen on cfg->bind:cfg->port (IPv4 or IPv6 literal; port 0 = a free
 * port) with threads worker threads (1 = no pool: the polling thread
 * serves every connection), and serve requests: POST / with an
 * X-Amz-Target header through the DynamoDB face d, every other request
 * through the gateway g. cfg, g and d are borrowed and must outlive the
 * server. Bodies over cfg->max_body bytes
 * are answered 413 {"message": "Request Too Long"} before they are read.
 * A request head must be complete within cfg->header_timeout_s of the
 * connection opening or of its previous answer, or the connection is
 * closed; a connection over cfg->max_connections closes the one that has
 * waited longest for a request head (503 only when every other one is
 * serving a request). Ambiguous framing (RFC 9112 §6.3) is 400, a
 * transfer coding other than chunked 501, more than 256 query parameters
 * or a target over cfg->max_header_bytes 414; each closes the connection.
 * Returns the running server, or NULL with ERR_CONFIG ("cannot listen on
 * ADDRESS:PORT: <reason>").
 */
struct http *http_open(const struct config *cfg, unsigned threads,
                       struct gateway *g, struct ddb *d, struct err *err);

/* The port actually bound (the chosen one when cfg->port was 0). */
int http_port(const struct http *h);

/*
 * Orderly stop: let requests in flight finish (waiting at most grace_ms
 * milliseconds; a connection opened meanwhile is answered 503 {"message":
 * "Server is stopping"}), then close every connection and join the
 * workers. h may be NULL.
 */
void http_close(struct http *h, unsigned grace_ms);

#endif
