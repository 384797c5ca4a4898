/*
 * attr_typed — a client's attribute values in DynamoDB-typed JSON, checked
 * and normalized by the rules and with the messages DynamoDB applies to an
 * AttributeValue on the wire. One implementation for the DynamoDB face (ddb)
 * and the item handlers' typed bodies (handler_items), which sit in layers
 * that may not include each other. Not the plain-JSON face (attr.c), not the
 * store's key rules (store), not request-body parsing.
 */
#include "attr.h"
#include "b64.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "
#define ITEM_TOO_LARGE "Item size has exceeded the maximum allowed size"

int attr_typed_wrong_kind(const json_t *v, struct err *err)
{
    if (json_is_number(v))
        return err_set(err, ERR_SERIALIZATION,
                       "NUMBER_VALUE cannot be converted to String");
    if (json_is_object(v))
        return err_set(err, ERR_SERIALIZATION,
                       "Start of structure or map found where not expected");
    if (json_is_array(v))
        return err_set(err, ERR_SERIALIZATION,
                       "Start of list found where not expected");
    if (json_is_boolean(v))
        return err_set(err, ERR_SERIALIZATION,
                       "TRUE_VALUE cannot be converted to String");
    return err_set(err, ERR_SERIALIZATION, "Unexpected value type in payload");
}

/* A canonical N string, a new reference, or NULL with err. */
static json_t *number(const json_t *v, struct err *err)
{
    char out[ATTR_NUMBER_MAX];

    if (!json_is_string(v)) {
        attr_typed_wrong_kind(v, err);
        return NULL;
    }
    if (attr_number_canonical(json_string_value(v), json_string_length(v), out,
                              err) < 0)
        return NULL;
    return json_string(out);
}

static json_t *binary(const json_t *v, struct err *err)
{
    size_t n;
    unsigned char *raw;

    if (!json_is_string(v)) {
        attr_typed_wrong_kind(v, err);
        return NULL;
    }
    raw = b64_decode_strict(json_string_value(v), json_string_length(v), &n);
    if (!raw) {
        err_set(err, ERR_SERIALIZATION, "Base64 encoded value is invalid");
        return NULL;
    }
    /* re-encode, so equal bytes are equal strings whatever the padding */
    char *canon = b64_encode(raw, n, 0);
    json_t *s = json_string(canon);
    free(canon);
    free(raw);
    return s;
}

/* The bytes of canonical padded Base64 text s. */
static size_t b64_size(const json_t *s)
{
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), pad = 0;

    while (pad < n && pad < 2 && t[n - 1 - pad] == '=')
        pad++;
    return n / 4 * 3 - pad;
}

