/*
 * ddb_value — a client's AttributeValues checked and normalized as DynamoDB
 * does on the wire, and small request-member accessors. Not the plain-JSON
 * face (attr) and not the store's key rules (store).
 */
#include "attr.h"
#include "b64.h"
#include "ddb_impl.h"

#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

static int serialization(const json_t *v, struct err *err)
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
        serialization(v, err);
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
        serialization(v, err);
        return NULL;
    }
    raw = b64_decode(json_string_value(v), json_string_length(v), &n);
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

/* SS, NS or BS: non-empty, members normalized, no duplicates. */
static json_t *set(const char *type, const json_t *v, struct err *err)
{
    const char *what = type[0] == 'S'   ? "string"
                       : type[0] == 'N' ? "number"
                                        : "binary";
    json_t *out = json_array(), *m;
    size_t i;

    if (!json_is_array(v)) {
        serialization(v, err);
        goto fail;
    }
    if (json_array_size(v) == 0) {
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
                serialization(m, err);
            goto fail;
        }
        for (size_t j = 0; j < json_array_size(out); j++) {
            if (json_equal(json_array_get(out, j), n)) {
                json_decref(n);
                err_set(err, ERR_BAD_REQUEST,
                        INVALID "Input collection contains duplicates");
                goto fail;
            }
        }
        json_array_append_new(out, n);
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}

json_t *ddb_value(const json_t *v, int depth, struct err *err)
{
    const char *type;
    json_t *inner, *out = NULL;

    if (!json_is_object(v)) {
        serialization(v, err);
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
    /* only M and L nest: 32 levels of them, as attr counts for the REST
     * face, whatever scalar sits innermost */
    if (depth > ATTR_MAX_DEPTH && (!strcmp(type, "M") || !strcmp(type, "L"))) {
        err_set(err, ERR_BAD_REQUEST,
                "Nesting Levels have exceeded supported limits");
        return NULL;
    }

    if (!strcmp(type, "S")) {
        if (!json_is_string(inner))
            return serialization(inner, err), NULL;
        out = json_incref(inner);
    } else if (!strcmp(type, "N")) {
        out = number(inner, err);
    } else if (!strcmp(type, "B")) {
        out = binary(inner, err);
    } else if (!strcmp(type, "BOOL")) {
        if (!json_is_boolean(inner))
            return serialization(inner, err), NULL;
        out = json_incref(inner);
    } else if (!strcmp(type, "NULL")) {
        if (!json_is_true(inner)) {
            err_set(err, ERR_BAD_REQUEST,
                    INVALID "Null attribute value types must have the value "
                            "of true");
            return NULL;
        }
        out = json_true();
    } else if (!strcmp(type, "M")) {
        const char *name;
        json_t *m;
        if (!json_is_object(inner))
            return serialization(inner, err), NULL;
        out = json_object();
        json_object_foreach(inner, name, m)
        {
            json_t *n = ddb_value(m, depth + 1, err);
            if (!n) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, name, n);
        }
    } else if (!strcmp(type, "L")) {
        size_t i;
        json_t *m;
        if (!json_is_array(inner))
            return serialization(inner, err), NULL;
        out = json_array();
        json_array_foreach(inner, i, m)
        {
            json_t *n = ddb_value(m, depth + 1, err);
            if (!n) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, n);
        }
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

json_t *ddb_item(const json_t *item, const char *what, struct err *err)
{
    const char *name;
    json_t *v, *out;

    if (!json_is_object(item)) {
        if (!item)
            err_set(err, ERR_BAD_REQUEST,
                    "1 validation error detected: Value null at '%s' failed "
                    "to satisfy constraint: Member must not be null",
                    what);
        else
            serialization(item, err);
        return NULL;
    }
    out = json_object();
    json_object_foreach((json_t *)(uintptr_t)item, name, v)
    {
        if (!*name) {
            json_decref(out);
            err_set(err, ERR_BAD_REQUEST,
                    INVALID "An AttributeName may not be empty");
            return NULL;
        }
        json_t *n = ddb_value(v, 1, err);
        if (!n) {
            json_decref(out);
            return NULL;
        }
        json_object_set_new(out, name, n);
    }
    return out;
}

int ddb_opt_string(const json_t *in, const char *name, const char **out,
                   struct err *err)
{
    json_t *v = json_object_get(in, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return serialization(v, err);
    *out = json_string_value(v);
    return 0;
}

int ddb_req_string(const json_t *in, const char *name, const char **out,
                   struct err *err)
{
    if (ddb_opt_string(in, name, out, err) < 0)
        return -1;
    if (!*out)
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value null at '%s' "
                       "failed to satisfy constraint: Member must not be null",
                       name);
    return 0;
}

int ddb_constraint(struct err *err, const char *value, const char *member,
                   const char *rule)
{
    return err_set(err, ERR_BAD_REQUEST,
                   "1 validation error detected: Value '%s' at '%s' failed "
                   "to satisfy constraint: %s",
                   value, member, rule);
}

int ddb_table(struct ddb *d, const char *table, struct store_table_desc *desc,
              struct err *err)
{
    if (store_table_schema(d->store, table, desc, err) < 0) {
        if (err->kind == ERR_NOT_FOUND)
            err_set(err, ERR_NOT_FOUND, "Requested resource not found");
        return -1;
    }
    return 0;
}

static const char *type_of(const json_t *v)
{
    const char *type;
    json_t *inner;

    json_object_foreach((json_t *)(uintptr_t)v, type, inner) return type;
    return "";
}

static int key_part(const json_t *item, const char *name, char type,
                    json_t *key, struct err *err)
{
    json_t *v = json_object_get(item, name);
    char want[2] = {type, 0};

    if (!v)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Missing the key %s in the item", name);
    if (strcmp(type_of(v), want))
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Type mismatch for key %s expected: %s "
                               "actual: %s",
                       name, want, type_of(v));
    json_object_set(key, name, v);
    return 0;
}

