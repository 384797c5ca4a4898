/*
 * ddb_table — CreateTable, DescribeTable, ListTables, UpdateTable,
 * DeleteTable, UpdateTimeToLive, DescribeTimeToLive: request checks and
 * TableDescription shapes. Tables are ACTIVE at once (no CREATING phase).
 */
#include "ddb_impl.h"
#include "xalloc.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "
#define MAX_INDEXES (STORE_GSI_MAX + STORE_LSI_MAX)

static const char *projection_name(enum store_projection p)
{
    return p == STORE_PROJECTION_ALL         ? "ALL"
           : p == STORE_PROJECTION_KEYS_ONLY ? "KEYS_ONLY"
                                             : "INCLUDE";
}

static json_t *key_schema_json(const char *pk, const char *sk)
{
    json_t *ks = json_array();
    json_array_append_new(
        ks, json_pack("{s:s, s:s}", "AttributeName", pk, "KeyType", "HASH"));
    if (sk)
        json_array_append_new(ks, json_pack("{s:s, s:s}", "AttributeName", sk,
                                            "KeyType", "RANGE"));
    return ks;
}

static void add_definition(json_t *defs, const char *name, char type)
{
    size_t i;
    json_t *d;
    char t[2] = {type, 0};

    json_array_foreach(defs, i, d)
    {
        if (!strcmp(json_string_value(json_object_get(d, "AttributeName")),
                    name))
            return;
    }
    json_array_append_new(defs, json_pack("{s:s, s:s}", "AttributeName", name,
                                          "AttributeType", t));
}

static json_t *throughput(void)
{
    return json_pack("{s:i, s:i, s:i}", "NumberOfDecreasesToday", 0,
                     "ReadCapacityUnits", 0, "WriteCapacityUnits", 0);
}

/* A table's TableId: a UUID (RFC 9562 layout, version 4 bits) made from
 * its name and creation time, so that it is the same in every answer and
 * after a restart, and a table created again under the same name gets
 * another. out holds 37 bytes. */
static void table_id(const struct store_table_desc *desc, char *out)
{
    unsigned char h[SHA256_DIGEST_LENGTH];
    char *seed = xasprintf("%s\n%.6f", desc->name, desc->creation_time);

    SHA256((const unsigned char *)seed, strlen(seed), h);
    free(seed);
    h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
    h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x",
             h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10],
             h[11], h[12], h[13], h[14], h[15]);
}

json_t *ddb_table_json(const struct store_table_desc *desc, const char *status)
{
    char id[37];
    json_t *defs = json_array(), *gsis = json_array(), *lsis = json_array();
    char *arn = xasprintf("arn:aws:dynamodb:us-east-1:000000000000:table/%s",
                          desc->name);

    add_definition(defs, desc->partition_key, desc->partition_type);
    if (desc->sort_key)
        add_definition(defs, desc->sort_key, desc->sort_type);
    for (size_t i = 0; i < desc->nindexes; i++) {
        const struct store_index_desc *x = &desc->indexes[i];
        add_definition(defs, x->partition_key, x->partition_type);
        if (x->sort_key)
            add_definition(defs, x->sort_key, x->sort_type);
        json_t *proj = json_pack("{s:s}", "ProjectionType",
                                 projection_name(x->projection));
        if (x->nnon_key) {
            json_t *nk = json_array();
            for (size_t j = 0; j < x->nnon_key; j++)
                json_array_append_new(nk, json_string(x->non_key[j]));
            json_object_set_new(proj, "NonKeyAttributes", nk);
        }
        char *iarn = xasprintf("%s/index/%s", arn, x->name);
        json_t *ij = json_pack(
            "{s:s, s:o, s:o, s:I, s:I, s:s}", "IndexName", x->name, "KeySchema",
            key_schema_json(x->partition_key, x->sort_key), "Projection", proj,
            "IndexSizeBytes", (json_int_t)x->size_bytes, "ItemCount",
            (json_int_t)x->item_count, "IndexArn", iarn);
        free(iarn);
        if (x->kind == STORE_INDEX_GLOBAL) {
            json_object_set_new(ij, "IndexStatus", json_string("ACTIVE"));
            json_object_set_new(ij, "ProvisionedThroughput", throughput());
            json_array_append_new(gsis, ij);
        } else {
            json_array_append_new(lsis, ij);
        }
    }
    table_id(desc, id);
    json_t *t = json_pack(
        "{s:o, s:s, s:o, s:s, s:f, s:o, s:I, s:I, s:s, s:s, s:{s:s, s:f}}",
        "AttributeDefinitions", defs, "TableName", desc->name, "KeySchema",
        key_schema_json(desc->partition_key, desc->sort_key), "TableStatus",
        status, "CreationDateTime", desc->creation_time,
        "ProvisionedThroughput", throughput(), "TableSizeBytes",
        (json_int_t)desc->size_bytes, "ItemCount", (json_int_t)desc->item_count,
        "TableArn", arn, "TableId", id, "BillingModeSummary", "BillingMode",
        "PAY_PER_REQUEST", "LastUpdateToPayPerRequestDateTime",
        desc->creation_time);
    if (json_array_size(gsis))
        json_object_set(t, "GlobalSecondaryIndexes", gsis);
    if (json_array_size(lsis))
        json_object_set(t, "LocalSecondaryIndexes", lsis);
    json_decref(gsis);
    json_decref(lsis);
    free(arn);
    return t;
}

