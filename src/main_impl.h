/*
 * main_impl — what main.c's parts share. Not public.
 */
#ifndef CRUDD_MAIN_IMPL_H
#define CRUDD_MAIN_IMPL_H

#include "config.h"
#include "store.h"

/*
 * Log, after "listening on", what this crudd serves (issue 13: start-up
 * says what it serves): the config file used (or that none was found), the
 * API with its type and stage, each route as a URL a client can paste
 * (method, URL with the stage, function, table, authorization), the tables
 * in the database, the DynamoDB endpoint to give --endpoint-url, and the
 * health, metrics and OpenAPI URLs. port is the bound port. Info level, one
 * line per fact; reads the store's table names (a failure to read them is
 * logged and nothing else happens). Main thread, before serving starts.
 */
void main_banner(const struct config *cfg, struct store *store, int port);

#endif
