/*
 * expr — DynamoDB expressions: condition (and filter), key condition, update
 * and projection expressions, parsed once and evaluated against items.
 *
 * Follows the DynamoDB Developer Guide, "Working with expressions" (condition
 * and filter expressions, comparison operator and function reference, update
 * expressions, projection expressions, expression attribute names and values,
 * reserved words) and the error messages of the DynamoDB API reference.
 *
 * Attribute values and items are jansson JSON in DynamoDB's wire shape (see
 * attr.h); every N string they hold must be canonical (attr_number_canonical).
 * Every error this module sets is ERR_BAD_REQUEST (DynamoDB's
 * ValidationException), except ERR_SERIALIZATION for an expression value of
 * the wrong JSON kind (attr_typed_value) and ERR_INTERNAL on a broken
 * invariant. Messages
 * found while parsing start "Invalid <Kind>Expression: " as DynamoDB's do
 * ("Invalid UpdateExpression: Syntax error; token: \"c\", near: \"b c\"").
 *
 * A parsed struct expr is immutable: any number of threads may evaluate the
 * same one at once. A struct expr_usage belongs to one request (one thread).
 */
#ifndef CRUDD_EXPR_H
#define CRUDD_EXPR_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"

/* DynamoDB's limits on one expression. */
#define EXPR_MAX_BYTES 4096    /* text length */
#define EXPR_MAX_OPERATORS 300 /* comparators, AND/OR/NOT, functions, + - */
#define EXPR_MAX_DEPTH 32      /* parentheses and function calls; path levels */
#define EXPR_MAX_IN 100        /* operands on the right of IN */

/* Which request parameter the text came from: it sets the grammar and the
 * "Invalid <Kind>Expression: " prefix of messages. */
enum expr_kind {
    EXPR_CONDITION,     /* ConditionExpression */
    EXPR_FILTER,        /* FilterExpression: the condition grammar */
    EXPR_KEY_CONDITION, /* KeyConditionExpression */
    EXPR_UPDATE,        /* UpdateExpression */
    EXPR_PROJECTION,    /* ProjectionExpression */
};

struct expr;

/*
 * Which ExpressionAttributeNames (#n) and ExpressionAttributeValues (:v) the
 * expressions of one request used. DynamoDB rejects a request that defines a
 * name or value none of its expressions uses, so the caller parses every
 * expression of the request with the same usage, then calls
 * expr_usage_check once. Embedded by value: expr_usage_init / _fini.
 */
struct expr_usage {
    json_t *names;  /* object used as a set: "#n" → true; NULL: empty */
    json_t *values; /* object used as a set: ":v" → true; NULL: empty */
};

/* An empty usage (no allocation: a set is made on its first member). Never
 * fails. */
void expr_usage_init(struct expr_usage *u);
/* Release what u holds; u may be initialized again afterwards. */
void expr_usage_fini(struct expr_usage *u);

/*
 * Check the request's ExpressionAttributeNames (names: object "#n" → string
 * attribute name, or NULL) and ExpressionAttributeValues (values: object
 * ":v" → attribute value, or NULL) against what the expressions parsed with
 * u used. Returns 0, or -1 with ERR_BAD_REQUEST and
 * "Value provided in ExpressionAttributeNames unused in expressions:
 * keys: {#a, #b}" (or ...Values... keys: {:x}), names checked first, keys in
 * the maps' order.
 */
int expr_usage_check(const struct expr_usage *u, const json_t *names,
                     const json_t *values, struct err *err);

/*
 * Parse len bytes of text as an expression of kind, substituting names
 * (object "#n" → string, may be NULL) and values (object ":v" → attribute
 * value, may be NULL). The values used are checked and normalized by
 * attr_typed_value, the rules an item's values pass (a bad one is
 * ERR_BAD_REQUEST "ExpressionAttributeValues contains invalid value: <its
 * message> for key :v", or its ERR_SERIALIZATION as it is), and copied into
 * the expression, so names and values may be freed afterwards. usage
 * (may be NULL) records the names and values used.
 *
 * Grammar by kind:
 *   condition, filter: comparisons (= <> < <= > >=), BETWEEN .. AND .., IN
 *     (..), attribute_exists, attribute_not_exists, attribute_type,
 *     begins_with, contains, size (as an operand), NOT, AND, OR (binding in
 *     that order), parentheses;
 *   key condition: "pk = :v" optionally AND a sort key condition (= < <= > >=
 *     BETWEEN begins_with); the key schema is checked by expr_key_condition;
 *   update: SET path = operand [+|- operand] (operands: path, :v,
 *     if_not_exists(path, operand), list_append(operand, operand)), REMOVE
 *     path, ADD path :v (number or set), DELETE path :set; each clause once,
 *     actions comma-separated;
 *   projection: comma-separated document paths.
 * Document paths are names (bare or #n) joined by '.', with list indexes
 * ("a.b[2].c"); a bare name must not be a DynamoDB reserved word.
 *
 * Returns a new expression (free with expr_free), or NULL with
 * ERR_BAD_REQUEST: a syntax error, text over EXPR_MAX_BYTES or empty, too
 * deep or too many operators, a name or value not defined, a reserved word,
 * a function used where it is not allowed or with the wrong operands, an
 * operand whose type cannot work (begins_with(a, :number), ADD a :string),
 * BETWEEN bounds out of order, more than EXPR_MAX_IN IN operands, two paths
 * of one update or projection that overlap or conflict, a clause used twice,
 * a name holding U+0000 (the store could not read it back), a SET or ADD
 * value bigger than an item may be ("Item size has exceeded the maximum
 * allowed size", found here so that the writer never merges it).
 * usage may already hold this text's names and values after a failure; the
 * request fails anyway.
 */