/* ------------------------------------------------------------------ */
/* CreateTable                                                         */

/* The type of name in AttributeDefinitions, or 0. */
static char defined_type(const json_t *defs, const char *name)
{
    size_t i;
    json_t *d;

    json_array_foreach(defs, i, d)
    {
        const char *n = json_string_value(json_object_get(d, "AttributeName"));
        const char *t = json_string_value(json_object_get(d, "AttributeType"));
        if (n && t && !strcmp(n, name))
            return t[0];
    }
    return 0;
}

/* KeySchema → ks (names borrowed from schema). */
static int key_schema(const json_t *schema, const json_t *defs,
                      struct store_key_schema *ks, const char *what,
                      struct err *err)
{
    size_t i;
    json_t *k;

    memset(ks, 0, sizeof *ks);
    if (!json_is_array(schema) || json_array_size(schema) < 1 ||
        json_array_size(schema) > 2)
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value at '%s' failed "
                       "to satisfy constraint: Member must have length less "
                       "than or equal to 2 and at least 1",
                       what);
    json_array_foreach(schema, i, k)
    {
        const char *n = json_string_value(json_object_get(k, "AttributeName"));
        const char *t = json_string_value(json_object_get(k, "KeyType"));
        if (!n || !t || (strcmp(t, "HASH") && strcmp(t, "RANGE")))
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Invalid KeySchema: each element needs an "
                                   "AttributeName and a KeyType of HASH or "
                                   "RANGE");
        char type = defined_type(defs, n);
        if (!type)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Some index key attributes are not "
                                   "defined in AttributeDefinitions. Keys: "
                                   "[%s], AttributeDefinitions: [...]",
                           n);
        if (!strcmp(t, "HASH") && i == 0) {
            ks->partition_key = n;
            ks->partition_type = type;
        } else if (!strcmp(t, "RANGE") && i == 1) {
            ks->sort_key = n;
            ks->sort_type = type;
        } else {
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID
                           "Invalid KeySchema: The first KeySchemaElement "
                           "is not a HASH key type");
        }
    }
    return 0;
}

