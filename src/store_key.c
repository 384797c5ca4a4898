/*
 * store_key — the store's key encoding: DynamoDB key values (S, N, B) as
 * byte strings whose memcmp order is DynamoDB's order, the checks that a key
 * or an item matches a key schema, the scan segment hash and an item's TTL
 * expiry: what a row's key columns are made of. No SQLite
 * calls here.
 */
#include "store_impl.h"
#include "attr.h"
#include "b64.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MSG_KEY_SCHEMA STORE_MSG_KEY_SCHEMA
#define MSG_INVALID STORE_MSG_INVALID

/*
 * Numbers are encoded so that memcmp order is numeric order. With the value
 * written as 0.d1d2...dn × 10^E (d1 not 0, dn not 0):
 *   zero      0x02
 *   positive  0x03, E + 0x8000 as 2 bytes big-endian, the digits '0'..'9'
 *   negative  0x01, 0x7fff - E as 2 bytes, each digit as '9' - d, 0xff
 * A larger exponent means a larger magnitude, and with equal exponents the
 * digits compare as a fraction (a shorter prefix is smaller). For negatives
 * both are reversed, and the 0xff terminator, above any digit byte, makes a
 * shorter prefix sort after its extensions (-0.5 > -0.55). Trailing and
 * leading zeros are dropped, so equal numbers have equal encodings.
 */
#define NUM_NEGATIVE 0x01
#define NUM_ZERO 0x02
#define NUM_POSITIVE 0x03
#define NUM_EXP_BIAS 0x8000
/* Exponents past this are far outside DynamoDB's range (1E-130 to 1E+126)
 * and would not fit the 2-byte field. */
#define NUM_EXP_MAX 30000

/* Append the encoding of the n-byte number text s ([+-]digits[.digits]
 * [(e|E)[+-]digits], the exponent only for robustness: stored numbers are
 * canonical). n is at most STORE_PARTITION_KEY_MAX. Returns -1 if s is not a
 * number. */
static int encode_number(struct buf *out, const char *s, size_t n)
{
    char digits[STORE_PARTITION_KEY_MAX];
    size_t i = 0, nd = 0, point = 0, lead = 0, end;
    int neg = 0, seen_point = 0;
    long exp10 = 0, e;

    assert(n <= sizeof digits);
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits[nd++] = s[i];
        else if (s[i] == '.' && !seen_point) {
            seen_point = 1;
            point = nd;
        } else
            break;
    }
    if (nd == 0)
        return -1;
    if (!seen_point)
        point = nd;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t start;
        if (++i < n && (s[i] == '-' || s[i] == '+'))
            eneg = s[i++] == '-';
        for (start = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            if ((exp10 = exp10 * 10 + (s[i] - '0')) > NUM_EXP_MAX)
                return -1;
        if (i == start)
            return -1;
        if (eneg)
            exp10 = -exp10;
    }
    if (i != n)
        return -1;
    while (lead < nd && digits[lead] == '0')
        lead++;
    if (lead == nd) {
        buf_append(out, "\x02", 1);
        return 0;
    }
    for (end = nd; digits[end - 1] == '0'; end--)
        ;
    e = (long)point - (long)lead + exp10;
    if (e > NUM_EXP_MAX || e < -NUM_EXP_MAX)
        return -1;

    unsigned char head[3];
    unsigned be = (unsigned)(e + NUM_EXP_BIAS);
    if (neg)
        be = 0xffffu - be;
    head[0] = neg ? NUM_NEGATIVE : NUM_POSITIVE;
    head[1] = (unsigned char)(be >> 8);
    head[2] = (unsigned char)be;
    buf_append(out, head, sizeof head);
    for (size_t k = lead; k < end; k++) {
        char d = neg ? (char)('9' - digits[k] + '0') : digits[k];
        buf_append(out, &d, 1);
    }
    if (neg)
        buf_append(out, "\xff", 1);
    return 0;
}

const char *store_type_name(char type)
{
    return type == 'S' ? "S" : type == 'N' ? "N" : "B";
}

/* The type of an attribute value, for messages: "S", "M", ... or "?". */
int store_encode_value(struct buf *out, char type, const json_t *v,
                       const char *name, size_t max, struct err *err)
{
    const json_t *s = json_object_get(v, store_type_name(type));
    const char *text;
    size_t n;

    if (!json_is_object(v) || json_object_size(v) != 1 || !json_is_string(s))
        return err_set(err, ERR_BAD_REQUEST, MSG_KEY_SCHEMA);
    text = json_string_value(s);
    n = json_string_length(s);
    if (n == 0 && type != 'N')
        return err_set(err, ERR_BAD_REQUEST,
                       "One or more parameter values are not valid. The "
                       "AttributeValue for a key attribute cannot contain an "
                       "empty %s value. Key: %s",
                       type == 'S' ? "string" : "binary", name);
    /* Base64 text is 4/3 of its bytes: cap it before decoding anything. */
    if (n > (type == 'B' ? (max + 2) / 3 * 4 : max))
        goto too_big;
    if (type == 'S') {
        buf_append(out, text, n);
    } else if (type == 'B') {
        size_t len;
        unsigned char *bytes = b64_decode(text, n, &len);
        if (!bytes)
            return err_set(err, ERR_BAD_REQUEST,
                           MSG_INVALID "key %s is not valid Base64", name);
        if (len > max) {
            free(bytes);
            goto too_big;
        }
        buf_append(out, bytes, len);
        free(bytes);
    } else if (encode_number(out, text, n)) {
        return err_set(err, ERR_BAD_REQUEST,
                       "The parameter cannot be converted to a numeric value: "
                       "%.64s",
                       text);
    }
    return 0;
too_big:
    if (max == STORE_PARTITION_KEY_MAX)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Size of hashkey has exceeded the maximum "
                                   "size limit of %d bytes",
                       STORE_PARTITION_KEY_MAX);
    return err_set(err, ERR_BAD_REQUEST,
                   MSG_INVALID "Aggregated size of all range keys has "
                               "exceeded the size limit of %d bytes",
                   STORE_SORT_KEY_MAX);
}

