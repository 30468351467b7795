/*  store - the one place that talks to LMDB.

    LMDB forbids opening one environment twice in a process (closing the
    second copy would drop the first one's locks), so the stores of a
    process opened on the same directory share one environment; for the
    same reason lock.mdb is opened here (to allocate it) only before the
    process's first store on the directory: POSIX drops every fcntl lock a
    process holds on a file when it closes any descriptor of that file.

    Every transaction holds the environment's lock shared; changing the map
    size takes it exclusively, because LMDB allows mdb_env_set_mapsize only
    while this process has no transaction open. A thread that already holds
    a transaction (a nested call) therefore cannot grow the map: that write
    fails cleanly instead of deadlocking.

    LMDB writes its reader table in lock.mdb through a shared map of a file
    it only ftruncates: on a full filesystem the first write to a page of
    that hole is a SIGBUS. So the lock file is allocated (posix_fallocate)
    before LMDB opens it. data.mdb is written with pwrite (no MDB_WRITEMAP),
    so a full disk there is an error code; but it is read through the map,
    so a file shorter than its meta page claims is refused before any
    transaction begins.
*/
#include "store.h"
#include "fsdir.h"
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define STORE_MAX_DBS 16
#define STORE_MAX_READERS 126
#define STORE_MAP_INITIAL ((size_t)64 << 20)
#define STORE_MAP_LIMIT ((size_t)64 << 30)
#define STORE_NAME_MAX 64
#define STORE_META "meta"
#define STORE_COUNTER_PREFIX "seq."
#define STORE_KIND_KEY "store.kind"
#define STORE_OWNER_KEY "store.owner"
#define STORE_IDENTITY_MAX 32
//  LMDB's lock file: a header of two 64-byte cache lines, then 64 bytes a
//  reader slot (the first slot in the header's last line), in whole pages.
#define STORE_LOCK_SIZE (((STORE_MAX_READERS * 64 + 128) + 4095) / 4096 * 4096)
//  An I/O error with less free space than this is taken for a full disk
//  (LMDB turns a short write into EIO).
#define STORE_FULL_BELOW ((unsigned long long)1 << 20)
#define STORE_NO_STORE "this directory holds no store"
#define STORE_RESTORE                                                                              \
    "Nothing was read or changed. To recover, stop every program that uses this directory, "       \
    "move the directory aside and restore it from a backup (one made with 'mdb_copy DIR "          \
    "BACKUP', or a copy taken while nothing ran)."

//  One open LMDB environment of this process.
typedef struct _s_env_t {
    MDB_env *env;
    dev_t dev; //  The directory it was opened on.
    ino_t ino;
    pid_t pid; //  The process that opened it: a forked child may not use it.
    int refs;
    pthread_rwlock_t lock; //  Shared by transactions, exclusive to resize.
    struct _s_env_t *next;
} s_env_t;

struct _store_t {
    s_env_t *shared;
    const store_opts_t *opts; //  While store_open_opts runs, else NULL.
    char dir[1024];
    int ndbs;
    char names[STORE_MAX_DBS][STORE_NAME_MAX + 1];
    MDB_dbi dbis[STORE_MAX_DBS];
    char error[1200];
};

struct _store_txn_t {
    store_t *store;
    MDB_txn *txn;
    bool map_full; //  An operation hit MDB_MAP_FULL: rerun in a bigger map.
};

//  Transactions this thread holds now, over all stores.
static __thread int s_depth;
//  The environment this thread is writing to, if any.
static __thread s_env_t *s_writing;
//  The environments open in this process.
static pthread_mutex_t s_envs_mutex = PTHREAD_MUTEX_INITIALIZER;
static s_env_t *s_envs;
//  The message of the last failed store_open in this thread.
static __thread char s_open_error[1700];

//  Says how many bytes are free for us on the filesystem of dir. Returns 0
//  or -1.
static int s_free_space(const char *dir, unsigned long long *bytes)
{
    struct statvfs vfs;
    if (!dir[0] || statvfs(dir, &vfs) != 0)
        return -1;
    *bytes = (unsigned long long)vfs.f_bavail * vfs.f_frsize;
    return 0;
}

//  Records "what: LMDB's message for rc" as the store's error; returns -1.
//  A full disk (ENOSPC, EDQUOT, or EIO with almost no space left) says how
//  much space is free; a file size limit is named as such.
static int s_fail(store_t *self, const char *what, int rc)
{
    unsigned long long avail = 0;
    bool known = s_free_space(self->dir, &avail) == 0;
    if (rc == ENOSPC || rc == EDQUOT || (rc == EIO && known && avail < STORE_FULL_BELOW)) {
        char space[64] = "no free space";
        if (known)
            snprintf(space, sizeof space, "%llu bytes free", avail);
        snprintf(self->error, sizeof self->error,
                 "%s: the disk is full (%s on %.400s; the system said: %s); nothing was stored",
                 what, space, self->dir, mdb_strerror(rc));
    } else
        snprintf(self->error, sizeof self->error, "%s: %s%s", what, mdb_strerror(rc),
                 rc == EFBIG ? " (the disk is full or a file size limit is reached; "
                               "nothing of this transaction was stored)"
                             : "");
    return -1;
}