/* GlobalSecondaryIndexes / LocalSecondaryIndexes → specs. */
static int index_specs(const json_t *list, enum store_index_kind kind,
                       const json_t *defs, struct store_index_spec *specs,
                       const char **non_key, size_t *n, size_t *nk,
                       struct err *err)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
    {
        if (*n == MAX_INDEXES)
            return err_set(err, ERR_BAD_REQUEST, INVALID "Too many indexes");
        struct store_index_spec *s = &specs[(*n)++];
        s->kind = kind;
        s->name = json_string_value(json_object_get(x, "IndexName"));
        if (!s->name)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "An index needs an IndexName");
        if (key_schema(json_object_get(x, "KeySchema"), defs, &s->key,
                       "keySchema", err) < 0)
            return -1;
        for (size_t j = 0; j + 1 < *n; j++)
            if (!strcmp(specs[j].name, s->name))
                return err_set(err, ERR_BAD_REQUEST,
                               INVALID "Duplicate index name: %s", s->name);
        json_t *p = json_object_get(x, "Projection");
        const char *what = kind == STORE_INDEX_GLOBAL ? "globalSecondaryIndexes"
                                                      : "localSecondaryIndexes";
        if (!json_is_object(p))
            return err_set(err, ERR_BAD_REQUEST,
                           "1 validation error detected: Value null at "
                           "'%s.%zu.member.projection' failed to satisfy "
                           "constraint: Member must not be null",
                           what, i + 1);
        const char *pt =
            json_string_value(json_object_get(p, "ProjectionType"));
        json_t *names = json_object_get(p, "NonKeyAttributes");
        if (pt && strcmp(pt, "ALL") && strcmp(pt, "KEYS_ONLY") &&
            strcmp(pt, "INCLUDE"))
            return err_set(err, ERR_BAD_REQUEST,
                           "1 validation error detected: Value '%s' at "
                           "'%s.%zu.member.projection.projectionType' failed "
                           "to satisfy constraint: Member must satisfy enum "
                           "value set: [ALL, INCLUDE, KEYS_ONLY]",
                           pt, what, i + 1);
        if (!pt)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Unknown ProjectionType: null");
        if (!strcmp(pt, "INCLUDE") && !names)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "ProjectionType is INCLUDE, but "
                                   "NonKeyAttributes is not specified");
        if (strcmp(pt, "INCLUDE") && names)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "ProjectionType is %s, but "
                                   "NonKeyAttributes is specified",
                           pt);
        s->projection = !strcmp(pt, "ALL")         ? STORE_PROJECTION_ALL
                        : !strcmp(pt, "KEYS_ONLY") ? STORE_PROJECTION_KEYS_ONLY
                                                   : STORE_PROJECTION_INCLUDE;
        s->non_key = non_key + *nk;
        for (size_t j = 0; j < json_array_size(names); j++) {
            if (*nk == STORE_NON_KEY_MAX)
                return err_set(err, ERR_BAD_REQUEST,
                               INVALID "Too many NonKeyAttributes");
            const char *name = json_string_value(json_array_get(names, j));
            if (!name)
                return err_set(err, ERR_SERIALIZATION,
                               "NonKeyAttributes must be strings");
            non_key[(*nk)++] = name;
            s->nnon_key++;
        }
    }
    return 0;
}

static int check_name(const char *name, struct err *err)
{
    size_t n = strlen(name);

    if (n < 3 || n > 255 ||
        strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                     "0123456789_.-") != n)
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value '%s' at "
                       "'tableName' failed to satisfy constraint: Member "
                       "must satisfy regular expression pattern: "
                       "[a-zA-Z0-9_.-]+, and length between 3 and 255",
                       name);
    return 0;
}

/* AttributeDefinitions: types S, N or B, and exactly the attributes the
 * table's and its indexes' key schemas use (DynamoDB refuses extras). */
static int check_definitions(const json_t *defs,
                             const struct store_key_schema *ks,
                             const struct store_index_spec *specs, size_t n,
                             struct err *err)
{
    size_t i;
    json_t *d;

