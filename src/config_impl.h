/*
 * config_impl.h — what config.c (settings) and config_api.c (the API's
 * resources, routes, keys, plans, credentials and CORS) share. Not public.
 */
#ifndef CRUDD_CONFIG_IMPL_H
#define CRUDD_CONFIG_IMPL_H

#include <jansson.h>

#include "config.h"

/* The default API: the items resource of DESIGN.md. */
void config_api_defaults(struct config *c);

/*
 * A top-level key of the file that is the API's (value borrowed). Returns 1
 * when key was the API's and is now loaded, 0 when it is not an API key,
 * -1 with ERR_CONFIG naming file, key and problem.
 */
int config_api_load(struct config *c, const char *file, const char *key,
                    json_t *value, struct err *err);

/* Cross-checks once every source is read (a plan naming an unknown key...).
 * 0 or -1 with ERR_CONFIG. */
int config_api_check(struct config *c, struct err *err);

/* Free the API's part of c. */
void config_api_fini(struct config *c);

#endif