//  Records a message as the store's error; returns -1.
static int s_fail_text(store_t *self, const char *text)
{
    snprintf(self->error, sizeof self->error, "%s", text);
    return -1;
}

//  Makes text the store's error inside a transaction; returns -1.
int store_fail(store_txn_t *txn, const char *text)
{
    return txn ? s_fail_text(txn->store, text) : -1;
}

//  Sets the map size (0: adopt the size another process set) while no
//  transaction of this process is open. Returns 0 or -1.
static int s_set_mapsize(store_t *self, size_t size)
{
    if (s_depth > 0)
        return s_fail_text(self, "cannot resize the map inside a nested transaction");
    pthread_rwlock_wrlock(&self->shared->lock);
    int rc = mdb_env_set_mapsize(self->shared->env, size);
    pthread_rwlock_unlock(&self->shared->lock);
    return rc ? s_fail(self, "mdb_env_set_mapsize", rc) : 0;
}

//  Begins a transaction holding the lock shared; adopts a map grown by
//  another process (MDB_MAP_RESIZED) and, when the reader table is full,
//  frees the slots of dead processes. Returns 0 or -1.
static int s_begin(store_t *self, unsigned flags, MDB_txn **txn)
{
    bool stale_cleared = false;
    for (;;) {
        pthread_rwlock_rdlock(&self->shared->lock);
        int rc = mdb_txn_begin(self->shared->env, NULL, flags, txn);
        if (rc == 0) {
            s_depth++;
            return 0;
        }
        pthread_rwlock_unlock(&self->shared->lock);
        if (rc == MDB_READERS_FULL && !stale_cleared) {
            //  Slots of killed processes: free them once and try again.
            stale_cleared = true;
            mdb_reader_check(self->shared->env, &(int){0});
            continue;
        }
        if (rc != MDB_MAP_RESIZED)
            return s_fail(self, "mdb_txn_begin", rc);
        if (s_set_mapsize(self, 0) != 0)
            return -1;
    }
}

//  Releases what s_begin took; the LMDB transaction is already gone.
static void s_end(store_t *self)
{
    s_depth--;
    pthread_rwlock_unlock(&self->shared->lock);
}

//  Makes dir for a copy: created 0700, or an existing empty directory.
static int s_copy_dir(store_t *self, const char *dir)
{
    if (mkdir(dir, 0700) == 0)
        return 0;
    if (errno != EEXIST) {
        snprintf(self->error, sizeof self->error, "%.400s: cannot create it: %s", dir,
                 strerror(errno));
        return -1;
    }
    char path[1100];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    struct stat st;
    if (stat(path, &st) == 0) {
        snprintf(self->error, sizeof self->error,
                 "%.400s already holds a store (data.mdb): give a new or empty directory; "
                 "nothing was written",
                 dir);
        return -1;
    }
    return 0;
}

//  Copies the environment, compacted, into dir (LMDB's own copy).
int store_copy(store_t *self, const char *dir)
{
    if (!self || !dir || !*dir)
        return -1;
    if (s_copy_dir(self, dir) != 0)
        return -1;
    for (;;) {
        pthread_rwlock_rdlock(&self->shared->lock);
        int rc = mdb_env_copy2(self->shared->env, dir, MDB_CP_COMPACT);
        pthread_rwlock_unlock(&self->shared->lock);
        if (rc == 0)
            return 0;
        if (rc != MDB_MAP_RESIZED || s_set_mapsize(self, 0) != 0) {
            char path[1100];
            snprintf(path, sizeof path, "%s/data.mdb", dir);
            unlink(path); //  a partial copy is no backup
            unsigned long long avail = 0;
            bool full = rc == ENOSPC || rc == EDQUOT ||
                        (rc == EIO && s_free_space(dir, &avail) == 0 && avail < STORE_FULL_BELOW);
            snprintf(self->error, sizeof self->error, "copying into %.400s: %s%s; nothing was kept",
                     dir, mdb_strerror(rc), full ? " (the disk of the copy is full)" : "");
            return -1;
        }
    }
}

//  Returns the current map size in bytes.
size_t store_mapsize(const store_t *self)
{
    MDB_envinfo info;
    if (!self || mdb_env_info(self->shared->env, &info) != 0)
        return 0;
    return info.me_mapsize;
}

//  Doubles the map, up to STORE_MAP_LIMIT. Returns 0 or -1. Readers left
//  by killed processes are cleared first: the pages they held can be reused.
static int s_grow(store_t *self)
{
    mdb_reader_check(self->shared->env, &(int){0});
    size_t size = store_mapsize(self);
    if (size == 0 || size > STORE_MAP_LIMIT / 2)
        return s_fail_text(self, "map full: it would grow beyond 64 GiB");
    return s_set_mapsize(self, size * 2);
}

