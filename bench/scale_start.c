/*
 * scale_start — start crudd and time it: from just before the exec to the
 * first 200 answer on PATH.
 *
 *   scale_start CRUDD DB LOG PATH
 *
 * Runs CRUDD --bind 127.0.0.1 --port 0 --db DB --log-level warn with its
 * stderr in the file LOG (stdout to /dev/null), reads the port from LOG's
 * first line ("listening on 127.0.0.1:PORT"), then sends GET PATH (one
 * connection per try, no pause between tries) until one is answered 200.
 * Prints
 *
 *   PID PORT LISTEN_MS ANSWER_MS
 *
 * (milliseconds from the exec to the line, and to the 200) and exits,
 * leaving crudd running: the caller stops it by its PID. Exits 1, crudd
 * stopped, when nothing is answered 200 within 10 s.
 *
 *   scale_start --version CRUDD
 *
 * prints the milliseconds from the exec of CRUDD --version to its exit: what
 * starting the process and loading its libraries costs on this machine.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIMIT_MS 10000.0

extern char **environ;

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static pid_t child;

static void fail(const char *what)
{
    fprintf(stderr, "scale_start: %s\n", what);
    if (child > 0) {
        kill(child, SIGTERM);
        waitpid(child, NULL, 0);
    }
    exit(1);
}

static void check_alive(void)
{
    if (waitpid(child, NULL, WNOHANG) == child) {
        child = 0;
        fail("crudd exited");
    }
}

/* The port from LOG's first line, once it is complete. */
static int read_port(int fd, double t0)
{
    char line[256];
    size_t n = 0;
    int port;

    for (;;) {
        ssize_t r = pread(fd, line + n, sizeof line - 1 - n, (off_t)n);
        if (r > 0) {
            n += (size_t)r;
            line[n] = '\0';
            if (strchr(line, '\n'))
                break;
            if (n == sizeof line - 1)
                fail("the first log line is too long");
            continue;
        }
        check_alive();
        if (now_ms() - t0 > LIMIT_MS)
            fail("no \"listening on\" line within 10 s");
    }
    if (sscanf(line, "listening on 127.0.0.1:%d", &port) != 1)
        fail("the first log line is not \"listening on 127.0.0.1:PORT\"");
    return port;
}

/* 1 when GET path on port is answered 200, 0 when not (yet). */
static int get_200(int port, const char *path)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    char req[512], resp[64];
    size_t got = 0;
    int fd, len, ok = 0;

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                   "Connection: close\r\n\r\n",
                   path, port);
    if (len <= 0 || (size_t)len >= sizeof req)
        fail("the path is too long");
    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        fail("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        write(fd, req, (size_t)len) == len) {
        while (got < sizeof resp - 1) {
            ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
            if (r <= 0)
                break;
            got += (size_t)r;
            if (memchr(resp, '\n', got))
                break;
        }
        resp[got] = '\0';
        ok = strncmp(resp, "HTTP/1.1 200 ", 13) == 0;
    }
    close(fd);
    return ok;
}

static int version_ms(const char *crudd)
{
    char *args[] = {(char *)(uintptr_t)crudd, "--version", NULL};
    posix_spawn_file_actions_t fa;
    double t0;
    int status;

    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    t0 = now_ms();
    errno = posix_spawn(&child, crudd, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (errno) {
        perror(crudd);
        return 1;
    }
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "scale_start: %s --version failed\n", crudd);
        return 1;
    }
    printf("%.3f\n", now_ms() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    char *args[] = {argc > 1 ? argv[1] : NULL,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--db",
                    argc > 2 ? argv[2] : NULL,
                    "--log-level",
                    "warn",
                    NULL};
    posix_spawn_file_actions_t fa;
    double t0, listen_ms, answer_ms;
    int fd, port;

    if (argc == 3 && strcmp(argv[1], "--version") == 0)
        return version_ms(argv[2]);
    if (argc != 5) {
        fprintf(stderr, "usage: scale_start CRUDD DB LOG PATH\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if ((fd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0) {
        perror(argv[3]);
        return 1;
    }
    posix_spawn_file_actions_init(&fa);
    /* stdout too: a caller's $(...) would wait for crudd to close it */
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, fd, 2);
    posix_spawn_file_actions_addclose(&fa, fd);
    t0 = now_ms();
    errno = posix_spawn(&child, argv[1], &fa, NULL, args, environ);
    if (errno) {
        child = 0;
        perror(argv[1]);
        return 1;
    }
    posix_spawn_file_actions_destroy(&fa);
    port = read_port(fd, t0);
    listen_ms = now_ms() - t0;
    while (!get_200(port, argv[4])) {
        check_alive();
        if (now_ms() - t0 > LIMIT_MS)
            fail("no 200 answer within 10 s");
    }
    answer_ms = now_ms() - t0;
    close(fd);
    printf("%d %d %.3f %.3f\n", (int)child, port, listen_ms, answer_ms);
    return 0;
}
