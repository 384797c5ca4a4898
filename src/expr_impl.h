/*
 * expr_impl — what the parts of the expr module (src/expr*.c) share: the
 * token, path, node, action and expression types and the helpers on them.
 * Not public.
 */
#ifndef CRUDD_EXPR_IMPL_H
#define CRUDD_EXPR_IMPL_H

#include <jansson.h>
#include <stddef.h>

#include "expr.h"

/* ---- Tokens ----------------------------------------------------------- */

enum tk {
    T_EOF,
    T_IDENT, /* bare name or keyword */
    T_NAME,  /* #name */
    T_VALUE, /* :value */
    T_NUM,   /* digits; only a list index */
    T_LP,
    T_RP,
    T_LB,
    T_RB,
    T_COMMA,
    T_DOT,
    T_EQ,
    T_NE,
    T_LT,
    T_LE,
    T_GT,
    T_GE,
    T_PLUS,
    T_MINUS,
    T_BAD, /* a character no token starts with */
};

struct tok {
    enum tk t;
    size_t pos, len;
};

/* ---- Parsed forms ----------------------------------------------------- */

/* One element of a document path: a name, or a list index. */
struct pel {
    char *name; /* NULL for an index */
    size_t len;
    size_t index;
};

struct path {
    struct pel *el;
    size_t n;
};

enum nk {
    /* operands */
    N_PATH,
    N_VALUE,
    N_SIZE,
    N_IF_NOT_EXISTS,
    N_LIST_APPEND,
    N_PLUS,
    N_MINUS,
    /* conditions */
    N_CMP,
    N_BETWEEN,
    N_IN,
    N_AND,
    N_OR,
    N_NOT,
    N_EXISTS,
    N_NOT_EXISTS,
    N_TYPE,
    N_BEGINS,
    N_CONTAINS,
};

enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };

/* A node of a condition or an operand. Functions keep their arguments in
 * kid; a function whose first argument must be a path has it as an N_PATH
 * kid. */
struct node {
    enum nk k;
    enum cmp op;      /* N_CMP */
    struct path path; /* N_PATH */
    json_t *value;    /* N_VALUE: owned reference */
    struct node **kid;
    size_t nkid;
    int parens; /* written inside parentheses */
};

enum act { A_SET, A_REMOVE, A_ADD, A_DELETE };

struct action {
    enum act k;
    struct path path;
    struct node *val; /* NULL for REMOVE */
};

struct expr {
    enum expr_kind kind;
    struct node *cond;  /* condition, filter, key condition */
    struct action *act; /* update */
    size_t nact;
    struct path *proj; /* projection */
    size_t nproj;
};

/* ---- Shared helpers --------------------------------------------------- */

/* j without its const, for jansson's iteration API (it only reads). */
json_t *expr_unconst(const json_t *j);

/* Append el to p (p owns el.name from then on). */
void expr_path_push(struct path *p, struct pel el);
/* A new node of kind k, all else zero; expr_node_free frees all it owns. */
struct node *expr_node_new(enum nk k);
void expr_node_free(struct node *n);
/* Append kid to n's kids (n owns it from then on). */
void expr_node_add(struct node *n, struct node *kid);

/* Whether v's type (attr_type) is t; whether t is SS, NS or BS. */
int expr_is_type(const json_t *v, const char *t);
int expr_is_set_type(const char *t);
/* The type names DynamoDB uses in ADD and DELETE operand messages. */
const char *expr_long_type(const char *t);
/* A new attribute value {t: payload}, taking the reference to payload. */
json_t *expr_typed(const char *t, json_t *payload);

/* -1, 0 or 1; 2 when a and b cannot be ordered (other types, or a type that
 * has no order). */
int expr_value_order(const json_t *a, const json_t *b);
/* The value at path p in item (a borrowed reference), or NULL. */
const json_t *expr_resolve(const json_t *item, const struct path *p);
/* A new item of what item holds at the n paths ps, {} for none or nothing. */
json_t *expr_project_paths(const json_t *item, const struct path **ps,
                           size_t n);

#endif