//  Runs fn once in a write transaction. Returns 0 when committed, 1 when
//  the map was full (grow and rerun), -1 on failure.
static int s_write_once(store_t *self, store_fn *fn, void *arg)
{
    store_txn_t txn = {self, NULL, false};
    if (s_begin(self, 0, &txn.txn) != 0)
        return -1;
    int rc = fn(&txn, arg);
    if (rc == 0 && !txn.map_full) {
        int mrc = mdb_txn_commit(txn.txn);
        if (mrc == MDB_MAP_FULL)
            txn.map_full = true;
        else if (mrc != 0)
            rc = s_fail(self, "mdb_txn_commit", mrc);
    } else
        mdb_txn_abort(txn.txn);
    s_end(self);
    if (txn.map_full)
        return 1;
    if (rc == 0)
        return 0;
    if (!self->error[0])
        s_fail_text(self, "the transaction was abandoned");
    return -1;
}

//  Runs fn in one write transaction, growing the map and rerunning fn
//  while LMDB says the map is full. Returns 0 or -1.
int store_write(store_t *self, store_fn *fn, void *arg)
{
    if (!self || !fn)
        return -1;
    if (s_writing == self->shared)
        return s_fail_text(self, "nested write transaction");
    self->error[0] = 0;
    s_env_t *outer = s_writing;
    s_writing = self->shared;
    int rc;
    while ((rc = s_write_once(self, fn, arg)) == 1) {
        self->error[0] = 0;
        if (s_grow(self) != 0) {
            rc = -1;
            break;
        }
    }
    s_writing = outer;
    return rc;
}

//  Runs fn in a read-only transaction. Returns fn's result, or -1.
int store_read(store_t *self, store_fn *fn, void *arg)
{
    if (!self || !fn)
        return -1;
    self->error[0] = 0;
    store_txn_t txn = {self, NULL, false};
    if (s_begin(self, MDB_RDONLY, &txn.txn) != 0)
        return -1;
    int rc = fn(&txn, arg);
    mdb_txn_abort(txn.txn);
    s_end(self);
    return rc;
}

//  Finds the handle of database db. Returns 0 or -1.
static int s_dbi(store_txn_t *txn, const char *db, MDB_dbi *dbi)
{
    if (!db)
        return s_fail_text(txn->store, "no database named");
    for (int i = 0; i < txn->store->ndbs; i++)
        if (!strcmp(txn->store->names[i], db)) {
            *dbi = txn->store->dbis[i];
            return 0;
        }
    char text[128];
    snprintf(text, sizeof text, "unknown database '%.64s'", db);
    return s_fail_text(txn->store, text);
}

//  Translates the result of a modifying LMDB call: MDB_MAP_FULL marks the
//  transaction for a rerun. Returns 0, STORE_RETRY or -1.
static int s_modified(store_txn_t *txn, const char *what, int rc)
{
    if (rc == 0)
        return 0;
    if (rc == MDB_MAP_FULL) {
        txn->map_full = true;
        return STORE_RETRY;
    }
    return s_fail(txn->store, what, rc);
}

//  Checks a key: not NULL, 1 to mdb_env_get_maxkeysize bytes. Returns 0 or -1.
static int s_check_key(store_txn_t *txn, const void *key, size_t klen)
{
    if (!key || klen == 0)
        return s_fail_text(txn->store, "empty key");
    if (klen > (size_t)mdb_env_get_maxkeysize(txn->store->shared->env))
        return s_fail_text(txn->store, "key too long");
    return 0;
}

//  Puts a record into db. Returns 0, STORE_RETRY or -1.
int store_put(store_txn_t *txn, const char *db, const void *key, size_t klen, const void *val,
              size_t vlen)
{
    MDB_dbi dbi;
    if (!txn || s_dbi(txn, db, &dbi) != 0 || s_check_key(txn, key, klen) != 0)
        return -1;
    if (txn->map_full)
        return STORE_RETRY;
    if (!val && vlen > 0)
        return s_fail_text(txn->store, "NULL value");
    MDB_val k = {klen, (void *)key};
    MDB_val v = {vlen, val ? (void *)val : (void *)""};
    return s_modified(txn, "mdb_put", mdb_put(txn->txn, dbi, &k, &v, 0));
}

