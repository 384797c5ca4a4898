/*
 * store_fault — a seam for durability tests: an SQLite VFS that makes the
 * disk fail under the store on demand.
 *
 * It wraps the store's VFS (STORE_VFS) and forwards everything to it,
 * except that before each write, sync or truncate of any file SQLite
 * opened through it (the database, its WAL, temporary files) it reads a
 * small control file and, when that names a fault, fails the call with
 * the SQLite error the real fault gives. Nothing in the store's logic knows
 * about it: the store's error paths run exactly as they would on a full or
 * failing disk. It is off unless store_fault_install is called (main does so
 * only when CRUDD_FAULT_FILE is set). Not a simulation of torn writes or lost
 * fsyncs: a faulted call writes nothing.
 *
 * Also SQLite's process-wide setup (store_sqlite_setup), which must run
 * before the VFS is registered, and the name of the VFS the store opens
 * with (store_vfs_name): the bottom of the store, calling no other part.
 */
#include "store.h"
#include "store_impl.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum fault {
    FAULT_NONE,
    FAULT_FULL,
    FAULT_IOERR,
    FAULT_READONLY,
    FAULT_FSYNC,
};

/* An open file: our methods, then the wrapped VFS's own file (szOsFile of
 * it) right after this struct. */
struct fault_file {
    sqlite3_file base; /* base.pMethods == &methods */
    sqlite3_io_methods methods;
    sqlite3_file *real;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *control;      /* the control file's path, under lock */
static sqlite3_vfs vfs;    /* set once, under lock */
static sqlite3_vfs *inner; /* the VFS wrapped (STORE_VFS), once installed */

/* What the control file asks for now. Read at every call so that a test
 * can switch a fault on and off while the server runs; the cost (an open
 * and a read per write) is only paid when the seam is installed. */
static enum fault fault_now(void)
{
    char text[32];
    ssize_t n = -1;
    int fd;

    pthread_mutex_lock(&lock);
    fd = control ? open(control, O_RDONLY | O_CLOEXEC) : -1;
    pthread_mutex_unlock(&lock);
    if (fd < 0)
        return FAULT_NONE;
    while ((n = read(fd, text, sizeof text - 1)) < 0 && errno == EINTR)
        ;
    close(fd);
    if (n <= 0)
        return FAULT_NONE;
    text[n] = '\0';
    text[strcspn(text, " \t\r\n")] = '\0';
    if (strcmp(text, "full") == 0)
        return FAULT_FULL;
    if (strcmp(text, "ioerr") == 0)
        return FAULT_IOERR;
    if (strcmp(text, "readonly") == 0)
        return FAULT_READONLY;
    if (strcmp(text, "fsync") == 0)
        return FAULT_FSYNC;
    return FAULT_NONE;
}

static sqlite3_file *real_of(sqlite3_file *f)
{
    return ((struct fault_file *)f)->real;
}

/* A full disk fails writes (ENOSPC); a read-only file, writes and
 * truncations; a failing disk, all three; a failing flush, syncs only
 * (what was written may then be on the disk or not). */
static int fault_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 at)
{
    switch (fault_now()) {
    case FAULT_FULL:
        return SQLITE_FULL;
    case FAULT_IOERR:
        return SQLITE_IOERR_WRITE;
    case FAULT_READONLY:
        return SQLITE_READONLY;
    case FAULT_FSYNC:
    case FAULT_NONE:
        break;
    }
    return real_of(f)->pMethods->xWrite(real_of(f), p, n, at);
}

static int fault_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    switch (fault_now()) {
    case FAULT_IOERR:
        return SQLITE_IOERR_TRUNCATE;
    case FAULT_READONLY:
        return SQLITE_READONLY;
    case FAULT_FULL:
    case FAULT_FSYNC:
    case FAULT_NONE:
        break;
    }
    return real_of(f)->pMethods->xTruncate(real_of(f), size);
}

static int fault_sync(sqlite3_file *f, int flags)
{
    enum fault fault = fault_now();

    if (fault == FAULT_IOERR || fault == FAULT_FSYNC)
        return SQLITE_IOERR_FSYNC;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}

/* --- everything else is forwarded ---------------------------------------- */

static int fault_close(sqlite3_file *f)
{
    return real_of(f)->pMethods->xClose(real_of(f));
}

static int fault_read(sqlite3_file *f, void *p, int n, sqlite3_int64 at)
{
    return real_of(f)->pMethods->xRead(real_of(f), p, n, at);
}

static int fault_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real_of(f)->pMethods->xFileSize(real_of(f), size);
}

static int fault_lock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xLock(real_of(f), level);
}

