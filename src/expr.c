/*
 * expr — DynamoDB expressions: one lexer and one recursive-descent parser
 * for condition, filter, key condition, update and projection expressions,
 * and the evaluators that run a parsed expression against items.
 *
 * Not storage and not the wire API: no SQLite, no HTTP. The store turns a
 * key condition into a key range and decides what to do with a failed
 * condition; ddb checks the request parameters around the expressions.
 * Expression attribute names and values are substituted while parsing, so a
 * parsed expression carries its own copies and needs nothing else.
 */
#include "expr.h"
#include "attr.h"
#include "b64.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* How much of the expression a syntax error quotes after "near:". */
#define NEAR_MAX 80

/* DynamoDB's reserved words (Developer Guide, "Reserved words in DynamoDB"),
 * upper case, in strcmp order for bsearch. */
static const char *const reserved[] = {
    "ABORT",
    "ABSOLUTE",
    "ACTION",
    "ADD",
    "AFTER",
    "AGENT",
    "AGGREGATE",
    "ALL",
    "ALLOCATE",
    "ALTER",
    "ANALYZE",
    "AND",
    "ANY",
    "ARCHIVE",
    "ARE",
    "ARRAY",
    "AS",
    "ASC",
    "ASCII",
    "ASENSITIVE",
    "ASSERTION",
    "ASYMMETRIC",
    "AT",
    "ATOMIC",
    "ATTACH",
    "ATTRIBUTE",
    "AUTH",
    "AUTHORIZATION",
    "AUTHORIZE",
    "AUTO",
    "AVG",
    "BACK",
    "BACKUP",
    "BASE",
    "BATCH",
    "BEFORE",
    "BEGIN",
    "BETWEEN",
    "BIGINT",
    "BINARY",
    "BIT",
    "BLOB",
    "BLOCK",
    "BOOLEAN",
    "BOTH",
    "BREADTH",
    "BUCKET",
    "BULK",
    "BY",
    "BYTE",
    "CALL",
    "CALLED",
    "CALLING",
    "CAPACITY",
    "CASCADE",
    "CASCADED",
    "CASE",
    "CAST",
    "CATALOG",
    "CHAR",
    "CHARACTER",
    "CHECK",
    "CLASS",
    "CLOB",
    "CLOSE",
    "CLUSTER",
    "CLUSTERED",
    "CLUSTERING",
    "CLUSTERS",
    "COALESCE",
    "COLLATE",
    "COLLATION",
    "COLLECTION",
    "COLUMN",
    "COLUMNS",
    "COMBINE",
    "COMMENT",
    "COMMIT",
    "COMPACT",
    "COMPILE",
    "COMPRESS",
    "CONDITION",
    "CONFLICT",
    "CONNECT",
    "CONNECTION",
    "CONSISTENCY",
    "CONSISTENT",
    "CONSTRAINT",
    "CONSTRAINTS",
    "CONSTRUCTOR",
    "CONSUMED",
    "CONTINUE",
    "CONVERT",
    "COPY",
    "CORRESPONDING",
    "COUNT",
    "COUNTER",
    "CREATE",
    "CROSS",
    "CUBE",
    "CURRENT",
    "CURSOR",
    "CYCLE",
    "DATA",
    "DATABASE",
    "DATE",
    "DATETIME",
    "DAY",
    "DEALLOCATE",
    "DEC",
    "DECIMAL",
    "DECLARE",
    "DEFAULT",
    "DEFERRABLE",
    "DEFERRED",
    "DEFINE",
    "DEFINED",
    "DEFINITION",
    "DELETE",
    "DELIMITED",
    "DEPTH",
    "DEREF",
    "DESC",
    "DESCRIBE",
    "DESCRIPTOR",
    "DETACH",
    "DETERMINISTIC",
    "DIAGNOSTICS",
    "DIRECTORIES",
    "DISABLE",
    "DISCONNECT",
    "DISTINCT",
    "DISTRIBUTE",
    "DO",
    "DOMAIN",
    "DOUBLE",
    "DROP",
    "DUMP",
    "DURATION",
    "DYNAMIC",
    "EACH",
    "ELEMENT",
    "ELSE",
    "ELSEIF",
    "EMPTY",
    "ENABLE",
    "END",
    "EQUAL",
    "EQUALS",
    "ERROR",
    "ESCAPE",
    "ESCAPED",
    "EVAL",
    "EVALUATE",
    "EXCEEDED",
    "EXCEPT",
    "EXCEPTION",
    "EXCEPTIONS",
    "EXCLUSIVE",
    "EXEC",
    "EXECUTE",
    "EXISTS",
    "EXIT",
    "EXPLAIN",
    "EXPLODE",
    "EXPORT",
    "EXPRESSION",
    "EXTENDED",
    "EXTERNAL",
    "EXTRACT",
    "FAIL",
    "FALSE",
    "FAMILY",
    "FETCH",
    "FIELDS",
    "FILE",
    "FILTER",
    "FILTERING",
    "FINAL",
    "FINISH",
    "FIRST",
    "FIXED",
    "FLATTERN",
    "FLOAT",
    "FOR",
    "FORCE",
    "FOREIGN",
    "FORMAT",
    "FORWARD",
    "FOUND",
    "FREE",
    "FROM",
    "FULL",
    "FUNCTION",
    "FUNCTIONS",
    "GENERAL",
    "GENERATE",
    "GET",
    "GLOB",
    "GLOBAL",
    "GO",
    "GOTO",
    "GRANT",
    "GREATER",
    "GROUP",
    "GROUPING",
    "HANDLER",
    "HASH",
    "HAVE",
    "HAVING",
    "HEAP",
    "HIDDEN",
    "HOLD",
    "HOUR",
    "IDENTIFIED",
    "IDENTITY",
    "IF",
    "IGNORE",
    "IMMEDIATE",
    "IMPORT",
    "IN",
    "INCLUDING",
    "INCLUSIVE",
    "INCREMENT",
    "INCREMENTAL",
    "INDEX",
    "INDEXED",
    "INDEXES",
    "INDICATOR",
    "INFINITE",
    "INITIALLY",
    "INLINE",
    "INNER",
    "INNTER",
    "INOUT",
    "INPUT",
    "INSENSITIVE",
    "INSERT",
    "INSTEAD",
    "INT",
    "INTEGER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "INVALIDATE",
    "IS",
    "ISOLATION",
    "ITEM",
    "ITEMS",
    "ITERATE",
    "JOIN",
    "KEY",
    "KEYS",
    "LAG",
    "LANGUAGE",
    "LARGE",
    "LAST",
    "LATERAL",
    "LEAD",
    "LEADING",
    "LEAVE",
    "LEFT",
    "LENGTH",
    "LESS",
    "LEVEL",
    "LIKE",
    "LIMIT",
    "LIMITED",
    "LINES",
    "LIST",
    "LOAD",
    "LOCAL",
    "LOCALTIME",
    "LOCALTIMESTAMP",
    "LOCATION",
    "LOCATOR",
    "LOCK",
    "LOCKS",
    "LOG",
    "LOGED",
    "LONG",
    "LOOP",
    "LOWER",
    "MAP",
    "MATCH",
    "MATERIALIZED",
    "MAX",
    "MAXLEN",
    "MEMBER",
    "MERGE",
    "METHOD",
    "METRICS",
    "MIN",
    "MINUS",
    "MINUTE",
    "MISSING",
    "MOD",
    "MODE",
    "MODIFIES",
    "MODIFY",
    "MODULE",
    "MONTH",
    "MULTI",
    "MULTISET",
    "NAME",
    "NAMES",
    "NATIONAL",
    "NATURAL",
    "NCHAR",
    "NCLOB",
    "NEW",
    "NEXT",
    "NO",
    "NONE",
    "NOT",
    "NULL",
    "NULLIF",
    "NUMBER",
    "NUMERIC",
    "OBJECT",
    "OF",
    "OFFLINE",
    "OFFSET",
    "OLD",
    "ON",
    "ONLINE",
    "ONLY",
    "OPAQUE",
    "OPEN",
    "OPERATOR",
    "OPTION",
    "OR",
    "ORDER",
    "ORDINALITY",
    "OTHER",
    "OTHERS",
    "OUT",
    "OUTER",
    "OUTPUT",
    "OVER",
    "OVERLAPS",
    "OVERRIDE",
    "OWNER",
    "PAD",
    "PARALLEL",
    "PARAMETER",
    "PARAMETERS",
    "PARTIAL",
    "PARTITION",
    "PARTITIONED",
    "PARTITIONS",
    "PATH",
    "PERCENT",
    "PERCENTILE",
    "PERMISSION",
    "PERMISSIONS",
    "PIPE",
    "PIPELINED",
    "PLAN",
    "POOL",
    "POSITION",
    "PRECISION",
    "PREPARE",
    "PRESERVE",
    "PRIMARY",
    "PRIOR",
    "PRIVATE",
    "PRIVILEGES",
    "PROCEDURE",
    "PROCESSED",
    "PROJECT",
    "PROJECTION",
    "PROPERTY",
    "PROVISIONING",
    "PUBLIC",
    "PUT",
    "QUERY",
    "QUIT",
    "QUORUM",
    "RAISE",
    "RANDOM",
    "RANGE",
    "RANK",
    "RAW",
    "READ",
    "READS",
    "REAL",
    "REBUILD",
    "RECORD",
    "RECURSIVE",
    "REDUCE",
    "REF",
    "REFERENCE",
    "REFERENCES",
    "REFERENCING",
    "REGEXP",
    "REGION",
    "REINDEX",
    "RELATIVE",
    "RELEASE",
    "REMAINDER",
    "RENAME",
    "REPEAT",
    "REPLACE",
    "REQUEST",
    "RESET",
    "RESIGNAL",
    "RESOURCE",
    "RESPONSE",
    "RESTORE",
    "RESTRICT",
    "RESULT",
    "RETURN",
    "RETURNING",
    "RETURNS",
    "REVERSE",
    "REVOKE",
    "RIGHT",
    "ROLE",
    "ROLES",
    "ROLLBACK",
    "ROLLUP",
    "ROUTINE",
    "ROW",
    "ROWS",
    "RULE",
    "RULES",
    "SAMPLE",
    "SATISFIES",
    "SAVE",
    "SAVEPOINT",
    "SCAN",
    "SCHEMA",
    "SCOPE",
    "SCROLL",
    "SEARCH",
    "SECOND",
    "SECTION",
    "SEGMENT",
    "SEGMENTS",
    "SELECT",
    "SELF",
    "SEMI",
    "SENSITIVE",
    "SEPARATE",
    "SEQUENCE",
    "SERIALIZABLE",
    "SESSION",
    "SET",
    "SETS",
    "SHARD",
    "SHARE",
    "SHARED",
    "SHORT",
    "SHOW",
    "SIGNAL",
    "SIMILAR",
    "SIZE",
    "SKEWED",
    "SMALLINT",
    "SNAPSHOT",
    "SOME",
    "SOURCE",
    "SPACE",
    "SPACES",
    "SPARSE",
    "SPECIFIC",
    "SPECIFICTYPE",
    "SPLIT",
    "SQL",
    "SQLCODE",
    "SQLERROR",
    "SQLEXCEPTION",
    "SQLSTATE",
    "SQLWARNING",
    "START",
    "STATE",
    "STATIC",
    "STATUS",
    "STORAGE",
    "STORE",
    "STORED",
    "STREAM",
    "STRING",
    "STRUCT",
    "STYLE",
    "SUB",
    "SUBMULTISET",
    "SUBPARTITION",
    "SUBSTRING",
    "SUBTYPE",
    "SUM",
    "SUPER",
    "SYMMETRIC",
    "SYNONYM",
    "SYSTEM",
    "TABLE",
    "TABLESAMPLE",
    "TEMP",
    "TEMPORARY",
    "TERMINATED",
    "TEXT",
    "THAN",
    "THEN",
    "THROUGHPUT",
    "TIME",
    "TIMESTAMP",
    "TIMEZONE",
    "TINYINT",
    "TO",
    "TOKEN",
    "TOTAL",
    "TOUCH",
    "TRAILING",
    "TRANSACTION",
    "TRANSFORM",
    "TRANSLATE",
    "TRANSLATION",
    "TREAT",
    "TRIGGER",
    "TRIM",
    "TRUE",
    "TRUNCATE",
    "TTL",
    "TUPLE",
    "TYPE",
    "UNDER",
    "UNDO",
    "UNION",
    "UNIQUE",
    "UNIT",
    "UNKNOWN",
    "UNLOGGED",
    "UNNEST",
    "UNPROCESSED",
    "UNSIGNED",
    "UNTIL",
    "UPDATE",
    "UPPER",
    "URL",
    "USAGE",
    "USE",
    "USER",
    "USERS",
    "USING",
    "UUID",
    "VACUUM",
    "VALUE",
    "VALUED",
    "VALUES",
    "VARCHAR",
    "VARIABLE",
    "VARIANCE",
    "VARINT",
    "VARYING",
    "VIEW",
    "VIEWS",
    "VIRTUAL",
    "VOID",
    "WAIT",
    "WHEN",
    "WHENEVER",
    "WHERE",
    "WHILE",
    "WINDOW",
    "WITH",
    "WITHIN",
    "WITHOUT",
    "WORK",
    "WRAPPED",
    "WRITE",
    "YEAR",
    "ZONE",
};