//  Gets a record. Returns 0 when found, 1 when absent, -1 on error.
int store_get(store_txn_t *txn, const char *db, const void *key, size_t klen, const void **val,
              size_t *vlen)
{
    MDB_dbi dbi;
    if (!txn || !val || !vlen || s_dbi(txn, db, &dbi) != 0 || s_check_key(txn, key, klen) != 0)
        return -1;
    MDB_val k = {klen, (void *)key};
    MDB_val v;
    int rc = mdb_get(txn->txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 1;
    if (rc != 0)
        return s_fail(txn->store, "mdb_get", rc);
    *val = v.mv_data;
    *vlen = v.mv_size;
    return 0;
}

//  Deletes a record; absent is not an error. Returns 0, STORE_RETRY or -1.
int store_del(store_txn_t *txn, const char *db, const void *key, size_t klen)
{
    MDB_dbi dbi;
    if (!txn || s_dbi(txn, db, &dbi) != 0 || s_check_key(txn, key, klen) != 0)
        return -1;
    if (txn->map_full)
        return STORE_RETRY;
    MDB_val k = {klen, (void *)key};
    int rc = mdb_del(txn->txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : s_modified(txn, "mdb_del", rc);
}

//  Walks the records from the cursor's position while their keys start
//  with prefix. Returns 0, fn's first non-zero result (1 gives 0), or -1.
static int s_scan_cursor(store_txn_t *txn, MDB_cursor *cursor, MDB_val *k, MDB_val *v, int rc,
                         const void *prefix, size_t plen, store_scan_fn *fn, void *arg)
{
    while (rc == 0) {
        if (k->mv_size < plen || (plen > 0 && memcmp(k->mv_data, prefix, plen) != 0))
            return 0;
        int visit = fn(k->mv_data, k->mv_size, v->mv_data, v->mv_size, arg);
        if (visit != 0)
            return visit == 1 ? 0 : visit;
        rc = mdb_cursor_get(cursor, k, v, MDB_NEXT);
    }
    return rc == MDB_NOTFOUND ? 0 : s_fail(txn->store, "mdb_cursor_get", rc);
}

//  Walks db from the first key not below start (slen 0: the first key),
//  while keys start with prefix (plen 0: to the end).
static int s_scan(store_txn_t *txn, const char *db, const void *start, size_t slen,
                  const void *prefix, size_t plen, store_scan_fn *fn, void *arg)
{
    MDB_dbi dbi;
    if (!txn || !fn || (slen > 0 && !start) || s_dbi(txn, db, &dbi) != 0)
        return -1;
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn->txn, dbi, &cursor);
    if (rc != 0)
        return s_fail(txn->store, "mdb_cursor_open", rc);
    MDB_val k = {slen, (void *)start};
    MDB_val v = {0, NULL};
    rc = mdb_cursor_get(cursor, &k, &v, slen > 0 ? MDB_SET_RANGE : MDB_FIRST);
    rc = s_scan_cursor(txn, cursor, &k, &v, rc, prefix, plen, fn, arg);
    mdb_cursor_close(cursor);
    return rc;
}

//  Visits in key order every record of db whose key starts with prefix.
int store_scan(store_txn_t *txn, const char *db, const void *prefix, size_t plen, store_scan_fn *fn,
               void *arg)
{
    if (plen > 0 && !prefix)
        return -1;
    if (txn && plen > (size_t)mdb_env_get_maxkeysize(txn->store->shared->env))
        return 0; //  No key can be that long.
    return s_scan(txn, db, prefix, plen, prefix, plen, fn, arg);
}

//  Visits in key order every record of db whose key is not below from.
int store_scan_from(store_txn_t *txn, const char *db, const void *from, size_t flen,
                    store_scan_fn *fn, void *arg)
{
    if (txn && flen > (size_t)mdb_env_get_maxkeysize(txn->store->shared->env))
        return -1; //  LMDB refuses a key that long
    return s_scan(txn, db, from, flen, NULL, 0, fn, arg);
}

//  Visits backwards the records below before whose key starts with prefix.
int store_scan_back(store_txn_t *txn, const char *db, const void *prefix, size_t plen,
                    const void *before, size_t blen, store_scan_fn *fn, void *arg)
{
    MDB_dbi dbi;
    if (!txn || !fn || !before || blen == 0 || (plen > 0 && !prefix) || s_dbi(txn, db, &dbi) != 0)
        return -1;
    if (blen > (size_t)mdb_env_get_maxkeysize(txn->store->shared->env))
        return -1;
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn->txn, dbi, &cursor);
    if (rc != 0)
        return s_fail(txn->store, "mdb_cursor_open", rc);
    MDB_val k = {blen, (void *)before}, v = {0, NULL};
    //  The first key not below before, then the one before it (or the last).
    rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    rc = mdb_cursor_get(cursor, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
    int result = 0;
    while (rc == 0 && result == 0) {
        if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        result = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, arg);
        if (result == 0)
            rc = mdb_cursor_get(cursor, &k, &v, MDB_PREV);
    }
    mdb_cursor_close(cursor);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return s_fail(txn->store, "mdb_cursor_get", rc);
    return result == 1 ? 0 : result;
}