    json_array_foreach(defs, i, d)
    {
        const char *name =
            json_string_value(json_object_get(d, "AttributeName"));
        const char *type =
            json_string_value(json_object_get(d, "AttributeType"));
        for (size_t j = 0; name && j < i; j++) {
            const char *other = json_string_value(
                json_object_get(json_array_get(defs, j), "AttributeName"));
            if (other && !strcmp(other, name))
                return err_set(err, ERR_BAD_REQUEST,
                               "Attribute Name is duplicated: %s", name);
        }
        if (!type ||
            (strcmp(type, "S") && strcmp(type, "N") && strcmp(type, "B")))
            return err_set(err, ERR_BAD_REQUEST,
                           "1 validation error detected: Value '%s' at "
                           "'attributeDefinitions.%zu.member.attributeType' "
                           "failed to satisfy constraint: Member must "
                           "satisfy enum value set: [B, N, S]",
                           type ? type : "null", i + 1);
        int used = name && (!strcmp(name, ks->partition_key) ||
                            (ks->sort_key && !strcmp(name, ks->sort_key)));
        for (size_t j = 0; j < n && name && !used; j++)
            used =
                !strcmp(name, specs[j].key.partition_key) ||
                (specs[j].key.sort_key && !strcmp(name, specs[j].key.sort_key));
        if (!used)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Number of attributes in KeySchema does "
                                   "not exactly match number of attributes "
                                   "defined in AttributeDefinitions");
    }
    return 0;
}

/* BillingMode against ProvisionedThroughput, as CreateTable checks them.
 * (A request with neither is served as on-demand: crudd does not refuse
 * it, as DynamoDB's PROVISIONED default would.) */
static int check_billing(const json_t *in, struct err *err)
{
    const char *mode = json_string_value(json_object_get(in, "BillingMode"));
    const json_t *pt = json_object_get(in, "ProvisionedThroughput");

    if (json_object_get(in, "BillingMode") && !mode)
        return err_set(err, ERR_SERIALIZATION, "BillingMode must be a string");
    if (mode && strcmp(mode, "PROVISIONED") && strcmp(mode, "PAY_PER_REQUEST"))
        return err_set(err, ERR_BAD_REQUEST,
                       "1 validation error detected: Value '%s' at "
                       "'billingMode' failed to satisfy constraint: Member "
                       "must satisfy enum value set: [PROVISIONED, "
                       "PAY_PER_REQUEST]",
                       mode);
    if (mode && !strcmp(mode, "PAY_PER_REQUEST") && pt)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Neither ReadCapacityUnits nor "
                               "WriteCapacityUnits can be specified when "
                               "BillingMode is PAY_PER_REQUEST");
    if (mode && !strcmp(mode, "PROVISIONED") && !pt)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "ReadCapacityUnits and WriteCapacityUnits "
                               "must both be specified when BillingMode is "
                               "PROVISIONED");
    return 0;
}

json_t *ddb_create_table(struct ddb *d, json_t *in, json_t **extra,
                         struct err *err)
{
    struct store_index_spec specs[MAX_INDEXES];
    const char *non_key[STORE_NON_KEY_MAX];
    struct store_key_schema ks;
    struct store_table_desc desc = {0};
    const char *name;
    size_t n = 0, nk = 0;
    json_t *defs = json_object_get(in, "AttributeDefinitions");

    (void)extra;
    memset(specs, 0, sizeof specs);
    if (ddb_req_string(in, "TableName", &name, err) < 0 ||
        check_name(name, err) < 0 ||
        key_schema(json_object_get(in, "KeySchema"), defs, &ks, "keySchema",
                   err) < 0 ||
        index_specs(json_object_get(in, "GlobalSecondaryIndexes"),
                    STORE_INDEX_GLOBAL, defs, specs, non_key, &n, &nk,
                    err) < 0 ||
        index_specs(json_object_get(in, "LocalSecondaryIndexes"),
                    STORE_INDEX_LOCAL, defs, specs, non_key, &n, &nk,
                    err) < 0 ||
        check_definitions(defs, &ks, specs, n, err) < 0 ||
        check_billing(in, err) < 0)
        return NULL;
    if (store_create_table_indexed(d->store, name, &ks, specs, n, err) < 0 ||
        store_describe_table(d->store, name, &desc, err) < 0)
        return NULL;
    json_t *out =
        json_pack("{s:o}", "TableDescription", ddb_table_json(&desc, "ACTIVE"));
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_describe_table(struct ddb *d, json_t *in, json_t **extra,
                           struct err *err)
{
    struct store_table_desc desc = {0};
    const char *name;