/* SS, NS or BS: non-empty, members normalized, no duplicates. */
static json_t *set(const char *type, const json_t *v, struct err *err)
{
    const char *what = type[0] == 'S'   ? "string"
                       : type[0] == 'N' ? "number"
                                        : "binary";
    json_t *out = json_array(), *m;
    size_t i, size = 0;

    if (!json_is_array(v)) {
        attr_typed_wrong_kind(v, err);
        goto fail;
    }
    if (json_array_size(v) == 0) {
        /* sic: DynamoDB's message has the two spaces */
        err_set(err, ERR_BAD_REQUEST, INVALID "An %s set  may not be empty",
                what);
        goto fail;
    }
    json_array_foreach(v, i, m)
    {
        json_t *n = type[0] == 'S' ? (json_is_string(m) ? json_incref(m) : NULL)
                    : type[0] == 'N' ? number(m, err)
                                     : binary(m, err);
        if (!n) {
            if (type[0] == 'S')
                attr_typed_wrong_kind(m, err);
            goto fail;
        }
        json_array_append_new(out, n);
        /* no item holds more: refuse before the duplicate check (a
         * number counts its least, 1 byte) */
        size += type[0] == 'S'   ? json_string_length(n)
                : type[0] == 'N' ? 1
                                 : b64_size(n);
        if (size > ATTR_ITEM_MAX_BYTES) {
            err_set(err, ERR_BAD_REQUEST, ITEM_TOO_LARGE);
            goto fail;
        }
    }
    /* members are canonical now: equal members are equal strings */
    if (attr_set_has_duplicates(out)) {
        err_set(err, ERR_BAD_REQUEST,
                INVALID "Input collection contains duplicates");
        goto fail;
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

/* An item's attributes or an M's members, each a value at depth; names
 * says whether an empty name is refused. */
static json_t *members(const json_t *m, int depth, int names, unsigned flags,
                       struct err *err)
{
    json_t *out = json_object(), *v;
    const char *name;
    size_t len;

    json_object_keylen_foreach((json_t *)(uintptr_t)m, name, len, v)
    {
        if (names && len == 0) {
            err_set(err, ERR_BAD_REQUEST,
                    INVALID "An AttributeName may not be empty");
            goto fail;
        }
        json_t *n = attr_typed_value(v, depth, flags, err);
        if (!n)
            goto fail;
        json_object_setn_new(out, name, len, n);
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

static json_t *list(const json_t *l, int depth, unsigned flags, struct err *err)
{
    json_t *out = json_array(), *v;
    size_t i;

    json_array_foreach(l, i, v)
    {
        json_t *n = attr_typed_value(v, depth, flags, err);
        if (!n) {
            json_decref(out);
            return NULL;
        }
        json_array_append_new(out, n);
    }
    return out;
}

json_t *attr_typed_value(const json_t *v, int depth, unsigned flags,
                         struct err *err)
{
    const char *type;
    json_t *inner, *out = NULL;

    if (!json_is_object(v)) {
        attr_typed_wrong_kind(v, err);
        return NULL;
    }
    if (json_object_size(v) == 0) {
        err_set(err, ERR_BAD_REQUEST,
                "Supplied AttributeValue is empty, must contain exactly one "
                "of the supported datatypes");
        return NULL;
    }
    if (json_object_size(v) > 1) {
        err_set(err, ERR_BAD_REQUEST,
                "Supplied AttributeValue has more than one datatypes set, "
                "must contain exactly one of the supported datatypes");
        return NULL;
    }
    json_object_foreach((json_t *)(uintptr_t)v, type, inner) break;
    /* only M and L nest: 32 levels of them, as attr counts for the plain
     * face, whatever scalar sits innermost */
    if (depth > ATTR_MAX_DEPTH && (!strcmp(type, "M") || !strcmp(type, "L"))) {
        err_set(err, ERR_BAD_REQUEST,
                "Nesting Levels have exceeded supported limits");
        return NULL;
    }

    if (!strcmp(type, "S") || !strcmp(type, "BOOL")) {
        if (type[0] == 'S' ? !json_is_string(inner) : !json_is_boolean(inner))
            return attr_typed_wrong_kind(inner, err), NULL;
        out = json_incref(inner);
    } else if (!strcmp(type, "N")) {
        out = number(inner, err);
    } else if (!strcmp(type, "B")) {
        out = binary(inner, err);
    } else if (!strcmp(type, "NULL")) {
        if (!json_is_true(inner)) {
            err_set(err, ERR_BAD_REQUEST,
                    INVALID "Null attribute value types must have the value "
                            "of true");
            return NULL;
        }
        out = json_true();
    } else if (!strcmp(type, "M")) {
        if (!json_is_object(inner))
            return attr_typed_wrong_kind(inner, err), NULL;
        out = members(inner, depth + 1, !!(flags & ATTR_TYPED_MAP_NAMES), flags,
                      err);
    } else if (!strcmp(type, "L")) {
        if (!json_is_array(inner))
            return attr_typed_wrong_kind(inner, err), NULL;
        out = list(inner, depth + 1, flags, err);
    } else if (!strcmp(type, "SS") || !strcmp(type, "NS") ||
               !strcmp(type, "BS")) {
        out = set(type, inner, err);
    } else {
        err_set(err, ERR_SERIALIZATION, "Unknown AttributeValue type: %s",
                type);
        return NULL;
    }
    if (!out)
        return NULL;
    return json_pack("{s:o}", type, out);
}

json_t *attr_typed_item(const json_t *item, const char *what, unsigned flags,
                        struct err *err)
{
    if (!json_is_object(item)) {
        if (!item)
            err_set(err, ERR_BAD_REQUEST,
                    "1 validation error detected: Value null at '%s' failed "
                    "to satisfy constraint: Member must not be null",
                    what);
        else
            attr_typed_wrong_kind(item, err);
        return NULL;
    }
    json_t *out = members(item, 1, 1, flags, err);
    /* refused here, on the request's thread, rather than by the store on
     * the writer's */
    if (out && attr_item_size(out) > ATTR_ITEM_MAX_BYTES) {
        json_decref(out);
        err_set(err, ERR_BAD_REQUEST, ITEM_TOO_LARGE);
        return NULL;
    }
    return out;
}
