/*
 * ddb_query — Query and Scan: the key range and paging come from the store
 * (SQLite order is DynamoDB's order), then the filter, the projection and
 * Select shape the page. Limit and the 1 MB cap count items read before the
 * filter, as DynamoDB counts them.
 */
#include "attr.h"
#include "ddb_impl.h"

#include <stdio.h>
#include <string.h>

/* The key schema that a Query or Scan reads: the table's or an index's. */
static int read_schema(const struct store_table_desc *desc, const char *index,
                       const char **pk, char *pk_type, const char **sk,
                       char *sk_type, struct err *err)
{
    if (!index) {
        *pk = desc->partition_key;
        *pk_type = desc->partition_type;
        *sk = desc->sort_key;
        *sk_type = desc->sort_type;
        return 0;
    }
    for (size_t i = 0; i < desc->nindexes; i++) {
        const struct store_index_desc *x = &desc->indexes[i];
        if (strcmp(x->name, index) == 0) {
            *pk = x->partition_key;
            *pk_type = x->partition_type;
            *sk = x->sort_key;
            *sk_type = x->sort_type;
            return 0;
        }
    }
    return err_set(err, ERR_BAD_REQUEST,
                   "The table does not have the specified index: %s", index);
}

static int limit_param(const json_t *in, size_t *limit, struct err *err)
{
    json_t *l = json_object_get(in, "Limit");

    *limit = 0;
    if (!l)
        return 0;
    if (!json_is_integer(l) || json_integer_value(l) < 1) {
        char v[32];
        snprintf(v, sizeof v, "%lld", (long long)json_integer_value(l));
        return ddb_constraint(err, v, "limit",
                              "Member must have value greater than or equal "
                              "to 1");
    }
    *limit = (size_t)json_integer_value(l);
    return 0;
}

/* Select against the projection and the index, as DynamoDB checks it. */
static int select_check(const json_t *in, const struct store_table_desc *desc,
                        const char *index, const struct expr *proj,
                        struct err *err)
{
    static const char *const values[] = {"SPECIFIC_ATTRIBUTES", "COUNT",
                                         "ALL_ATTRIBUTES",
                                         "ALL_PROJECTED_ATTRIBUTES"};
    const char *select;
    size_t i;

    if (ddb_opt_string(in, "Select", &select, err) < 0)
        return -1;
    if (!select)
        return 0;
    for (i = 0; i < 4 && strcmp(select, values[i]) != 0; i++)
        ;
    if (i == 4)
        return ddb_constraint(err, select, "select",
                              "Member must satisfy enum value set: "
                              "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                              "ALL_PROJECTED_ATTRIBUTES]");
    if (i == 0 && !proj)
        return err_set(err, ERR_BAD_REQUEST,
                       "Must specify the AttributesToGet or "
                       "ProjectionExpression when choosing to get "
                       "SPECIFIC_ATTRIBUTES");
    if (i >= 2 && proj)
        return err_set(err, ERR_BAD_REQUEST,
                       "Cannot specify the ProjectionExpression when "
                       "choosing to get %s",
                       select);
    if (i == 3 && !index)
        return err_set(err, ERR_BAD_REQUEST,
                       "ALL_PROJECTED_ATTRIBUTES can be used only when "
                       "Querying using an IndexName");
    for (size_t k = 0; i == 2 && index && k < desc->nindexes; k++) {
        const struct store_index_desc *x = &desc->indexes[k];
        if (!strcmp(x->name, index) && x->kind == STORE_INDEX_GLOBAL &&
            x->projection != STORE_PROJECTION_ALL)
            return err_set(err, ERR_BAD_REQUEST,
                           "One or more parameter values were invalid: "
                           "Select type ALL_ATTRIBUTES is not supported for "
                           "global secondary index %s because its "
                           "projection type is not ALL",
                           index);
    }
    return 0;
}

/* Filter, project and count a page into the output. */
static json_t *shape(const json_t *in, json_t *items, json_t *last,
                     const struct expr *filter, const struct expr *proj,
                     const char *table, struct err *err)
{
    const char *select = json_string_value(json_object_get(in, "Select"));
    int count_only = select && !strcmp(select, "COUNT");
    json_t *out_items = json_array(), *item;
    size_t i, bytes = 0, count = 0;

    json_array_foreach(items, i, item)
    {
        int ok = 1;
        bytes += attr_item_size(item);
        if (filter && expr_eval_condition(filter, item, &ok, err) < 0) {
            json_decref(out_items);
            return NULL;
        }
        if (!ok)
            continue;
        count++;
        if (!count_only)
            json_array_append_new(out_items, proj ? expr_project(proj, item)
                                                  : json_incref(item));
    }
    json_t *out = json_pack("{s:I, s:I}", "Count", (json_int_t)count,
                            "ScannedCount", (json_int_t)json_array_size(items));
    if (!count_only)
        json_object_set(out, "Items", out_items);
    json_decref(out_items);
    if (last)
        json_object_set(out, "LastEvaluatedKey", last);
    ddb_consumed(out, in, table,
                 ddb_read_units(bytes, json_is_true(json_object_get(
                                           in, "ConsistentRead"))));
    return out;
}

