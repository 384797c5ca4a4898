/*
 * attr — typed attribute values, DynamoDB's data model, and their plain-JSON
 * face.
 *
 * An attribute value is held as jansson JSON in DynamoDB's wire shape
 * (AttributeValue, DynamoDB API reference):
 *   {"S": "text"}  {"N": "12.5"}  {"B": "<base64>"}  {"BOOL": true}
 *   {"NULL": true} {"M": {name: value, ...}}  {"L": [value, ...]}
 *   {"SS": ["a"]}  {"NS": ["1"]}  {"BS": ["<base64>"]}
 * An item is a JSON object mapping attribute names to attribute values.
 * Every N string crudd holds is canonical (attr_number_canonical), so equal
 * numbers are equal strings and the REST and DynamoDB faces always agree.
 *
 * Pure functions of their arguments: any thread may call them.
 */
#ifndef CRUDD_ATTR_H
#define CRUDD_ATTR_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* DynamoDB's item size limit, in bytes (attr_item_size). */
#define ATTR_ITEM_MAX_BYTES (400 * 1024)
/* DynamoDB's limit on nested M and L levels in an item. */
#define ATTR_MAX_DEPTH 32
/* Bytes needed for any canonical number string, with its NUL: at most 171
 * ("-0." then 129 zeros then 38 digits), rounded up. */
#define ATTR_NUMBER_MAX 192

/*
 * Canonicalize the n-byte number text s as DynamoDB stores a Number:
 * optional sign, digits with an optional '.', optional exponent (e/E, sign,
 * digits); at most 38 significant digits; magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125, or zero. The result, written
 * to out as a NUL-terminated string, is plain decimal: no exponent, no leading
 * zeros but one before the point, no trailing fractional zeros, no '+', and
 * "-0" becomes "0" ("1.50" → "1.5", "1e2" → "100", ".5" → "0.5").
 * Returns 0, or -1 with ERR_BAD_REQUEST and DynamoDB's message
 * ("Attempting to store more than 38 significant digits in a Number",
 * "Number overflow. Attempting to store a number with magnitude larger than
 * supported range", "Number underflow. ...", or, for text that is not a number,
 * "The parameter cannot be converted to a numeric value: <text>");
 * out is unspecified after a failure.
 */
int attr_number_canonical(const char *s, size_t n, char out[ATTR_NUMBER_MAX],
                          struct err *err);

/*
 * Parse a REST request body (len bytes of text) that must be one JSON object,
 * into a typed item: string → S, number → N, true/false → BOOL, null → NULL,
 * object → M, array → L. Attribute names keep the body's order. Numbers keep
 * the exact value written in the text (not a double's): "19.99" stays 19.99,
 * integers are exact to any of the 38 digits DynamoDB keeps, and each is stored
 * canonical. Duplicate keys are rejected (RFC 8259 §4 leaves them undefined;
 * DynamoDB rejects duplicates). U+0000 (\u0000) in a string is kept as
 * data, as DynamoDB keeps it; in a member name it is refused
 * (attr_json_error_text).
 *
 * Returns a new reference to the typed item, or NULL with ERR_BAD_REQUEST and
 * one of: "Request body is not valid JSON: <detail>" (an empty body too),
 * "Request body is not valid UTF-8", "Request body must be a JSON object"
 * (any other valid JSON), a number error from attr_number_canonical (also for
 * numbers beyond a double's range, such as 1e400), "Item nesting exceeds 32
 * levels" (an M or L 33 levels deep). ERR_INTERNAL only on a broken
 * invariant.
 */
json_t *attr_item_from_json_text(const char *text, size_t len, struct err *err);

/*
 * What a client is told of a jansson parse error jerr: jansson's text,
 * except where it would name one of jansson's flags or the client cannot
 * help it ("an attribute name containing U+0000 is not supported": jansson
 * reads U+0000 in strings, JSON_ALLOW_NUL, but never in a member name).
 * Returns a borrowed string that lives as long as jerr. Any thread.
 */
const char *attr_json_error_text(const json_error_t *jerr);

/*
 * Convert one plain JSON value to a typed attribute value (same mapping as
 * above). JSON integers are exact; JSON reals go through their shortest
 * round-trip decimal text, so they are exact to 17 significant digits only:
 * prefer attr_item_from_json_text for request bodies. depth is the nesting
 * level of plain (0 for an attribute at the top of an item); an M or L at
 * depth ATTR_MAX_DEPTH or deeper is refused. Returns a new reference or NULL
 * with ERR_BAD_REQUEST.
 */
json_t *attr_from_plain(const json_t *plain, int depth, struct err *err);

/*
 * Append the plain JSON of one typed attribute value to out: S → string,
 * N → number written as its canonical text (never a double), B → Base64
 * string, BOOL → true/false, NULL → null, M → object, L → array, SS/NS/BS →
 * arrays. value must be well-formed (as stored); anything else is written as
 * null.
 */
