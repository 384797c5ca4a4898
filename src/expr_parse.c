/*
 * expr_parse — the lexer, the recursive-descent parser (names and values
 * substituted as they are met) and the usage of names and values.
 *
 * The grammar, by precedence, p_or down to p_operand (keywords any case):
 *   or     := and {OR and};  and := not {AND not};  not := NOT not | pred
 *   pred   := "(" or ")" | op cmp op | op BETWEEN op AND op
 *           | op IN "(" op {"," op} ")" | attribute_exists(path)
 *           | attribute_not_exists(path) | attribute_type(path, op)
 *           | begins_with(path, op) | contains(path, op)
 *   op     := path | :value | size(path);  cmp := = | <> | < | <= | > | >=
 *   path   := name {"." name | "[" digits "]"};  name := ident | #name
 *   update := {SET path "=" v [(+|-) v] {"," ...} | REMOVE path {"," path}
 *           | ADD path :value {"," ...} | DELETE path :value {"," ...}}
 *             where v := op | if_not_exists(path, v) | list_append(v, v)
 *   projection := path {"," path};  a key condition: an or, then checked.
 */
#include "expr.h"
#include "expr_impl.h"
#include "attr.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How much of the expression a syntax error quotes after "near:". */
#define NEAR_MAX 80

/* ---- Lexer ------------------------------------------------------------ */

static int is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_word(char c)
{
    return is_alpha(c) || is_digit(c);
}

/* Tokens of s[0..n), ending with one T_EOF; *count includes it. Lexing
 * cannot fail: a T_BAD token becomes a syntax error where the parser meets
 * it, which is where DynamoDB reports it too. */
static struct tok *lex(const char *s, size_t n, size_t *count)
{
    struct tok *v = xcalloc(n + 1, sizeof *v);
    size_t i = 0, k = 0;

    while (i < n) {
        struct tok *t = &v[k];
        char c = s[i];

        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            i++;
            continue;
        }
        t->pos = i;
        t->len = 1;
        /* a bare name starts with a letter: DynamoDB's lexer refuses a
         * leading '_' (Syntax error; token: "_"), though '_' may follow */
        if (is_alpha(c) && c != '_') {
            t->t = T_IDENT;
            while (i + t->len < n && is_word(s[i + t->len]))
                t->len++;
        } else if (is_digit(c)) {
            t->t = T_NUM;
            while (i + t->len < n && is_digit(s[i + t->len]))
                t->len++;
        } else if ((c == '#' || c == ':') && i + 1 < n && is_word(s[i + 1])) {
            t->t = c == '#' ? T_NAME : T_VALUE;
            while (i + t->len < n && is_word(s[i + t->len]))
                t->len++;
        } else if (c == '<' && i + 1 < n &&
                   (s[i + 1] == '>' || s[i + 1] == '=')) {
            t->t = s[i + 1] == '>' ? T_NE : T_LE;
            t->len = 2;
        } else if (c == '>' && i + 1 < n && s[i + 1] == '=') {
            t->t = T_GE;
            t->len = 2;
        } else {
            switch (c) {
            case '(':
                t->t = T_LP;
                break;
            case ')':
                t->t = T_RP;
                break;
            case '[':
                t->t = T_LB;
                break;
            case ']':
                t->t = T_RB;
                break;
            case ',':
                t->t = T_COMMA;
                break;
            case '.':
                t->t = T_DOT;
                break;
            case '=':
                t->t = T_EQ;
                break;
            case '<':
                t->t = T_LT;
                break;
            case '>':
                t->t = T_GT;
                break;
            case '+':
                t->t = T_PLUS;
                break;
            case '-':
                t->t = T_MINUS;
                break;
            default:
                t->t = T_BAD;
                /* Quote a whole UTF-8 character in the message. */
                while (i + t->len < n &&
                       ((unsigned char)s[i + t->len] & 0xC0) == 0x80)
                    t->len++;
            }
        }
        i += t->len;
        k++;
    }
    v[k].t = T_EOF;
    v[k].pos = n;
    *count = k + 1;
    return v;
}

/* ---- Parser ----------------------------------------------------------- */

static const char *const cmp_text[] = {"=", "<>", "<", "<=", ">", ">="};

static const char *const act_text[] = {"SET", "REMOVE", "ADD", "DELETE"};

struct parser {
    enum expr_kind kind;
    const char *text;
    size_t len;
    struct tok *tok;
    size_t i;
    const json_t *names, *values;
    struct expr_usage *usage;
    struct err *err;
    int depth, nops, failed;
};

