/*
 * fuzz_ddb_value — the DynamoDB face: a request's JSON (any bytes, parsed as
 * ddb.c parses a request) checked as an Item by ddb_item (src/ddb_value.c).
 *
 * Properties: client input never crashes or leaks; a refused item sets an
 * error with a message; an accepted item is normalized, so checking it again
 * gives the same item (N canonical, B re-encoded, sets without duplicates),
 * and its plain JSON parses.
 */
#include "attr.h"
#include "buf.h"
#include "ddb_impl.h"
#include "err.h"

#include <assert.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    json_t *in, *item, *again, *plain;
    struct buf out;

    in = json_loadb((const char *)data, size, JSON_ALLOW_NUL, NULL);
    if (!in)
        return 0;
    item = ddb_item(in, "Item", &err);
    if (!item) {
        assert(err.kind != ERR_NONE && err.msg[0]);
        json_decref(in);
        return 0;
    }
    assert(json_is_object(item));
    (void)attr_item_size(item);

    again = ddb_item(item, "Item", &err);
    if (!again || !json_equal(item, again)) {
        char *text = json_dumps(item, JSON_COMPACT);
        fprintf(stderr, "checking a checked item again %s: %s\n",
                again ? "changed it" : "failed", again ? text : err.msg);
        free(text);
        abort();
    }

    buf_init(&out);
    attr_write_plain_item(&out, item);
    /* jansson refuses integers beyond 64 bits, which are valid JSON */
    plain = json_loadb(out.data, out.len,
                       JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, NULL);
    if (!plain) {
        fprintf(stderr, "written JSON does not parse: %s\n", out.data);
        abort();
    }
    json_decref(plain);
    buf_fini(&out);
    json_decref(again);
    json_decref(item);
    json_decref(in);
    return 0;
}