void attr_write_plain_value(struct buf *out, const json_t *value);

/* Append the plain JSON object of a typed item (names in stored order). */
void attr_write_plain_item(struct buf *out, const json_t *item);

/*
 * attr_write_plain_item without a jansson tree, for the read path: append
 * to out the plain JSON of the typed item whose JSON text is text (len
 * bytes; the store keeps json_dumps(item, JSON_COMPACT)), byte for byte
 * what attr_write_plain_item writes for json_loadb(text, JSON_ALLOW_NUL).
 * It reads only well-formed typed items: an object of names to attribute
 * values, each an object with exactly one known type member holding a
 * payload of that type's JSON kind (NULL's true, BOOL's true or false), in
 * valid UTF-8, with the escapes json_dumps writes (short ones, \u below
 * 0x80). Anything else, even text jansson would read, returns -1 with out
 * as it was: parse it and use attr_write_plain_item instead. Duplicate
 * names are not looked for (json_dumps never writes them). Returns 0.
 */
int attr_typed_text_to_plain(struct buf *out, const char *text, size_t len);

/* Whether text (len bytes) is a typed item attr_typed_text_to_plain reads:
 * 0 yes, -1 no. Such text is valid JSON whose value is the item. */
int attr_typed_text_check(const char *text, size_t len);

/*
 * The type of the typed attribute value v (DynamoDB's AttributeValue): the
 * name of its one member when v is an object of exactly one member named
 * for a known type ("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS",
 * "BS"; a static string), with *payload (when payload is not NULL) that
 * member's value, borrowed from v. Otherwise "" and *payload NULL. Does not
 * check the payload's JSON kind (attr_typed_value does).
 */
const char *attr_type(const json_t *v, const json_t **payload);

/*
 * Whether the typed attribute values a and b (borrowed) are one value, as
 * DynamoDB's = compares them: the same type (attr_type; "" is equal to
 * nothing) and N by value, B by its bytes, S by its bytes, BOOL and NULL
 * alike, sets as attr_set_equal (any order), L element by element, M
 * member by member in any order. 1 or 0. Pure; any thread.
 */
int attr_value_equal(const json_t *a, const json_t *b);

/*
 * The size of a typed item in bytes by DynamoDB's rules ("Item sizes and
 * formats", DynamoDB Developer Guide): each attribute name's UTF-8 length plus
 * its value's size; S and B by their bytes, N about (significant digits / 2 +
 * 1), BOOL and NULL 1, M and L 3 plus their elements (and names) plus 1 per
 * element, sets the sum of their members. Compared against ATTR_ITEM_MAX_BYTES
 * by the store.
 */
size_t attr_item_size(const json_t *item);

/* The size of one attribute value by the same rules, its name not
 * counted: a lower bound of the size of any item that holds it. */
size_t attr_value_size(const json_t *value);

/*
 * Exact decimal arithmetic on canonical Number text (attr_number_canonical's
 * output, as every N string crudd holds is). Used by condition expressions
 * (comparisons), update expressions (SET a = b + c, ADD) and the store (sort
 * key order). No double is involved anywhere, so 0.1 + 0.2 is exactly 0.3.
 */

/*
 * Compare the canonical numbers a and b by value: negative if a < b, 0 if
 * equal, positive if a > b. Both must be canonical ("-0", leading zeros or
 * exponents are not understood). Cannot fail.
 */
int attr_number_compare(const char *a, const char *b);

/*
 * a + b and a - b, exactly, of the canonical numbers a and b; the result is
 * written canonical to out. Returns 0, or -1 with ERR_BAD_REQUEST when the
 * result breaks DynamoDB's Number limits (the messages of
 * attr_number_canonical: more than 38 significant digits, overflow,
 * underflow; e.g. 1E+50 + 1 needs 51 digits), or when a or b is not a number.
 * out is unspecified after a failure.
 */
int attr_number_add(const char *a, const char *b, char out[ATTR_NUMBER_MAX],
                    struct err *err);
int attr_number_subtract(const char *a, const char *b,
                         char out[ATTR_NUMBER_MAX], struct err *err);

/*
 * The members of a set (the array of an SS, NS or BS, canonical as every
 * value crudd holds is) in one total order: their strings' bytes, which
 * for canonical members is "equal exactly when the same member". Each is
 * O(n log n) or better, so a set of 100k members costs milliseconds, not
 * minutes (issue 12). Members that are not strings (never stored by this
 * build) are ordered, not read. Pure; any thread.
 */

/* Negative, 0 or positive as member a orders before, with or after b. */
int attr_set_member_cmp(const json_t *a, const json_t *b);

/* members' elements in attr_set_member_cmp order: a new array of
 * borrowed references (free it with free(); they die with members), their
 * count in *n. Never NULL. */