static const char *kind_name(enum expr_kind k)
{
    switch (k) {
    case EXPR_CONDITION:
        return "ConditionExpression";
    case EXPR_FILTER:
        return "FilterExpression";
    case EXPR_KEY_CONDITION:
        return "KeyConditionExpression";
    case EXPR_UPDATE:
        return "UpdateExpression";
    case EXPR_PROJECTION:
        return "ProjectionExpression";
    }
    return "Expression";
}

static void fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first error only: later ones are consequences of it. */
static void fail(struct parser *p, const char *fmt, ...)
{
    char msg[ERR_MSG_SIZE];
    va_list ap;

    if (p->failed)
        return;
    p->failed = 1;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(p->err, ERR_BAD_REQUEST, "Invalid %s: %s", kind_name(p->kind), msg);
}

static const struct tok *cur(const struct parser *p)
{
    return &p->tok[p->i];
}

static const struct tok *peek(const struct parser *p)
{
    return p->tok[p->i].t == T_EOF ? &p->tok[p->i] : &p->tok[p->i + 1];
}

/* DynamoDB quotes the offending token and the tokens either side of it. */
static void syntax(struct parser *p)
{
    const struct tok *t = cur(p), *next = peek(p);
    size_t from = p->i > 0 ? p->tok[p->i - 1].pos : t->pos;
    size_t to = next->t == T_EOF ? p->len : next->pos + next->len;

    if (to - from > NEAR_MAX)
        to = from + NEAR_MAX;
    if (t->t == T_EOF)
        fail(p, "Syntax error; token: \"<EOF>\", near: \"%.*s\"",
             (int)(to - from), p->text + from);
    else
        fail(p, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)t->len,
             p->text + t->pos, (int)(to - from), p->text + from);
}

static int accept(struct parser *p, enum tk t)
{
    if (cur(p)->t != t)
        return 0;
    p->i++;
    return 1;
}

static int expect(struct parser *p, enum tk t)
{
    if (accept(p, t))
        return 1;
    syntax(p);
    return 0;
}

/* Whether the current token is the keyword kw (any case). */
static int is_kw(const struct parser *p, const char *kw)
{
    const struct tok *t = cur(p);

    return t->t == T_IDENT && t->len == strlen(kw) &&
           strncasecmp(p->text + t->pos, kw, t->len) == 0;
}

static int count_op(struct parser *p)
{
    if (++p->nops <= EXPR_MAX_OPERATORS)
        return 0;
    fail(p,
         "The expression contains too many operators or functions; "
         "maximum: %d",
         EXPR_MAX_OPERATORS);
    return -1;
}

static int enter(struct parser *p)
{
    if (++p->depth <= EXPR_MAX_DEPTH)
        return 0;
    fail(p,
         "The expression has exceeded the maximum nesting depth; maximum: %d",
         EXPR_MAX_DEPTH);
    return -1;
}

static void leave(struct parser *p)
{
    p->depth--;
}

/* Add key to *set, made on the first use (most requests have none). */
static void mark_used(json_t **set, const char *key, size_t len)
{
    if (!*set)
        *set = json_object();
    json_object_setn_new(*set, key, len, json_true());
}

static struct node *p_value(struct parser *p)
{
    const struct tok *t = cur(p);
    const char *key = p->text + t->pos;
    const json_t *v = NULL;
    struct err nerr = ERR_INIT;
    struct node *n;

    if (json_is_object(p->values))
        v = json_object_getn(p->values, key, t->len);
    if (!v) {
        fail(p,
             "An expression attribute value used in expression is not "
             "defined; attribute value: %.*s",
             (int)t->len, key);
        return NULL;
    }
    if (p->usage)
        mark_used(&p->usage->values, key, t->len);
    n = expr_node_new(N_VALUE);
    /* The one AttributeValue validator an item's values pass (attr.h), so
     * that nothing an expression holds, and so nothing it stores, can be
     * malformed: numbers canonical, Base64 strict, sets without
     * duplicates. */
    n->value = attr_typed_value(v, 1, ATTR_TYPED_MAP_NAMES, &nerr);
    if (!n->value) {
        /* DynamoDB refuses a value of the wrong JSON kind while it reads
         * the request, before any expression: then the message alone */
        if (!p->failed && nerr.kind == ERR_SERIALIZATION)
            err_set(p->err, ERR_SERIALIZATION, "%s", nerr.msg);
        else if (!p->failed)
            err_set(p->err, ERR_BAD_REQUEST,
                    "ExpressionAttributeValues contains invalid value: %s "
                    "for key %.*s",
                    nerr.msg, (int)t->len, key);
        p->failed = 1;
        expr_node_free(n);
        return NULL;
    }
    p->i++;
    return n;
}