/* Longer than any reserved word: such a name cannot be one. */
#define RESERVED_MAX_LEN 32

static int reserved_cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int expr_is_reserved(const char *name, size_t len)
{
    char up[RESERVED_MAX_LEN + 1];

    if (len == 0 || len > RESERVED_MAX_LEN)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];

        up[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    up[len] = '\0';
    return bsearch(up, reserved, sizeof reserved / sizeof reserved[0],
                   sizeof reserved[0], reserved_cmp) != NULL;
}

/* jansson's iteration API takes json_t * although it only reads; this is the
 * one place the const of a borrowed value is dropped for it. */
static json_t *unconst(const json_t *j)
{
    return (json_t *)(uintptr_t)j;
}

/* ---- Lexer ------------------------------------------------------------ */

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
        if (is_alpha(c)) {
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

static const char *const cmp_text[] = {"=", "<>", "<", "<=", ">", ">="};

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

static const char *const act_text[] = {"SET", "REMOVE", "ADD", "DELETE"};

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

static void path_fini(struct path *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->el[i].name);
    free(p->el);
    p->el = NULL;
    p->n = 0;
}

static void path_push(struct path *p, struct pel el)
{
    p->el = xrealloc(p->el, (p->n + 1) * sizeof *p->el);
    p->el[p->n++] = el;
}

