/*
 * ddb_legacy — DynamoDB's legacy parameters (Expected, ConditionalOperator,
 * AttributeUpdates, AttributesToGet, KeyConditions, QueryFilter, ScanFilter)
 * checked by DynamoDB's rules and rewritten, in the request object, into the
 * expression they stand for (ConditionExpression, UpdateExpression,
 * ProjectionExpression, KeyConditionExpression, FilterExpression) with
 * generated ExpressionAttributeNames/Values, before the operation reads the
 * request. So there is one evaluator: the legacy forms cannot drift from the
 * expressions. Not the expression grammar or its semantics (expr's).
 *
 * AWS: "Legacy conditional parameters" in the DynamoDB developer guide and
 * the API reference's ExpectedAttributeValue, Condition, AttributeValueUpdate.
 */
#include "attr.h"
#include "b64.h"
#include "buf.h"
#include "ddb_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID "One or more parameter values were invalid: "

static const char *cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

/* The parameters of one operation, legacy and expression, in the order
 * DynamoDB names them in its "Can not use both" message. */
struct spec {
    const char *op;
    const char *legacy[5];
    const char *expr[4];
};

static const struct spec specs[] = {
    {"PutItem", {"Expected", "ConditionalOperator"}, {"ConditionExpression"}},
    {"DeleteItem",
     {"Expected", "ConditionalOperator"},
     {"ConditionExpression"}},
    {"UpdateItem",
     {"AttributeUpdates", "Expected", "ConditionalOperator"},
     {"UpdateExpression", "ConditionExpression"}},
    {"GetItem", {"AttributesToGet"}, {"ProjectionExpression"}},
    {"BatchGetItem", {"AttributesToGet"}, {"ProjectionExpression"}},
    {"Query",
     {"AttributesToGet", "QueryFilter", "ConditionalOperator", "KeyConditions"},
     {"ProjectionExpression", "FilterExpression", "KeyConditionExpression"}},
    {"Scan",
     {"AttributesToGet", "ScanFilter", "ConditionalOperator"},
     {"ProjectionExpression", "FilterExpression"}},
};

/* One rewrite: the request, its names and values maps (made when absent),
 * the counter of generated placeholders. */
struct tr {
    json_t *in;
    json_t *names, *values; /* borrowed from in */
    unsigned n;
};

/* A placeholder that is not in map: "#l<n>" or ":l<n>". */
static void fresh(struct tr *t, json_t *map, char sigil, char *out, size_t sz)
{
    do
        snprintf(out, sz, "%cl%u", sigil, t->n++);
    while (json_object_get(map, out));
}

static json_t *member_map(json_t *in, const char *name)
{
    json_t *m = json_object_get(in, name);
    if (!m) {
        m = json_object();
        json_object_set_new(in, name, m);
    }
    return m;
}

/* Appends a name placeholder for attr to b. */
static void put_name(struct tr *t, struct buf *b, const char *attr)
{
    char ph[32];

    if (!t->names)
        t->names = member_map(t->in, "ExpressionAttributeNames");
    fresh(t, t->names, '#', ph, sizeof ph);
    json_object_set_new(t->names, ph, json_string(attr));
    buf_puts(b, ph);
}

/* Appends a value placeholder for v (copied) to b. */
static void put_value(struct tr *t, struct buf *b, const json_t *v)
{
    char ph[32];

    if (!t->values)
        t->values = member_map(t->in, "ExpressionAttributeValues");
    fresh(t, t->values, ':', ph, sizeof ph);
    json_object_set_new(t->values, ph, json_deep_copy(v));
    buf_puts(b, ph);
}

/* The type letter(s) of an AttributeValue, or NULL when it is not one
 * member (left for the value checks of ExpressionAttributeValues). */
static const char *value_type(const json_t *v)
{
    if (!json_is_object(v) || json_object_size(v) != 1)
        return NULL;
    return json_object_iter_key(json_object_iter((json_t *)(uintptr_t)v));
}