/* One name element of a path: a bare name (not a reserved word) or #name. */
static int p_name(struct parser *p, struct path *out)
{
    const struct tok *t = cur(p);
    const char *s = p->text + t->pos;
    const json_t *v = NULL;
    struct pel el = {NULL, 0, 0};

    if (t->t == T_IDENT) {
        if (expr_is_reserved(s, t->len)) {
            fail(p,
                 "Attribute name is a reserved keyword; reserved keyword: "
                 "%.*s",
                 (int)t->len, s);
            return -1;
        }
        el.name = xstrndup(s, t->len);
        el.len = t->len;
    } else if (t->t == T_NAME) {
        if (json_is_object(p->names))
            v = json_object_getn(p->names, s, t->len);
        if (!json_is_string(v)) {
            fail(p,
                 "An expression attribute name used in the document path is "
                 "not defined; attribute name: %.*s",
                 (int)t->len, s);
            return -1;
        }
        if (json_string_length(v) == 0) {
            fail(p,
                 "ExpressionAttributeNames contains invalid value: Empty "
                 "attribute name for key %.*s",
                 (int)t->len, s);
            return -1;
        }
        /* jansson, and so the store, reads no U+0000 in a member name: an
         * item with one could be written but never read back */
        if (memchr(json_string_value(v), '\0', json_string_length(v))) {
            fail(p,
                 "ExpressionAttributeNames contains invalid value: an "
                 "attribute name containing U+0000 is not supported for key "
                 "%.*s",
                 (int)t->len, s);
            return -1;
        }
        if (p->usage)
            mark_used(&p->usage->names, s, t->len);
        el.len = json_string_length(v);
        el.name = xmalloc(el.len + 1);
        memcpy(el.name, json_string_value(v), el.len + 1);
    } else {
        syntax(p);
        return -1;
    }
    p->i++;
    expr_path_push(out, el);
    return 0;
}

/* Largest list index accepted; far beyond any list that fits in 400 KB. */
#define INDEX_MAX 1000000000UL

static int p_path(struct parser *p, struct path *out)
{
    do {
        if (p_name(p, out) < 0)
            return -1;
        while (accept(p, T_LB)) {
            const struct tok *t = cur(p);
            struct pel el = {NULL, 0, 0};

            if (t->t != T_NUM || t->len > 10) {
                syntax(p);
                return -1;
            }
            for (size_t i = 0; i < t->len; i++)
                el.index = el.index * 10 + (size_t)(p->text[t->pos + i] - '0');
            if (el.index > INDEX_MAX) {
                syntax(p);
                return -1;
            }
            p->i++;
            expr_path_push(out, el);
            if (!expect(p, T_RB))
                return -1;
        }
    } while (accept(p, T_DOT));
    if (out->n > EXPR_MAX_DEPTH) {
        fail(p,
             "The document path has too many nesting levels; nesting levels: "
             "%zu",
             out->n);
        return -1;
    }
    return 0;
}

static struct node *p_path_node(struct parser *p)
{
    struct node *n = expr_node_new(N_PATH);

    if (p_path(p, &n->path) < 0) {
        expr_node_free(n);
        return NULL;
    }
    return n;
}

/* Where a function call appears: what it must be then. */
enum ctx { CTX_COND, CTX_OPERAND, CTX_UPDATE };

struct fn {
    const char *name;
    enum nk k;
    size_t nargs;
    enum ctx ctx;
};

static const struct fn fns[] = {
    {"attribute_exists", N_EXISTS, 1, CTX_COND},
    {"attribute_not_exists", N_NOT_EXISTS, 1, CTX_COND},
    {"attribute_type", N_TYPE, 2, CTX_COND},
    {"begins_with", N_BEGINS, 2, CTX_COND},
    {"contains", N_CONTAINS, 2, CTX_COND},
    {"size", N_SIZE, 1, CTX_OPERAND},
    {"if_not_exists", N_IF_NOT_EXISTS, 2, CTX_UPDATE},
    {"list_append", N_LIST_APPEND, 2, CTX_UPDATE},
};

static const struct fn *find_fn(const struct parser *p)
{
    const struct tok *t = cur(p);

    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strlen(fns[i].name) == t->len &&
            !memcmp(fns[i].name, p->text + t->pos, t->len))
            return &fns[i];
    return NULL;
}

/* Whether the current token starts a function call. */
static int at_call(const struct parser *p)
{
    return cur(p)->t == T_IDENT && peek(p)->t == T_LP;
}

