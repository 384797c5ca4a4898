// config/examples/items-rest.json: the default items API declared as a REST
// API; the same client code as the default API's.
import type { operations, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

const body: Json<paths["/items"]["post"]["requestBody"]> = { name: "widget" };
const id = (r: Json<paths["/items"]["post"]["responses"][201]>): string =>
    r.item.id;
const ids = (r: Json<operations["listItems"]["responses"][200]>): string[] =>
    r.items.map((i) => i.id);
const patch: Json<operations["updateItem"]["requestBody"]> = { price: null };

export { body, id, ids, patch };