static const struct op_rule {
    const char *name;
    int min, max;      /* operands; max -1: no upper bound */
    const char *types; /* allowed operand types, space-separated */
    const char *fmt;   /* %1 the name, %2.. the values, as a template */
} rules[] = {
    /* the API reference's Condition: "EQ is supported for all data types,
     * including lists and maps", NE too */
    {"EQ", 1, 1, " S N B SS NS BS BOOL NULL L M ", "= "},
    {"NE", 1, 1, " S N B SS NS BS BOOL NULL L M ", "<> "},
    {"LE", 1, 1, " S N B ", "<= "},
    {"LT", 1, 1, " S N B ", "< "},
    {"GE", 1, 1, " S N B ", ">= "},
    {"GT", 1, 1, " S N B ", "> "},
    {"NOT_NULL", 0, 0, "", "attribute_exists"},
    {"NULL", 0, 0, "", "attribute_not_exists"},
    {"CONTAINS", 1, 1, " S N B ", "contains"},
    {"NOT_CONTAINS", 1, 1, " S N B ", "NOT contains"},
    {"BEGINS_WITH", 1, 1, " S B ", "begins_with"},
    {"IN", 1, -1, " S N B ", "IN"},
    {"BETWEEN", 2, 2, " S N B ", "BETWEEN"},
};

#define OPERATORS                                                              \
    "Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, "             \
    "NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]"

/* Whether BETWEEN's bounds lo, hi (AttributeValues of one type S, N or B)
 * are in order; 1 too when either is malformed (the values' own checks
 * refuse it later). */
static int bounds_ordered(const json_t *lo, const json_t *hi)
{
    json_t *wrap = json_pack("{sOsO}", "l", lo, "h", hi), *item;
    struct err e = ERR_INIT;
    const json_t *a, *b;
    const char *ty;
    int ok = 1;

    item = wrap ? ddb_item(wrap, "item", &e) : NULL;
    json_decref(wrap);
    if (!item)
        return 1;
    ty = value_type(json_object_get(item, "l"));
    a = json_object_iter_value(json_object_iter(json_object_get(item, "l")));
    b = json_object_iter_value(json_object_iter(json_object_get(item, "h")));
    if (ty && json_is_string(a) && json_is_string(b)) {
        if (!strcmp(ty, "N")) {
            ok = attr_number_compare(json_string_value(a),
                                     json_string_value(b)) <= 0;
        } else if (!strcmp(ty, "S")) {
            size_t na = json_string_length(a), nb = json_string_length(b);
            int c = memcmp(json_string_value(a), json_string_value(b),
                           na < nb ? na : nb);
            ok = c < 0 || (c == 0 && na <= nb);
        } else if (!strcmp(ty, "B")) {
            size_t na = 0, nb = 0;
            unsigned char *da =
                b64_decode(json_string_value(a), json_string_length(a), &na);
            unsigned char *db =
                b64_decode(json_string_value(b), json_string_length(b), &nb);
            if (da && db) {
                int c = memcmp(da, db, na < nb ? na : nb);
                ok = c < 0 || (c == 0 && na <= nb);
            }
            free(da);
            free(db);
        }
    }
    json_decref(item);
    return ok;
}

/* Operators a KeyConditions entry may use. */
static int indexable(const char *op)
{
    static const char *const ok[] = {"EQ", "LE",          "LT",     "GE",
                                     "GT", "BEGINS_WITH", "BETWEEN"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(op, ok[i]))
            return 1;
    return 0;
}

/* One condition on attr: comparison operator op over the values list
 * (array, borrowed), checked by DynamoDB's rules and appended to b as an
 * expression. member names the parameter for messages ("scanFilter"). */
