/*
 * ids — random identifiers: UUID version 4 (RFC 9562 §5.4) for item ids and
 * request ids, and random bytes for other ids.
 *
 * The bytes come from the kernel's CSPRNG (getrandom(2)), drawn 4 KB at a
 * time into a per-thread buffer: libuuid's uuid_generate_random reseeds a
 * PRNG and asks the kernel on every call, which cost 13 % of a GET (make
 * bench). Formatting is libuuid's. Any thread may call these.
 */
#ifndef CRUDD_IDS_H
#define CRUDD_IDS_H

#include <stddef.h>

/* Fill p with n random bytes (n at most 4096). */
void ids_random(void *p, size_t n);

/* Write a new random UUID v4, lowercase, 36 characters and a NUL. */
void ids_uuid4(char out[37]);

#endif