static void node_free(struct node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkid; i++)
        node_free(n->kid[i]);
    free(n->kid);
    path_fini(&n->path);
    json_decref(n->value);
    free(n);
}

static struct node *node_new(enum nk k)
{
    struct node *n = xcalloc(1, sizeof *n);

    n->k = k;
    return n;
}

static void node_add(struct node *n, struct node *kid)
{
    n->kid = xrealloc(n->kid, (n->nkid + 1) * sizeof *n->kid);
    n->kid[n->nkid++] = kid;
}

void expr_free(struct expr *e)
{
    if (!e)
        return;
    node_free(e->cond);
    for (size_t i = 0; i < e->nact; i++) {
        path_fini(&e->act[i].path);
        node_free(e->act[i].val);
    }
    free(e->act);
    for (size_t i = 0; i < e->nproj; i++)
        path_fini(&e->proj[i]);
    free(e->proj);
    free(e);
}

enum expr_kind expr_kind(const struct expr *e)
{
    return e->kind;
}

/* ---- Attribute value helpers ------------------------------------------ */

/* The type key of an attribute value ("S", "NS", ...) and its payload; ""
 * (and no payload) for anything malformed, which then matches nothing. */
static const char *vtype(const json_t *v, const json_t **payload)
{
    void *it;

    *payload = NULL;
    if (!json_is_object(v) || json_object_size(v) != 1)
        return "";
    it = json_object_iter(unconst(v));
    *payload = json_object_iter_value(it);
    return json_object_iter_key(it);
}

static const char *type_of(const json_t *v)
{
    const json_t *pl;

    return vtype(v, &pl);
}

static int is_type(const json_t *v, const char *t)
{
    return strcmp(type_of(v), t) == 0;
}

static int is_set_type(const char *t)
{
    return !strcmp(t, "SS") || !strcmp(t, "NS") || !strcmp(t, "BS");
}

/* The type names DynamoDB uses in ADD and DELETE operand messages. */
static const char *long_type(const char *t)
{
    static const char *const names[][2] = {
        {"S", "STRING"},      {"N", "NUMBER"},      {"B", "BINARY"},
        {"BOOL", "BOOLEAN"},  {"NULL", "NULL"},     {"M", "MAP"},
        {"L", "LIST"},        {"SS", "STRING_SET"}, {"NS", "NUMBER_SET"},
        {"BS", "BINARY_SET"},
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(t, names[i][0]))
            return names[i][1];
    return t;
}

static json_t *typed(const char *t, json_t *payload)
{
    json_t *v = json_object();

    json_object_set_new(v, t, payload);
    return v;
}

