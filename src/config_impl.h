/*
 * config_impl.h — what config.c (settings) and config_api.c (the API's
 * resources, routes, keys, plans, credentials and CORS) share. Not public.
 */
#ifndef CRUDD_CONFIG_IMPL_H
#define CRUDD_CONFIG_IMPL_H

#include <jansson.h>

#include "config.h"

/* The default API: the items resource of src/DESIGN.md. */
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

/*
 * The static access key the AWS CLI would sign with here (config_aws.c):
 * AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY when both are set and not
 * empty; else, for the profile AWS_PROFILE (or AWS_DEFAULT_PROFILE, else
 * "default") names, aws_access_key_id and aws_secret_access_key in the
 * shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
 * ~/.aws/credentials, section [NAME]), else in the config file
 * (AWS_CONFIG_FILE, else ~/.aws/config, section [profile NAME] or
 * [default]). Returns 1 with out's two strings and *source (where it was
 * found, for the start-up log) new strings to free, or 0 with them NULL.
 * Never fails: a missing or unreadable file is no key.
 */
int config_aws_credential(struct config_credential *out, char **source);

/* Free the API's part of c. */
void config_api_fini(struct config *c);

#endif
