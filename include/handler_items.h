/*
 * handler_items — the six "Lambda functions" of a CRUD resource (the default
 * REST contract of src/DESIGN.md), one per operation, for any table whose
 * partition key is a string attribute:
 *
 *   create  POST   /items        201 + Location + ETag; 400; 409
 *   list    GET    /items        200 {"items", "count", "nextToken"?}; 400
 *   get     GET    /items/{id}   200 the item + ETag; 404
 *   put     PUT    /items/{id}   200; replaces all but the key; 400; 404; 412
 *   patch   PATCH  /items/{id}   200; JSON Merge Patch (RFC 7396); 400; 404;
 *                                412
 *   delete  DELETE /items/{id}   200 with the old item; 404; 412
 *
 * Bodies are plain JSON; items are stored as typed attribute values (attr.h),
 * numbers exactly as written (canonical decimal). ETag and If-Match follow
 * RFC 9110 §8.8.3 and §13.1.1 (strong comparison; "*" matches any current
 * item; If-Match on a missing item is 412). If-None-Match on PUT, PATCH and
 * DELETE follows RFC 9110 §13.1.2: "*", or a tag matching the item's by the
 * weak comparison, is 412 "Precondition failed: the item exists" when the
 * item exists ("only if absent"; a missing item is then 404 as without it,
 * since PUT never creates). Page tokens are opaque: Base64url
 * of the last key with a checksum; a token that does not check out is 400
 * "nextToken is invalid". Every error is {"message": "..."}.
 *
 * The same functions serve routes declared one by one in the config
 * ("handler": "create-item", ...; RPC-style APIs such as
 * POST /createCustomer), as struct handler_env says:
 *
 * Where the key is (env->key_source; env->path_param names it, and the
 * item's key attribute is env->partition_key, the two may differ):
 *   HANDLER_KEY_PATH   the path parameter, as above. create takes it when
 *                      the route has it (POST /tasks/{taskId}); else the
 *                      body's key attribute, else a new UUID v4. Location
 *                      is sent in this mode only.
 *   HANDLER_KEY_QUERY  the query parameter (GET /getCustomerDetails?
 *                      customerId=c1). Absent: 400 "Missing required request
 *                      parameters: [customerId]" (API Gateway's request
 *                      validator words); empty: 400 "customerId must be a
 *                      non-empty string"; not UTF-8: 400 "Query parameter
 *                      customerId is not valid UTF-8".
 *   HANDLER_KEY_BODY   the body attribute (every handler but list then reads
 *                      a body, GET and DELETE too). Absent: 400 "Missing
 *                      required key attribute in request body: customerId";
 *                      not a non-empty string: 400 as a bad body key below.
 *                      If path_param differs from partition_key, that
 *                      attribute only names the item and is not stored.
 * A body's partition key attribute that differs from the key the path or
 * query named is 400 "<pk> in body does not match <param> in path" (or "in
 * query"); with the key from the body there is nothing to compare.
 * A body key that is not a non-empty string is 400 "<pk> must be a
 * non-empty string" for plain bodies; for typed bodies DynamoDB's words,
 * "One or more parameter values were invalid: Type mismatch for key <pk>
 * expected: S actual: N" or "One or more parameter values are not valid.
 * The AttributeValue for a key attribute cannot contain an empty string
 * value. Key: <pk>".
 *
 * Body format (env->body_format):
 *   HANDLER_BODY_JSON      plain JSON, as above.
 *   HANDLER_BODY_DYNAMODB  request bodies are an item in DynamoDB-typed
 *     JSON, {"customerId": {"S": "c1"}, "age": {"N": "42"}} (the "Item" of
 *     a PutItem, not wrapped), checked by handler_items_typed_item with the
 *     DynamoDB face's messages. Items in responses are typed the same way,
 *     as `aws dynamodb get-item` returns its "Item" (N as canonical text, B
 *     as Base64, sets as arrays, names in stored order), in the same
 *     envelopes as plain:
 *       create 201 {"message": "Item created successfully!", "item": T}
 *       get    200 T
 *       list   200 {"items": [T, ...], "count": N, "nextToken"?: "..."}
 *       put    200 {"message": "Item updated successfully!", "item": T}
 *       patch  200 {"message": "Item updated successfully!", "item": T}
 *       delete 200 {"message": "Item deleted successfully!", "item": T_old}
 *     A typed patch is not a merge patch: each given attribute replaces the
 *     stored one whole, as UpdateItem's SET does ({"NULL": true} stores a
 *     NULL; nothing is removed, and an M is replaced, not merged).
 *
 * Updatable attributes (env->updatable, patch only): when set, a body
 * attribute that is neither listed nor the partition key is 400
 * "Attribute <name> cannot be updated; updatable: <a>, <b>"; nothing is
 * written.
 *
 * Each is a handler_fn (handler.h): same threads, ownership and errors; the
 * store is unchanged after any 4xx.
 */
#ifndef CRUDD_HANDLER_ITEMS_H
#define CRUDD_HANDLER_ITEMS_H

#include <jansson.h>
#include <stddef.h>

#include "err.h"
#include "handler.h"

handler_fn handler_items_create;
handler_fn handler_items_list;
handler_fn handler_items_get;
handler_fn handler_items_put;
handler_fn handler_items_patch;
handler_fn handler_items_delete;

/*
 * Parse len bytes of a request body that must be one JSON object mapping
 * attribute names to DynamoDB-typed attribute values (AttributeValue,
 * DynamoDB API reference) and check it with attr_typed_item (attr.h): N
 * canonical, B re-encoded canonical Base64, sets non-empty without
 * duplicates, NULL only true, M and L at most ATTR_MAX_DEPTH levels, names
 * non-empty and not repeated, body order kept. The same checks and messages
 * as the DynamoDB face's PutItem, but that an empty name inside an M is
 * refused here (ATTR_TYPED_MAP_NAMES) and accepted there. text may be NULL
 * when len is 0.
 *
 * Returns a new reference, or NULL with ERR_BAD_REQUEST "Request body is not
 * valid JSON: <detail>" (an empty body too), "Request body is not valid
 * UTF-8" or "Request body must be a JSON object", or with the errors of
 * attr_typed_item (ERR_BAD_REQUEST or ERR_SERIALIZATION, DynamoDB's words).
 * Any thread.
 */
json_t *handler_items_typed_item(const char *text, size_t len, struct err *err);

#endif
