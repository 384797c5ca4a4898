/*
 * err — the error table and err_set. Not a logger: errors travel up to the
 * face (gateway or ddb) that turns them into a response.
 */
#include "err.h"

#include <stdio.h>
#include <string.h>

static const struct {
    int status;
    const char *type;
    const char *msg;
} table[] = {
#define ERR_ROW(kind, status, type, msg) {status, type, msg},
    ERR_KINDS(ERR_ROW)
#undef ERR_ROW
};

int err_set(struct err *e, enum err_kind kind, const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return -1;
    e->kind = kind;
    if (!fmt) {
        snprintf(e->msg, sizeof e->msg, "%s", table[kind].msg);
        return -1;
    }
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int err_http_status(enum err_kind kind)
{
    return table[kind].status;
}

const char *err_ddb_type(enum err_kind kind)
{
    return table[kind].type;
}

const char *err_default_message(enum err_kind kind)
{
    return table[kind].msg;
}

const char *err_reason_code(enum err_kind kind)
{
    switch (kind) {
    case ERR_NONE:
        return "None";
    case ERR_CONFLICT:
    case ERR_PRECONDITION:
        return "ConditionalCheckFailed";
    case ERR_BAD_REQUEST:
        return "ValidationError";
    default:
        return "InternalServerError";
    }
}