//  Returns the next value of a counter in "meta" (1, 2, ...), or 0.
uint64_t store_next(store_txn_t *txn, const char *counter)
{
    if (!txn || !counter || strlen(counter) > STORE_NAME_MAX) {
        if (txn)
            s_fail_text(txn->store, "bad counter name");
        return 0;
    }
    char key[sizeof STORE_COUNTER_PREFIX + STORE_NAME_MAX];
    int klen = snprintf(key, sizeof key, "%s%s", STORE_COUNTER_PREFIX, counter);
    const void *val;
    size_t vlen;
    uint64_t value = 0;
    int rc = store_get(txn, STORE_META, key, (size_t)klen, &val, &vlen);
    if (rc < 0)
        return 0;
    if (rc == 0 && vlen != sizeof value) {
        s_fail_text(txn->store, "counter record is damaged");
        return 0;
    }
    if (rc == 0)
        memcpy(&value, val, sizeof value);
    if (value == UINT64_MAX) {
        s_fail_text(txn->store, "counter overflow");
        return 0;
    }
    value++;
    if (store_put(txn, STORE_META, key, (size_t)klen, &value, sizeof value) != 0)
        return 0;
    return value;
}

//  Returns the last error message of this store.
const char *store_error(const store_t *self)
{
    return self ? self->error : "no store";
}

