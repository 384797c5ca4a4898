/*
 * fuzz_config — the config loader: a config file, and a few flags after it.
 *
 * Input: the file's bytes up to the first NUL; after it, NUL-separated
 * extra command-line arguments (at most 8). The file is a memfd, read as
 * "crudd --config /proc/self/fd/<n> [args...]"; every CRUDD_* variable is
 * unset first, so the environment plays no part, and an extra --config is
 * dropped.
 *
 * Properties: nothing crashes or leaks (config_fini frees what config_load
 * allocated, whether or not it succeeded); a failure is ERR_CONFIG with a
 * message; a success leaves the settings the rest of crudd relies on.
 */
#include "config.h"
#include "err.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_ARGS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern char **environ;
static int fd = -1;
static char path[64];

static void setup(void)
{
    /* unsetenv changes environ: collect the names first */
    char *names[256];
    int n = 0;
    for (char **e = environ; *e && n < 256; e++)
        if (!strncmp(*e, "CRUDD_", 6))
            names[n++] = strndup(*e, strcspn(*e, "="));
    for (int i = 0; i < n; i++) {
        unsetenv(names[i]);
        free(names[i]);
    }
    fd = memfd_create("crudd-fuzz-config", 0);
    if (fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *argv[3 + MAX_ARGS + 1] = {"crudd", "--config", path};
    int argc = 3;
    const uint8_t *nul = memchr(data, '\0', size);
    size_t file_len = nul ? (size_t)(nul - data) : size;
    char *rest = NULL;
    struct config c;
    struct err err = ERR_INIT;

    if (fd < 0)
        setup();
    if (ftruncate(fd, 0) < 0 ||
        pwrite(fd, data, file_len, 0) != (ssize_t)file_len) {
        perror("memfd write");
        abort();
    }
    if (nul) {
        size_t n = size - file_len - 1;
        rest = malloc(n + 1);
        memcpy(rest, nul + 1, n);
        rest[n] = '\0';
        /* another --config could name a FIFO or a terminal and block */
        for (char *a = rest; a < rest + n + 1 && argc < 3 + MAX_ARGS;
             a += strlen(a) + 1)
            if (strncmp(a, "--config", 8) != 0)
                argv[argc++] = a;
    }

    if (config_load(&c, argc, argv, &err) < 0) {
        assert(err.kind == ERR_CONFIG && err.msg[0]);
    } else {
        assert(c.bind && c.db && c.stage && c.health_path);
        assert(c.health_path[0] == '/');
        assert(c.port >= 0 && c.port <= 65535);
        assert(c.nroutes >= 1 && c.nroutes <= CONFIG_MAX_ROUTES);
        for (size_t i = 0; i < c.nroutes; i++) {
            const struct config_route *r = &c.routes[i];
            assert(r->path && r->path[0] == '/' && r->method && r->handler);
            assert(!r->table || (r->partition_key && r->key_name));
        }
        for (size_t i = 0; i < c.nusage_plans; i++)
            assert(c.usage_plans[i].name);
    }
    config_fini(&c);
    free(rest);
    return 0;
}
