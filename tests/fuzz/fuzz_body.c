/*
 * fuzz_body — the REST face: a request body (any bytes) through
 * attr_item_from_json_text, then back out as plain JSON.
 *
 * Properties: client input never crashes or leaks; an accepted body gives an
 * object whose plain JSON parses again and converts back to the same typed
 * item (plain bodies hold no B or sets, so the round trip is exact), and
 * which the DynamoDB face's checks (ddb_item) accept unchanged, as the two
 * faces must agree. A refused body sets ERR_BAD_REQUEST and a message.
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
    struct buf out;
    json_t *item, *again = NULL, *plain = NULL, *wire;

    item = attr_item_from_json_text((const char *)data, size, &err);
    if (!item) {
        assert(err.kind == ERR_BAD_REQUEST && err.msg[0]);
        return 0;
    }
    assert(json_is_object(item));
    (void)attr_item_size(item);
    wire = ddb_item(item, "Item", &err);
    if (!wire || !json_equal(item, wire)) {
        fprintf(stderr, "the DynamoDB face %s the REST item: %s\n",
                wire ? "changes" : "refuses", wire ? "" : err.msg);
        abort();
    }
    json_decref(wire);

    buf_init(&out);
    attr_write_plain_item(&out, item);
    /* jansson refuses integers beyond 64 bits, which are valid JSON */
    plain = json_loadb(out.data, out.len,
                       JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL |
                           JSON_ALLOW_NUL,
                       NULL);
    if (!plain) {
        fprintf(stderr, "written JSON does not parse: %s\n", out.data);
        abort();
    }
    again = attr_item_from_json_text(out.data, out.len, &err);
    if (!again || !json_equal(item, again)) {
        fprintf(stderr, "round trip changed the item: %s (%s)\n", out.data,
                again ? "different" : err.msg);
        abort();
    }
    json_decref(again);
    json_decref(plain);
    buf_fini(&out);
    json_decref(item);
    return 0;
}
