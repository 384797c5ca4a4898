/*
 * seed_http — the smallest HTTP/1.1 client that speaks to a running crudd's
 * DynamoDB API for `crudd export/import --endpoint`: one POST a connection
 * (Connection: close), the answer read to the end of the stream, signed
 * with Signature Version 4 (service dynamodb, region us-east-1) by
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when they are set, so that a
 * server whose DynamoDB API checks signatures accepts it. Not a general
 * client: no TLS, no chunked bodies, no redirects.
 */
#include "buf.h"
#include "seed_impl.h"
#include "xalloc.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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

static void hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

static void hmac(const void *key, size_t klen, const char *msg,
                 unsigned char out[32])
{
    unsigned len = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, strlen(msg),
         out, &len);
}

/* The Authorization header value of a SigV4 signature (AWS General
 * Reference, "Signature Version 4 signing process") of POST / with these
 * headers and body; a placeholder key when none is set (an open DynamoDB
 * API checks no signature). New string. */
static char *authorization(const char *hostport, const char *date,
                           const char *target, const char *body, size_t len)
{
    const char *akid = getenv("AWS_ACCESS_KEY_ID");
    const char *secret = getenv("AWS_SECRET_ACCESS_KEY");
    unsigned char h[32], k[32];
    char body_hex[65], cr_hex[65], sig[65], day[9];

    if (!akid || !*akid || !secret) {
        akid = "crudd";
        secret = "crudd";
    }
    memcpy(day, date, 8);
    day[8] = '\0';
    SHA256((const unsigned char *)body, len, h);
    hex(h, 32, body_hex);
    char *cr = xasprintf("POST\n/\n\ncontent-type:application/x-amz-json-1.0\n"
                         "host:%s\nx-amz-date:%s\nx-amz-target:%s\n\n"
                         "content-type;host;x-amz-date;x-amz-target\n%s",
                         hostport, date, target, body_hex);
    SHA256((const unsigned char *)cr, strlen(cr), h);
    hex(h, 32, cr_hex);
    char *sts = xasprintf("AWS4-HMAC-SHA256\n%s\n%s/us-east-1/dynamodb/"
                          "aws4_request\n%s",
                          date, day, cr_hex);
    char *key = xasprintf("AWS4%s", secret);
    hmac(key, strlen(key), day, k);
    hmac(k, 32, "us-east-1", k);
    hmac(k, 32, "dynamodb", k);
    hmac(k, 32, "aws4_request", k);
    hmac(k, 32, sts, h);
    hex(h, 32, sig);
    char *out = xasprintf(
        "AWS4-HMAC-SHA256 Credential=%s/%s/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=%s",
        akid, day, sig);
    free(key);
    free(sts);
    free(cr);
    return out;
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
    char date[17];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    char *hostport = xasprintf("%s:%s", host, port);
    char *auth = authorization(hostport, date, target, body, len);
    char *head = xasprintf("POST / HTTP/1.1\r\nHost: %s\r\n"
                           "Content-Type: application/x-amz-json-1.0\r\n"
                           "X-Amz-Date: %s\r\nX-Amz-Target: %s\r\n"
                           "Authorization: %s\r\n"
                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                           hostport, date, target, auth, len);
    free(auth);
    free(hostport);
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
