/*
 * handler — the event's accessors and the result's builders, shared by every
 * handler family; the event's JSON is handler_event.c, the reading of a
 * function's JSON result handler_result.c. Not a handler itself.
 */
#include "handler.h"
#include "uri.h"
#include "xalloc.h"

#include <string.h>

static const char *last_of(const struct handler_kv *kv, size_t n,
                           const char *name, int fold_case)
{
    for (size_t i = n; i-- > 0;)
        if (fold_case ? !strcasecmp(kv[i].name, name)
                      : !strcmp(kv[i].name, name))
            return kv[i].value;
    return NULL;
}

const char *handler_header(const struct handler_event *ev, const char *name)
{
    return last_of(ev->headers, ev->nheaders, name, 1);
}

const char *handler_query(const struct handler_event *ev, const char *name)
{
    return last_of(ev->query, ev->nquery, name, 0);
}

const char *handler_param(const struct handler_event *ev, const char *name)
{
    return last_of(ev->params, ev->nparams, name, 0);
}

char *handler_param_decoded(const struct handler_event *ev, const char *name)
{
    const char *s = handler_param(ev, name);

    if (!s)
        return NULL;
    if (ev->payload_version == 2)
        return xstrdup(s); /* an HTTP API decoded it already */
    return uri_percent_decode(s);
}

/* ------------------------------------------------------------------ */
/* results                                                             */

void handler_result_init(struct handler_result *r)
{
    r->status = 0;
    r->headers = NULL;
    r->nheaders = 0;
    r->base64 = 0;
    buf_init(&r->body);
}

void handler_result_fini(struct handler_result *r)
{
    handler_headers_free(r->headers, r->nheaders);
    buf_fini(&r->body);
    handler_result_init(r);
}

/* name and value in one block: a response's headers cost one allocation
 * each, not two (a GET has four or five of them). */
static struct handler_header header_make(const char *name, const char *value)
{
    size_t n = strlen(name) + 1, v = strlen(value) + 1;
    char *block = xmalloc(n + v);

    memcpy(block, name, n);
    memcpy(block + n, value, v);
    return (struct handler_header){block, block + n};
}

void handler_headers_add(struct handler_header **list, size_t *n,
                         const char *name, const char *value)
{
    if (*n == 0 || (*n >= 8 && !(*n & (*n - 1))))
        *list = xrealloc(*list, (*n ? 2 * *n : 8) * sizeof **list);
    (*list)[(*n)++] = header_make(name, value);
}

void handler_header_set_value(struct handler_header *h, const char *value)
{
    struct handler_header made = header_make(h->name, value);

    free(h->name);
    *h = made;
}

void handler_headers_free(struct handler_header *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i].name);
    free(list);
}

void handler_set_header(struct handler_result *r, const char *name,
                        const char *value)
{
    handler_headers_add(&r->headers, &r->nheaders, name, value);
}

int handler_respond(struct handler_result *r, int status)
{
    r->status = status;
    handler_set_header(r, "Content-Type", "application/json");
    return 0;
}

int handler_message(struct handler_result *r, int status, const char *message)
{
    handler_respond(r, status);
    buf_puts(&r->body, "{\"message\": ");
    buf_json_string(&r->body, message, strlen(message));
    buf_puts(&r->body, "}");
    return 0;
}

int handler_error(struct handler_result *r, const struct err *err)
{
    return handler_message(r, err_http_status(err->kind),
                           err->msg[0] ? err->msg
                                       : err_default_message(err->kind));
}
