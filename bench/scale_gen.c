/*
 * scale_gen — bulk-load bench items into a crudd database, offline, as the
 * rows crudd itself writes for them (bench/scale.sh proves it by comparing
 * with rows crudd wrote through POST /items).
 *
 *   scale_gen DB N
 *
 * DB must exist with crudd's schema and its ItemsTable (start crudd on it
 * once). Writes item-00000 .. item-(N-1) (ids "item-%05d", so item-123456
 * has six digits), each the item bench/load.py posts:
 *   {"id":"item-I","name":"item I","price":19.99,"qty":I,"tags":["bench"]}
 * stored as crudd stores it:
 *   pk       the id's bytes (an S key's encoding is the string itself)
 *   sk       empty (ItemsTable has no sort key)
 *   item     the typed item as compact JSON, attributes in that order
 *   etag     16 lowercase hex digits of FNV-1a 64 over item
 *   size     DynamoDB's item size: attribute names plus values
 *   seg      FNV-1a 32 of pk
 *   expires  NULL (no Time to Live)
 * in one transaction. Exits 1 with a message on any error.
 */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv1a64(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static uint32_t fnv1a32(const char *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x01000193u;
    }
    return h;
}

/* DynamoDB's size of a number: its significant digits, two a byte, plus
 * one (leading and trailing zeros are not stored). */
static size_t number_size(const char *s)
{
    size_t digits = 0, run = 0;
    int seen = 0;

    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            continue;
        if (*s != '0') {
            seen = 1;
            digits += run + 1;
            run = 0;
        } else if (seen) {
            run++;
        }
    }
    return (digits + 1) / 2 + 1;
}

static void die(sqlite3 *db, const char *what)
{
    fprintf(stderr, "scale_gen: %s: %s\n", what,
            db ? sqlite3_errmsg(db) : "out of memory");
    exit(1);
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die(db, sql);
}

int main(int argc, char **argv)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *get, *put;
    sqlite3_int64 table_id;
    long n;
    char *end;

    if (argc != 3 || (n = strtol(argv[2], &end, 10)) < 0 || *end) {
        fprintf(stderr, "usage: scale_gen DB N\n");
        return 2;
    }
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL))
        die(db, argv[1]);
    if (sqlite3_prepare_v2(db, "SELECT id FROM tables WHERE name = ?1", -1,
                           &get, NULL))
        die(db, "prepare");
    sqlite3_bind_text(get, 1, "ItemsTable", -1, SQLITE_STATIC);
    if (sqlite3_step(get) != SQLITE_ROW) {
        fprintf(stderr, "scale_gen: %s has no ItemsTable\n", argv[1]);
        return 1;
    }
    table_id = sqlite3_column_int64(get, 0);
    sqlite3_finalize(get);

    /* A bulk load: no fsync, a cache that holds the index being built. The
     * database stays in WAL mode, as crudd left it. */
    exec(db, "PRAGMA synchronous = OFF");
    exec(db, "PRAGMA cache_size = -262144");
    exec(db, "BEGIN");
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO items (table_id, pk, sk, item, etag,"
                           " size, seg, expires)"
                           " VALUES (?1, ?2, x'', ?3, ?4, ?5, ?6, NULL)",
                           -1, &put, NULL))
        die(db, "prepare");
    for (long i = 0; i < n; i++) {
        char id[32], name[32], qty[32], item[256], etag[17];
        int idn, itemn;
        size_t size;

        idn = snprintf(id, sizeof id, "item-%05ld", i);
        snprintf(name, sizeof name, "item %ld", i);
        snprintf(qty, sizeof qty, "%ld", i);
        itemn = snprintf(item, sizeof item,
                         "{\"id\":{\"S\":\"%s\"},\"name\":{\"S\":\"%s\"},"
                         "\"price\":{\"N\":\"19.99\"},\"qty\":{\"N\":\"%s\"},"
                         "\"tags\":{\"L\":[{\"S\":\"bench\"}]}}",
                         id, name, qty);
        snprintf(etag, sizeof etag, "%016" PRIx64,
                 fnv1a64(item, (size_t)itemn));
        /* names, then values: S its bytes, N by number_size, L 3 bytes
         * plus 1 an element plus the elements */
        size = strlen("id") + (size_t)idn + strlen("name") + strlen(name) +
               strlen("price") + number_size("19.99") + strlen("qty") +
               number_size(qty) + strlen("tags") + 3 + 1 + strlen("bench");
        sqlite3_bind_int64(put, 1, table_id);
        sqlite3_bind_blob(put, 2, id, idn, SQLITE_STATIC);
        sqlite3_bind_text(put, 3, item, itemn, SQLITE_STATIC);
        sqlite3_bind_text(put, 4, etag, 16, SQLITE_STATIC);
        sqlite3_bind_int64(put, 5, (sqlite3_int64)size);
        sqlite3_bind_int64(put, 6, fnv1a32(id, (size_t)idn));
        if (sqlite3_step(put) != SQLITE_DONE)
            die(db, "insert");
        sqlite3_reset(put);
    }
    sqlite3_finalize(put);
    exec(db, "COMMIT");
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (sqlite3_close(db) != SQLITE_OK)
        die(db, "close");
    return 0;
}