static int operand_type_error(struct parser *p, const char *what,
                              const json_t *v)
{
    fail(p,
         "Incorrect operand type for operator or function; operator or "
         "function: %s, operand type: %s",
         what, attr_type(v, NULL));
    return -1;
}

/* The first max bytes of string s for a message, each U+0000 shown as
 * U+FFFD: a message is C text, and a NUL would end it there. */
static void show_text(const json_t *s, size_t max, char *out, size_t size)
{
    const char *t = json_string_value(s);
    size_t n = json_string_length(s), o = 0, i = 0;

    for (; t && i < n && i < max && o + 4 < size; i++) {
        if (t[i] == '\0') {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            out[o++] = t[i];
        }
    }
    /* cut short inside a UTF-8 sequence: drop its first bytes too */
    while (t && i < n && i > 0 && ((unsigned char)t[i] & 0xC0) == 0x80) {
        i--;
        o--;
    }
    out[o] = '\0';
}

/* Whether the S payload pl names a type; by length, as a NUL is data. */
static int valid_type_name(const json_t *pl)
{
    static const char *const names[] = {"S",  "SS",   "N",    "NS", "B",
                                        "BS", "BOOL", "NULL", "L",  "M"};
    const char *s = json_string_value(pl);
    size_t n = json_string_length(pl);

    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (n == strlen(names[i]) && !memcmp(s, names[i], n))
            return 1;
    return 0;
}

/* Check what can be checked before any item is seen: the arguments that are
 * constants. */
static int check_fn_args(struct parser *p, const struct fn *f,
                         const struct node *n)
{
    const json_t *pl, *v;

    /* attribute_type, begins_with, contains and size take a value as their
     * first operand too, as DynamoDB does (attribute_type(:v, :t)); the
     * existence functions and if_not_exists need a document path */
    if ((f->k == N_EXISTS || f->k == N_NOT_EXISTS || f->k == N_IF_NOT_EXISTS) &&
        n->kid[0]->k != N_PATH) {
        fail(p,
             "Operator or function requires a document path; operator or "
             "function: %s",
             f->name);
        return -1;
    }
    for (size_t i = 0; i < n->nkid; i++) {
        if (n->kid[i]->k != N_VALUE)
            continue;
        v = n->kid[i]->value;
        if (f->k == N_LIST_APPEND && !expr_is_type(v, "L"))
            return operand_type_error(p, f->name, v);
        if (f->k == N_BEGINS && i == 1 && !expr_is_type(v, "S") &&
            !expr_is_type(v, "B"))
            return operand_type_error(p, f->name, v);
        if (f->k == N_TYPE && i == 1) {
            if (strcmp(attr_type(v, &pl), "S") != 0)
                return operand_type_error(p, f->name, v);
            if (!valid_type_name(pl)) {
                char shown[256];

                show_text(pl, 200, shown, sizeof shown);
                fail(p,
                     "Invalid attribute type name found in type function; "
                     "type: %s, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}",
                     shown);
                return -1;
            }
        }
    }
    return 0;
}

static struct node *p_operand_in(struct parser *p, enum ctx ctx);
static struct node *p_operand(struct parser *p);

static struct node *p_call(struct parser *p, enum ctx ctx)
{
    const struct tok *t = cur(p);
    const struct fn *f = find_fn(p);
    struct node *n, *arg;

    if (!f) {
        fail(p, "Invalid function name; function: %.*s", (int)t->len,
             p->text + t->pos);
        return NULL;
    }
    if (f->ctx != ctx) {
        if (ctx == CTX_UPDATE)
            fail(p,
                 "The function is not allowed in an update expression; "
                 "function: %s",
                 f->name);
        else
            fail(p,
                 "The function is not allowed to be used this way in an "
                 "expression; function: %s",
                 f->name);
        return NULL;
    }
    if (count_op(p) < 0 || enter(p) < 0)
        return NULL;
    p->i += 2;
    n = expr_node_new(f->k);
    do {
        arg = p_operand_in(p, ctx == CTX_UPDATE ? CTX_UPDATE : CTX_OPERAND);
        if (!arg)
            goto bad;
        expr_node_add(n, arg);
    } while (accept(p, T_COMMA));
    if (!expect(p, T_RP))
        goto bad;
    leave(p);
    if (n->nkid != f->nargs) {
        fail(p,
             "Incorrect number of operands for operator or function; "
             "operator or function: %s, number of operands: %zu",
             f->name, n->nkid);
        goto bad;
    }
    if (check_fn_args(p, f, n) < 0)
        goto bad;
    return n;
bad:
    expr_node_free(n);
    return NULL;
}

