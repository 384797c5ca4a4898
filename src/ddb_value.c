/*
 * ddb_value — the request-member accessors the operations share: Item and
 * Key parameters (checked by attr_typed_item), strings, expressions, keys,
 * capacity. Not the AttributeValue rules themselves (attr_typed.c) and not
 * the store's key rules (store).
 */
#include "attr.h"
#include "ddb_impl.h"

#include <stdint.h>
#include <string.h>

json_t *ddb_item(const json_t *item, const char *what, struct err *err)
{
    return attr_typed_item(item, what, ATTR_TYPED_MAP_NAMES, err);
}

int ddb_opt_string(const json_t *in, const char *name, const char **out,
                   struct err *err)
{
    json_t *v = json_object_get(in, name);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return attr_typed_wrong_kind(v, err);
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
    /* DynamoDB checks a table name's length before it looks for the
     * table: too long is a ValidationException, not ResourceNotFound. */
    if (!strcmp(name, "TableName") && strlen(*out) > DDB_TABLE_NAME_MAX)
        return ddb_constraint(err, *out, "tableName",
                              "Member must have length less than or equal "
                              "to 255");
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
    const size_t n = sizeof legacy / sizeof legacy[0];
    json_t *obj = (json_t *)(uintptr_t)in; /* jansson's iterators want it */
    int any = 0;

    /* One pass over the request's few members (cheaper than a lookup per
     * legacy name); the table's order names one when there are several. */
    for (void *it = json_object_iter(obj); it && !any;
         it = json_object_iter_next(obj, it))
        for (size_t i = 0; i < n && !any; i++)
            any = !strcmp(json_object_iter_key(it), legacy[i][0]);
    for (size_t i = 0; any && i < n; i++)
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
