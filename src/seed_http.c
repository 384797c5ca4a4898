/*
 * seed_http — the smallest HTTP/1.1 client that speaks to a running crudd's
 * DynamoDB API for `crudd export/import --endpoint`: one POST a connection
 * (Connection: close), the answer read to the end of the stream. Not a
 * general client: no TLS, no chunked bodies, no redirects.
 */
#include "buf.h"
#include "seed_impl.h"
#include "xalloc.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int dial(const char *host, const char *port, struct err *err)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    int fd = -1, rc = getaddrinfo(host, port, &hints, &res);

    if (rc != 0)
        return err_set(err, ERR_UNAVAILABLE, "%s:%s: %s", host, port,
                       gai_strerror(rc));
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return err_set(err, ERR_UNAVAILABLE, "cannot connect to %s:%s: %s",
                       host, port, strerror(errno));
    return fd;
}

int seed_http_post(const char *host, const char *port, const char *target,
                   const char *body, size_t len, int *status, char **resp,
                   size_t *resp_len, struct err *err)
{
    struct buf in;
    char chunk[65536];
    int fd = dial(host, port, err), rc = -1;

    buf_init(&in);
    if (fd < 0)
        return -1;
    /* crudd's open DynamoDB API wants an Authorization header, as the
     * SDKs always send one; it does not check it */
    char *head =
        xasprintf("POST / HTTP/1.1\r\nHost: %s:%s\r\n"
                  "Content-Type: application/x-amz-json-1.0\r\n"
                  "X-Amz-Target: %s\r\n"
                  "Authorization: AWS4-HMAC-SHA256 Credential=crudd/20240101/"
                  "us-east-1/dynamodb/aws4_request, SignedHeaders=host, "
                  "Signature=0\r\n"
                  "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                  host, port, target, len);
    int sent =
        send_all(fd, head, strlen(head)) == 0 && send_all(fd, body, len) == 0;
    free(head);
    if (!sent) {
        err_set(err, ERR_UNAVAILABLE, "%s:%s: send: %s", host, port,
                strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t r = recv(fd, chunk, sizeof chunk, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err_set(err, ERR_UNAVAILABLE, "%s:%s: receive: %s", host, port,
                    strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        buf_append(&in, chunk, (size_t)r);
    }
    buf_append(&in, "", 1);
    const char *text = in.data;
    const char *end = strstr(text, "\r\n\r\n");
    if (strncmp(text, "HTTP/1.", 7) != 0 || !end ||
        sscanf(text + 8, " %d", status) != 1) {
        err_set(err, ERR_UNAVAILABLE, "%s:%s: not an HTTP answer", host, port);
        goto out;
    }
    end += 4;
    *resp_len = in.len - 1 - (size_t)(end - text);
    *resp = xmalloc(*resp_len + 1);
    memcpy(*resp, end, *resp_len + 1);
    rc = 0;
out:
    buf_fini(&in);
    close(fd);
    return rc;
}
