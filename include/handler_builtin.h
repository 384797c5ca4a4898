/*
 * handler_builtin — "Lambda functions" that need no table: they answer from
 * the event itself or from their configuration. Each is a handler_fn
 * (handler.h): same threads (any, several at once), ownership (event and env
 * borrowed for the call) and results.
 */
#ifndef CRUDD_HANDLER_BUILTIN_H
#define CRUDD_HANDLER_BUILTIN_H

#include "handler.h"

/*
 * echo: 200, Content-Type: application/json, and as the body the event
 * itself, compact JSON as handler_event_json renders it for
 * ev->payload_version: what a function in the cloud would receive for this
 * request (a Lambda that returns JSON.stringify(event)). env is not read.
 * Never fails.
 */
handler_fn handler_builtin_echo;

/*
 * respond: the fixed proxy result env->result (a borrowed JSON value: what a
 * user's Lambda would return, e.g. {"statusCode": 201, "headers": {...},
 * "body": "..."}), read with handler_result_from_json for
 * ev->payload_version, so a route can be stubbed with exactly what a real
 * function returns and get API Gateway's reading of it. Returns -1 (a
 * function error: the gateway's 502 for a REST API, 500 for an HTTP API)
 * when env->result is NULL or malformed for that version; res is then empty.
 */
handler_fn handler_builtin_respond;

/*
 * health: 200, Content-Type: application/json, {"status": "ok"}. Reads
 * neither the event nor env. Never fails.
 */
handler_fn handler_builtin_health;

#endif