/* An operand: a path, a value, or a function call that ctx allows
 * (size(path) in a condition; if_not_exists and list_append in SET). */
static struct node *p_operand_in(struct parser *p, enum ctx ctx)
{
    switch (cur(p)->t) {
    case T_VALUE:
        return p_value(p);
    case T_IDENT:
        if (at_call(p))
            return p_call(p, ctx);
        return p_path_node(p);
    case T_NAME:
        return p_path_node(p);
    default:
        syntax(p);
        return NULL;
    }
}

/* An operand of a condition. */
static struct node *p_operand(struct parser *p)
{
    return p_operand_in(p, CTX_OPERAND);
}

/* < <= > >= BETWEEN order only numbers, strings and binary. */
static int check_ordered(struct parser *p, const char *what,
                         const struct node *n)
{
    const char *t;

    if (n->k != N_VALUE)
        return 0;
    t = attr_type(n->value, NULL);
    if (!strcmp(t, "N") || !strcmp(t, "S") || !strcmp(t, "B"))
        return 0;
    return operand_type_error(p, what, n->value);
}

/* "{N:10}": how DynamoDB shows a constant in BETWEEN messages. */
static void show_value(const json_t *v, char *out, size_t size)
{
    const json_t *pl;
    const char *t = attr_type(v, &pl);
    char shown[48];

    if (json_is_string(pl)) {
        show_text(pl, 40, shown, sizeof shown);
        snprintf(out, size, "{%s:%s}", t, shown);
    } else
        snprintf(out, size, "{%s}", t);
}

static int check_between(struct parser *p, const struct node *n)
{
    const struct node *lo = n->kid[1], *hi = n->kid[2];
    char a[64], b[64];

    for (size_t i = 0; i < 3; i++)
        if (check_ordered(p, "BETWEEN", n->kid[i]) < 0)
            return -1;
    if (lo->k != N_VALUE || hi->k != N_VALUE)
        return 0;
    show_value(lo->value, a, sizeof a);
    show_value(hi->value, b, sizeof b);
    if (strcmp(attr_type(lo->value, NULL), attr_type(hi->value, NULL)) != 0) {
        fail(p,
             "The BETWEEN operator requires same data type for lower and "
             "upper bounds; lower operand: AttributeValue: %s, upper "
             "operand: AttributeValue: %s",
             a, b);
        return -1;
    }
    if (expr_value_order(lo->value, hi->value) > 0) {
        fail(p,
             "The BETWEEN operator requires upper bound to be greater than "
             "or equal to lower bound; lower operand: AttributeValue: %s, "
             "upper operand: AttributeValue: %s",
             a, b);
        return -1;
    }
    return 0;
}

static int cmp_token(enum tk t, enum cmp *op)
{
    switch (t) {
    case T_EQ:
        *op = C_EQ;
        return 1;
    case T_NE:
        *op = C_NE;
        return 1;
    case T_LT:
        *op = C_LT;
        return 1;
    case T_LE:
        *op = C_LE;
        return 1;
    case T_GT:
        *op = C_GT;
        return 1;
    case T_GE:
        *op = C_GE;
        return 1;
    default:
        return 0;
    }
}

static struct node *p_or(struct parser *p);

static struct node *p_group(struct parser *p)
{
    struct node *n;

    if (enter(p) < 0)
        return NULL;
    p->i++;
    n = p_or(p);
    leave(p);
    if (!n)
        return NULL;
    if (!expect(p, T_RP)) {
        expr_node_free(n);
        return NULL;
    }
    if (n->parens) {
        fail(p, "The expression has redundant parentheses;");
        expr_node_free(n);
        return NULL;
    }
    n->parens = 1;
    return n;
}

/* comparison | BETWEEN | IN | boolean function | ( condition ) */
static struct node *p_pred(struct parser *p)
{
    struct node *left, *n = NULL, *x;
    enum cmp op;

