/*
 * seed — tables and data without a script: the config's "tables" created at
 * start, seed files loaded at start (--seed), and `crudd export` / `crudd
 * import` against a database file or a running server.
 *
 * Everything goes through the DynamoDB wire API (ddb_handle on a store of
 * this process, or the same requests over HTTP to a running crudd), so a
 * table or an item is checked exactly as CreateTable and PutItem check it.
 *
 * Seed files, told apart by their content:
 *   {"Table": [items]}   plain JSON items, or DynamoDB-typed ones (typed
 *                        when every attribute value of every item of that
 *                        table is a one-member object named S, N, B, BOOL,
 *                        NULL, M, L, SS, NS or BS)
 *   {"Table": [{"PutRequest": {"Item": {...}}}]}   the file `aws dynamodb
 *                        batch-write-item --request-items file://...` takes
 *   {"Item": {...}}      one per line: DynamoDB's export (DYNAMODB_JSON);
 *                        the table is TABLE in "TABLE=FILE", else the file
 *                        name up to its first '.'
 * Loading puts each item (replacing any item with its key), so loading a
 * file twice leaves the same state. A file is all or nothing: every item is
 * first written to a scratch in-memory copy of its tables, and the first
 * bad one is reported as "FILE:LINE: item N of table T: problem" with
 * nothing of the file written; then the items are written with
 * BatchWriteItem (25 at a time, UnprocessedItems retried).
 *
 * Threads: main thread only, before the server serves or in the CLI.
 */
#ifndef CRUDD_SEED_H
#define CRUDD_SEED_H

#include "buf.h"
#include "config.h"
#include "err.h"

struct store;

/*
 * Check the config's "tables" (c->tables, may be NULL) before the database
 * opens: each must be a CreateTable request crudd accepts (created in a
 * scratch in-memory store), plus TimeToLiveSpecification {AttributeName,
 * Enabled}. Returns 0, or -1 with ERR_CONFIG "FILE: tables[i] (NAME):
 * problem".
 */
int seed_check_tables(const struct config *c, struct err *err);

/*
 * Create the config's tables that store lacks, with their indexes and TTL,
 * and load c->seeds in order. A table that exists is kept as it is, with
 * its items, when its key schema is the declared one; with another key
 * schema it is refused (never dropped): ERR_CONFIG naming the table and both
 * schemas. A seed file's errors as above (ERR_BAD_REQUEST, or
 * ERR_UNAVAILABLE when the disk fails). Appends to notes (the caller's,
 * logged after "listening on", which must stay the first line) one line,
 * '\n'-ended, per table created or kept and per file loaded. Returns 0 or
 * -1 with err; files before the failing one stay loaded.
 */
int seed_apply(const struct config *c, struct store *store, struct buf *notes,
               struct err *err);

/*
 * `crudd export [--table T] [--db PATH | --endpoint URL] [--format
 * batch|jsonl]` (to stdout) and `crudd import [--table T] [--db PATH |
 * --endpoint URL] [--config FILE] FILE...`: argv[0] is "export" or
 * "import". --db (default ./data/crudd.db) opens the file itself, refused
 * while a server holds it; --endpoint speaks to a running crudd's DynamoDB
 * API (Scan pages, BatchWriteItem). import --config first creates that
 * config's missing tables. Prints progress and errors on stderr ("crudd
 * import: FILE: N items put", "crudd export: ...") and returns the exit
 * status: 0, 1 on failure, 2 on bad usage or a bad --config.
 */
int seed_cli(int argc, char **argv);

#endif