static int fault_unlock(sqlite3_file *f, int level)
{
    return real_of(f)->pMethods->xUnlock(real_of(f), level);
}

static int fault_check_lock(sqlite3_file *f, int *out)
{
    return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out);
}

static int fault_file_control(sqlite3_file *f, int op, void *arg)
{
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}

static int fault_sector_size(sqlite3_file *f)
{
    return real_of(f)->pMethods->xSectorSize(real_of(f));
}

static int fault_device(sqlite3_file *f)
{
    return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f));
}

static int fault_shm_map(sqlite3_file *f, int region, int size, int extend,
                         void volatile **p)
{
    return real_of(f)->pMethods->xShmMap(real_of(f), region, size, extend, p);
}

static int fault_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real_of(f)->pMethods->xShmLock(real_of(f), offset, n, flags);
}

static void fault_shm_barrier(sqlite3_file *f)
{
    real_of(f)->pMethods->xShmBarrier(real_of(f));
}

static int fault_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real_of(f)->pMethods->xShmUnmap(real_of(f), delete_flag);
}

static int fault_fetch(sqlite3_file *f, sqlite3_int64 at, int n, void **p)
{
    return real_of(f)->pMethods->xFetch(real_of(f), at, n, p);
}

static int fault_unfetch(sqlite3_file *f, sqlite3_int64 at, void *p)
{
    return real_of(f)->pMethods->xUnfetch(real_of(f), at, p);
}

static const sqlite3_io_methods methods = {
    .iVersion = 3,
    .xClose = fault_close,
    .xRead = fault_read,
    .xWrite = fault_write,
    .xTruncate = fault_truncate,
    .xSync = fault_sync,
    .xFileSize = fault_file_size,
    .xLock = fault_lock,
    .xUnlock = fault_unlock,
    .xCheckReservedLock = fault_check_lock,
    .xFileControl = fault_file_control,
    .xSectorSize = fault_sector_size,
    .xDeviceCharacteristics = fault_device,
    .xShmMap = fault_shm_map,
    .xShmLock = fault_shm_lock,
    .xShmBarrier = fault_shm_barrier,
    .xShmUnmap = fault_shm_unmap,
    .xFetch = fault_fetch,
    .xUnfetch = fault_unfetch,
};

/* Opens are not faulted: a connection the store reopens while a fault
 * lasts must come back whole (read-write) once it ends. */
static int fault_open(sqlite3_vfs *self, const char *name, sqlite3_file *f,
                      int flags, int *out_flags)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc;

    (void)self;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->real->pMethods = NULL;
    rc = inner->xOpen(inner, name, ff->real, flags, out_flags);
    /* SQLite calls xClose after a failed open only if pMethods is set;
     * forward it then only if the wrapped open wants it too. */
    if (!ff->real->pMethods) {
        f->pMethods = NULL;
        return rc;
    }
    ff->methods = methods;
    /* Offer no more than the wrapped file has (WAL needs version 2). */
    if (ff->real->pMethods->iVersion < ff->methods.iVersion)
        ff->methods.iVersion = ff->real->pMethods->iVersion;
    f->pMethods = &ff->methods;
    return rc;
}

static void sqlite_setup_once(void)
{
    /* Fails only after sqlite3_initialize, when it no longer matters. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void store_sqlite_setup(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, sqlite_setup_once);
}

int store_fault_install(const char *control_path, struct err *err)
{
    char *path = xstrdup(control_path);
    char *old;
    int rc = 0;

    pthread_mutex_lock(&lock);
    old = control;
    control = path;
    if (!inner) {
        store_sqlite_setup();
        sqlite3_initialize();
        if (!(inner = sqlite3_vfs_find(STORE_VFS))) {
            rc = err_set(err, ERR_UNAVAILABLE, "SQLite has no %s VFS",
                         STORE_VFS);
            goto out;
        }
        /* The wrapped VFS's other methods get our struct, whose pAppData
         * and mxPathname are its own. */
        vfs = *inner;
        vfs.szOsFile = (int)sizeof(struct fault_file) + inner->szOsFile;
        vfs.zName = STORE_FAULT_VFS;
        vfs.pNext = NULL;
        vfs.xOpen = fault_open;
        if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) {
            inner = NULL;
            rc = err_set(err, ERR_UNAVAILABLE,
                         "cannot register the fault-injection VFS");
        }
    }
out:
    if (rc) {
        control = old;
        old = path;
    }
    pthread_mutex_unlock(&lock);
    free(old);
    return rc;
}

const char *store_vfs_name(void)
{
    const char *name;

    pthread_mutex_lock(&lock);
    name = inner ? STORE_FAULT_VFS : STORE_VFS;
    pthread_mutex_unlock(&lock);
    return name;
}