    if (cur(p)->t == T_LP)
        return p_group(p);
    if (at_call(p)) {
        const struct fn *f = find_fn(p);

        if (!f || f->ctx != CTX_OPERAND)
            return p_call(p, CTX_COND);
    }
    left = p_operand(p);
    if (!left)
        return NULL;
    if (cmp_token(cur(p)->t, &op)) {
        p->i++;
        n = expr_node_new(N_CMP);
        n->op = op;
        expr_node_add(n, left);
        if (count_op(p) < 0 || !(x = p_operand(p)))
            goto bad;
        expr_node_add(n, x);
        if (op != C_EQ && op != C_NE &&
            (check_ordered(p, cmp_text[op], left) < 0 ||
             check_ordered(p, cmp_text[op], x) < 0))
            goto bad;
        return n;
    }
    if (is_kw(p, "BETWEEN")) {
        p->i++;
        n = expr_node_new(N_BETWEEN);
        expr_node_add(n, left);
        if (count_op(p) < 0 || !(x = p_operand(p)))
            goto bad;
        expr_node_add(n, x);
        if (!is_kw(p, "AND")) {
            syntax(p);
            goto bad;
        }
        p->i++;
        if (!(x = p_operand(p)))
            goto bad;
        expr_node_add(n, x);
        if (check_between(p, n) < 0)
            goto bad;
        return n;
    }
    if (is_kw(p, "IN")) {
        p->i++;
        n = expr_node_new(N_IN);
        expr_node_add(n, left);
        if (count_op(p) < 0 || !expect(p, T_LP))
            goto bad;
        do {
            if (!(x = p_operand(p)))
                goto bad;
            expr_node_add(n, x);
        } while (accept(p, T_COMMA));
        if (!expect(p, T_RP))
            goto bad;
        if (n->nkid - 1 > EXPR_MAX_IN) {
            fail(p,
                 "The IN operator is provided with too many operands; number "
                 "of operands: %zu",
                 n->nkid - 1);
            goto bad;
        }
        return n;
    }
    syntax(p);
    expr_node_free(left);
    return NULL;
bad:
    expr_node_free(n);
    return NULL;
}

static struct node *p_not(struct parser *p)
{
    struct node *n, *x;

    if (!is_kw(p, "NOT"))
        return p_pred(p);
    p->i++;
    if (count_op(p) < 0 || enter(p) < 0)
        return NULL;
    x = p_not(p);
    leave(p);
    if (!x)
        return NULL;
    n = expr_node_new(N_NOT);
    expr_node_add(n, x);
    return n;
}

/* left (kw right)*, left-associative; AND binds tighter than OR. */
static struct node *p_binary(struct parser *p, const char *kw, enum nk k,
                             struct node *(*sub)(struct parser *))
{
    struct node *left = sub(p), *right, *n;

    while (left && is_kw(p, kw)) {
        p->i++;
        if (count_op(p) < 0 || !(right = sub(p))) {
            expr_node_free(left);
            return NULL;
        }
        n = expr_node_new(k);
        expr_node_add(n, left);
        expr_node_add(n, right);
        left = n;
    }
    return left;
}

static struct node *p_and(struct parser *p)
{
    return p_binary(p, "AND", N_AND, p_not);
}

static struct node *p_or(struct parser *p)
{
    return p_binary(p, "OR", N_OR, p_and);
}

/* operand [+|- operand] */
static struct node *p_set_value(struct parser *p)
{
    struct node *left = p_operand_in(p, CTX_UPDATE), *n, *x;
    enum tk t = cur(p)->t;

    if (!left || (t != T_PLUS && t != T_MINUS))
        return left;
    p->i++;
    n = expr_node_new(t == T_PLUS ? N_PLUS : N_MINUS);
    expr_node_add(n, left);
    if (count_op(p) < 0 || !(x = p_operand_in(p, CTX_UPDATE))) {
        expr_node_free(n);
        return NULL;
    }
    expr_node_add(n, x);
    for (size_t i = 0; i < 2; i++) {
        if (n->kid[i]->k == N_VALUE && !expr_is_type(n->kid[i]->value, "N")) {
            operand_type_error(p, t == T_PLUS ? "+" : "-", n->kid[i]->value);
            expr_node_free(n);
            return NULL;
        }
    }
    return n;
}

/* How two document paths relate. */
enum rel { R_APART, R_OVERLAP, R_CONFLICT };

static enum rel path_relation(const struct path *a, const struct path *b)
{
    size_t n = a->n < b->n ? a->n : b->n;

    for (size_t i = 0; i < n; i++) {
        const struct pel *x = &a->el[i], *y = &b->el[i];

        if (!x->name != !y->name)
            return R_CONFLICT;
        if (x->name ? x->len != y->len || memcmp(x->name, y->name, x->len)
                    : x->index != y->index)
            return R_APART;
    }
    return R_OVERLAP;
}

/* "[a, b, [2]]", as DynamoDB prints paths in its messages. */
static void path_text(const struct path *p, char *out, size_t size)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < p->n && o < size; i++) {
        const struct pel *e = &p->el[i];
        int w = e->name ? snprintf(out + o, size - o, "%s%.*s", i ? ", " : "[",
                                   (int)e->len, e->name)
                        : snprintf(out + o, size - o, "%s[%zu]", i ? ", " : "[",
                                   e->index);

        o += w > 0 ? (size_t)w : 0;
    }
    if (o < size)
        snprintf(out + o, size - o, "]");
}