json_t *ddb_key_of(const struct store_table_desc *desc, const json_t *item,
                   struct err *err)
{
    json_t *key = json_object();

    if (key_part(item, desc->partition_key, desc->partition_type, key, err) <
            0 ||
        (desc->sort_key &&
         key_part(item, desc->sort_key, desc->sort_type, key, err) < 0)) {
        json_decref(key);
        return NULL;
    }
    return key;
}

json_t *ddb_key_param(const json_t *in, const char *member, struct err *err)
{
    return ddb_item(json_object_get(in, member), member, err);
}

int ddb_expr(const json_t *in, const char *member, enum expr_kind kind,
             struct expr_usage *usage, struct expr **out, struct err *err)
{
    const char *text;

    *out = NULL;
    if (ddb_opt_string(in, member, &text, err) < 0)
        return -1;
    if (!text)
        return 0;
    *out = expr_parse(kind, text, strlen(text),
                      json_object_get(in, "ExpressionAttributeNames"),
                      json_object_get(in, "ExpressionAttributeValues"), usage,
                      err);
    return *out ? 0 : -1;
}

int ddb_expr_done(const json_t *in, struct expr_usage *usage, struct err *err)
{
    json_t *names = json_object_get(in, "ExpressionAttributeNames");
    json_t *values = json_object_get(in, "ExpressionAttributeValues");

    if (names && !json_is_object(names))
        return err_set(err, ERR_SERIALIZATION,
                       "ExpressionAttributeNames must be a map");
    if (values && !json_is_object(values))
        return err_set(err, ERR_SERIALIZATION,
                       "ExpressionAttributeValues must be a map");
    if (names && json_object_size(names) == 0)
        return err_set(err, ERR_BAD_REQUEST,
                       "ExpressionAttributeNames must not be empty");
    if (values && json_object_size(values) == 0)
        return err_set(err, ERR_BAD_REQUEST,
                       "ExpressionAttributeValues must not be empty");
    return expr_usage_check(usage, names, values, err);
}

int ddb_no_legacy(const json_t *in, struct err *err)
{
    static const char *const legacy[][2] = {
        {"Expected", "ConditionExpression"},
        {"AttributeUpdates", "UpdateExpression"},
        {"AttributesToGet", "ProjectionExpression"},
        {"KeyConditions", "KeyConditionExpression"},
        {"QueryFilter", "FilterExpression"},
        {"ScanFilter", "FilterExpression"},
        {"ConditionalOperator", "ConditionExpression"},
    };
    for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++)
        if (json_object_get(in, legacy[i][0]))
            return err_set(err, ERR_BAD_REQUEST,
                           "crudd does not support the legacy parameter %s: "
                           "use %s",
                           legacy[i][0], legacy[i][1]);
    return 0;
}

double ddb_read_units(size_t bytes, int consistent)
{
    /* 4 KB per read unit, rounded up; eventually consistent costs half */
    double units = (double)((bytes + 4095) / 4096);
    if (units < 1)
        units = 1;
    return consistent ? units : units / 2;
}

double ddb_write_units(size_t bytes)
{
    double units = (double)((bytes + 1023) / 1024);
    return units < 1 ? 1 : units;
}

void ddb_consumed(json_t *out, const json_t *in, const char *table,
                  double units)
{
    const char *mode =
        json_string_value(json_object_get(in, "ReturnConsumedCapacity"));

    if (!mode || !strcmp(mode, "NONE"))
        return;
    json_t *c =
        json_pack("{s:s, s:f}", "TableName", table, "CapacityUnits", units);
    if (!strcmp(mode, "INDEXES"))
        json_object_set_new(c, "Table",
                            json_pack("{s:f}", "CapacityUnits", units));
    json_object_set_new(out, "ConsumedCapacity", c);
}