struct expr *expr_parse(enum expr_kind kind, const char *text, size_t len,
                        const json_t *names, const json_t *values,
                        struct expr_usage *usage, struct err *err);

/* Free e; NULL is allowed. */
void expr_free(struct expr *e);

/* The kind e was parsed as. */
enum expr_kind expr_kind(const struct expr *e);

/*
 * Evaluate a condition, filter or key condition expression against item (a
 * borrowed item object; NULL when there is no item, so every path is
 * missing). *result is 1 when it holds, else 0. DynamoDB's semantics: a
 * comparison with a missing attribute or of different types is false (<>
 * then true); < <= > >= BETWEEN order only N (by value), S and B (by bytes);
 * size() counts UTF-8 bytes of S, bytes of B, elements of sets, L and M.
 * Returns 0, or -1 (ERR_INTERNAL if e is not a condition) with *result 0.
 */
int expr_eval_condition(const struct expr *e, const json_t *item, int *result,
                        struct err *err);

/*
 * Apply an update expression to item (borrowed; NULL when the item does not
 * exist yet, as UpdateItem creates it) and return the new item as a new
 * reference. All operands read item as it was before the update (DynamoDB's
 * rule); REMOVEs of list elements shift the later elements down; SET to a
 * list index past the end appends; SET a = b + c and ADD use exact decimal
 * arithmetic (attr_number_add). When updated_old / updated_new are not NULL
 * they receive new references to the parts of the old / new item that the
 * actions touched, shaped as expr_project shapes them (ReturnValues
 * UPDATED_OLD / UPDATED_NEW); REMOVEd paths are absent from updated_new.
 *
 * Returns NULL with ERR_BAD_REQUEST and DynamoDB's message on
 * "The provided expression refers to an attribute that does not exist in the
 * item", "The document path provided in the update expression is invalid for
 * update", "An operand in the update expression has an incorrect data type",
 * "Nesting Levels have exceeded supported limits" (a value SET below a path
 * that nests the item deeper than ATTR_MAX_DEPTH, which PutItem refuses),
 * or a Number limit (attr_number_add). item is never changed; on failure
 * *updated_old and *updated_new are NULL. Key attributes are not protected
 * here: the caller refuses updates of them.
 */
json_t *expr_apply_update(const struct expr *e, const json_t *item,
                          json_t **updated_old, json_t **updated_new,
                          struct err *err);

/*
 * Whether update expression e holds only REMOVE actions: 1 or 0 (0 for any
 * other kind of expression). DynamoDB's UpdateItem creates no item for such
 * an update of a missing item (UpdateItem, API Reference). Any thread.
 */
int expr_update_only_removes(const struct expr *e);

/*
 * The projection of item (borrowed) to the paths of a projection expression:
 * a new reference to a new item holding only those paths. Nested maps keep
 * only the projected names; projected list elements keep their order and
 * close up (a[1], a[3] of a four-element list give a two-element list).
 * Paths missing from item are left out; an empty object when none is found.
 * item NULL gives NULL.
 */
json_t *expr_project(const struct expr *e, const json_t *item);

/* The operator of a Query's sort key condition. */
enum expr_key_op {
    EXPR_KEY_NONE, /* partition key only */
    EXPR_KEY_EQ,
    EXPR_KEY_LT,
    EXPR_KEY_LE,
    EXPR_KEY_GT,
    EXPR_KEY_GE,
    EXPR_KEY_BETWEEN, /* sk_value[0] <= sk <= sk_value[1] */
    EXPR_KEY_BEGINS_WITH,
};

/* A key condition reduced to what a key range needs. The values are
 * borrowed references that live as long as the expression. */
struct expr_key_range {
    const json_t *pk_value;
    enum expr_key_op sk_op;
    const json_t *sk_value[2]; /* [1] only for EXPR_KEY_BETWEEN */
};

/*
 * Check a key condition expression against the table's key schema and
 * reduce it to out. pk_name / sk_name are the partition and sort key
 * attribute names (sk_name NULL when the table has none); pk_type / sk_type
 * their types, "S", "N" or "B" (NULL skips the type check).
 * Returns 0, or -1 with ERR_BAD_REQUEST and DynamoDB's message:
 * "Query condition missed key schema element: <name>" (no partition key
 * condition, or a condition on a non-key attribute when the table has a sort
 * key), "Query key condition not supported" (partition key not compared with
 * =, a nested path, no attribute in a comparison),
 * "Invalid KeyConditionExpression: KeyConditionExpressions must only contain
 * one condition per key", "One or more parameter values were invalid:
 * Condition parameter type does not match schema type". out is unspecified
 * after a failure.
 */
int expr_key_condition(const struct expr *e, const char *pk_name,
                       const char *pk_type, const char *sk_name,
                       const char *sk_type, struct expr_key_range *out,
                       struct err *err);

/*
 * Whether name is one of DynamoDB's reserved words (Developer Guide,
 * "Reserved words in DynamoDB"), compared without regard to case. Such a
 * name must go through ExpressionAttributeNames in an expression.
 */
int expr_is_reserved(const char *name, size_t len);

/*
 * Whether a condition, filter or key condition expression reads the
 * top-level attribute name (a document path starting at it, after
 * ExpressionAttributeNames substitution). 0 for other kinds and for NULL.
 * Query uses it to refuse filters on key attributes, as DynamoDB does.
 */
int expr_mentions(const struct expr *e, const char *name);

#endif
