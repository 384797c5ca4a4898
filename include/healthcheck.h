/*
 * healthcheck — `crudd --healthcheck`: ask a running crudd whether it is
 * healthy, for Docker's HEALTHCHECK (the image has no curl). A plain
 * HTTP/1.0 GET over a socket; no libmicrohttpd (that is the server's).
 */
#ifndef CRUDD_HEALTHCHECK_H
#define CRUDD_HEALTHCHECK_H

/*
 * GET path from the server at host:port (an IPv4/IPv6 literal; "0.0.0.0" and
 * "::" mean this machine) with a timeout of timeout_ms milliseconds for the
 * whole exchange. Returns 0 when the answer is 200, else -1 (after printing
 * the reason on stderr).
 */
int healthcheck_run(const char *host, int port, const char *path,
                    int timeout_ms);

#endif