/* ---- Parser ----------------------------------------------------------- */

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
    n = node_new(N_VALUE);
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
        node_free(n);
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
    path_push(out, el);
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
            path_push(out, el);
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
    struct node *n = node_new(N_PATH);

    if (p_path(p, &n->path) < 0) {
        node_free(n);
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
         what, type_of(v));
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

    if (f->k != N_LIST_APPEND && n->kid[0]->k != N_PATH) {
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
        if (f->k == N_LIST_APPEND && !is_type(v, "L"))
            return operand_type_error(p, f->name, v);
        if (f->k == N_BEGINS && i == 1 && !is_type(v, "S") && !is_type(v, "B"))
            return operand_type_error(p, f->name, v);
        if (f->k == N_TYPE && i == 1) {
            if (strcmp(vtype(v, &pl), "S") != 0)
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
    n = node_new(f->k);
    do {
        arg = p_operand_in(p, ctx == CTX_UPDATE ? CTX_UPDATE : CTX_OPERAND);
        if (!arg)
            goto bad;
        node_add(n, arg);
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
    node_free(n);
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
    t = type_of(n->value);
    if (!strcmp(t, "N") || !strcmp(t, "S") || !strcmp(t, "B"))
        return 0;
    return operand_type_error(p, what, n->value);
}

static int value_order(const json_t *a, const json_t *b);

/* "{N:10}": how DynamoDB shows a constant in BETWEEN messages. */
static void show_value(const json_t *v, char *out, size_t size)
{
    const json_t *pl;
    const char *t = vtype(v, &pl);
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
    if (strcmp(type_of(lo->value), type_of(hi->value)) != 0) {
        fail(p,
             "The BETWEEN operator requires same data type for lower and "
             "upper bounds; lower operand: AttributeValue: %s, upper "
             "operand: AttributeValue: %s",
             a, b);
        return -1;
    }
    if (value_order(lo->value, hi->value) > 0) {
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
        node_free(n);
        return NULL;
    }
    if (n->parens) {
        fail(p, "The expression has redundant parentheses;");
        node_free(n);
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
        n = node_new(N_CMP);
        n->op = op;
        node_add(n, left);
        if (count_op(p) < 0 || !(x = p_operand(p)))
            goto bad;
        node_add(n, x);
        if (op != C_EQ && op != C_NE &&
            (check_ordered(p, cmp_text[op], left) < 0 ||
             check_ordered(p, cmp_text[op], x) < 0))
            goto bad;
        return n;
    }
    if (is_kw(p, "BETWEEN")) {
        p->i++;
        n = node_new(N_BETWEEN);
        node_add(n, left);
        if (count_op(p) < 0 || !(x = p_operand(p)))
            goto bad;
        node_add(n, x);
        if (!is_kw(p, "AND")) {
            syntax(p);
            goto bad;
        }
        p->i++;
        if (!(x = p_operand(p)))
            goto bad;
        node_add(n, x);
        if (check_between(p, n) < 0)
            goto bad;
        return n;
    }
    if (is_kw(p, "IN")) {
        p->i++;
        n = node_new(N_IN);
        node_add(n, left);
        if (count_op(p) < 0 || !expect(p, T_LP))
            goto bad;
        do {
            if (!(x = p_operand(p)))
                goto bad;
            node_add(n, x);
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
    node_free(left);
    return NULL;
bad:
    node_free(n);
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
    n = node_new(N_NOT);
    node_add(n, x);
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
            node_free(left);
            return NULL;
        }
        n = node_new(k);
        node_add(n, left);
        node_add(n, right);
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
    n = node_new(t == T_PLUS ? N_PLUS : N_MINUS);
    node_add(n, left);
    if (count_op(p) < 0 || !(x = p_operand_in(p, CTX_UPDATE))) {
        node_free(n);
        return NULL;
    }
    node_add(n, x);
    for (size_t i = 0; i < 2; i++) {
        if (n->kid[i]->k == N_VALUE && !is_type(n->kid[i]->value, "N")) {
            operand_type_error(p, t == T_PLUS ? "+" : "-", n->kid[i]->value);
            node_free(n);
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
    const char *t = type_of(v);

    if (k == A_ADD ? !strcmp(t, "N") || is_set_type(t) : is_set_type(t))
        return 0;
    fail(p,
         "Incorrect operand type for operator or function; operator: %s, "
         "operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
         act_text[k], long_type(t), act_text[k]);
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
    json_object_keylen_foreach(unconst(defined), key, klen, v)
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

/* ---- Comparing attribute values --------------------------------------- */

/* Binary values travel as Base64 but order by their bytes; text that does
 * not decode is compared as text so the order stays total. */
static int bin_cmp(const json_t *a, const json_t *b, int prefix)
{
    size_t na, nb, n;
    unsigned char *x, *y;
    int c;

    x = b64_decode(json_string_value(a), json_string_length(a), &na);
    y = b64_decode(json_string_value(b), json_string_length(b), &nb);
    if (!x || !y) {
        free(x);
        free(y);
        return strcmp(json_string_value(a), json_string_value(b));
    }
    if (prefix) {
        c = nb <= na && memcmp(x, y, nb) == 0 ? 0 : 1;
    } else {
        n = na < nb ? na : nb;
        c = memcmp(x, y, n);
        if (c == 0 && na != nb)
            c = na < nb ? -1 : 1;
    }
    free(x);
    free(y);
    return c;
}

/* Strings order by their UTF-8 bytes, which is code point order. */
static int str_cmp(const json_t *a, const json_t *b)
{
    size_t na = json_string_length(a), nb = json_string_length(b);
    int c =
        memcmp(json_string_value(a), json_string_value(b), na < nb ? na : nb);

    if (c == 0 && na != nb)
        return na < nb ? -1 : 1;
    return c;
}

static int sign(int c)
{
    return (c > 0) - (c < 0);
}

/* Order two scalars (payloads) of the scalar type t. */
static int scalar_cmp(const char *t, const json_t *a, const json_t *b)
{
    if (!json_is_string(a) || !json_is_string(b))
        return a == b ? 0 : 1;
    if (t[0] == 'N')
        return sign(
            attr_number_compare(json_string_value(a), json_string_value(b)));
    if (t[0] == 'B')
        return sign(bin_cmp(a, b, 0));
    return sign(str_cmp(a, b));
}

/* -1, 0 or 1; 2 when a and b cannot be ordered (other types, or a type that
 * has no order). */
static int value_order(const json_t *a, const json_t *b)
{
    const json_t *pa, *pb;
    const char *ta = vtype(a, &pa), *tb = vtype(b, &pb);

    if (strcmp(ta, tb) != 0 ||
        (strcmp(ta, "S") && strcmp(ta, "N") && strcmp(ta, "B")))
        return 2;
    return scalar_cmp(ta, pa, pb);
}

static int set_has(const char *elem_type, const json_t *set, const json_t *x)
{
    size_t i;
    json_t *m;

    json_array_foreach(set, i, m)
    {
        if (scalar_cmp(elem_type, m, x) == 0)
            return 1;
    }
    return 0;
}

static int value_equal(const json_t *a, const json_t *b)
{
    const json_t *pa, *pb;
    const char *ta = vtype(a, &pa), *tb = vtype(b, &pb), *key;
    json_t *x;
    size_t i;

    if (strcmp(ta, tb) != 0 || !*ta)
        return 0;
    if (!strcmp(ta, "S") || !strcmp(ta, "N") || !strcmp(ta, "B"))
        return scalar_cmp(ta, pa, pb) == 0;
    if (!strcmp(ta, "BOOL") || !strcmp(ta, "NULL"))
        return json_equal(pa, pb);
    if (is_set_type(ta))
        return attr_set_equal(pa, pb);
    if (!strcmp(ta, "L")) {
        if (json_array_size(pa) != json_array_size(pb))
            return 0;
        for (i = 0; i < json_array_size(pa); i++)
            if (!value_equal(json_array_get(pa, i), json_array_get(pb, i)))
                return 0;
        return 1;
    }
    if (json_object_size(pa) != json_object_size(pb))
        return 0;
    json_object_foreach(unconst(pa), key, x)
    {
        const json_t *y = json_object_get(pb, key);

        if (!y || !value_equal(x, y))
            return 0;
    }
    return 1;
}

/* ---- Conditions ------------------------------------------------------- */

/* The value at path p in item (a borrowed reference), or NULL. */
static const json_t *resolve(const json_t *item, const struct path *p)
{
    const json_t *v, *pl;

    if (!item)
        return NULL;
    v = json_object_getn(item, p->el[0].name, p->el[0].len);
    for (size_t i = 1; v && i < p->n; i++) {
        const struct pel *e = &p->el[i];

        if (e->name) {
            pl = json_object_get(v, "M");
            v = json_is_object(pl) ? json_object_getn(pl, e->name, e->len)
                                   : NULL;
        } else {
            pl = json_object_get(v, "L");
            v = json_is_array(pl) ? json_array_get(pl, e->index) : NULL;
        }
    }
    return v;
}

/* The decoded length of Base64 text, without decoding it. */
static size_t binary_len(const json_t *b)
{
    size_t n = json_string_length(b);
    const char *s = json_string_value(b);

    while (n > 0 && s[n - 1] == '=')
        n--;
    return n * 3 / 4;
}

/* size(): S in UTF-8 bytes, B in bytes, sets, L and M in elements. Other
 * types have no size, and a comparison with it is false. */
static int value_size(const json_t *v, size_t *size)
{
    const json_t *pl;
    const char *t = vtype(v, &pl);

    if (!strcmp(t, "S"))
        *size = json_string_length(pl);
    else if (!strcmp(t, "B"))
        *size = binary_len(pl);
    else if (is_set_type(t) || !strcmp(t, "L"))
        *size = json_array_size(pl);
    else if (!strcmp(t, "M"))
        *size = json_object_size(pl);
    else
        return 0;
    return 1;
}

/* An evaluated operand: borrowed from the item or the expression, or owned
 * when computed (size). v NULL means missing. */
struct opnd {
    const json_t *v;
    json_t *own;
};

static void operand(const struct node *n, const json_t *item, struct opnd *o)
{
    size_t size;
    char text[32];

    o->v = NULL;
    o->own = NULL;
    if (n->k == N_VALUE) {
        o->v = n->value;
    } else if (n->k == N_PATH) {
        o->v = resolve(item, &n->path);
    } else if (n->k == N_SIZE &&
               value_size(resolve(item, &n->kid[0]->path), &size)) {
        snprintf(text, sizeof text, "%zu", size);
        o->own = typed("N", json_string(text));
        o->v = o->own;
    }
}

static int cmp_holds(enum cmp op, int c)
{
    switch (op) {
    case C_LT:
        return c < 0;
    case C_LE:
        return c <= 0;
    case C_GT:
        return c > 0;
    case C_GE:
        return c >= 0;
    default:
        return 0;
    }
}

static int eval_cmp(const struct node *n, const json_t *item)
{
    struct opnd a, b;
    int r, c;

    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &b);
    if (!a.v || !b.v) {
        r = n->op == C_NE;
    } else if (n->op == C_EQ || n->op == C_NE) {
        r = value_equal(a.v, b.v) == (n->op == C_EQ);
    } else {
        c = value_order(a.v, b.v);
        r = c != 2 && cmp_holds(n->op, c);
    }
    json_decref(a.own);
    json_decref(b.own);
    return r;
}

static int eval_between(const struct node *n, const json_t *item)
{
    struct opnd a, lo, hi;
    int r = 0, c1, c2;

    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &lo);
    operand(n->kid[2], item, &hi);
    if (a.v && lo.v && hi.v) {
        c1 = value_order(a.v, lo.v);
        c2 = value_order(a.v, hi.v);
        r = c1 != 2 && c2 != 2 && c1 >= 0 && c2 <= 0;
    }
    json_decref(a.own);
    json_decref(lo.own);
    json_decref(hi.own);
    return r;
}

static int eval_in(const struct node *n, const json_t *item)
{
    struct opnd a, x;
    int r = 0;

    operand(n->kid[0], item, &a);
    for (size_t i = 1; a.v && !r && i < n->nkid; i++) {
        operand(n->kid[i], item, &x);
        r = x.v && value_equal(a.v, x.v);
        json_decref(x.own);
    }
    json_decref(a.own);
    return r;
}

static int begins_with(const json_t *v, const json_t *prefix)
{
    const json_t *pv, *pp;
    const char *tv = vtype(v, &pv), *tp = vtype(prefix, &pp);
    size_t nv, np;

    if (strcmp(tv, tp) != 0 || !json_is_string(pv) || !json_is_string(pp))
        return 0;
    if (!strcmp(tv, "B"))
        return bin_cmp(pv, pp, 1) == 0;
    if (strcmp(tv, "S") != 0)
        return 0;
    nv = json_string_length(pv);
    np = json_string_length(pp);
    return np <= nv &&
           memcmp(json_string_value(pv), json_string_value(pp), np) == 0;
}

static int contains(const json_t *v, const json_t *x)
{
    const json_t *pv, *px;
    const char *tv = vtype(v, &pv), *tx = vtype(x, &px);
    size_t i;
    json_t *e;

    if (!strcmp(tv, "S") && !strcmp(tx, "S") && json_is_string(pv) &&
        json_is_string(px))
        return memmem(json_string_value(pv), json_string_length(pv),
                      json_string_value(px), json_string_length(px)) != NULL;
    if (is_set_type(tv) && tv[0] == tx[0] && tx[1] == '\0')
        return set_has(tx, pv, px);
    if (!strcmp(tv, "L")) {
        json_array_foreach(pv, i, e)
        {
            if (value_equal(e, x))
                return 1;
        }
    }
    return 0;
}

static int eval(const struct node *n, const json_t *item)
{
    struct opnd a, b;
    const json_t *pl;
    int r = 0;

    switch (n->k) {
    case N_AND:
        return eval(n->kid[0], item) && eval(n->kid[1], item);
    case N_OR:
        return eval(n->kid[0], item) || eval(n->kid[1], item);
    case N_NOT:
        return !eval(n->kid[0], item);
    case N_CMP:
        return eval_cmp(n, item);
    case N_BETWEEN:
        return eval_between(n, item);
    case N_IN:
        return eval_in(n, item);
    case N_EXISTS:
        return resolve(item, &n->kid[0]->path) != NULL;
    case N_NOT_EXISTS:
        return resolve(item, &n->kid[0]->path) == NULL;
    default:
        break;
    }
    operand(n->kid[0], item, &a);
    operand(n->kid[1], item, &b);
    if (a.v && b.v) {
        if (n->k == N_TYPE)
            r = !strcmp(vtype(b.v, &pl), "S") && json_is_string(pl) &&
                !strcmp(type_of(a.v), json_string_value(pl));
        else if (n->k == N_BEGINS)
            r = begins_with(a.v, b.v);
        else if (n->k == N_CONTAINS)
            r = contains(a.v, b.v);
    }
    json_decref(a.own);
    json_decref(b.own);
    return r;
}

int expr_eval_condition(const struct expr *e, const json_t *item, int *result,
                        struct err *err)
{
    *result = 0;
    if (!e->cond)
        return err_set(err, ERR_INTERNAL, "not a condition expression");
    *result = eval(e->cond, item);
    return 0;
}

/* ---- Projection ------------------------------------------------------- */

static json_t *proj_value(const json_t *v, const struct path **ps, size_t n,
                          size_t d);

/* Project the plain object obj (an item, or an M's payload) to the paths
 * whose element d is a name. NULL when nothing is found. */
static json_t *proj_map(const json_t *obj, const struct path **ps, size_t n,
                        size_t d)
{
    const struct path **sub = xcalloc(n, sizeof *sub);
    json_t *out = json_object(), *r;

    for (size_t i = 0; i < n; i++) {
        const struct pel *e = &ps[i]->el[d];
        size_t m = 0, j;
        const json_t *child;

        if (!e->name)
            continue;
        for (j = 0; j < i; j++)
            if (ps[j]->el[d].name && ps[j]->el[d].len == e->len &&
                !memcmp(ps[j]->el[d].name, e->name, e->len))
                break;
        if (j < i)
            continue; /* this name was done with its first path */
        for (j = i; j < n; j++)
            if (ps[j]->el[d].name && ps[j]->el[d].len == e->len &&
                !memcmp(ps[j]->el[d].name, e->name, e->len))
                sub[m++] = ps[j];
        child = json_object_getn(obj, e->name, e->len);
        r = child ? proj_value(child, sub, m, d + 1) : NULL;
        if (r)
            json_object_setn_new(out, e->name, e->len, r);
    }
    free(sub);
    if (json_object_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Project the list payload arr to the paths whose element d is an index:
 * the elements found, in index order, closed up. */
static json_t *proj_list(const json_t *arr, const struct path **ps, size_t n,
                         size_t d)
{
    const struct path **sub = xcalloc(n, sizeof *sub);
    json_t *out = json_array(), *r;
    size_t next = 0;

    /* Visit each distinct index once, smallest first. */
    for (;;) {
        size_t idx = SIZE_MAX, m = 0;

        for (size_t i = 0; i < n; i++) {
            const struct pel *e = &ps[i]->el[d];

            if (!e->name && e->index >= next && e->index < idx)
                idx = e->index;
        }
        if (idx == SIZE_MAX || idx >= json_array_size(arr))
            break;
        for (size_t i = 0; i < n; i++)
            if (!ps[i]->el[d].name && ps[i]->el[d].index == idx)
                sub[m++] = ps[i];
        r = proj_value(json_array_get(arr, idx), sub, m, d + 1);
        if (r)
            json_array_append_new(out, r);
        next = idx + 1;
    }
    free(sub);
    if (json_array_size(out) == 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Project the attribute value v, reached by elements [0, d) of every path
 * in ps. */
static json_t *proj_value(const json_t *v, const struct path **ps, size_t n,
                          size_t d)
{
    const json_t *pl;
    const char *t;
    json_t *r = NULL;

    for (size_t i = 0; i < n; i++)
        if (ps[i]->n == d)
            return json_deep_copy(v);
    t = vtype(v, &pl);
    if (!strcmp(t, "M") && json_is_object(pl))
        r = proj_map(pl, ps, n, d);
    else if (!strcmp(t, "L") && json_is_array(pl))
        r = proj_list(pl, ps, n, d);
    return r ? typed(t, r) : NULL;
}

static json_t *project_paths(const json_t *item, const struct path **ps,
                             size_t n)
{
    json_t *r = n ? proj_map(item, ps, n, 0) : NULL;

    return r ? r : json_object();
}

json_t *expr_project(const struct expr *e, const json_t *item)
{
    const struct path **ps;
    json_t *r;

    if (!item)
        return NULL;
    ps = xcalloc(e->nproj ? e->nproj : 1, sizeof *ps);
    for (size_t i = 0; i < e->nproj; i++)
        ps[i] = &e->proj[i];
    r = project_paths(item, ps, e->nproj);
    free(ps);
    return r;
}

/* ---- Updates ---------------------------------------------------------- */

static json_t *no_attribute(struct err *err)
{
    err_set(err, ERR_BAD_REQUEST,
            "The provided expression refers to an attribute that does not "
            "exist in the item");
    return NULL;
}

static json_t *bad_type(struct err *err)
{
    err_set(err, ERR_BAD_REQUEST,
            "An operand in the update expression has an incorrect data type");
    return NULL;
}

static int bad_path(struct err *err)
{
    return err_set(err, ERR_BAD_REQUEST,
                   "The document path provided in the update expression is "
                   "invalid for update");
}

/* The value a SET, ADD or DELETE writes, computed from the item as it was
 * before the update: a new reference, or NULL with err. */
static json_t *update_value(const struct node *n, const json_t *item,
                            struct err *err)
{
    char out[ATTR_NUMBER_MAX];
    const json_t *v, *pa, *pb;
    json_t *a, *b;
    int rc;

    switch (n->k) {
    case N_VALUE:
        return json_deep_copy(n->value);
    case N_PATH:
        v = resolve(item, &n->path);
        return v ? json_deep_copy(v) : no_attribute(err);
    case N_IF_NOT_EXISTS:
        v = resolve(item, &n->kid[0]->path);
        return v ? json_deep_copy(v) : update_value(n->kid[1], item, err);
    default:
        break;
    }
    if (!(a = update_value(n->kid[0], item, err)))
        return NULL;
    if (!(b = update_value(n->kid[1], item, err))) {
        json_decref(a);
        return NULL;
    }
    if (n->k == N_LIST_APPEND) {
        if (strcmp(vtype(a, &pa), "L") || strcmp(vtype(b, &pb), "L")) {
            json_decref(a);
            json_decref(b);
            return bad_type(err);
        }
        json_array_extend(unconst(pa), unconst(pb));
        json_decref(b);
        return a;
    }
    if (strcmp(vtype(a, &pa), "N") || strcmp(vtype(b, &pb), "N")) {
        rc = -1;
        bad_type(err);
    } else if (n->k == N_PLUS) {
        rc = attr_number_add(json_string_value(pa), json_string_value(pb), out,
                             err);
    } else {
        rc = attr_number_subtract(json_string_value(pa), json_string_value(pb),
                                  out, err);
    }
    json_decref(a);
    json_decref(b);
    return rc < 0 ? NULL : typed("N", json_string(out));
}

/* The container in root (a mutable item) that holds the last element of p:
 * an object for a name, an array for an index; NULL when a step on the way
 * is missing or of the wrong type. */
static json_t *container(json_t *root, const struct path *p)
{
    json_t *c = root, *child;

    for (size_t i = 0; i + 1 < p->n; i++) {
        const struct pel *e = &p->el[i];

        child = e->name ? json_object_getn(c, e->name, e->len)
                        : json_array_get(c, e->index);
        if (!child)
            return NULL;
        c = json_object_get(child, p->el[i + 1].name ? "M" : "L");
        if (!c)
            return NULL;
    }
    if (p->el[p->n - 1].name ? !json_is_object(c) : !json_is_array(c))
        return NULL;
    return c;
}

static json_t *element(json_t *c, const struct pel *e)
{
    return e->name ? json_object_getn(c, e->name, e->len)
                   : json_array_get(c, e->index);
}

/* Write v (stolen) at the end of path in container c; an index past the
 * end appends, and *index then says where. */
static void put(json_t *c, const struct pel *e, json_t *v, size_t *index)
{
    if (e->name) {
        json_object_setn_new(c, e->name, e->len, v);
    } else if (e->index < json_array_size(c)) {
        json_array_set_new(c, e->index, v);
    } else {
        *index = json_array_size(c);
        json_array_append_new(c, v);
    }
}

static void drop(json_t *c, const struct pel *e)
{
    if (e->name)
        json_object_deln(c, e->name, e->len);
    else if (e->index < json_array_size(c))
        json_array_remove(c, e->index);
}

/* ADD v (stolen) to the value cur: numbers add, sets unite. */
static int add_to(json_t *cur, json_t *v, struct err *err)
{
    char out[ATTR_NUMBER_MAX];
    const json_t *pc, *pv;
    const char *tc = vtype(cur, &pc), *tv = vtype(v, &pv);
    size_t i, n;
    json_t *m;
    int rc = 0;

    if (strcmp(tc, tv) != 0) {
        bad_type(err);
        rc = -1;
    } else if (!strcmp(tc, "N")) {
        rc = attr_number_add(json_string_value(pc), json_string_value(pv), out,
                             err);
        if (rc == 0)
            json_object_set_new(cur, "N", json_string(out));
    } else {
        const json_t **sorted = attr_set_sorted(pc, &n);

        /* appending leaves the members sorted points to where they are */
        json_array_foreach(pv, i, m)
        {
            if (!attr_set_sorted_has(sorted, n, m))
                json_array_append(unconst(pc), m);
        }
        free(sorted);
    }
    json_decref(v);
    return rc;
}

/* DELETE the members of v (stolen) from the set cur; returns 1 when cur is
 * left empty (DynamoDB has no empty sets: the attribute goes). */
static int delete_from(json_t *cur, json_t *v, struct err *err)
{
    const json_t *pc, *pv;
    const char *tc = vtype(cur, &pc), *tv = vtype(v, &pv);
    json_t *keep, *m;
    size_t i, n;
    int rc;

    if (strcmp(tc, tv) != 0) {
        json_decref(v);
        bad_type(err);
        return -1;
    }
    const json_t **sorted = attr_set_sorted(pv, &n);

    keep = json_array();
    json_array_foreach(pc, i, m)
    {
        if (!attr_set_sorted_has(sorted, n, m))
            json_array_append(keep, m);
    }
    free(sorted);
    rc = json_array_size(keep) == 0;
    json_object_set_new(cur, tc, keep);
    json_decref(v);
    return rc;
}

/* Element-wise order of paths, used to REMOVE the highest list indexes
 * first so that each REMOVE still names the element it named. */
static int path_cmp(const struct path *a, const struct path *b)
{
    size_t n = a->n < b->n ? a->n : b->n;

    for (size_t i = 0; i < n; i++) {
        const struct pel *x = &a->el[i], *y = &b->el[i];
        int c;

        if (!x->name != !y->name)
            return x->name ? -1 : 1;
        if (x->name) {
            c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
            if (c == 0 && x->len != y->len)
                c = x->len < y->len ? -1 : 1;
        } else {
            c = x->index < y->index ? -1 : x->index > y->index;
        }
        if (c)
            return c;
    }
    return a->n < b->n ? -1 : a->n > b->n;
}

static int remove_order(const void *a, const void *b)
{
    const struct action *x = *(const struct action *const *)a;
    const struct action *y = *(const struct action *const *)b;

    return path_cmp(&y->path, &x->path);
}

/* Apply one SET, ADD or DELETE with its computed value v (stolen). eff is
 * where the action ended up (an append moves an index). */
static int apply(json_t *root, const struct action *a, json_t *v,
                 struct path *eff, struct err *err)
{
    const struct pel *last = &a->path.el[a->path.n - 1];
    json_t *c = container(root, &a->path), *cur;
    int rc;

    if (!c) {
        json_decref(v);
        return bad_path(err);
    }
    cur = element(c, last);
    if (a->k == A_SET || (a->k == A_ADD && !cur)) {
        put(c, last, v, &eff->el[eff->n - 1].index);
        return 0;
    }
    if (a->k == A_ADD)
        return add_to(cur, v, err);
    if (!cur) {
        json_decref(v);
        return 0;
    }
    rc = delete_from(cur, v, err);
    if (rc > 0)
        drop(c, last);
    return rc < 0 ? -1 : 0;
}

/* Whether the members of m (an item, or an M's object) or the elements
 * of an L's array nest more than ATTR_MAX_DEPTH levels of M and L, m
 * itself sitting at level (0 for an item). */
static int levels_over(const json_t *m, int level)
{
    const json_t *pl;
    const char *t, *key;
    json_t *v;
    size_t i;

    if (json_is_array(m)) {
        json_array_foreach(unconst(m), i, v)
        {
            t = vtype(v, &pl);
            if ((!strcmp(t, "M") || !strcmp(t, "L")) &&
                (level + 1 > ATTR_MAX_DEPTH || levels_over(pl, level + 1)))
                return 1;
        }
        return 0;
    }
    json_object_foreach(unconst(m), key, v)
    {
        t = vtype(v, &pl);
        if ((!strcmp(t, "M") || !strcmp(t, "L")) &&
            (level + 1 > ATTR_MAX_DEPTH || levels_over(pl, level + 1)))
            return 1;
    }
    return 0;
}

json_t *expr_apply_update(const struct expr *e, const json_t *item,
                          json_t **updated_old, json_t **updated_new,
                          struct err *err)
{
    json_t **vals = xcalloc(e->nact + 1, sizeof *vals);
    const struct action **rm = xcalloc(e->nact + 1, sizeof *rm);
    struct path *eff = xcalloc(e->nact + 1, sizeof *eff);
    const struct path **ps = xcalloc(e->nact + 1, sizeof *ps);
    json_t *out = NULL;
    size_t i, nrm = 0, n;

    if (updated_old)
        *updated_old = NULL;
    if (updated_new)
        *updated_new = NULL;
    if (e->kind != EXPR_UPDATE) {
        err_set(err, ERR_INTERNAL, "not an update expression");
        goto out;
    }
    /* Every operand reads the item as it was: compute them all first. */
    for (i = 0; i < e->nact; i++) {
        eff[i].n = e->act[i].path.n;
        eff[i].el = xcalloc(eff[i].n, sizeof *eff[i].el);
        memcpy(eff[i].el, e->act[i].path.el, eff[i].n * sizeof *eff[i].el);
        if (e->act[i].val &&
            !(vals[i] = update_value(e->act[i].val, item, err)))
            goto out;
    }
    out = item ? json_deep_copy(item) : json_object();
    for (i = 0; i < e->nact; i++) {
        if (e->act[i].k == A_REMOVE) {
            rm[nrm++] = &e->act[i];
            continue;
        }
        json_t *v = vals[i];

        vals[i] = NULL;
        if (apply(out, &e->act[i], v, &eff[i], err) < 0)
            goto fail;
    }
    qsort(rm, nrm, sizeof *rm, remove_order);
    for (i = 0; i < nrm; i++) {
        json_t *c = container(out, &rm[i]->path);

        if (!c) {
            /* A missing top-level attribute is fine; a path through
             * something missing is not. */
            if (rm[i]->path.n == 1)
                continue;
            bad_path(err);
            goto fail;
        }
        drop(c, &rm[i]->path.el[rm[i]->path.n - 1]);
    }
    /* a value SET below a path nests deeper than either did alone: the
     * item PutItem would refuse is refused here too */
    if (levels_over(out, 0)) {
        err_set(err, ERR_BAD_REQUEST,
                "Nesting Levels have exceeded supported limits");
        goto fail;
    }
    if (updated_old) {
        for (i = 0; i < e->nact; i++)
            ps[i] = &e->act[i].path;
        *updated_old = item ? project_paths(item, ps, e->nact) : json_object();
    }
    if (updated_new) {
        for (i = n = 0; i < e->nact; i++)
            if (e->act[i].k != A_REMOVE)
                ps[n++] = &eff[i];
        *updated_new = project_paths(out, ps, n);
    }
    goto out;
fail:
    json_decref(out);
    out = NULL;
out:
    for (i = 0; i < e->nact; i++) {
        json_decref(vals[i]);
        free(eff[i].el);
    }
    free(vals);
    free(rm);
    free(eff);
    free(ps);
    return out;
}

/* ---- Key conditions --------------------------------------------------- */

static int unsupported(struct err *err)
{
    return err_set(err, ERR_BAD_REQUEST, "Query key condition not supported");
}

/* The attribute a key condition leaf is about, and what it says. */
static int key_leaf(const struct node *n, const struct path **path,
                    enum expr_key_op *op, const json_t *v[2], struct err *err)
{
    static const enum expr_key_op ops[] = {EXPR_KEY_EQ, EXPR_KEY_NONE,
                                           EXPR_KEY_LT, EXPR_KEY_LE,
                                           EXPR_KEY_GT, EXPR_KEY_GE};
    /* The same comparison written the other way round: :v < sk. */
    static const enum expr_key_op flipped[] = {EXPR_KEY_EQ, EXPR_KEY_NONE,
                                               EXPR_KEY_GT, EXPR_KEY_GE,
                                               EXPR_KEY_LT, EXPR_KEY_LE};
    const struct node *a = n->kid[0];

    v[1] = NULL;
    if (n->k == N_CMP && a->k == N_VALUE && n->kid[1]->k == N_PATH) {
        *path = &n->kid[1]->path;
        *op = flipped[n->op];
        v[0] = a->value;
    } else if (n->k == N_CMP && a->k == N_PATH && n->kid[1]->k == N_VALUE) {
        *path = &a->path;
        *op = ops[n->op];
        v[0] = n->kid[1]->value;
    } else if (n->k == N_BETWEEN && a->k == N_PATH && n->kid[1]->k == N_VALUE &&
               n->kid[2]->k == N_VALUE) {
        *path = &a->path;
        *op = EXPR_KEY_BETWEEN;
        v[0] = n->kid[1]->value;
        v[1] = n->kid[2]->value;
    } else if (n->k == N_BEGINS && n->kid[1]->k == N_VALUE) {
        *path = &a->path;
        *op = EXPR_KEY_BEGINS_WITH;
        v[0] = n->kid[1]->value;
    } else {
        return unsupported(err);
    }
    if ((*path)->n != 1)
        return unsupported(err);
    return 0;
}

static int name_is(const struct path *p, const char *name)
{
    return name && p->el[0].len == strlen(name) &&
           !memcmp(p->el[0].name, name, p->el[0].len);
}

static int type_ok(const json_t *v, const char *type)
{
    return !type || !v || is_type(v, type);
}

int expr_key_condition(const struct expr *e, const char *pk_name,
                       const char *pk_type, const char *sk_name,
                       const char *sk_type, struct expr_key_range *out,
                       struct err *err)
{
    const struct node *leaf[2];
    size_t n = 1;
    int have_pk = 0, have_sk = 0;

    memset(out, 0, sizeof *out);
    if (e->kind != EXPR_KEY_CONDITION || !e->cond)
        return err_set(err, ERR_INTERNAL, "not a key condition expression");
    leaf[0] = e->cond;
    if (e->cond->k == N_AND) {
        leaf[0] = e->cond->kid[0];
        leaf[1] = e->cond->kid[1];
        n = 2;
    }
    for (size_t i = 0; i < n; i++) {
        const struct path *path = NULL;
        const json_t *v[2] = {NULL, NULL};
        enum expr_key_op op = EXPR_KEY_NONE;

        if (key_leaf(leaf[i], &path, &op, v, err) < 0)
            return -1;
        if (name_is(path, pk_name)) {
            if (have_pk++)
                goto twice;
            if (op != EXPR_KEY_EQ)
                return unsupported(err);
            if (!type_ok(v[0], pk_type))
                goto type;
            out->pk_value = v[0];
        } else if (name_is(path, sk_name)) {
            if (have_sk++)
                goto twice;
            if (!type_ok(v[0], sk_type) || !type_ok(v[1], sk_type))
                goto type;
            out->sk_op = op;
            out->sk_value[0] = v[0];
            out->sk_value[1] = v[1];
        } else if (sk_name) {
            return err_set(err, ERR_BAD_REQUEST,
                           "Query condition missed key schema element: %s",
                           sk_name);
        } else {
            return unsupported(err);
        }
    }
    if (!have_pk)
        return err_set(err, ERR_BAD_REQUEST,
                       "Query condition missed key schema element: %s",
                       pk_name);
    return 0;
twice:
    return err_set(err, ERR_BAD_REQUEST,
                   "Invalid KeyConditionExpression: KeyConditionExpressions "
                   "must only contain one condition per key");
type:
    return err_set(err, ERR_BAD_REQUEST,
                   "One or more parameter values were invalid: Condition "
                   "parameter type does not match schema type");
}

/* ---- What a condition reads -------------------------------------------- */

static int node_mentions(const struct node *n, const char *name, size_t len)
{
    if (!n)
        return 0;
    if (n->k == N_PATH && n->path.n > 0 && n->path.el[0].name &&
        n->path.el[0].len == len && !memcmp(n->path.el[0].name, name, len))
        return 1;
    for (size_t i = 0; i < n->nkid; i++)
        if (node_mentions(n->kid[i], name, len))
            return 1;
    return 0;
}

int expr_mentions(const struct expr *e, const char *name)
{
    return e && node_mentions(e->cond, name, strlen(name));
}

/* ---- The decision of one write ------------------------------------------ */

int expr_write_apply(const struct expr_write *w, const json_t *old,
                     json_t **new_item, json_t **updated_old,
                     json_t **updated_new, struct err *err)
{
    int ok = 1;

    *new_item = NULL;
    if (updated_old)
        *updated_old = NULL;
    if (updated_new)
        *updated_new = NULL;
    if (w->cond && expr_eval_condition(w->cond, old, &ok, err) < 0)
        return -1;
    if (!ok)
        return err_set(err, ERR_CONFLICT, "The conditional request failed");
    if (w->remove)
        return 0;
    if (!w->update) {
        *new_item = json_deep_copy(w->item ? w->item : old ? old : w->key);
        return 0;
    }
    json_t *next = expr_apply_update(w->update, old ? old : w->key, updated_old,
                                     updated_new, err);
    if (!next)
        return -1;
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)w->key, name, v)
    {
        if (!json_equal(json_object_get(next, name), v)) {
            json_decref(next);
            if (updated_old) {
                json_decref(*updated_old);
                *updated_old = NULL;
            }
            if (updated_new) {
                json_decref(*updated_new);
                *updated_new = NULL;
            }
            return err_set(err, ERR_BAD_REQUEST,
                           "One or more parameter values were invalid: "
                           "Cannot update attribute %s. This attribute is "
                           "part of the key",
                           name);
        }
    }
    *new_item = next;
    return 0;
}
