// config/examples/items-http.json: the items API as an HTTP API, every route
// signed (AWS_IAM): the shapes are the REST API's.
import type { operations, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

const body: Json<paths["/items"]["post"]["requestBody"]> = { name: "widget" };
const id = (r: Json<operations["createItem"]["responses"][201]>): string =>
    r.item.id;
const page = (r: Json<operations["listItems"]["responses"][200]>): number =>
    r.count;
const denied: Json<operations["getItem"]["responses"][403]> = {
    message: "Forbidden",
};

export { body, id, page, denied };