static int condition(struct tr *t, struct buf *b, const char *attr,
                     const char *op, const json_t *list, const char *member,
                     int key, struct err *err)
{
    const struct op_rule *r = NULL;
    size_t n = json_array_size(list), i;
    const char *first = NULL, *ty;
    char where[160], pad[8];

    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (!strcmp(rules[i].name, op))
            r = &rules[i];
    if (!r) {
        snprintf(where, sizeof where, "%s.%s.member.comparisonOperator", member,
                 attr);
        return ddb_constraint(err, op, where, OPERATORS);
    }
    if ((int)n < r->min || (r->max >= 0 && (int)n > r->max))
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Invalid number of argument(s) for the %s "
                               "ComparisonOperator",
                       op);
    for (i = 0; i < n; i++) {
        if (!(ty = value_type(json_array_get(list, i))))
            continue;
        snprintf(pad, sizeof pad, " %s ", ty);
        if (!strstr(r->types, pad))
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "ComparisonOperator %s is not valid for %s "
                                   "AttributeValue type",
                           op, ty);
        if (first && strcmp(first, ty) != 0)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "AttributeValues inside AttributeValueList "
                                   "must be of same type");
        first = ty;
    }
    if (!strcmp(op, "BETWEEN") &&
        !bounds_ordered(json_array_get(list, 0), json_array_get(list, 1)))
        return err_set(err, ERR_BAD_REQUEST,
                       "The BETWEEN condition was provided a range where the "
                       "lower bound is greater than the upper bound");
    if (key && !indexable(op))
        return err_set(err, ERR_BAD_REQUEST,
                       "Attempted conditional constraint is not an indexable "
                       "operation");
    buf_puts(b, "(");
    if (r->fmt[0] == '=' || r->fmt[0] == '<' || r->fmt[0] == '>') {
        put_name(t, b, attr);
        buf_puts(b, " ");
        buf_puts(b, r->fmt);
        put_value(t, b, json_array_get(list, 0));
    } else if (!strcmp(op, "IN")) {
        put_name(t, b, attr);
        buf_puts(b, " IN (");
        for (i = 0; i < n; i++) {
            if (i)
                buf_puts(b, ", ");
            put_value(t, b, json_array_get(list, i));
        }
        buf_puts(b, ")");
    } else if (!strcmp(op, "BETWEEN")) {
        put_name(t, b, attr);
        buf_puts(b, " BETWEEN ");
        put_value(t, b, json_array_get(list, 0));
        buf_puts(b, " AND ");
        put_value(t, b, json_array_get(list, 1));
    } else {
        buf_puts(b, r->fmt);
        buf_puts(b, "(");
        put_name(t, b, attr);
        if (n) {
            buf_puts(b, ", ");
            put_value(t, b, json_array_get(list, 0));
        }
        buf_puts(b, ")");
    }
    buf_puts(b, ")");
    return 0;
}

static int not_a_map(const char *member, struct err *err)
{
    return err_set(err, ERR_SERIALIZATION, "%s must be a map", member);
}

/* One Expected entry: Value / Exists, or ComparisonOperator with
 * AttributeValueList (or Value) — the rules of ExpectedAttributeValue. */
static int expected_one(struct tr *t, struct buf *b, const char *attr,
                        const json_t *c, struct err *err)
{
    const json_t *value = json_object_get(c, "Value");
    const json_t *list = json_object_get(c, "AttributeValueList");
    const json_t *exists = json_object_get(c, "Exists");
    const json_t *op = json_object_get(c, "ComparisonOperator");
    json_t *one;
    int rc, want;

    if (!json_is_object(c))
        return err_set(err, ERR_SERIALIZATION,
                       "Unexpected value type in payload");
    if ((op && !json_is_string(op)) || (list && !json_is_array(list)) ||
        (exists && !json_is_boolean(exists)))
        return err_set(err, ERR_SERIALIZATION,
                       "Unexpected value type in payload");
    if (value && list)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Value and AttributeValueList cannot be used "
                               "together for Attribute: %s",
                       attr);
    if (op) {
        const char *o = json_string_value(op);
        if (exists)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Exists and ComparisonOperator cannot be "
                                   "used together for Attribute: %s",
                           attr);
        if (strcmp(o, "NULL") != 0 && strcmp(o, "NOT_NULL") != 0 && !value &&
            !list)
            return err_set(err, ERR_BAD_REQUEST,
                           INVALID "Value or AttributeValueList must be used "
                                   "with ComparisonOperator: %s for "
                                   "Attribute: %s",
                           o, attr);
        if (!value)
            return condition(t, b, attr, o, list, "expected", 0, err);
        one = json_array();
        json_array_append(one, (json_t *)(uintptr_t)value);
        rc = condition(t, b, attr, o, one, "expected", 0, err);
        json_decref(one);
        return rc;
    }
    if (list)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "AttributeValueList can only be used with a "
                               "ComparisonOperator for Attribute: %s",
                       attr);
    want = !exists || json_is_true(exists);
    if (want && !value)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Value must be provided when Exists is %s for "
                               "Attribute: %s",
                       exists ? "true" : "null", attr);
    if (!want && value)
        return err_set(err, ERR_BAD_REQUEST,
                       INVALID "Value cannot be used when Exists is false for "
                               "Attribute: %s",
                       attr);
    buf_puts(b, "(");
    if (!want) {
        buf_puts(b, "attribute_not_exists(");
        put_name(t, b, attr);
        buf_puts(b, ")");
    } else {
        put_name(t, b, attr);
        buf_puts(b, " = ");
        put_value(t, b, value);
    }
    buf_puts(b, ")");
    return 0;
}

