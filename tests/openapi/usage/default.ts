// The default API (no config: the items resource): a client written against
// the types openapi-typescript generates from crudd's /openapi.json. Compiled
// with tsc --noEmit --strict next to the generated api.d.ts.
import type { components, operations, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

// POST /items: any attributes, the id optional (crudd makes a UUID).
type CreateBody = Json<paths["/items"]["post"]["requestBody"]>;
const create: CreateBody = { name: "widget", price: 19.99, tags: ["a"] };
const createWithId: CreateBody = { id: "w-1", name: "widget" };
// @ts-expect-error the partition key is a string
const badId: CreateBody = { id: 42 };

// 201: {"message", "item"}, the item's id a string.
type Created = Json<paths["/items"]["post"]["responses"][201]>;
function createdId(r: Created): string {
    const message: string = r.message;
    return message && r.item.id;
}
const name: unknown = ({} as Created).item["name"];
// @ts-expect-error the item is required in the answer
const noItem: Created = { message: "Item created successfully!" };

// GET /items: {"items", "count", "nextToken"?}, paged by limit and nextToken.
type Page = Json<operations["listItems"]["responses"][200]>;
function ids(p: Page): string[] {
    const next: string | undefined = p.nextToken;
    const count: number = p.count;
    return p.items.map((i) => i.id).concat(next ? [next] : []).slice(0, count);
}
const query: NonNullable<operations["listItems"]["parameters"]["query"]> = {
    limit: 10,
    nextToken: "abc",
};

// GET /items/{id}: the item itself; PUT and PATCH answer the message.
type Got = Json<paths["/items/{id}"]["get"]["responses"][200]>;
const got: Got = { id: "w-1", name: "widget" };
const path: operations["getItem"]["parameters"]["path"] = { id: "w-1" };
type PutBody = Json<paths["/items/{id}"]["put"]["requestBody"]>;
const put: PutBody = { name: "gadget" };
type Patched = Json<operations["updateItem"]["responses"][200]>;
const patchedId = (r: Patched): string => r.item.id;
type Deleted = Json<operations["deleteItem"]["responses"][200]>;
const deletedId = (r: Deleted): string => r.item.id;
const ifMatch: NonNullable<operations["putItem"]["parameters"]["header"]> = {
    "If-Match": '"etag"',
};

// Every error is {"message"}.
type Missing = Json<operations["getItem"]["responses"][404]>;
const missing: Missing = { message: "Item not found" };
const error: components["schemas"]["Error"] = missing;

export {
    create, createWithId, badId, createdId, name, noItem, ids, query, got,
    path, put, patchedId, deletedId, ifMatch, error,
};