//  Reads the initial map size from FUNDCHAIN_STORE_MAPSIZE. Returns 0 or -1.
static int s_initial_mapsize(size_t *size)
{
    const char *text = getenv("FUNDCHAIN_STORE_MAPSIZE");
    *size = STORE_MAP_INITIAL;
    if (!text || !*text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (*text < '0' || *text > '9' || *end || errno || value < 4096 || value > STORE_MAP_LIMIT)
        return -1;
    *size = (size_t)value;
    return 0;
}

//  Adds the database names to self, "meta" first. Returns 0 or -1.
static int s_add_names(store_t *self, const char *const *dbs)
{
    strcpy(self->names[0], STORE_META);
    self->ndbs = 1;
    for (int i = 0; dbs && dbs[i]; i++) {
        size_t len = strlen(dbs[i]);
        if (len == 0 || len > STORE_NAME_MAX)
            return s_fail_text(self, "bad database name");
        bool known = false;
        for (int j = 0; j < self->ndbs; j++)
            known |= !strcmp(self->names[j], dbs[i]);
        if (known)
            continue;
        if (self->ndbs == STORE_MAX_DBS)
            return s_fail_text(self, "too many databases (at most 16 with meta)");
        memcpy(self->names[self->ndbs++], dbs[i], len + 1);
    }
    return 0;
}

//  Opens (creating) database i of the store. Returns 0, STORE_RETRY or -1.
static int s_open_db(store_txn_t *txn, int i)
{
    store_t *self = txn->store;
    int rc = mdb_dbi_open(txn->txn, self->names[i], MDB_CREATE, &self->dbis[i]);
    return rc ? s_modified(txn, "mdb_dbi_open", rc) : 0;
}

//  Says whether the environment holds no database yet. Returns 0 or -1.
static int s_is_fresh(store_txn_t *txn, bool *fresh)
{
    MDB_dbi main_dbi;
    MDB_stat st;
    int rc = mdb_dbi_open(txn->txn, NULL, 0, &main_dbi);
    if (rc == 0)
        rc = mdb_stat(txn->txn, main_dbi, &st);
    if (rc != 0)
        return s_fail(txn->store, "reading the list of databases", rc);
    *fresh = st.ms_entries == 0;
    return 0;
}

//  Says whether the environment has a database named name. Returns 0 or -1.
static int s_has_db(store_txn_t *txn, const char *name, bool *has)
{
    MDB_dbi dbi;
    int rc = mdb_dbi_open(txn->txn, name, 0, &dbi);
    *has = rc == 0;
    return rc == 0 || rc == MDB_NOTFOUND ? 0 : s_fail(txn->store, "mdb_dbi_open", rc);
}

//  Reads a short text record of "meta" into buf ("" when absent). Returns
//  0 or -1.
static int s_get_text(store_txn_t *txn, const char *key, char *buf, size_t size)
{
    const void *val;
    size_t len;
    buf[0] = 0;
    int rc = store_get(txn, STORE_META, key, strlen(key), &val, &len);
    if (rc < 0)
        return -1;
    if (rc == 1)
        return 0;
    if (len == 0 || len >= size || memchr(val, 0, len))
        return s_fail_text(txn->store, "the store's identity record is damaged");
    memcpy(buf, val, len);
    buf[len] = 0;
    return 0;
}

static const char *s_article(const char *kind)
{
    return strchr("aeiouAEIOU", kind[0]) ? "an" : "a";
}

//  Compares the recorded identity with the expected one. Returns 0 or -1
//  with a message naming both.
static int s_check_identity(store_txn_t *txn, const char *kind, const char *owner)
{
    const store_opts_t *opts = txn->store->opts;
    char text[256];
    if (strcmp(kind, opts->kind) != 0) {
        snprintf(text, sizeof text, "this directory holds %s %s store%s%s, not %s %s store",
                 s_article(kind), kind, owner[0] ? " of " : "", owner, s_article(opts->kind),
                 opts->kind);
        return s_fail_text(txn->store, text);
    }
    if (opts->owner && owner[0] && strcmp(owner, opts->owner) != 0) {
        snprintf(text, sizeof text, "this %s store belongs to %s, not to %s", kind, owner,
                 opts->owner);
        return s_fail_text(txn->store, text);
    }
    return 0;
}

//  Checks that a store older than identity records is of the kind expected
//  (its databases). Returns 0 or -1.
static int s_check_legacy(store_txn_t *txn)
{
    const store_opts_t *opts = txn->store->opts;
    char text[256];
    bool has;
    for (int i = 0; opts->legacy_has && opts->legacy_has[i]; i++) {
        if (s_has_db(txn, opts->legacy_has[i], &has) != 0)
            return -1;
        if (!has) {
            snprintf(text, sizeof text,
                     "this directory holds a store that is not %s %s store "
                     "(it has no database '%.64s')",
                     s_article(opts->kind), opts->kind, opts->legacy_has[i]);
            return s_fail_text(txn->store, text);
        }
    }
    for (int i = 0; opts->legacy_lacks && opts->legacy_lacks[i]; i++) {
        if (s_has_db(txn, opts->legacy_lacks[i], &has) != 0)
            return -1;
        if (has) {
            snprintf(text, sizeof text,
                     "this directory holds a store that is not %s %s store "
                     "(it has a database '%.64s')",
                     s_article(opts->kind), opts->kind, opts->legacy_lacks[i]);
            return s_fail_text(txn->store, text);
        }
    }
    return 0;
}

//  Records the kind and owner expected where none is recorded yet.
//  Returns 0, STORE_RETRY or -1.
static int s_record_identity(store_txn_t *txn, const char *kind, const char *owner)
{
    const store_opts_t *opts = txn->store->opts;
    int rc = 0;
    if (!kind[0])
        rc = store_put(txn, STORE_META, STORE_KIND_KEY, strlen(STORE_KIND_KEY), opts->kind,
                       strlen(opts->kind));
    if (rc == 0 && opts->owner && !owner[0])
        rc = store_put(txn, STORE_META, STORE_OWNER_KEY, strlen(STORE_OWNER_KEY), opts->owner,
                       strlen(opts->owner));
    return rc;
}

//  Checks, adopts or records the identity of the store (meta is open).
//  Returns 0, STORE_RETRY or -1.
static int s_identify(store_txn_t *txn, bool fresh)
{
    store_t *self = txn->store;
    const store_opts_t *opts = self->opts;
    char kind[STORE_IDENTITY_MAX + 1], owner[STORE_IDENTITY_MAX + 1];
    if (s_get_text(txn, STORE_KIND_KEY, kind, sizeof kind) != 0 ||
        s_get_text(txn, STORE_OWNER_KEY, owner, sizeof owner) != 0)
        return -1;
    bool legacy = !fresh && !kind[0];
    if (kind[0] && s_check_identity(txn, kind, owner) != 0)
        return -1;
    if (legacy && s_check_legacy(txn) != 0)
        return -1;
    for (int i = 1; i < self->ndbs; i++) {
        int rc = s_open_db(txn, i);
        if (rc != 0)
            return rc;
    }
    if (legacy && opts->adopt && opts->adopt(txn, opts->adopt_arg) != 0)
        return self->error[0] ? -1 : s_fail_text(self, "the store was refused");
    return opts->no_create ? 0 : s_record_identity(txn, kind, owner);
}

//  Opens (creating) every database inside a write transaction, checking
//  the identity of the store first when one is expected.
static int s_open_dbs(store_txn_t *txn, void *arg)
{
    store_t *self = (store_t *)arg;
    const store_opts_t *opts = self->opts;
    bool fresh = false;
    if (opts && s_is_fresh(txn, &fresh) != 0)
        return -1;
    if (fresh && opts->no_create)
        return s_fail_text(self, STORE_NO_STORE " (it holds no database; check --data)");
    int rc = s_open_db(txn, 0);
    if (rc != 0)
        return rc;
    if (opts && opts->kind)
        return s_identify(txn, fresh);
    for (int i = 1; i < self->ndbs; i++)
        if ((rc = s_open_db(txn, i)) != 0)
            return rc;
    return 0;
}

//  Records that dir/data.mdb is damaged (why) and how to restore it;
//  returns -1.
static int s_fail_damaged(store_t *self, const char *why)
{
    snprintf(self->error, sizeof self->error, "%.300s/data.mdb is damaged: %.400s. %s", self->dir,
             why, STORE_RESTORE);
    return -1;
}

//  Checks that data.mdb holds every page its meta page claims: the pages
//  are read through the map, and one beyond the end of the file is a
//  SIGBUS. Returns 0 or -1.
static int s_check_size(store_t *self, MDB_env *env)
{
    MDB_envinfo info;
    MDB_stat st;
    int fd;
    struct stat file;
    if (mdb_env_info(env, &info) != 0 || mdb_env_stat(env, &st) != 0 ||
        mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &file) != 0)
        return s_fail_text(self, "cannot read the size of data.mdb");
    unsigned long long pages = (unsigned long long)info.me_last_pgno + 1;
    unsigned long long need = pages * st.ms_psize;
    unsigned long long have = (unsigned long long)file.st_size;
    if (have >= need)
        return 0;
    char why[300];
    snprintf(why, sizeof why,
             "its meta page claims %llu pages of %u bytes (%llu bytes), but the file holds "
             "only %llu bytes: the last %llu bytes are missing (was it truncated, or copied "
             "while it was written?)",
             pages, st.ms_psize, need, have, need - have);
    return s_fail_damaged(self, why);
}