/* Expected or a filter map (QueryFilter, ScanFilter, KeyConditions) into
 * the expression member target, joined by ConditionalOperator. */
static int conditions(struct tr *t, const char *member, const char *lower,
                      const char *target, const char *join, int key,
                      struct err *err)
{
    json_t *map = json_object_get(t->in, member), *c;
    const char *attr;
    struct buf b;
    int rc = 0, first = 1;

    if (!map)
        return 0;
    if (!json_is_object(map))
        return not_a_map(member, err);
    buf_init(&b);
    json_object_foreach(map, attr, c)
    {
        if (!first)
            buf_puts(&b, join);
        first = 0;
        if (!strcmp(member, "Expected")) {
            rc = expected_one(t, &b, attr, c, err);
        } else {
            const json_t *op = json_object_get(c, "ComparisonOperator");
            const json_t *list = json_object_get(c, "AttributeValueList");
            char where[160];
            if (!json_is_object(c) || (op && !json_is_string(op)) ||
                (list && !json_is_array(list))) {
                rc = err_set(err, ERR_SERIALIZATION,
                             "Unexpected value type in payload");
            } else if (!op) {
                snprintf(where, sizeof where, "%s.%s.member.comparisonOperator",
                         lower, attr);
                rc = err_set(err, ERR_BAD_REQUEST,
                             "1 validation error detected: Value null at '%s' "
                             "failed to satisfy constraint: Member must not "
                             "be null",
                             where);
            } else {
                rc = condition(t, &b, attr, json_string_value(op), list, lower,
                               key, err);
            }
        }
        if (rc < 0)
            break;
    }
    if (rc == 0 && b.len)
        json_object_set_new(t->in, target, json_string(cstr(&b)));
    buf_fini(&b);
    json_object_del(t->in, member);
    return rc;
}

/* AttributesToGet (in obj, a request or a BatchGetItem table entry) into
 * ProjectionExpression. */
static int attributes_to_get(struct tr *t, json_t *obj, struct err *err)
{
    json_t *list = json_object_get(obj, "AttributesToGet"), *a;
    const json_t *select = json_object_get(obj, "Select");
    struct buf b;
    size_t i, j;

    if (!list)
        return 0;
    /* said of AttributesToGet, not of the ProjectionExpression it becomes */
    if (json_is_string(select) &&
        (!strcmp(json_string_value(select), "ALL_ATTRIBUTES") ||
         !strcmp(json_string_value(select), "ALL_PROJECTED_ATTRIBUTES") ||
         !strcmp(json_string_value(select), "COUNT")))
        return err_set(err, ERR_BAD_REQUEST,
                       "Cannot specify the AttributesToGet when choosing to "
                       "get %s",
                       json_string_value(select));
    if (!json_is_array(list))
        return err_set(err, ERR_SERIALIZATION,
                       "Start of structure or map found where not expected");
    if (!json_array_size(list))
        return ddb_constraint(err, "[]", "attributesToGet",
                              "Member must have length greater than or equal "
                              "to 1");
    json_array_foreach(list, i, a)
    {
        if (!json_is_string(a))
            return err_set(err, ERR_SERIALIZATION,
                           "Unexpected value type in payload");
        for (j = 0; j < i; j++)
            if (json_equal(a, json_array_get(list, j)))
                return err_set(err, ERR_BAD_REQUEST,
                               INVALID "Duplicate value in attribute name: %s",
                               json_string_value(a));
    }
    buf_init(&b);
    t->in = obj;
    t->names = json_object_get(obj, "ExpressionAttributeNames");
    json_array_foreach(list, i, a)
    {
        if (i)
            buf_puts(&b, ", ");
        put_name(t, &b, json_string_value(a));
    }
    json_object_set_new(obj, "ProjectionExpression", json_string(cstr(&b)));
    buf_fini(&b);
    json_object_del(obj, "AttributesToGet");
    return 0;
}

/* AttributeUpdates into UpdateExpression: PUT is SET, DELETE without a
 * value REMOVE, with one DELETE; ADD is ADD, and for a list (which the
 * expression's ADD does not take) an append. */