int store_encode_key(const struct table *t, const json_t *key, struct buf *pk,
                     struct buf *sk, struct err *err)
{
    const json_t *pv, *sv = NULL;

    if (!json_is_object(key) ||
        json_object_size(key) != (t->sk_name ? 2u : 1u) ||
        !(pv = json_object_get(key, t->pk_name)) ||
        (t->sk_name && !(sv = json_object_get(key, t->sk_name))))
        return err_set(err, ERR_BAD_REQUEST, MSG_KEY_SCHEMA);
    if (store_encode_value(pk, t->pk_type, pv, t->pk_name,
                           STORE_PARTITION_KEY_MAX, err))
        return -1;
    if (sv && store_encode_value(sk, t->sk_type, sv, t->sk_name,
                                 STORE_SORT_KEY_MAX, err))
        return -1;
    return 0;
}

/* Check that item's key attribute name has the type and (encoded) value
 * of the key it is written at. */
static int check_item_key(const json_t *item, const char *name, char type,
                          const struct buf *want, size_t max, struct err *err)
{
    const json_t *v = json_object_get(item, name);
    struct buf got;
    int rc;

    if (!v)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Missing the key %s in the item", name);
    if (strcmp(attr_type(v, NULL), store_type_name(type)) != 0)
        return err_set(err, ERR_BAD_REQUEST,
                       MSG_INVALID "Type mismatch for key %s expected: %s "
                                   "actual: %s",
                       name, store_type_name(type), attr_type(v, NULL));
    buf_init(&got);
    rc = store_encode_value(&got, type, v, name, max, err);
    if (rc == 0 && (got.len != want->len ||
                    (got.len && memcmp(got.data, want->data, got.len))))
        rc = err_set(err, ERR_BAD_REQUEST,
                     MSG_INVALID "the item's key %s differs from the key it "
                                 "is written at",
                     name);
    buf_fini(&got);
    return rc;
}

json_t *store_key_of(const struct table *t, const json_t *item)
{
    json_t *key = json_object();
    json_t *pv = json_object_get(item, t->pk_name);
    json_t *sv = t->sk_name ? json_object_get(item, t->sk_name) : NULL;

    if (pv)
        json_object_set_new(key, t->pk_name, json_deep_copy(pv));
    if (sv)
        json_object_set_new(key, t->sk_name, json_deep_copy(sv));
    return key;
}

int store_check_item_key(const struct table *t, const json_t *item,
                         const struct buf *pk, const struct buf *sk,
                         struct err *err)
{
    if (check_item_key(item, t->pk_name, t->pk_type, pk,
                       STORE_PARTITION_KEY_MAX, err))
        return -1;
    if (t->sk_name && check_item_key(item, t->sk_name, t->sk_type, sk,
                                     STORE_SORT_KEY_MAX, err))
        return -1;
    return 0;
}

static void copy_attr(json_t *to, const json_t *from, const char *name)
{
    json_t *v;

    if (name && (v = json_object_get(from, name)))
        json_object_set_new(to, name, json_deep_copy(v));
}

json_t *store_index_key_of(const struct table *t, const struct index *ix,
                           const json_t *item)
{
    json_t *key = store_key_of(t, item);

    copy_attr(key, item, ix->pk_name);
    copy_attr(key, item, ix->sk_name);
    return key;
}

uint32_t store_segment_hash(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 0x811c9dc5u; /* FNV-1a 32 */

    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x01000193u;
    }
    return h;
}

int store_prefix_successor(struct buf *prefix)
{
    /* Every string starting with p sorts before p with its last byte below
     * 0xff raised by one and the rest dropped. */
    while (prefix->len && (unsigned char)prefix->data[prefix->len - 1] == 0xff)
        prefix->len--;
    if (prefix->len == 0)
        return -1;
    prefix->data[prefix->len - 1]++;
    prefix->data[prefix->len] = '\0';
    return 0;
}

int store_item_expiry(const json_t *item, const char *attr, double *at)
{
    const json_t *n = json_object_get(json_object_get(item, attr), "N");
    char *end;
    double v;

    if (!json_is_string(n))
        return 0;
    v = strtod(json_string_value(n), &end);
    if (*end || !isfinite(v))
        return 0;
    *at = v;
    return 1;
}