//  Opens the LMDB environment of a new s_env_t. Returns 0 or -1.
static int s_env_open(store_t *self, MDB_env *env, const char *dir, size_t mapsize)
{
    int rc = 0;
    if (!(rc = mdb_env_set_maxdbs(env, STORE_MAX_DBS)) &&
        !(rc = mdb_env_set_maxreaders(env, STORE_MAX_READERS)) &&
        !(rc = mdb_env_set_mapsize(env, mapsize)) &&
        !(rc = mdb_env_open(env, dir, MDB_NOTLS, 0600))) {
        if (s_check_size(self, env) != 0)
            return -1;
        rc = mdb_reader_check(env, &(int){0});
    }
    if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED) {
        char why[300];
        snprintf(why, sizeof why, "it is not a store this program can read (%s)", mdb_strerror(rc));
        return s_fail_damaged(self, why);
    }
    return rc ? s_fail(self, "opening the LMDB environment", rc) : 0;
}

//  Creates and opens a new environment in dir. Returns it, or NULL.
static s_env_t *s_env_new(store_t *self, const char *dir, const struct stat *st, size_t mapsize)
{
    s_env_t *shared = calloc(1, sizeof *shared);
    if (!shared || pthread_rwlock_init(&shared->lock, NULL) != 0) {
        free(shared);
        s_fail_text(self, "out of memory");
        return NULL;
    }
    shared->dev = st->st_dev;
    shared->ino = st->st_ino;
    shared->pid = getpid();
    shared->refs = 1;
    int rc = mdb_env_create(&shared->env);
    if (rc != 0)
        s_fail(self, "mdb_env_create", rc);
    else if (s_env_open(self, shared->env, dir, mapsize) == 0)
        return shared;
    if (shared->env)
        mdb_env_close(shared->env);
    pthread_rwlock_destroy(&shared->lock);
    free(shared);
    return NULL;
}

//  Returns this process's environment on the directory st describes, or
//  NULL. Called with s_envs_mutex held.
static s_env_t *s_env_find(const struct stat *st)
{
    for (s_env_t *shared = s_envs; shared; shared = shared->next)
        if (shared->dev == st->st_dev && shared->ino == st->st_ino && shared->pid == getpid())
            return shared;
    return NULL;
}

static int s_reserve_lock(store_t *self, const char *dir);

//  Finds this process's environment on the directory, or opens one.
//  Called with s_envs_mutex held. Returns it, or NULL.
static s_env_t *s_env_acquire(store_t *self, const char *dir, size_t mapsize)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(self->error, sizeof self->error, "%s", strerror(errno));
        return NULL;
    }
    s_env_t *shared = s_env_find(&st);
    if (shared) {
        shared->refs++;
        return shared;
    }
    //  Only before this process opens the environment: POSIX drops every
    //  fcntl lock a process holds on a file when it closes any descriptor
    //  of it, and LMDB's locks on lock.mdb say that the process uses it (a
    //  process that found none would reset the lock file under us, and
    //  mdb_reader_check would free our reader slots).
    if (s_reserve_lock(self, dir) != 0)
        return NULL;
    shared = s_env_new(self, dir, &st, mapsize);
    if (shared) {
        shared->next = s_envs;
        s_envs = shared;
    }
    return shared;
}

//  Drops a reference to an environment and closes it after the last one.
//  An environment inherited from the parent process is left alone.
static void s_env_release(s_env_t *shared)
{
    pthread_mutex_lock(&s_envs_mutex);
    if (--shared->refs == 0 && shared->pid == getpid()) {
        for (s_env_t **link = &s_envs; *link; link = &(*link)->next)
            if (*link == shared) {
                *link = shared->next;
                break;
            }
        mdb_env_close(shared->env);
        pthread_rwlock_destroy(&shared->lock);
        free(shared);
    }
    pthread_mutex_unlock(&s_envs_mutex);
}