static int attribute_updates(struct tr *t, struct err *err)
{
    json_t *map = json_object_get(t->in, "AttributeUpdates"), *u;
    struct buf set, rem, add, del, *to;
    const char *attr;
    int rc = 0;

    if (!map)
        return 0;
    if (!json_is_object(map))
        return not_a_map("AttributeUpdates", err);
    buf_init(&set);
    buf_init(&rem);
    buf_init(&add);
    buf_init(&del);
    json_object_foreach(map, attr, u)
    {
        const json_t *action = json_object_get(u, "Action");
        const json_t *value = json_object_get(u, "Value");
        const char *a =
            json_is_string(action) ? json_string_value(action) : "PUT";
        const char *ty = value_type(value);
        char where[160];

        if (!json_is_object(u) || (action && !json_is_string(action))) {
            rc = err_set(err, ERR_SERIALIZATION,
                         "Unexpected value type in payload");
            break;
        }
        if (strcmp(a, "PUT") != 0 && strcmp(a, "ADD") != 0 &&
            strcmp(a, "DELETE") != 0) {
            snprintf(where, sizeof where, "attributeUpdates.%s.member.action",
                     attr);
            rc = ddb_constraint(err, a, where,
                                "Member must satisfy enum value set: [ADD, "
                                "PUT, DELETE]");
            break;
        }
        if (!value && strcmp(a, "DELETE") != 0) {
            rc = err_set(err, ERR_BAD_REQUEST,
                         INVALID "Only DELETE action is allowed when no "
                                 "attribute value is specified");
            break;
        }
        if (value && ty && !strcmp(a, "DELETE") && strcmp(ty, "SS") != 0 &&
            strcmp(ty, "NS") != 0 && strcmp(ty, "BS") != 0) {
            rc = err_set(err, ERR_BAD_REQUEST,
                         INVALID "DELETE action with value is not supported "
                                 "for the type %s",
                         ty);
            break;
        }
        if (ty && !strcmp(a, "ADD") && strcmp(ty, "N") != 0 &&
            strcmp(ty, "SS") != 0 && strcmp(ty, "NS") != 0 &&
            strcmp(ty, "BS") != 0 && strcmp(ty, "L") != 0) {
            rc = err_set(err, ERR_BAD_REQUEST,
                         INVALID "ADD action is not supported for the type %s",
                         ty);
            break;
        }
        if (!strcmp(a, "PUT") || (ty && !strcmp(a, "ADD") && !strcmp(ty, "L")))
            to = &set;
        else if (!strcmp(a, "ADD"))
            to = &add;
        else if (value)
            to = &del;
        else
            to = &rem;
        buf_puts(to, to->len ? ", " : "");
        if (to == &rem) {
            put_name(t, to, attr);
        } else if (to == &set && !strcmp(a, "ADD")) {
            /* list_append(if_not_exists(a, []), v): one name per use */
            json_t *empty = json_pack("{s:[]}", "L");
            put_name(t, to, attr);
            buf_puts(to, " = list_append(if_not_exists(");
            put_name(t, to, attr);
            buf_puts(to, ", ");
            put_value(t, to, empty);
            buf_puts(to, "), ");
            put_value(t, to, value);
            buf_puts(to, ")");
            json_decref(empty);
        } else {
            put_name(t, to, attr);
            buf_puts(to, to == &set ? " = " : " ");
            put_value(t, to, value);
        }
    }
    if (rc == 0 && (set.len || rem.len || add.len || del.len)) {
        struct buf e;
        buf_init(&e);
        if (set.len)
            buf_printf(&e, "SET %s ", cstr(&set));
        if (rem.len)
            buf_printf(&e, "REMOVE %s ", cstr(&rem));
        if (add.len)
            buf_printf(&e, "ADD %s ", cstr(&add));
        if (del.len)
            buf_printf(&e, "DELETE %s ", cstr(&del));
        buf_truncate(&e, e.len - 1); /* the last space */
        json_object_set_new(t->in, "UpdateExpression", json_string(cstr(&e)));
        buf_fini(&e);
    }
    buf_fini(&set);
    buf_fini(&rem);
    buf_fini(&add);
    buf_fini(&del);
    json_object_del(t->in, "AttributeUpdates");
    return rc;
}

/* DynamoDB's refusals of a request that mixes the two forms, or gives
 * names or values to legacy parameters. */
