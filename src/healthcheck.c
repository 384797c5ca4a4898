/*
 * healthcheck — the smallest HTTP client that answers "is crudd up?".
 * Not a general client: one request, HTTP/1.0, status line only.
 */
#include "healthcheck.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int wait_fd(int fd, short events, int timeout_ms)
{
    struct pollfd p = {fd, events, 0};
    return poll(&p, 1, timeout_ms) == 1 ? 0 : -1;
}

int healthcheck_run(const char *host, int port, const char *path,
                    int timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t len;
    char req[512], reply[64];
    int fd = -1, rc = -1;
    size_t got = 0;

    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (!strcmp(host, "0.0.0.0"))
        host = "127.0.0.1";
    if (!strcmp(host, "::"))
        host = "::1";
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        len = sizeof *v6;
    } else {
        fprintf(stderr, "crudd: healthcheck: bad address %s\n", host);
        return -1;
    }
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0)
        goto out;
    if (connect(fd, (struct sockaddr *)&ss, len) < 0 &&
        (errno != EINPROGRESS || wait_fd(fd, POLLOUT, timeout_ms) < 0))
        goto out;
    int so = 0;
    socklen_t so_len = sizeof so;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &so_len) < 0 || so) {
        errno = so;
        goto out;
    }
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n",
                     path, host);
    if (write(fd, req, (size_t)n) != n)
        goto out;
    while (got < sizeof reply - 1 && !memchr(reply, '\n', got)) {
        if (wait_fd(fd, POLLIN, timeout_ms) < 0)
            goto out;
        ssize_t r = read(fd, reply + got, sizeof reply - 1 - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    reply[got] = '\0';
    if (strncmp(reply, "HTTP/1.", 7) == 0 && strncmp(reply + 8, " 200", 4) == 0)
        rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "crudd: healthcheck: %s:%d%s is not healthy%s%s\n",
                host, port, path, errno ? ": " : "",
                errno ? strerror(errno) : "");
    if (fd >= 0)
        close(fd);
    return rc;
}