static enum store_sort_op sort_op(enum expr_key_op op)
{
    switch (op) {
    case EXPR_KEY_EQ:
        return STORE_SORT_EQ;
    case EXPR_KEY_LT:
        return STORE_SORT_LT;
    case EXPR_KEY_LE:
        return STORE_SORT_LE;
    case EXPR_KEY_GT:
        return STORE_SORT_GT;
    case EXPR_KEY_GE:
        return STORE_SORT_GE;
    case EXPR_KEY_BETWEEN:
        return STORE_SORT_BETWEEN;
    case EXPR_KEY_BEGINS_WITH:
        return STORE_SORT_BEGINS_WITH;
    case EXPR_KEY_NONE:
    default:
        return STORE_SORT_ANY;
    }
}

/* Query (scan 0) or Scan (scan 1). */
static json_t *read_page(struct ddb *d, json_t *in, struct err *err, int scan)
{
    struct store_table_desc desc = {0};
    struct expr_usage usage;
    struct expr *key = NULL, *filter = NULL, *proj = NULL;
    const char *table, *index, *pk = NULL, *sk = NULL;
    char pk_type = 0, sk_type = 0;
    json_t *start = NULL, *items = NULL, *last = NULL, *out = NULL;
    size_t limit;

    expr_usage_init(&usage);
    if (ddb_req_string(in, "TableName", &table, err) < 0 ||
        ddb_opt_string(in, "IndexName", &index, err) < 0 ||
        ddb_no_legacy(in, err) < 0 || limit_param(in, &limit, err) < 0 ||
        ddb_table(d, table, &desc, err) < 0 ||
        read_schema(&desc, index, &pk, &pk_type, &sk, &sk_type, err) < 0)
        goto out;
    if (index && json_is_true(json_object_get(in, "ConsistentRead"))) {
        for (size_t i = 0; i < desc.nindexes; i++)
            if (!strcmp(desc.indexes[i].name, index) &&
                desc.indexes[i].kind == STORE_INDEX_GLOBAL) {
                err_set(err, ERR_BAD_REQUEST,
                        "Consistent reads are not supported on global "
                        "secondary indexes");
                goto out;
            }
    }
    if (json_object_get(in, "ExclusiveStartKey") &&
        !(start = ddb_key_param(in, "ExclusiveStartKey", err)))
        goto out;
    if ((!scan && ddb_expr(in, "KeyConditionExpression", EXPR_KEY_CONDITION,
                           &usage, &key, err) < 0) ||
        ddb_expr(in, "FilterExpression", EXPR_FILTER, &usage, &filter, err) <
            0 ||
        ddb_expr(in, "ProjectionExpression", EXPR_PROJECTION, &usage, &proj,
                 err) < 0 ||
        ddb_expr_done(in, &usage, err) < 0 ||
        select_check(in, &desc, index, proj, err) < 0)
        goto out;
    if (scan) {
        json_t *seg = json_object_get(in, "Segment");
        json_t *total = json_object_get(in, "TotalSegments");
        if (!seg != !total) {
            err_set(err, ERR_BAD_REQUEST,
                    "The TotalSegments parameter is required but was not "
                    "present in the request when Segment parameter is "
                    "present");
            goto out;
        }
        struct store_scan_request r = {table,
                                       index,
                                       (unsigned)json_integer_value(seg),
                                       (unsigned)json_integer_value(total),
                                       start,
                                       limit,
                                       STORE_LAST_KEY_IF_STOPPED};
        if (total && (json_integer_value(total) < 1 ||
                      json_integer_value(total) > STORE_TOTAL_SEGMENTS_MAX ||
                      json_integer_value(seg) < 0 ||
                      json_integer_value(seg) >= json_integer_value(total))) {
            err_set(err, ERR_BAD_REQUEST,
                    "The Segment parameter is zero-based and must be less "
                    "than parameter TotalSegments");
            goto out;
        }
        if (store_scan_segment(d->store, &r, &items, &last, err) < 0)
            goto out;
    } else {
        struct expr_key_range range;
        char pt[2] = {pk_type, 0}, st[2] = {sk_type, 0};
        if (!key) {
            err_set(err, ERR_BAD_REQUEST,
                    "Either the KeyConditions or KeyConditionExpression "
                    "parameter must be specified in the request.");
            goto out;
        }
        if (expr_key_condition(key, pk, pt, sk, sk ? st : NULL, &range, err) <
            0)
            goto out;
        const char *keys[2] = {pk, sk};
        for (int i = 0; i < 2 && keys[i]; i++) {
            if (expr_mentions(filter, keys[i])) {
                err_set(err, ERR_BAD_REQUEST,
                        "Filter Expression can only contain non-primary key "
                        "attributes: Primary key attribute: %s",
                        keys[i]);
                goto out;
            }
        }
        json_t *fwd = json_object_get(in, "ScanIndexForward");
        struct store_query q = {table,
                                index,
                                range.pk_value,
                                sort_op(range.sk_op),
                                range.sk_value[0],
                                range.sk_value[1],
                                fwd ? json_is_true(fwd) : 1,
                                start,
                                limit,
                                STORE_LAST_KEY_IF_STOPPED};
        if (store_query(d->store, &q, &items, &last, err) < 0)
            goto out;
    }
    out = shape(in, items, last, filter, proj, table, err);
out:
    json_decref(start);
    json_decref(items);
    json_decref(last);
    expr_free(key);
    expr_free(filter);
    expr_free(proj);
    expr_usage_fini(&usage);
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_query(struct ddb *d, json_t *in, json_t **extra, struct err *err)
{
    (void)extra;
    return read_page(d, in, err, 0);
}

json_t *ddb_scan(struct ddb *d, json_t *in, json_t **extra, struct err *err)
{
    (void)extra;
    return read_page(d, in, err, 1);
}