const json_t **attr_set_sorted(const json_t *members, size_t *n);

/* Whether x is one of the n members of sorted (attr_set_sorted): 1 or 0. */
int attr_set_sorted_has(const json_t *const *sorted, size_t n, const json_t *x);

/* Whether two of members' elements are the same member: 1 or 0. */
int attr_set_has_duplicates(const json_t *members);

/* Whether the member arrays a and b hold the same members, in any order,
 * each without duplicates: 1 or 0. */
int attr_set_equal(const json_t *a, const json_t *b);

/*
 * Attribute values a client wrote in DynamoDB-typed JSON (src/attr_typed.c),
 * checked and normalized by DynamoDB's rules with DynamoDB's messages (the
 * AttributeValue data type, DynamoDB API Reference): used by the DynamoDB
 * face for Item and Key parameters and by the item handlers for typed bodies,
 * so the two faces refuse the same values with the same words.
 */

/* attr_typed_value / attr_typed_item flag: refuse an empty member name
 * inside an M as well, not only an item's empty attribute name. Every face
 * passes it (DynamoDB refuses an empty attribute name at any depth, in items,
 * keys and expression values alike); the flag remains for the fuzzers. */
#define ATTR_TYPED_MAP_NAMES 1u

/*
 * Check and normalize one AttributeValue v, a JSON object with exactly one
 * member whose name is its type: {"S": "a"} {"N": "1.50"} {"B": "<base64>"}
 * {"BOOL": true} {"NULL": true} {"M": {...}} {"L": [...]} {"SS": [...]}
 * {"NS": [...]} {"BS": [...]}. The result has the same shape with N and NS
 * members canonical (attr_number_canonical), B and BS members canonical
 * padded Base64 (only such text is read: b64_decode_strict), M names in the
 * order given. depth is v's nesting
 * level (1 for an item's attribute); an M or L deeper than ATTR_MAX_DEPTH is
 * refused, whatever scalar sits innermost. flags: 0 or ATTR_TYPED_MAP_NAMES.
 *
 * Returns a new reference, or NULL with err set to
 *   ERR_BAD_REQUEST: "Supplied AttributeValue is empty, must contain exactly
 *     one of the supported datatypes"; "Supplied AttributeValue has more
 *     than one datatypes set, must contain exactly one of the supported
 *     datatypes"; "One or more parameter values were invalid: " followed by
 *     "An string set  may not be empty" (likewise number, binary; DynamoDB's
 *     spacing), "Input collection contains duplicates", "Null attribute value
 *     types must have the value of true" or "An AttributeName may not be
 *     empty" (with ATTR_TYPED_MAP_NAMES); "Item size has exceeded the
 *     maximum allowed size" (a set over ATTR_ITEM_MAX_BYTES, found before
 *     its duplicate check); a number error of
 *     attr_number_canonical; "Nesting Levels have exceeded supported limits";
 *   ERR_SERIALIZATION: a JSON value of the wrong kind (attr_typed_wrong_kind),
 *     "Base64 encoded value is invalid", "Unknown AttributeValue type: <t>".
 * v is borrowed and unchanged. Any thread.
 */
json_t *attr_typed_value(const json_t *v, int depth, unsigned flags,
                         struct err *err);

/*
 * Check and normalize an item (or a key): a JSON object mapping non-empty
 * attribute names to AttributeValues, each as attr_typed_value at depth 1;
 * names keep their order. item NULL means the request member was absent:
 * ERR_BAD_REQUEST "1 validation error detected: Value null at '<what>'
 * failed to satisfy constraint: Member must not be null" (what names the
 * member, e.g. "item", "Key"). Any other non-object is attr_typed_wrong_kind;
 * an empty name is ERR_BAD_REQUEST "One or more parameter values were
 * invalid: An AttributeName may not be empty"; an item over
 * ATTR_ITEM_MAX_BYTES (attr_item_size) is ERR_BAD_REQUEST "Item size has
 * exceeded the maximum allowed size"; otherwise the errors of
 * attr_typed_value. Returns a new reference or NULL with err; item is
 * borrowed and unchanged. Any thread.
 */
json_t *attr_typed_item(const json_t *item, const char *what, unsigned flags,
                        struct err *err);

/*
 * Set err to ERR_SERIALIZATION with DynamoDB's message for a JSON value v
 * of the wrong kind where a string or an AttributeValue belongs:
 *   number          "NUMBER_VALUE cannot be converted to String"
 *   object          "Start of structure or map found where not expected"
 *   array           "Start of list found where not expected"
 *   true, false     "TRUE_VALUE cannot be converted to String"
 *   string, null    "Unexpected value type in payload"
 * Returns -1.
 */
int attr_typed_wrong_kind(const json_t *v, struct err *err);

#endif