static int check_paths(struct parser *p, const struct path *const *ps, size_t n)
{
    char a[160], b[160];

    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            enum rel r = path_relation(ps[i], ps[j]);

            if (r == R_APART)
                continue;
            path_text(ps[i], a, sizeof a);
            path_text(ps[j], b, sizeof b);
            fail(p,
                 "Two document paths %s with each other; must remove or "
                 "rewrite one of these paths; path one: %s, path two: %s",
                 r == R_OVERLAP ? "overlap" : "conflict", a, b);
            return -1;
        }
    }
    return 0;
}

static int check_add_delete(struct parser *p, enum act k, const json_t *v)
{
    const char *t = attr_type(v, NULL);

    if (k == A_ADD ? !strcmp(t, "N") || expr_is_set_type(t)
                   : expr_is_set_type(t))
        return 0;
    fail(p,
         "Incorrect operand type for operator or function; operator: %s, "
         "operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
         act_text[k], expr_long_type(t), act_text[k]);
    return -1;
}

/* A SET or ADD that stores a value bigger than an item may be: refused
 * while parsing, on the request's thread, before the writer merges it. */
static int check_stored_size(struct parser *p, const struct node *n)
{
    const struct node *v[2] = {n, NULL};

    if (n->k == N_LIST_APPEND) {
        v[0] = n->kid[0];
        v[1] = n->kid[1];
    }
    for (size_t i = 0; i < 2; i++) {
        if (!v[i] || v[i]->k != N_VALUE ||
            attr_value_size(v[i]->value) <= ATTR_ITEM_MAX_BYTES)
            continue;
        if (!p->failed)
            err_set(p->err, ERR_BAD_REQUEST,
                    "Item size has exceeded the maximum allowed size");
        p->failed = 1;
        return -1;
    }
    return 0;
}

static int p_action(struct parser *p, struct expr *e, enum act k)
{
    struct action *a;

    e->act = xrealloc(e->act, (e->nact + 1) * sizeof *e->act);
    a = &e->act[e->nact++];
    memset(a, 0, sizeof *a);
    a->k = k;
    if (p_path(p, &a->path) < 0)
        return -1;
    switch (k) {
    case A_SET:
        if (!expect(p, T_EQ))
            return -1;
        a->val = p_set_value(p);
        return a->val ? check_stored_size(p, a->val) : -1;
    case A_REMOVE:
        return 0;
    case A_ADD:
    case A_DELETE:
        if (cur(p)->t != T_VALUE) {
            syntax(p);
            return -1;
        }
        a->val = p_value(p);
        if (!a->val)
            return -1;
        if (check_add_delete(p, k, a->val->value) < 0)
            return -1;
        return k == A_ADD ? check_stored_size(p, a->val) : 0;
    }
    return -1;
}

static int p_update(struct parser *p, struct expr *e)
{
    int seen[4] = {0, 0, 0, 0};
    const struct path **ps;
    int rc;

    do {
        enum act k;

        for (k = A_SET; k <= A_DELETE; k++)
            if (is_kw(p, act_text[k]))
                break;
        if (k > A_DELETE) {
            syntax(p);
            return -1;
        }
        if (seen[k]++) {
            fail(p,
                 "The \"%s\" section can only be used once in an update "
                 "expression;",
                 act_text[k]);
            return -1;
        }
        p->i++;
        do {
            if (p_action(p, e, k) < 0)
                return -1;
        } while (accept(p, T_COMMA));
    } while (cur(p)->t != T_EOF);
    ps = xcalloc(e->nact, sizeof *ps);
    for (size_t i = 0; i < e->nact; i++)
        ps[i] = &e->act[i].path;
    rc = check_paths(p, ps, e->nact);
    free(ps);
    return rc;
}

static int p_projection(struct parser *p, struct expr *e)
{
    const struct path **ps;
    int rc;

    do {
        e->proj = xrealloc(e->proj, (e->nproj + 1) * sizeof *e->proj);
        memset(&e->proj[e->nproj], 0, sizeof *e->proj);
        if (p_path(p, &e->proj[e->nproj++]) < 0)
            return -1;
    } while (accept(p, T_COMMA));
    if (!expect(p, T_EOF))
        return -1;
    ps = xcalloc(e->nproj, sizeof *ps);
    for (size_t i = 0; i < e->nproj; i++)
        ps[i] = &e->proj[i];
    rc = check_paths(p, ps, e->nproj);
    free(ps);
    return rc;
}

