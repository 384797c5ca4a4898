/*
 * handler — results, error results, body and header access shared by every
 * handler family. Not a handler itself.
 */
#include "handler.h"
#include "b64.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

json_t *handler_result_new(int status, json_t *headers, json_t *body)
{
    json_t *h = headers ? headers : json_object();

    if (!json_object_get(h, "Content-Type"))
        json_object_set_new(h, "Content-Type", json_string("application/json"));
    json_t *r = json_object();
    json_object_set_new(r, "statusCode", json_integer(status));
    json_object_set_new(r, "headers", h);
    json_object_set_new(r, "body", body ? body : json_null());
    json_object_set_new(r, "isBase64Encoded", json_false());
    return r;
}

json_t *handler_message(int status, const char *message)
{
    struct buf b;

    buf_init(&b);
    buf_puts(&b, "{\"message\": ");
    buf_json_string(&b, message, strlen(message));
    buf_puts(&b, "}");
    json_t *body = json_stringn(b.data, b.len);
    buf_fini(&b);
    /* a message that is not UTF-8 (it quoted bad input) still gets sent */
    if (!body)
        body = json_string("{\"message\": \"Bad request\"}");
    return handler_result_new(status, NULL, body);
}

json_t *handler_error(const struct err *err)
{
    return handler_message(err_http_status(err->kind),
                           err->msg[0] ? err->msg
                                       : err_default_message(err->kind));
}

char *handler_body(const json_t *event, size_t *len)
{
    json_t *body = json_object_get(event, "body");

    *len = 0;
    if (!json_is_string(body))
        return NULL;
    const char *s = json_string_value(body);
    size_t n = json_string_length(body);
    if (json_is_true(json_object_get(event, "isBase64Encoded")))
        return (char *)b64_decode(s, n, len);
    *len = n;
    return xstrndup(s, n);
}

const char *handler_header(const json_t *event, const char *name)
{
    json_t *headers = json_object_get(event, "headers");
    const char *key;
    json_t *value;

    json_object_foreach(headers, key, value)
    {
        if (strcasecmp(key, name) == 0)
            return json_string_value(value);
    }
    return NULL;
}