    (void)extra;
    if (ddb_req_string(in, "TableName", &name, err) < 0 ||
        store_describe_table(d->store, name, &desc, err) < 0)
        return NULL;
    json_t *out = json_pack("{s:o}", "Table", ddb_table_json(&desc, "ACTIVE"));
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_list_tables(struct ddb *d, json_t *in, json_t **extra,
                        struct err *err)
{
    const char *start;
    json_t *names = NULL, *last = NULL, *limit = json_object_get(in, "Limit");
    json_int_t n = 100;

    (void)extra;
    if (ddb_opt_string(in, "ExclusiveStartTableName", &start, err) < 0)
        return NULL;
    if (limit) {
        n = json_integer_value(limit);
        if (!json_is_integer(limit) || n < 1 || n > 100) {
            char v[32];
            snprintf(v, sizeof v, "%lld", (long long)n);
            ddb_constraint(err, v, "limit",
                           "Member must have value less than or equal to 100 "
                           "and greater than or equal to 1");
            return NULL;
        }
    }
    if (store_list_tables(d->store, start, (size_t)n, &names, &last, err) < 0)
        return NULL;
    json_t *out = json_pack("{s:o}", "TableNames", names);
    if (last)
        json_object_set_new(out, "LastEvaluatedTableName", last);
    return out;
}

json_t *ddb_delete_table(struct ddb *d, json_t *in, json_t **extra,
                         struct err *err)
{
    struct store_table_desc desc = {0};
    const char *name;

    (void)extra;
    if (ddb_req_string(in, "TableName", &name, err) < 0 ||
        store_delete_table(d->store, name, &desc, err) < 0)
        return NULL;
    json_t *out = json_pack("{s:o}", "TableDescription",
                            ddb_table_json(&desc, "DELETING"));
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_update_table(struct ddb *d, json_t *in, json_t **extra,
                         struct err *err)
{
    struct store_index_spec specs[MAX_INDEXES];
    const char *non_key[STORE_NON_KEY_MAX];
    struct store_table_desc desc = {0};
    json_t *defs = json_object_get(in, "AttributeDefinitions");
    json_t *updates = json_object_get(in, "GlobalSecondaryIndexUpdates");
    const char *name;
    size_t i;
    json_t *u;

    (void)extra;
    if (ddb_req_string(in, "TableName", &name, err) < 0)
        return NULL;
    static const char *const changes[] = {"ProvisionedThroughput",
                                          "BillingMode",
                                          "StreamSpecification",
                                          "GlobalSecondaryIndexUpdates",
                                          "SSESpecification",
                                          "ReplicaUpdates",
                                          "TableClass",
                                          "DeletionProtectionEnabled",
                                          "OnDemandThroughput",
                                          "WarmThroughput"};
    int any = 0;
    for (size_t c = 0; c < sizeof changes / sizeof *changes; c++)
        any |= json_object_get(in, changes[c]) != NULL;
    if (!any) {
        err_set(err, ERR_BAD_REQUEST,
                "At least one of ProvisionedThroughput, BillingMode, "
                "UpdateStreamEnabled, GlobalSecondaryIndexUpdates or "
                "SSESpecification or ReplicaUpdates is required");
        return NULL;
    }
    json_array_foreach(updates, i, u)
    {
        json_t *create = json_object_get(u, "Create");
        json_t *del = json_object_get(u, "Delete");
        size_t n = 0, nk = 0;
        memset(specs, 0, sizeof specs);
        if (create) {
            json_t *one = json_pack("[O]", create);
            int rc = index_specs(one, STORE_INDEX_GLOBAL, defs, specs, non_key,
                                 &n, &nk, err);
            json_decref(one);
            if (rc < 0 ||
                store_update_table(d->store, name, &specs[0], NULL, err) < 0)
                return NULL;
        } else if (del) {
            const char *index =
                json_string_value(json_object_get(del, "IndexName"));
            if (!index) {
                err_set(err, ERR_BAD_REQUEST,
                        INVALID "Delete needs an IndexName");
                return NULL;
            }
            if (store_update_table(d->store, name, NULL, index, err) < 0)
                return NULL;
        } else {
            err_set(err, ERR_BAD_REQUEST,
                    INVALID "crudd supports Create and Delete in "
                            "GlobalSecondaryIndexUpdates");
            return NULL;
        }
    }
    if (store_describe_table(d->store, name, &desc, err) < 0)
        return NULL;
    json_t *out =
        json_pack("{s:o}", "TableDescription", ddb_table_json(&desc, "ACTIVE"));
    store_table_desc_fini(&desc);
    return out;
}

json_t *ddb_update_time_to_live(struct ddb *d, json_t *in, json_t **extra,
                                struct err *err)
{
    const char *name;
    json_t *spec = json_object_get(in, "TimeToLiveSpecification");
    json_t *enabled = json_object_get(spec, "Enabled");
    const char *attr =
        json_string_value(json_object_get(spec, "AttributeName"));