static int mixing(const struct spec *s, const json_t *in, struct err *err)
{
    struct buf l, e;
    int rc = 0, nl = 0, ne = 0;

    buf_init(&l);
    buf_init(&e);
    for (size_t i = 0; i < 4 && s->expr[i]; i++)
        if (json_object_get(in, s->expr[i]))
            buf_printf(&e, "%s%s", ne++ ? ", " : "", s->expr[i]);
    for (size_t i = 0; i < 5 && s->legacy[i]; i++) {
        /* KeyConditions goes with expressions when KeyConditionExpression
         * is not given (DynamoDB accepts it with a FilterExpression) */
        if (!strcmp(s->legacy[i], "KeyConditions") &&
            !json_object_get(in, "KeyConditionExpression"))
            continue;
        if (json_object_get(in, s->legacy[i]))
            buf_printf(&l, "%s%s", nl++ ? ", " : "", s->legacy[i]);
    }
    if (ne && nl)
        rc = err_set(err, ERR_BAD_REQUEST,
                     "Can not use both expression and non-expression "
                     "parameters in the same request: Non-expression "
                     "parameters: {%s} Expression parameters: {%s}",
                     cstr(&l), cstr(&e));
    else if (!ne && json_object_get(in, "ExpressionAttributeNames"))
        rc = err_set(err, ERR_BAD_REQUEST,
                     "ExpressionAttributeNames can only be specified when "
                     "using expressions");
    else if (!ne && json_object_get(in, "ExpressionAttributeValues")) {
        struct buf v;
        int nv = 0;
        buf_init(&v);
        for (size_t i = 0; i < 4 && s->expr[i]; i++)
            if (strcmp(s->expr[i], "ProjectionExpression") != 0)
                buf_printf(&v, "%s%s", nv++ ? " and " : "", s->expr[i]);
        if (nv)
            rc = err_set(err, ERR_BAD_REQUEST,
                         "ExpressionAttributeValues can only be specified "
                         "when using expressions: %s %s null",
                         cstr(&v), nv > 1 ? "are" : "is");
        buf_fini(&v);
    }
    buf_fini(&l);
    buf_fini(&e);
    return rc;
}

static int any_legacy(const struct spec *s, const json_t *in)
{
    for (size_t i = 0; i < 5 && s->legacy[i]; i++)
        if (json_object_get(in, s->legacy[i]))
            return 1;
    return 0;
}

/* One request object (or a BatchGetItem table entry) of spec s. */
static int rewrite(const struct spec *s, json_t *in, struct err *err)
{
    struct tr t = {in, NULL, NULL, 0};
    const json_t *co;
    const char *join = " AND ";

    if (!any_legacy(s, in))
        return 0;
    if (mixing(s, in, err) < 0)
        return -1;
    t.names = json_object_get(in, "ExpressionAttributeNames");
    t.values = json_object_get(in, "ExpressionAttributeValues");
    if ((co = json_object_get(in, "ConditionalOperator"))) {
        if (!json_is_string(co))
            return err_set(err, ERR_SERIALIZATION,
                           "Unexpected value type in payload");
        if (!strcmp(json_string_value(co), "OR"))
            join = " OR ";
        else if (strcmp(json_string_value(co), "AND") != 0)
            return ddb_constraint(err, json_string_value(co),
                                  "conditionalOperator",
                                  "Member must satisfy enum value set: [AND, "
                                  "OR]");
        json_object_del(in, "ConditionalOperator");
    }
    if (conditions(&t, "Expected", "expected", "ConditionExpression", join, 0,
                   err) < 0 ||
        conditions(&t, "QueryFilter", "queryFilter", "FilterExpression", join,
                   0, err) < 0 ||
        conditions(&t, "ScanFilter", "scanFilter", "FilterExpression", join, 0,
                   err) < 0 ||
        conditions(&t, "KeyConditions", "keyConditions",
                   "KeyConditionExpression", " AND ", 1, err) < 0 ||
        attribute_updates(&t, err) < 0 || attributes_to_get(&t, in, err) < 0)
        return -1;
    return 0;
}

int ddb_legacy(const char *op, json_t *in, struct err *err)
{
    const struct spec *s = NULL;
    json_t *items, *entry;
    const char *table;

    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (!strcmp(specs[i].op, op))
            s = &specs[i];
    if (!s)
        return 0;
    if (strcmp(op, "BatchGetItem") != 0)
        return rewrite(s, in, err);
    items = json_object_get(in, "RequestItems");
    if (!json_is_object(items))
        return 0; /* the operation refuses it */
    json_object_foreach(items, table, entry)
    {
        if (json_is_object(entry) && rewrite(s, entry, err) < 0)
            return -1;
    }
    return 0;
}
