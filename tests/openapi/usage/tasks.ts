// config/examples/tasks.json: the task API, routes declared one by one
// (no PATCH). Compiled against the types generated from its /openapi.json.
import type { operations, paths } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

type NewTask = Json<operations["createTask"]["requestBody"]>;
const task: NewTask = { title: "write the README", done: false };
const created = (r: Json<operations["createTask"]["responses"][201]>): string =>
    r.item.taskId;
const page = (r: Json<operations["listTasks"]["responses"][200]>): string[] =>
    r.items.map((t) => t.taskId);
const one: Json<operations["getTask"]["responses"][200]> = { taskId: "t1" };
const path: operations["putTask"]["parameters"]["path"] = { taskId: "t1" };
const deleted = (r: Json<operations["deleteTask"]["responses"][200]>): string =>
    r.item.taskId;
// @ts-expect-error the example declares no PATCH
type NoPatch = operations["updateTask"];
const noPatch: paths["/tasks/{taskId}"]["patch"] = undefined;

export { task, created, page, one, path, deleted, noPatch };