//  Checks that dir holds a store (data.mdb, not empty) without creating
//  anything. Returns 0 or -1.
static int s_check_exists(store_t *self, const char *dir)
{
    char path[sizeof self->dir + 16];
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(self->error, sizeof self->error, STORE_NO_STORE " (%s; check --data)",
                 errno == ENOENT        ? "it does not exist"
                 : !S_ISDIR(st.st_mode) ? "it is not a directory"
                                        : strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    if (stat(path, &st) != 0) {
        snprintf(self->error, sizeof self->error, STORE_NO_STORE " (no data.mdb: %s; check --data)",
                 strerror(errno));
        return -1;
    }
    if (st.st_size == 0)
        return s_fail_text(self, STORE_NO_STORE " (its data.mdb is empty; check --data)");
    return 0;
}

//  Allocates the blocks of dir/lock.mdb (creating it) before LMDB maps
//  it, so that writing a reader slot cannot fault on a full disk.
//  Returns 0 or -1.
static int s_reserve_lock(store_t *self, const char *dir)
{
    char path[sizeof self->dir + 16];
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return s_fail(self, "opening lock.mdb", errno);
    struct stat st;
    off_t size = STORE_LOCK_SIZE;
    if (fstat(fd, &st) == 0 && st.st_size > size)
        size = st.st_size;
    int rc = posix_fallocate(fd, 0, size);
    close(fd);
    if (rc == EOPNOTSUPP || rc == EINVAL)
        return 0; //  A filesystem that cannot tell: LMDB's own checks remain.
    return rc ? s_fail(self, "allocating lock.mdb", rc) : 0;
}

//  Opens the environment of self in dir and its databases. Returns 0 or -1.
static int s_open_env(store_t *self, const char *dir)
{
    size_t mapsize;
    if (s_initial_mapsize(&mapsize) != 0)
        return s_fail_text(self, "FUNDCHAIN_STORE_MAPSIZE must be a number of bytes "
                                 "from 4096 to 64 GiB");
    if (self->opts && self->opts->no_create) {
        if (s_check_exists(self, dir) != 0)
            return -1;
    } else if (fsdir_create(dir, 0700) != 0) {
        snprintf(self->error, sizeof self->error, "cannot create directory: %s", strerror(errno));
        return -1;
    }
    pthread_mutex_lock(&s_envs_mutex);
    self->shared = s_env_acquire(self, dir, mapsize);
    pthread_mutex_unlock(&s_envs_mutex);
    if (!self->shared)
        return -1;
    return store_write(self, s_open_dbs, self);
}

//  Opens the environment in dir with the named databases; NULL and *err.
store_t *store_open(const char *dir, const char *const *dbs, const char **err)
{
    return store_open_opts(dir, dbs, NULL, err);
}

//  Checks what opts expects: a kind and owner of at most 32 bytes.
static int s_check_opts(store_t *self, const store_opts_t *opts)
{
    if (!opts)
        return 0;
    if (opts->kind && (!opts->kind[0] || strlen(opts->kind) > STORE_IDENTITY_MAX))
        return s_fail_text(self, "bad store kind");
    if (opts->owner && (!opts->owner[0] || strlen(opts->owner) > STORE_IDENTITY_MAX))
        return s_fail_text(self, "bad store owner");
    return 0;
}

//  Opens the environment in dir, checking what opts expects; NULL and *err.
store_t *store_open_opts(const char *dir, const char *const *dbs, const store_opts_t *opts,
                         const char **err)
{
    s_open_error[0] = 0;
    if (err)
        *err = s_open_error;
    store_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(s_open_error, sizeof s_open_error, "out of memory");
        return NULL;
    }
    self->opts = opts;
    if (!dir || !*dir)
        s_fail_text(self, "no directory given");
    else if (strlen(dir) >= sizeof self->dir)
        s_fail_text(self, "the directory name is too long");
    else if (snprintf(self->dir, sizeof self->dir, "%s", dir) >= 0 &&
             s_check_opts(self, opts) == 0 && s_add_names(self, dbs) == 0 &&
             s_open_env(self, dir) == 0) {
        self->opts = NULL;
        return self;
    }
    snprintf(s_open_error, sizeof s_open_error, "%.400s: %.1200s", dir ? dir : "(null)",
             self->error);
    store_destroy(&self);
    return NULL;
}

//  Closes the environment (after its last store) and nulls the pointer.
void store_destroy(store_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    store_t *self = *self_p;
    if (self->shared)
        s_env_release(self->shared);
    free(self);
    *self_p = NULL;
}

typedef struct {
    const char *name;
    char *buf;
    size_t size;
    const char *text;
} meta_t;

static int s_meta_read(store_txn_t *txn, void *arg)
{
    meta_t *m = arg;
    return s_get_text(txn, m->name, m->buf, m->size);
}

static int s_meta_write(store_txn_t *txn, void *arg)
{
    meta_t *m = arg;
    return store_put(txn, STORE_META, m->name, strlen(m->name), m->text, strlen(m->text));
}

//  Reads a text of "meta".
int store_meta_text(store_t *self, const char *name, char *buf, size_t size)
{
    meta_t m = {name, buf, size, NULL};
    buf[0] = 0;
    return store_read(self, s_meta_read, &m) == 0 ? 0 : -1;
}

//  Records a text in "meta".
int store_meta_set(store_t *self, const char *name, const char *text)
{
    meta_t m = {name, NULL, 0, text};
    if (!strncmp(name, "store.", 6) || !*text)
        return -1;
    return store_write(self, s_meta_write, &m) == 0 ? 0 : -1;
}
