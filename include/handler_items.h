/*
 * handler_items — the six "Lambda functions" of a CRUD resource (the default
 * REST contract of DESIGN.md), one per operation, for any table whose
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
 * item; If-Match on a missing item is 412). Page tokens are opaque: Base64url
 * of the last key with a checksum; a token that does not check out is 400
 * "nextToken is invalid". Every error is {"message": "..."}.
 *
 * Each is a handler_fn (handler.h): same threads, ownership and errors.
 */
#ifndef CRUDD_HANDLER_ITEMS_H
#define CRUDD_HANDLER_ITEMS_H

#include "handler.h"

handler_fn handler_items_create;
handler_fn handler_items_list;
handler_fn handler_items_get;
handler_fn handler_items_put;
handler_fn handler_items_patch;
handler_fn handler_items_delete;

#endif
