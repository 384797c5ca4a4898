// config/examples/books.json: the books resource (partition key isbn), six
// CRUD routes. Compiled against the types generated from its /openapi.json.
import type { operations } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type NewBook = Json<operations["createBook"]["requestBody"]>;
const book: NewBook = { isbn: "978-0131103627", title: "K&R" };
const created = (r: Json<operations["createBook"]["responses"][201]>): string =>
    r.item.isbn;
const page = (r: Json<operations["listBooks"]["responses"][200]>): string[] =>
    r.items.map((b) => b.isbn);
const one: Json<operations["getBook"]["responses"][200]> = { isbn: "1" };
const path: operations["putBook"]["parameters"]["path"] = { isbn: "1" };
const deleted = (r: Json<operations["deleteBook"]["responses"][200]>): string =>
    r.item.isbn;
// @ts-expect-error an item's isbn is a string
const wrong: Json<operations["getBook"]["responses"][200]> = { isbn: 5 };

export { book, created, page, one, path, deleted, wrong };
