/*
 * handler_manager — the "DynamoDB manager" Lambda function of AWS's
 * tutorial "Using Lambda with API Gateway" (a REST API's POST
 * /DynamoDBManager with a proxy integration): one route that dispatches on
 * the body
 *
 *   {"operation": "create" | "read" | "update" | "delete" | "list" |
 *                 "echo" | "ping",
 *    "tableName": "ItemsTable",
 *    "payload": {...}}
 *
 * where payload holds the arguments of boto3's Table methods in plain JSON:
 * create → put_item(Item), read → get_item(Key, ProjectionExpression?),
 * update → update_item(Key, UpdateExpression, ConditionExpression?,
 * ExpressionAttributeNames?, ExpressionAttributeValues?, ReturnValues?),
 * delete → delete_item(Key, ConditionExpression?, ReturnValues?),
 * list → scan(). It answers 200 with what those methods return, in plain
 * JSON ({"Item": {...}}, {"Attributes": {...}}, {"Items": [...], "Count":
 * N, "ScannedCount": N}, {} for a write without ReturnValues), "echo"
 * returns the payload and "ping" returns "pong". Numbers are exact, as in
 * the items contract.
 *
 * Errors: the tutorial's function raises on an unknown operation or a
 * failed DynamoDB call (Item and Key are checked by attr_typed_item,
 * expression values by expr_parse, as the DynamoDB face checks them, so an
 * empty attribute name is one), and a Lambda that raises reaches a proxy
 * integration's client as 502 {"message": "Internal server error"}; so do
 * these (the reason is logged at warn level).
 *
 * A handler_fn (handler.h): same threads and ownership. env->table is not
 * used: the table comes from the body.
 */
#ifndef CRUDD_HANDLER_MANAGER_H
#define CRUDD_HANDLER_MANAGER_H

#include "handler.h"

handler_fn handler_manager;

#endif
