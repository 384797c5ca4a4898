/*
 * attr_number — DynamoDB's Number: exact decimals held as digit strings,
 * their canonical form, order, sum and difference, and the JSON number
 * grammar. Never a double: a value a client wrote keeps every digit.
 */
#include "attr.h"
#include "attr_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DynamoDB's Number limits: precision, and the decimal exponents of the
 * largest and smallest non-zero magnitudes (9.99...E+125, 1E-130). */
#define NUM_MAX_DIGITS 38
#define NUM_MAX_EXP 125
#define NUM_MIN_EXP (-130)
/* Exponents are clamped here while read: anything this large is already out
 * of range, and the clamp keeps "1e99999999999999999999" from overflowing. */
#define NUM_EXP_CLAMP 1000000000000LL
/* How much of a bad number's text goes into the error message. */
#define NUM_ECHO_MAX 200
static int bad_number(const char *s, size_t n, struct err *err)
{
    size_t show = n;

    /* Cut long text on a UTF-8 boundary so the message stays valid text. */
    if (show > NUM_ECHO_MAX) {
        show = NUM_ECHO_MAX;
        while (show > 0 && ((unsigned char)s[show] & 0xC0) == 0x80)
            show--;
    }
    return err_set(err, ERR_BAD_REQUEST,
                   "The parameter cannot be converted to a numeric value: "
                   "%.*s%s",
                   (int)show, s, show < n ? "..." : "");
}

int attr_number_canonical(const char *s, size_t n, char out[ATTR_NUMBER_MAX],
                          struct err *err)
{
    size_t i = 0, mant, ndig = 0, int_len = 0;
    long long first = -1, last = -1, exp = 0, msp, k, p;
    int neg = 0, point = 0;
    char dig[NUM_MAX_DIGITS];
    char *o = out;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    mant = i;
    for (; i < n; i++) {
        if (attr_is_digit(s[i])) {
            if (s[i] != '0') {
                if (first < 0)
                    first = (long long)ndig;
                last = (long long)ndig;
            }
            ndig++;
            if (!point)
                int_len++;
        } else if (s[i] == '.' && !point) {
            point = 1;
        } else {
            break;
        }
    }
    if (ndig == 0)
        return bad_number(s, n, err);
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        size_t e0;

        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        for (e0 = i; i < n && attr_is_digit(s[i]); i++)
            if (exp < NUM_EXP_CLAMP)
                exp = exp * 10 + (s[i] - '0');
        if (i == e0)
            return bad_number(s, n, err);
        if (eneg)
            exp = -exp;
    }
    if (i != n)
        return bad_number(s, n, err);

    if (first < 0) {
        strcpy(out, "0");
        return 0;
    }
    k = last - first + 1;
    if (k > NUM_MAX_DIGITS)
        return err_set(err, ERR_BAD_REQUEST,
                       "Attempting to store more than 38 significant digits "
                       "in a Number");
    /* msp: the decimal place of the most significant digit; p: the least. */
    msp = (long long)int_len - 1 - first + exp;
    p = msp - (k - 1);
    if (msp > NUM_MAX_EXP)
        return err_set(err, ERR_BAD_REQUEST,
                       "Number overflow. Attempting to store a number with "
                       "magnitude larger than supported range");
    if (msp < NUM_MIN_EXP)
        return err_set(err, ERR_BAD_REQUEST,
                       "Number underflow. Attempting to store a number with "
                       "magnitude smaller than supported range");

    ndig = 0;
    for (i = mant; ndig <= (size_t)last; i++) {
        if (!attr_is_digit(s[i]))
            continue;
        if (ndig >= (size_t)first)
            dig[ndig - (size_t)first] = s[i];
        ndig++;
    }

    if (neg)
        *o++ = '-';
    if (msp < 0) {
        *o++ = '0';
        *o++ = '.';
        memset(o, '0', (size_t)(-msp - 1));
        o += -msp - 1;
        memcpy(o, dig, (size_t)k);
        o += k;
    } else if (p >= 0) {
        memcpy(o, dig, (size_t)k);
        o += k;
        memset(o, '0', (size_t)p);
        o += p;
    } else {
        memcpy(o, dig, (size_t)msp + 1);
        o += msp + 1;
        *o++ = '.';
        memcpy(o, dig + msp + 1, (size_t)(k - msp - 1));
        o += k - msp - 1;
    }
    *o = '\0';
    return 0;
}

