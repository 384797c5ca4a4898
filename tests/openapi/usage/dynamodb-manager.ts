// config/examples/dynamodb-manager.json: the tutorial's DynamoDB manager
// beside the items API.
import type { operations } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type Request = Json<operations["postDynamoDBManager"]["requestBody"]>;
const create: Request = {
    operation: "create",
    tableName: "ItemsTable",
    payload: { Item: { id: "1", name: "Bob" } },
};
// @ts-expect-error the operation is one of the manager's
const unknownOp: Request = { operation: "drop", tableName: "ItemsTable" };
const answer: Json<operations["postDynamoDBManager"]["responses"][200]> =
    "pong";
const item = (r: Json<operations["getItem"]["responses"][200]>): string =>
    r.id;

export { create, unknownOp, answer, item };
