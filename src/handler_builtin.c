/*
 * handler_builtin — the functions that need no store: echo the event,
 * respond with a configured proxy result, report health. Not the gateway's
 * own answers (403, 429, CORS preflight): those never reach a function.
 */
#include "handler_builtin.h"
#include "log.h"

#include <stdlib.h>

static const char *request_id(const struct handler_event *ev)
{
    return ev->request_id ? ev->request_id : "-";
}

int handler_builtin_echo(const struct handler_event *ev,
                         const struct handler_env *env,
                         struct handler_result *res)
{
    json_t *event = handler_event_json(ev);
    char *text = json_dumps(event, JSON_COMPACT);

    (void)env;
    json_decref(event);
    if (!text) /* jansson fails only for want of memory */
        return -1;
    handler_respond(res, 200);
    buf_puts(&res->body, text);
    free(text);
    return 0;
}

int handler_builtin_respond(const struct handler_event *ev,
                            const struct handler_env *env,
                            struct handler_result *res)
{
    const char *why;

    if (!env->result) {
        log_warn("%s: respond: no result configured", request_id(ev));
        return -1;
    }
    if (handler_result_from_json(env->result, ev->payload_version, res, &why) <
        0) {
        log_warn("%s: respond: malformed Lambda proxy response: %s",
                 request_id(ev), why);
        return -1;
    }
    return 0;
}

int handler_builtin_health(const struct handler_event *ev,
                           const struct handler_env *env,
                           struct handler_result *res)
{
    (void)ev;
    (void)env;
    handler_respond(res, 200);
    buf_puts(&res->body, "{\"status\": \"ok\"}");
    return 0;
}
