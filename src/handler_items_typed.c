/*
 * handler_items_typed — request bodies in DynamoDB-typed JSON for the item
 * handlers ({"name": {"S": "Ann"}}): the body's text parsed, then checked and
 * normalized by attr_typed_item, the rules and messages the DynamoDB face
 * applies to a PutItem's Item. Not the AttributeValue rules themselves
 * (attr_typed.c) and not the plain-JSON face (attr.c).
 */
#include "attr.h"
#include "handler_items.h"

json_t *handler_items_typed_item(const char *text, size_t len, struct err *err)
{
    json_error_t jerr;
    json_t *doc, *item = NULL;

    if (!text || len == 0) {
        err_set(err, ERR_BAD_REQUEST,
                "Request body is not valid JSON: the body is empty");
        return NULL;
    }
    /* DECODE_ANY so that a scalar body is "not an object" rather than "not
     * JSON", as the plain face says */
    doc = json_loadb(text, len,
                     JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
                     &jerr);
    if (!doc) {
        if (json_error_code(&jerr) == json_error_invalid_utf8)
            err_set(err, ERR_BAD_REQUEST, "Request body is not valid UTF-8");
        else
            err_set(err, ERR_BAD_REQUEST, "Request body is not valid JSON: %s",
                    attr_json_error_text(&jerr));
        return NULL;
    }
    if (!json_is_object(doc))
        err_set(err, ERR_BAD_REQUEST, "Request body must be a JSON object");
    else
        item = attr_typed_item(doc, "body", ATTR_TYPED_MAP_NAMES, err);
    json_decref(doc);
    return item;
}
