/*  store - the one place that talks to LMDB.

    LMDB forbids opening one environment twice in a process (closing the
    second copy would drop the first one's locks), so the stores of a
    process opened on the same directory share one environment.

    Every transaction holds the environment's lock shared; changing the map
    size takes it exclusively, because LMDB allows mdb_env_set_mapsize only
    while this process has no transaction open. A thread that already holds
    a transaction (a nested call) therefore cannot grow the map: that write
    fails cleanly instead of deadlocking.
*/
#include "store.h"
#include "fsdir.h"
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_MAX_DBS 16
#define STORE_MAX_READERS 126
#define STORE_MAP_INITIAL ((size_t)64 << 20)
#define STORE_MAP_LIMIT ((size_t)64 << 30)
#define STORE_NAME_MAX 64
#define STORE_META "meta"
#define STORE_COUNTER_PREFIX "seq."

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
    int ndbs;
    char names[STORE_MAX_DBS][STORE_NAME_MAX + 1];
    MDB_dbi dbis[STORE_MAX_DBS];
    char error[512];
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
static __thread char s_open_error[1024];

//  Records "what: LMDB's message for rc" as the store's error; returns -1.
//  A full disk, quota or file size limit is named as such.
static int s_fail(store_t *self, const char *what, int rc)
{
    bool full = rc == ENOSPC || rc == EFBIG || rc == EDQUOT;
    snprintf(self->error, sizeof self->error, "%s: %s%s", what, mdb_strerror(rc),
             full ? " (the disk is full or a file size limit is reached; "
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

//  Visits in key order every record of db whose key starts with prefix.
int store_scan(store_txn_t *txn, const char *db, const void *prefix, size_t plen, store_scan_fn *fn,
               void *arg)
{
    MDB_dbi dbi;
    if (!txn || !fn || (plen > 0 && !prefix) || s_dbi(txn, db, &dbi) != 0)
        return -1;
    if (plen > (size_t)mdb_env_get_maxkeysize(txn->store->shared->env))
        return 0; //  No key can be that long.
    MDB_cursor *cursor;
    int rc = mdb_cursor_open(txn->txn, dbi, &cursor);
    if (rc != 0)
        return s_fail(txn->store, "mdb_cursor_open", rc);
    MDB_val k = {plen, (void *)prefix};
    MDB_val v = {0, NULL};
    rc = mdb_cursor_get(cursor, &k, &v, plen > 0 ? MDB_SET_RANGE : MDB_FIRST);
    rc = s_scan_cursor(txn, cursor, &k, &v, rc, prefix, plen, fn, arg);
    mdb_cursor_close(cursor);
    return rc;
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

//  Opens (creating) every database inside a write transaction.
static int s_open_dbs(store_txn_t *txn, void *arg)
{
    store_t *self = (store_t *)arg;
    for (int i = 0; i < self->ndbs; i++) {
        int rc = mdb_dbi_open(txn->txn, self->names[i], MDB_CREATE, &self->dbis[i]);
        if (rc != 0)
            return s_modified(txn, "mdb_dbi_open", rc);
    }
    return 0;
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
    if (rc == 0 && !(rc = mdb_env_set_maxdbs(shared->env, STORE_MAX_DBS)) &&
        !(rc = mdb_env_set_maxreaders(shared->env, STORE_MAX_READERS)) &&
        !(rc = mdb_env_set_mapsize(shared->env, mapsize)) &&
        !(rc = mdb_env_open(shared->env, dir, MDB_NOTLS, 0600)))
        rc = mdb_reader_check(shared->env, &(int){0});
    if (rc == 0)
        return shared;
    s_fail(self, "opening the LMDB environment", rc);
    if (shared->env)
        mdb_env_close(shared->env);
    pthread_rwlock_destroy(&shared->lock);
    free(shared);
    return NULL;
}

//  Finds this process's environment on the directory, or opens one.
//  Called with s_envs_mutex held. Returns it, or NULL.
static s_env_t *s_env_acquire(store_t *self, const char *dir, size_t mapsize)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        snprintf(self->error, sizeof self->error, "%s", strerror(errno));
        return NULL;
    }
    for (s_env_t *shared = s_envs; shared; shared = shared->next)
        if (shared->dev == st.st_dev && shared->ino == st.st_ino && shared->pid == getpid()) {
            shared->refs++;
            return shared;
        }
    s_env_t *shared = s_env_new(self, dir, &st, mapsize);
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

//  Opens the environment of self in dir and its databases. Returns 0 or -1.
static int s_open_env(store_t *self, const char *dir)
{
    size_t mapsize;
    if (s_initial_mapsize(&mapsize) != 0)
        return s_fail_text(self, "FUNDCHAIN_STORE_MAPSIZE must be a number of bytes "
                                 "from 4096 to 64 GiB");
    if (fsdir_create(dir, 0700) != 0) {
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
    s_open_error[0] = 0;
    if (err)
        *err = s_open_error;
    store_t *self = calloc(1, sizeof *self);
    if (!self) {
        snprintf(s_open_error, sizeof s_open_error, "out of memory");
        return NULL;
    }
    if (!dir || !*dir)
        s_fail_text(self, "no directory given");
    else if (s_add_names(self, dbs) == 0 && s_open_env(self, dir) == 0)
        return self;
    snprintf(s_open_error, sizeof s_open_error, "%.400s: %.500s", dir ? dir : "(null)",
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
