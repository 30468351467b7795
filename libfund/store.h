/*  store - the one place that talks to LMDB.

    An environment in a directory (created 0700, files 0600) with named
    databases. Every write runs as a function inside one short write
    transaction: when LMDB answers MDB_MAP_FULL (from a put or from the
    commit), the transaction is aborted, the map is doubled and the function
    runs again, so callers never see a full map. Stale readers left by dead
    processes are cleared at open, when the reader table is full and before
    the map grows (mdb_reader_check). LMDB errors are
    translated here into -1 and a message in store_error().

    A store can say what it is: store_open_opts records its kind (agent,
    city, hub) and its owner's code in "meta" when it creates it, and
    refuses a store of another kind or owner. A damaged data.mdb (shorter
    than its meta page claims, or not LMDB at all) is refused at open with
    a message that names the file and how to restore it, never read. The
    lock file is allocated before LMDB maps it, so that a full disk is a
    message ("the disk is full (N bytes free on DIR)"), never a SIGBUS.
*/
#ifndef STORE_H_INCLUDED
#define STORE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _store_t store_t;
typedef struct _store_txn_t store_txn_t;

/* Work done inside a transaction; returns 0 to commit, -1 to abort.
   A STORE_RETRY from any store_* call must be returned as is. */
typedef int(store_fn)(store_txn_t *txn, void *arg);

/* Visits one record of a scan; returns 0 to go on, 1 to stop, -1 to fail. */
typedef int(store_scan_fn)(const void *key, size_t klen, const void *val, size_t vlen, void *arg);

#define STORE_RETRY (-2) /* internal: map full, the transaction will be rerun */

/* Opens (creating when needed) the environment in dir with the named
   databases (NULL-terminated list, at most 16). Returns NULL with a message
   on stderr-free *err (static buffer) when it cannot. */
store_t *store_open(const char *dir, const char *const *dbs, const char **err);

/* What store_open_opts expects of a store. */
typedef struct {
    const char *kind;  /* "agent", "city", "hub"...: recorded at creation and
                          checked at every open; NULL checks nothing */
    const char *owner; /* the owner's code, recorded and checked likewise;
                          NULL: any owner (a read-only command) */
    bool no_create;    /* never create: a directory without a store is
                          refused, and nothing is created or recorded */
    /* A store made before stores recorded their identity is adopted (its
       identity recorded at its first writable open) when it has every
       database of legacy_has and none of legacy_lacks (NULL-terminated
       lists, may be NULL) and adopt (may be NULL) returns 0; adopt runs in
       the opening transaction and refuses with store_fail. */
    const char *const *legacy_has;
    const char *const *legacy_lacks;
    store_fn *adopt;
    void *adopt_arg;
} store_opts_t;

/* Opens the environment in dir like store_open, checking what opts expects
   (NULL: as store_open). Refuses, naming both, a store of another kind or
   owner; with no_create, a directory that holds no store. Returns NULL
   with the message in *err. */
store_t *store_open_opts(const char *dir, const char *const *dbs, const store_opts_t *opts,
                         const char **err);

/* Makes text the store's error inside a transaction; returns -1. */
int store_fail(store_txn_t *txn, const char *text);

/* Closes the environment and nulls the pointer; safe on NULL. */
void store_destroy(store_t **self_p);

/* Runs fn in one write transaction and commits it; grows the map and reruns
   fn on MDB_MAP_FULL. Returns 0 when committed, -1 when fn failed or LMDB
   failed (see store_error). fn may run more than once: it must not have
   side effects outside the transaction that cannot be repeated. */
int store_write(store_t *self, store_fn *fn, void *arg);

/* Runs fn in a read-only transaction. Returns fn's result, or -1. */
int store_read(store_t *self, store_fn *fn, void *arg);

/* Puts a record into database db. Returns 0, STORE_RETRY or -1. */
int store_put(store_txn_t *txn, const char *db, const void *key, size_t klen, const void *val,
              size_t vlen);

/* Gets a record; *val points into the map until the transaction ends.
   Returns 0 when found, 1 when absent, -1 on error. */
int store_get(store_txn_t *txn, const char *db, const void *key, size_t klen, const void **val,
              size_t *vlen);

/* Deletes a record; absent is not an error. Returns 0, STORE_RETRY or -1. */
int store_del(store_txn_t *txn, const char *db, const void *key, size_t klen);

/* Visits, in key order, every record whose key starts with prefix (plen may
   be 0 for all). Returns 0, or the first non-zero result of fn (1 stops
   quietly and gives 0), or -1. */
int store_scan(store_txn_t *txn, const char *db, const void *prefix, size_t plen, store_scan_fn *fn,
               void *arg);

/* Visits, in key order, every record of db whose key is not below from
   (flen may be 0 for all). Returns like store_scan. */
int store_scan_from(store_txn_t *txn, const char *db, const void *from, size_t flen,
                    store_scan_fn *fn, void *arg);

/* Visits, in descending key order, the records of db whose key is below
   before and starts with prefix (the newest first, for keys that end in a
   period). Returns like store_scan. */
int store_scan_back(store_txn_t *txn, const char *db, const void *prefix, size_t plen,
                    const void *before, size_t blen, store_scan_fn *fn, void *arg);

/* Returns the next value of a named counter kept in the "meta" database
   (1, 2, 3, ...). Returns 0 on failure (check store_error). */
uint64_t store_next(store_txn_t *txn, const char *counter);

/* Reads a text the store's owner recorded in "meta" under name (its
   code under "store.owner"): at most size - 1 bytes. Returns 0 ("" when
   none is recorded), or -1 when the store cannot be read. */
int store_meta_text(store_t *self, const char *name, char *buf, size_t size);

/* Records a text in "meta" under name (not "store.*"). Returns 0 or -1. */
int store_meta_set(store_t *self, const char *name, const char *text);

/* Returns the last error message of this store ("" when none). */
const char *store_error(const store_t *self);

/* Writes a consistent, compacted copy of the environment into dir, a new
   directory (created 0700) or an empty one, through LMDB's own copy
   (mdb_env_copy2 with MDB_CP_COMPACT: one read transaction, so writers go
   on while it runs and the copy is the store as of its start). Returns 0,
   or -1 with the reason in store_error: dir holds a store already, cannot
   be made, or the disk is full; a partial copy is removed. */
int store_copy(store_t *self, const char *dir);

/* Returns the current map size in bytes. */
size_t store_mapsize(const store_t *self);

#endif
