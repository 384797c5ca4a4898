"""config/examples/books.json: BooksTable declared in "tables" (with the
GSI byAuthor) and seeded from books-seed.json at every start; the items
resource /books over it."""

import os

from ddb_client import WireMixin
from harness import CruddTestCase

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "config", "examples", "books.json")


class BooksExampleTest(WireMixin, CruddTestCase):
    shared_args = ("--config", EXAMPLE)

    def test_the_seeded_books_are_served_at_once(self):
        r = self.req("GET", "/books/978-0131103627")
        self.assertEqual((r.status, r.json()), (200, {
            "isbn": "978-0131103627", "title": "The C Programming Language",
            "author": "Kernighan", "year": 1988, "price": 52.99}), r)
        r = self.req("GET", "/books")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(b["isbn"] for b in r.json()["items"]),
                         ["978-0131103627", "978-0134190440",
                          "978-0201633610"])

    def test_the_declared_index_answers_a_query(self):
        r = self.wire("Query", {
            "TableName": "BooksTable", "IndexName": "byAuthor",
            "KeyConditionExpression": "author = :a AND #y > :y",
            "ExpressionAttributeNames": {"#y": "year"},
            "ExpressionAttributeValues": {":a": {"S": "Kernighan"},
                                          ":y": {"N": "2000"}}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([i["title"]["S"] for i in r.json()["Items"]],
                         ["The Go Programming Language"])

    def test_a_restart_puts_the_seed_again_and_keeps_the_rest(self):
        srv = self.start_server(("--config", EXAMPLE))
        r = self.req("POST", "/books", {"isbn": "new", "author": "Me",
                                        "year": 2026}, srv=srv)
        self.assertEqual(r.status, 201, r)
        r = self.req("PATCH", "/books/978-0201633610", {"price": 1},
                     srv=srv)
        self.assertEqual(r.status, 200, r)
        srv.stop()
        srv = self.start_server(("--config", EXAMPLE), db=srv.db)
        self.assertEqual(self.req("GET", "/books/new", srv=srv).status, 200)
        r = self.req("GET", "/books/978-0201633610", srv=srv)
        self.assertEqual(r.json()["price"], 44.5)