    (void)extra;
    if (ddb_req_string(in, "TableName", &name, err) < 0)
        return NULL;
    if (!json_is_boolean(enabled) || !attr) {
        err_set(err, ERR_BAD_REQUEST,
                INVALID "TimeToLiveSpecification needs Enabled and "
                        "AttributeName");
        return NULL;
    }
    size_t alen = strlen(attr);
    if (alen < 1 || alen > 255) {
        ddb_constraint(err, attr, "timeToLiveSpecification.attributeName",
                       alen < 1 ? "Member must have length greater than or "
                                  "equal to 1"
                                : "Member must have length less than or "
                                  "equal to 255");
        return NULL;
    }
    /* DynamoDB refuses a change that changes nothing, and a change of the
     * attribute while it is on (UpdateTimeToLive) */
    struct store_table_desc cur = {0};
    if (store_table_schema(d->store, name, &cur, err) < 0)
        return NULL;
    const char *on = cur.ttl_attribute;
    const char *why = NULL;
    if (json_is_true(enabled) && on && !strcmp(on, attr))
        why = "TimeToLive is already enabled";
    else if (json_is_false(enabled) && !on)
        why = "TimeToLive is already disabled";
    if (why || (on && strcmp(on, attr))) {
        if (why)
            err_set(err, ERR_BAD_REQUEST, "%s", why);
        else
            err_set(err, ERR_BAD_REQUEST,
                    "TimeToLive is active on a different AttributeName: "
                    "current AttributeName is %s",
                    on);
        store_table_desc_fini(&cur);
        return NULL;
    }
    store_table_desc_fini(&cur);
    if (store_set_ttl(d->store, name, json_is_true(enabled) ? attr : NULL,
                      err) < 0)
        return NULL;
    return json_pack("{s:O}", "TimeToLiveSpecification", spec);
}

json_t *ddb_describe_time_to_live(struct ddb *d, json_t *in, json_t **extra,
                                  struct err *err)
{
    struct store_table_desc desc = {0};
    const char *name;
    json_t *ttl;

    (void)extra;
    if (ddb_req_string(in, "TableName", &name, err) < 0 ||
        store_table_schema(d->store, name, &desc, err) < 0)
        return NULL;
    if (desc.ttl_attribute)
        ttl = json_pack("{s:s, s:s}", "TimeToLiveStatus", "ENABLED",
                        "AttributeName", desc.ttl_attribute);
    else
        ttl = json_pack("{s:s}", "TimeToLiveStatus", "DISABLED");
    store_table_desc_fini(&desc);
    return json_pack("{s:o}", "TimeToLiveDescription", ttl);
}
