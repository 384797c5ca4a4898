/*
 * ids — a per-thread pool of kernel random bytes, and UUID v4 on top of it.
 * Not a PRNG of its own: every byte comes from getrandom(2).
 */
#include "ids.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

#define POOL 4096

static _Thread_local unsigned char pool[POOL];
static _Thread_local size_t used = POOL;

static void refill(void)
{
    size_t got = 0;

    while (got < POOL) {
        ssize_t n = getrandom(pool + got, POOL - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            abort(); /* no kernel randomness: nothing safe to fall back to */
        got += (size_t)n;
    }
    used = 0;
}

void ids_random(void *p, size_t n)
{
    if (n > POOL)
        abort();
    if (POOL - used < n)
        refill();
    memcpy(p, pool + used, n);
    /* bytes handed out are not kept around */
    memset(pool + used, 0, n);
    used += n;
}

void ids_uuid4(char out[37])
{
    uuid_t u;

    ids_random(u, sizeof u);
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* variant RFC 9562 */
    uuid_unparse_lower(u, out);
}