/* The operators a key condition may not use, by name for the message. */
static const char *key_bad_operator(const struct node *n)
{
    switch (n->k) {
    case N_OR:
        return "OR";
    case N_NOT:
        return "NOT";
    case N_IN:
        return "IN";
    case N_EXISTS:
        return "attribute_exists";
    case N_NOT_EXISTS:
        return "attribute_not_exists";
    case N_TYPE:
        return "attribute_type";
    case N_CONTAINS:
        return "contains";
    case N_CMP:
        if (n->op == C_NE)
            return "<>";
        for (size_t i = 0; i < n->nkid; i++)
            if (n->kid[i]->k == N_SIZE)
                return "size";
        return NULL;
    case N_BETWEEN:
        for (size_t i = 0; i < n->nkid; i++)
            if (n->kid[i]->k == N_SIZE)
                return "size";
        return NULL;
    default:
        return NULL;
    }
}

static int check_key(struct parser *p, const struct node *n, int top)
{
    const char *bad;

    if (n->k == N_AND) {
        if (!top) {
            fail(p, "KeyConditionExpressions must only contain one "
                    "condition per key");
            return -1;
        }
        for (size_t i = 0; i < n->nkid; i++)
            if (check_key(p, n->kid[i], 0) < 0)
                return -1;
        return 0;
    }
    bad = key_bad_operator(n);
    if (bad) {
        fail(p, "Invalid operator used in KeyConditionExpression: %s", bad);
        return -1;
    }
    return 0;
}

struct expr *expr_parse(enum expr_kind kind, const char *text, size_t len,
                        const json_t *names, const json_t *values,
                        struct expr_usage *usage, struct err *err)
{
    struct parser p;
    struct expr *e = NULL;
    size_t ntok;

    memset(&p, 0, sizeof p);
    p.kind = kind;
    p.text = text;
    p.len = len;
    p.names = names;
    p.values = values;
    p.usage = usage;
    p.err = err;
    /* The size cap comes before anything is allocated for the text. */
    if (len > EXPR_MAX_BYTES) {
        fail(&p, "Expression size has exceeded the maximum allowed size");
        return NULL;
    }
    p.tok = lex(text, len, &ntok);
    if (p.tok[0].t == T_EOF) {
        fail(&p, "The expression can not be empty;");
        goto out;
    }
    e = xcalloc(1, sizeof *e);
    e->kind = kind;
    switch (kind) {
    case EXPR_CONDITION:
    case EXPR_FILTER:
    case EXPR_KEY_CONDITION:
        e->cond = p_or(&p);
        if (e->cond && expect(&p, T_EOF) && kind == EXPR_KEY_CONDITION)
            check_key(&p, e->cond, 1);
        break;
    case EXPR_UPDATE:
        p_update(&p, e);
        break;
    case EXPR_PROJECTION:
        p_projection(&p, e);
        break;
    }
out:
    if (p.failed) {
        expr_free(e);
        e = NULL;
    }
    free(p.tok);
    return e;
}

/* ---- Usage ------------------------------------------------------------ */

void expr_usage_init(struct expr_usage *u)
{
    u->names = NULL;
    u->values = NULL;
}

void expr_usage_fini(struct expr_usage *u)
{
    json_decref(u->names);
    json_decref(u->values);
    u->names = NULL;
    u->values = NULL;
}

static int check_unused(const json_t *used, const json_t *defined,
                        const char *what, struct err *err)
{
    char keys[ERR_MSG_SIZE];
    const char *key;
    size_t klen, o = 0;
    json_t *v;
    int n = 0;

    if (!json_is_object(defined))
        return 0;
    keys[0] = '\0';
    json_object_keylen_foreach(expr_unconst(defined), key, klen, v)
    {
        int w;

        if (json_object_getn(used, key, klen))
            continue;
        w = snprintf(keys + o, sizeof keys - o, "%s%.*s", n++ ? ", " : "",
                     (int)klen, key);
        if (w > 0 && o + (size_t)w < sizeof keys)
            o += (size_t)w;
    }
    if (n == 0)
        return 0;
    return err_set(err, ERR_BAD_REQUEST,
                   "Value provided in %s unused in expressions: keys: {%s}",
                   what, keys);
}

int expr_usage_check(const struct expr_usage *u, const json_t *names,
                     const json_t *values, struct err *err)
{
    if (check_unused(u->names, names, "ExpressionAttributeNames", err) < 0)
        return -1;
    return check_unused(u->values, values, "ExpressionAttributeValues", err);
}
