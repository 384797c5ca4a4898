// config/examples/customers.json: an RPC-style API with DynamoDB-typed
// bodies, its operationIds the paths' names, every route but the health
// check behind an API key.
import type { components, operations } from "./api";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

// the key comes from the body, so the body must carry it, typed
type NewCustomer = Json<operations["createCustomer"]["requestBody"]>;
const customer: NewCustomer = {
    customerId: { S: "c1" },
    email: { S: "ann@example.com" },
    visits: { N: "3" },
    tags: { SS: ["vip"] },
    address: { M: { city: { S: "Oslo" } } },
};
// @ts-expect-error the key is required in the body
const noKey: NewCustomer = { email: { S: "ann@example.com" } };
// @ts-expect-error an attribute is an AttributeValue, not a plain value
const plain: NewCustomer = { customerId: { S: "c1" }, email: "ann@example.com" };

const createdId = (
    r: Json<operations["createCustomer"]["responses"][201]>,
): string => r.item.customerId.S;
const details: operations["getCustomerDetails"]["parameters"]["query"] = {
    customerId: "c1",
};
const got = (
    r: Json<operations["getCustomerDetails"]["responses"][200]>,
): components["schemas"]["AttributeValue"] | undefined => r["email"];
const replace: Json<operations["updateCustomer"]["requestBody"]> = {
    customerId: { S: "c1" },
    email: { S: "new@example.com" },
};
const email: Json<operations["updateCustomerEmail"]["requestBody"]> = {
    customerId: { S: "c1" },
    email: { S: "new@example.com" },
};
const health = (
    r: Json<operations["healthCheck"]["responses"][200]>,
): string => r.status;
const forbidden: Json<operations["createCustomer"]["responses"][403]> = {
    message: "Forbidden",
};

export { customer, noKey, plain, createdId, details, got, replace, email, health, forbidden };