int attr_json_number_ok(const char *s, size_t n)
{
    size_t i = 0, d;

    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0') {
        i++;
    } else {
        for (d = i; i < n && attr_is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && attr_is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && attr_is_digit(s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    return i == n;
}

/* A number split into its sign, integer digits (leading zeros skipped, so
 * zero's integer part is empty) and fraction digits. */
struct dec {
    int neg;
    const char *ip, *fp;
    size_t il, fl;
};

static int dec_split(const char *s, struct dec *d)
{
    d->neg = *s == '-';
    if (d->neg)
        s++;
    if (!attr_is_digit(*s))
        return -1;
    for (d->ip = s; attr_is_digit(*s); s++)
        ;
    d->il = (size_t)(s - d->ip);
    d->fp = s;
    d->fl = 0;
    if (*s == '.') {
        for (d->fp = ++s; attr_is_digit(*s); s++)
            ;
        d->fl = (size_t)(s - d->fp);
        if (d->fl == 0)
            return -1;
    }
    if (*s != '\0')
        return -1;
    while (d->il > 0 && d->ip[0] == '0') {
        d->ip++;
        d->il--;
    }
    return 0;
}

static int dec_is_zero(const struct dec *d)
{
    if (d->il > 0)
        return 0;
    for (size_t i = 0; i < d->fl; i++)
        if (d->fp[i] != '0')
            return 0;
    return 1;
}

static int dec_mag_cmp(const struct dec *a, const struct dec *b)
{
    size_t n = a->fl > b->fl ? a->fl : b->fl;
    int c;

    if (a->il != b->il)
        return a->il < b->il ? -1 : 1;
    c = memcmp(a->ip, b->ip, a->il);
    if (c)
        return c < 0 ? -1 : 1;
    for (size_t i = 0; i < n; i++) {
        char ca = i < a->fl ? a->fp[i] : '0';
        char cb = i < b->fl ? b->fp[i] : '0';

        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    return 0;
}

int attr_number_compare(const char *a, const char *b)
{
    struct dec x, y;
    int nx, ny, m;

    /* Text that is not a number has no value to compare: keep a total
     * order anyway so callers that sort never see an inconsistent one. */
    if (dec_split(a, &x) < 0 || dec_split(b, &y) < 0)
        return strcmp(a, b);
    nx = x.neg && !dec_is_zero(&x);
    ny = y.neg && !dec_is_zero(&y);
    if (nx != ny)
        return nx ? -1 : 1;
    m = dec_mag_cmp(&x, &y);
    return nx ? -m : m;
}

/* Room for the digits of any two canonical numbers lined up on the point:
 * 126 integer digits, 1 carry, 167 fraction digits. */
#define DEC_WORK (2 * ATTR_NUMBER_MAX)

/* Lay d's digits out in il integer places and fl fraction places. */
static void dec_place(const struct dec *d, size_t il, size_t fl, char *out)
{
    memset(out, 0, il + fl);
    for (size_t i = 0; i < d->il; i++)
        out[il - d->il + i] = (char)(d->ip[i] - '0');
    for (size_t i = 0; i < d->fl; i++)
        out[il + i] = (char)(d->fp[i] - '0');
}

static int add_or_subtract(const char *a, const char *b, int subtract,
                           char out[ATTR_NUMBER_MAX], struct err *err)
{
    char ca[ATTR_NUMBER_MAX], cb[ATTR_NUMBER_MAX];
    char dx[DEC_WORK], dy[DEC_WORK], text[DEC_WORK + 4];
    const char *big, *small;
    struct dec x, y;
    size_t il, fl, n, t = 0;
    int neg, carry = 0;

    /* Canonical first: it validates the operands and bounds their length,
     * which sizes every buffer here. NULL (a stored value that is not a
     * string) is no number either. */
    if (!a || !b)
        return bad_number("", 0, err);
    if (attr_number_canonical(a, strlen(a), ca, err) < 0 ||
        attr_number_canonical(b, strlen(b), cb, err) < 0)
        return -1;
    if (dec_split(ca, &x) < 0 || dec_split(cb, &y) < 0)
        return err_set(err, ERR_INTERNAL, "canonical number did not split");
    y.neg ^= subtract;
    fl = x.fl > y.fl ? x.fl : y.fl;
    il = (x.il > y.il ? x.il : y.il) + 1;
    n = il + fl;
    dec_place(&x, il, fl, dx);
    dec_place(&y, il, fl, dy);
    if (x.neg == y.neg) {
        neg = x.neg;
        for (size_t i = n; i-- > 0;) {
            int s = dx[i] + dy[i] + carry;

            carry = s >= 10;
            dx[i] = (char)(s % 10);
        }
    } else {
        /* Subtract the smaller magnitude from the larger; the sign is the
         * larger one's. */
        int xbig = dec_mag_cmp(&x, &y) >= 0;

        neg = xbig ? x.neg : y.neg;
        big = xbig ? dx : dy;
        small = xbig ? dy : dx;
        for (size_t i = n; i-- > 0;) {
            int s = big[i] - small[i] - carry;

            carry = s < 0;
            dx[i] = (char)(s < 0 ? s + 10 : s);
        }
    }
    if (neg)
        text[t++] = '-';
    for (size_t i = 0; i < n; i++) {
        if (i == il)
            text[t++] = '.';
        text[t++] = (char)('0' + dx[i]);
    }
    return attr_number_canonical(text, t, out, err);
}

int attr_number_add(const char *a, const char *b, char out[ATTR_NUMBER_MAX],
                    struct err *err)
{
    return add_or_subtract(a, b, 0, out, err);
}

int attr_number_subtract(const char *a, const char *b,
                         char out[ATTR_NUMBER_MAX], struct err *err)
{
    return add_or_subtract(a, b, 1, out, err);
}
