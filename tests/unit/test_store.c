/*  Tests of store (libfund/store.c) on real LMDB files, with real map
    growth and real concurrent processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "store.h"
#include <dlfcn.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

//  Observes the results of the real mdb_txn_commit, so that a test can
//  tell that MDB_MAP_FULL really came from a commit (nothing is injected).
static int s_commit_map_full;

int mdb_txn_commit(MDB_txn *txn)
{
    static int (*real)(MDB_txn *);
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "mdb_txn_commit");
    int rc = real(txn);
    if (rc == MDB_MAP_FULL)
        s_commit_map_full++;
    return rc;
}

static const char *const s_dbs[] = {"items", "index", NULL};

typedef struct {
    char root[64];
    char dir[96];
    store_t *store;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->root, sizeof f->root, "/tmp/test_store.XXXXXX");
    assert_non_null(mkdtemp(f->root));
    snprintf(f->dir, sizeof f->dir, "%s/data/db", f->root);
    unsetenv("FUNDCHAIN_STORE_MAPSIZE");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    store_destroy(&f->store);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->root);
    assert_int_equal(system(cmd), 0);
    unsetenv("FUNDCHAIN_STORE_MAPSIZE");
    free(f);
    return 0;
}

static store_t *s_open(fixture_t *f)
{
    const char *err = NULL;
    store_t *store = store_open(f->dir, s_dbs, &err);
    if (!store)
        fail_msg("store_open: %s", err);
    return store;
}

//  A record to put, for s_put_one.
typedef struct {
    const char *db;
    const char *key;
    const void *val;
    size_t vlen;
    int runs;
} put_t;

static int s_put_one(store_txn_t *txn, void *arg)
{
    put_t *put = arg;
    put->runs++;
    return store_put(txn, put->db, put->key, strlen(put->key), put->val, put->vlen);
}

static int s_put(store_t *store, const char *db, const char *key, const char *val)
{
    put_t put = {db, key, val, strlen(val), 0};
    return store_write(store, s_put_one, &put);
}

//  A lookup, for s_get_one.
typedef struct {
    const char *db;
    const char *key;
    char val[256];
    int rc;
} get_t;

static int s_get_one(store_txn_t *txn, void *arg)
{
    get_t *get = arg;
    const void *val;
    size_t vlen;
    get->rc = store_get(txn, get->db, get->key, strlen(get->key), &val, &vlen);
    if (get->rc == 0)
        snprintf(get->val, sizeof get->val, "%.*s", (int)vlen, (const char *)val);
    return get->rc < 0 ? -1 : 0;
}

//  Returns store_get's result for key; the value goes to out.
static int s_get(store_t *store, const char *db, const char *key, char *out, size_t size)
{
    get_t get = {db, key, "", -1};
    if (store_read(store, s_get_one, &get) != 0)
        return -1;
    snprintf(out, size, "%s", get.val);
    return get.rc;
}

static int s_del_one(store_txn_t *txn, void *arg)
{
    return store_del(txn, "items", arg, strlen(arg));
}

static void test_put_get_del(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    char val[256];
    assert_int_equal(s_put(f->store, "items", "a", "one"), 0);
    assert_int_equal(s_get(f->store, "items", "a", val, sizeof val), 0);
    assert_string_equal(val, "one");
    //  The databases are separate.
    assert_int_equal(s_get(f->store, "index", "a", val, sizeof val), 1);
    assert_int_equal(s_put(f->store, "items", "a", "uno"), 0);
    assert_int_equal(s_get(f->store, "items", "a", val, sizeof val), 0);
    assert_string_equal(val, "uno");
    assert_int_equal(store_write(f->store, s_del_one, "a"), 0);
    assert_int_equal(s_get(f->store, "items", "a", val, sizeof val), 1);
    //  Deleting what is absent is not an error.
    assert_int_equal(store_write(f->store, s_del_one, "a"), 0);
    //  An empty value is a value.
    assert_int_equal(s_put(f->store, "items", "empty", ""), 0);
    assert_int_equal(s_get(f->store, "items", "empty", val, sizeof val), 0);
    assert_string_equal(val, "");
}

static void test_errors(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    assert_string_equal(store_error(f->store), "");
    assert_int_equal(s_put(f->store, "nosuch", "a", "x"), -1);
    assert_non_null(strstr(store_error(f->store), "unknown database 'nosuch'"));
    assert_int_equal(s_put(f->store, "items", "", "x"), -1);
    assert_non_null(strstr(store_error(f->store), "empty key"));
    char key[600];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = 0;
    assert_int_equal(s_put(f->store, "items", key, "x"), -1);
    assert_non_null(strstr(store_error(f->store), "key too long"));
    //  A write in a read-only transaction is refused by LMDB, not crashed on.
    put_t put = {"items", "a", "x", 1, 0};
    assert_int_equal(store_read(f->store, s_put_one, &put), -1);
    assert_non_null(strstr(store_error(f->store), "mdb_put"));
    assert_int_equal(store_write(NULL, s_put_one, &put), -1);
    assert_int_equal(store_read(f->store, NULL, NULL), -1);
    assert_int_equal(store_put(NULL, "items", "a", 1, "x", 1), -1);
    assert_int_equal(store_next(NULL, "n"), 0);
    store_destroy(&f->store);
    assert_null(f->store);
    store_destroy(&f->store);
    store_destroy(NULL);
}

static int s_fail_after_put(store_txn_t *txn, void *arg)
{
    (void)arg;
    int rc = store_put(txn, "items", "ghost", 5, "boo", 3);
    return rc == 0 ? -1 : rc;
}

static int s_nested_write(store_txn_t *txn, void *arg)
{
    (void)txn;
    put_t put = {"items", "inner", "x", 1, 0};
    return store_write((store_t *)arg, s_put_one, &put);
}

static void test_abort_and_nesting(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    char val[256];
    //  fn failing aborts everything it did.
    assert_int_equal(store_write(f->store, s_fail_after_put, NULL), -1);
    assert_int_equal(s_get(f->store, "items", "ghost", val, sizeof val), 1);
    //  A nested write on the same store is refused instead of deadlocking.
    assert_int_equal(store_write(f->store, s_nested_write, f->store), -1);
    assert_non_null(strstr(store_error(f->store), "nested"));
    assert_int_equal(s_get(f->store, "items", "inner", val, sizeof val), 1);
}

//  Collects scanned keys, for test_scan.
typedef struct {
    char keys[16][32];
    int n;
    int stop_after;
    const char *prefix;
    int result;
} scan_t;

static int s_collect(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    scan_t *scan = arg;
    (void)val;
    (void)vlen;
    if (scan->n < 16)
        snprintf(scan->keys[scan->n], 32, "%.*s", (int)klen, (const char *)key);
    scan->n++;
    return scan->stop_after && scan->n == scan->stop_after ? 1 : 0;
}

static int s_failing_visit(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key, (void)klen, (void)val, (void)vlen, (void)arg;
    return -1;
}

static int s_scan_fn(store_txn_t *txn, void *arg)
{
    scan_t *scan = arg;
    size_t plen = scan->prefix ? strlen(scan->prefix) : 0;
    scan->result = store_scan(txn, "items", scan->prefix, plen, s_collect, scan);
    return scan->result;
}

static int s_scan_from_fn(store_txn_t *txn, void *arg)
{
    scan_t *scan = arg;
    scan->result =
        store_scan_from(txn, "items", scan->prefix, strlen(scan->prefix), s_collect, scan);
    return scan->result;
}

typedef struct {
    scan_t scan;
    const char *before;
} back_t;

static int s_scan_back_fn(store_txn_t *txn, void *arg)
{
    back_t *back = arg;
    back->scan.result = store_scan_back(txn, "items", back->scan.prefix, strlen(back->scan.prefix),
                                        back->before, strlen(back->before), s_collect, &back->scan);
    return back->scan.result;
}

static int s_put_many(store_txn_t *txn, void *arg)
{
    const char *const *keys = arg;
    for (int i = 0; keys[i]; i++) {
        int rc = store_put(txn, "items", keys[i], strlen(keys[i]), "v", 1);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int s_scan_failing(store_txn_t *txn, void *arg)
{
    (void)arg;
    return store_scan(txn, "items", "", 0, s_failing_visit, NULL);
}

static void test_scan(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    const char *keys[] = {"2023|b", "2023|a", "2022|z", "2024|a", "2023", "2023|c", NULL};
    assert_int_equal(store_write(f->store, s_put_many, keys), 0);

    scan_t scan = {.prefix = "2023|"};
    assert_int_equal(store_read(f->store, s_scan_fn, &scan), 0);
    assert_int_equal(scan.n, 3);
    assert_string_equal(scan.keys[0], "2023|a");
    assert_string_equal(scan.keys[1], "2023|b");
    assert_string_equal(scan.keys[2], "2023|c");

    scan_t all = {.prefix = NULL};
    assert_int_equal(store_read(f->store, s_scan_fn, &all), 0);
    assert_int_equal(all.n, 6);
    assert_string_equal(all.keys[0], "2022|z");
    assert_string_equal(all.keys[5], "2024|a");

    scan_t stop = {.prefix = "2023", .stop_after = 2};
    assert_int_equal(store_read(f->store, s_scan_fn, &stop), 0);
    assert_int_equal(stop.n, 2);
    assert_string_equal(stop.keys[0], "2023");

    scan_t none = {.prefix = "2025"};
    assert_int_equal(store_read(f->store, s_scan_fn, &none), 0);
    assert_int_equal(none.n, 0);

    //  Backwards: below "2023|c" within "2023|", newest first; a stop.
    back_t back = {{.prefix = "2023|"}, "2023|c"};
    assert_int_equal(store_read(f->store, s_scan_back_fn, &back), 0);
    assert_int_equal(back.scan.n, 2);
    assert_string_equal(back.scan.keys[0], "2023|b");
    assert_string_equal(back.scan.keys[1], "2023|a");
    back_t last = {{.prefix = "", .stop_after = 1}, "9999"}; //  past every key: from the last
    assert_int_equal(store_read(f->store, s_scan_back_fn, &last), 0);
    assert_int_equal(last.scan.n, 1);
    assert_string_equal(last.scan.keys[0], "2024|a");
    back_t below = {{.prefix = "2022|"}, "2022|a"}; //  nothing below it in the prefix
    assert_int_equal(store_read(f->store, s_scan_back_fn, &below), 0);
    assert_int_equal(below.scan.n, 0);

    assert_int_equal(store_read(f->store, s_scan_failing, NULL), -1);

    scan_t from = {.prefix = "2023|b"}; //  with store_scan_from: a start, no prefix
    from.stop_after = 0;
    assert_int_equal(store_read(f->store, s_scan_from_fn, &from), 0);
    assert_int_equal(from.n, 3);
    assert_string_equal(from.keys[0], "2023|b");
    assert_string_equal(from.keys[2], "2024|a");
    scan_t gone = {.prefix = "2023|bb"}; //  a key absent: from the next one
    assert_int_equal(store_read(f->store, s_scan_from_fn, &gone), 0);
    assert_int_equal(gone.n, 2);
    assert_string_equal(gone.keys[0], "2023|c");
    scan_t first = {.prefix = ""};
    assert_int_equal(store_read(f->store, s_scan_from_fn, &first), 0);
    assert_int_equal(first.n, 6);
}

//  Draws counter values, for test_counters.
typedef struct {
    const char *name;
    uint64_t got[4];
    int n;
} next_t;

static int s_next_fn(store_txn_t *txn, void *arg)
{
    next_t *next = arg;
    for (int i = 0; i < next->n; i++)
        if ((next->got[i] = store_next(txn, next->name)) == 0)
            return -1;
    return 0;
}

static void test_counters(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    next_t a = {"receipts", {0}, 3};
    assert_int_equal(store_write(f->store, s_next_fn, &a), 0);
    assert_int_equal(a.got[0], 1);
    assert_int_equal(a.got[2], 3);
    next_t b = {"other", {0}, 1};
    assert_int_equal(store_write(f->store, s_next_fn, &b), 0);
    assert_int_equal(b.got[0], 1);
    //  An aborted transaction does not consume values.
    next_t c = {"receipts", {0}, 1};
    assert_int_equal(store_read(f->store, s_next_fn, &c), -1);
    store_destroy(&f->store);
    f->store = s_open(f);
    next_t d = {"receipts", {0}, 1};
    assert_int_equal(store_write(f->store, s_next_fn, &d), 0);
    assert_int_equal(d.got[0], 4);
}

static void test_persistence_and_modes(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    assert_int_equal(s_put(f->store, "index", "k", "kept"), 0);
    store_destroy(&f->store);
    struct stat st;
    assert_int_equal(stat(f->dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char path[160];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    //  Reopening with fewer databases still finds "meta" and the data.
    static const char *const fewer[] = {"index", NULL};
    const char *err;
    f->store = store_open(f->dir, fewer, &err);
    assert_non_null(f->store);
    char val[256];
    assert_int_equal(s_get(f->store, "index", "k", val, sizeof val), 0);
    assert_string_equal(val, "kept");
    assert_int_equal(s_get(f->store, "items", "k", val, sizeof val), -1);
    assert_true(store_mapsize(f->store) >= ((size_t)64 << 20));
}

static void test_open_failures(void **state)
{
    fixture_t *f = *state;
    char file[128];
    snprintf(file, sizeof file, "%s/plain-file", f->root);
    FILE *out = fopen(file, "w");
    assert_non_null(out);
    fclose(out);
    const char *err = NULL;
    assert_null(store_open(file, s_dbs, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, file));
    assert_non_null(strstr(err, "Not a directory"));

    static const char *const too_many[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i",
                                           "j", "k", "l", "m", "n", "o", "p", NULL};
    assert_null(store_open(f->dir, too_many, &err));
    assert_non_null(strstr(err, "too many databases"));
    assert_null(store_open(NULL, s_dbs, &err));
    assert_null(store_open("", s_dbs, NULL));

    setenv("FUNDCHAIN_STORE_MAPSIZE", "12abc", 1);
    assert_null(store_open(f->dir, s_dbs, &err));
    assert_non_null(strstr(err, "FUNDCHAIN_STORE_MAPSIZE"));
}

//  Writes count records "rec%06d" starting at first, batch per transaction.
typedef struct {
    int first;
    int count;
    size_t vlen;
} batch_t;

static int s_put_batch(store_txn_t *txn, void *arg)
{
    batch_t *batch = arg;
    char value[512];
    memset(value, 'x', sizeof value);
    for (int i = batch->first; i < batch->first + batch->count; i++) {
        char key[32];
        int klen = snprintf(key, sizeof key, "rec%06d", i);
        snprintf(value, sizeof value, "value-%d", i);
        int rc = store_put(txn, "items", key, (size_t)klen, value, batch->vlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int s_count_visit(const void *key, size_t klen, const void *val, size_t vlen, void *arg)
{
    (void)key, (void)klen;
    int *count = arg;
    char expect[32];
    snprintf(expect, sizeof expect, "value-%d", *count);
    if (vlen < strlen(expect) || memcmp(val, expect, strlen(expect)) != 0)
        return -1;
    (*count)++;
    return 0;
}

static int s_count_fn(store_txn_t *txn, void *arg)
{
    return store_scan(txn, "items", "rec", 3, s_count_visit, arg);
}

static int s_count(store_t *store)
{
    int count = 0;
    return store_read(store, s_count_fn, &count) == 0 ? count : -1;
}

//  Writes through one store while inside a write of another.
static int s_write_other(store_txn_t *txn, void *arg)
{
    (void)txn;
    put_t put = {"items", "inner", "x", 1, 0};
    return store_write((store_t *)arg, s_put_one, &put);
}

//  Opens dir with opts in a child process (a damaged store must not kill
//  it) and puts the error message, "" when the open succeeded, into out.
//  Returns the child's exit status, or 128 + the signal that killed it.
static int s_open_in_child(const char *dir, const store_opts_t *opts, char *out, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        const char *err = NULL;
        store_t *store = store_open_opts(dir, s_dbs, opts, &err);
        //  A read shows that the map is usable, not only the open.
        char val[256];
        int rc = store ? s_get(store, "items", "rec000001", val, sizeof val) : -1;
        const char *text = store ? "" : err;
        if (write(fds[1], text, strlen(text)) < 0)
            _exit(3);
        store_destroy(&store);
        _exit(store ? (rc < 0 ? 2 : 0) : 1);
    }
    close(fds[1]);
    ssize_t n = read(fds[0], out, size - 1);
    out[n > 0 ? n : 0] = 0;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

//  Makes a store of a few hundred pages at f->dir and closes it.
static void s_make_pages(fixture_t *f)
{
    f->store = s_open(f);
    batch_t batch = {0, 2000, 500};
    assert_int_equal(store_write(f->store, s_put_batch, &batch), 0);
    store_destroy(&f->store);
}

static void test_truncated_refused(void **state)
{
    fixture_t *f = *state;
    s_make_pages(f);
    char path[160], err[2048];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size / 2), 0);
    //  The open refuses the file, naming it and what is missing, and says
    //  how to restore it; the child is not killed by SIGBUS.
    assert_int_equal(s_open_in_child(f->dir, NULL, err, sizeof err), 1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "is damaged"));
    assert_non_null(strstr(err, "bytes are missing"));
    assert_non_null(strstr(err, "mdb_copy"));
    //  The file was not changed.
    struct stat after;
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(after.st_size, st.st_size / 2);
}

static void test_garbage_refused(void **state)
{
    fixture_t *f = *state;
    s_make_pages(f);
    char path[160], err[2048];
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    for (int i = 0; i < 3 * 4096; i++)
        fputc((i * 7919) % 251, out);
    fclose(out);
    assert_int_equal(s_open_in_child(f->dir, NULL, err, sizeof err), 1);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "is damaged"));
    assert_non_null(strstr(err, "mdb_copy"));
    //  An empty data.mdb holds no store for a command that must not create.
    out = fopen(path, "w");
    assert_non_null(out);
    fclose(out);
    store_opts_t opts = {.kind = "city", .no_create = true};
    assert_int_equal(s_open_in_child(f->dir, &opts, err, sizeof err), 1);
    assert_non_null(strstr(err, "holds no store"));
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
}

static void test_lock_allocated(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    char path[160];
    snprintf(path, sizeof path, "%s/lock.mdb", f->dir);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    //  Every block of the reader table exists: no write through the map
    //  can meet a hole on a full disk.
    assert_true(st.st_size > 0);
    assert_true((long long)st.st_blocks * 512 >= (long long)st.st_size);
}

//  Opens f->dir with an identity; returns the store or NULL with *err.
static store_t *s_open_as(fixture_t *f, const char *kind, const char *owner, bool no_create,
                          const char **err)
{
    store_opts_t opts = {.kind = kind, .owner = owner, .no_create = no_create};
    return store_open_opts(f->dir, s_dbs, &opts, err);
}

static void test_identity(void **state)
{
    fixture_t *f = *state;
    const char *err = NULL;
    f->store = s_open_as(f, "city", "510400", false, &err);
    assert_non_null(f->store);
    assert_int_equal(s_put(f->store, "items", "k", "v"), 0);
    store_destroy(&f->store);
    //  Another owner is refused, naming both.
    assert_null(s_open_as(f, "city", "510500", false, &err));
    assert_non_null(strstr(err, "belongs to 510400, not to 510500"));
    //  Another kind is refused, naming both, also without an owner.
    assert_null(s_open_as(f, "agent", NULL, true, &err));
    assert_non_null(strstr(err, "holds a city store of 510400, not an agent store"));
    assert_null(s_open_as(f, "hub", "510000", false, &err));
    assert_non_null(strstr(err, "not a hub store"));
    //  The right kind opens, with or without the owner; the data is there.
    f->store = s_open_as(f, "city", NULL, true, &err);
    assert_non_null(f->store);
    char val[16];
    assert_int_equal(s_get(f->store, "items", "k", val, sizeof val), 0);
    store_destroy(&f->store);
    f->store = s_open_as(f, "city", "510400", false, &err);
    assert_non_null(f->store);
}

//  Refuses adoption when "items" holds "owner" with another value.
static int s_adopt_check(store_txn_t *txn, void *arg)
{
    const void *val;
    size_t len;
    int rc = store_get(txn, "items", "owner", 5, &val, &len);
    if (rc == 0 && (len != strlen(arg) || memcmp(val, arg, len)))
        return store_fail(txn, "adopt refused");
    return rc < 0 ? -1 : 0;
}

static void test_legacy_adopted(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f); //  A store made before identity records.
    assert_int_equal(s_put(f->store, "items", "owner", "510400"), 0);
    store_destroy(&f->store);
    static const char *const has[] = {"items", NULL};
    static const char *const lacks[] = {"index", NULL};
    static const char *const missing[] = {"reports", NULL};
    const char *err = NULL;
    //  A store that lacks what the kind always has, or has what it never
    //  has, or that its adopt function refuses, is not adopted.
    store_opts_t opts = {.kind = "city", .owner = "510400", .legacy_has = missing};
    assert_null(store_open_opts(f->dir, s_dbs, &opts, &err));
    assert_non_null(strstr(err, "not a city store"));
    opts = (store_opts_t){.kind = "city", .owner = "510400", .legacy_lacks = lacks};
    assert_null(store_open_opts(f->dir, s_dbs, &opts, &err));
    assert_non_null(strstr(err, "not a city store"));
    opts = (store_opts_t){.kind = "city",
                          .owner = "510500",
                          .legacy_has = has,
                          .adopt = s_adopt_check,
                          .adopt_arg = "510500"};
    assert_null(store_open_opts(f->dir, s_dbs, &opts, &err));
    assert_non_null(strstr(err, "adopt refused"));
    //  A read-only open accepts it and records nothing.
    opts = (store_opts_t){.kind = "city", .no_create = true, .legacy_has = has};
    f->store = store_open_opts(f->dir, s_dbs, &opts, &err);
    assert_non_null(f->store);
    store_destroy(&f->store);
    //  The first writable open adopts it; from then on it is 510400's.
    opts = (store_opts_t){.kind = "city",
                          .owner = "510400",
                          .legacy_has = has,
                          .adopt = s_adopt_check,
                          .adopt_arg = "510400"};
    f->store = store_open_opts(f->dir, s_dbs, &opts, &err);
    assert_non_null(f->store);
    store_destroy(&f->store);
    assert_null(s_open_as(f, "city", "510500", false, &err));
    assert_non_null(strstr(err, "belongs to 510400, not to 510500"));
    assert_null(s_open_as(f, "hub", NULL, true, &err));
    assert_non_null(strstr(err, "holds a city store"));
}

static void test_no_create(void **state)
{
    fixture_t *f = *state;
    const char *err = NULL;
    struct stat st;
    //  A directory that does not exist is refused and not created.
    assert_null(s_open_as(f, "city", NULL, true, &err));
    assert_non_null(strstr(err, f->dir));
    assert_non_null(strstr(err, "holds no store"));
    assert_int_equal(stat(f->dir, &st), -1);
    //  Nor is a store made in an empty directory.
    char cmd[160], path[160];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    assert_null(s_open_as(f, "city", NULL, true, &err));
    assert_non_null(strstr(err, "holds no store"));
    snprintf(path, sizeof path, "%s/data.mdb", f->dir);
    assert_int_equal(stat(path, &st), -1);
    snprintf(path, sizeof path, "%s/lock.mdb", f->dir);
    assert_int_equal(stat(path, &st), -1);
    //  The same open without no_create makes the store.
    f->store = s_open_as(f, "city", "510400", false, &err);
    assert_non_null(f->store);
}

static void test_two_stores_one_process(void **state)
{
    fixture_t *f = *state;
    setenv("FUNDCHAIN_STORE_MAPSIZE", "65536", 1);
    f->store = s_open(f);
    static const char *const index_only[] = {"index", NULL};
    const char *err;
    store_t *second = store_open(f->dir, index_only, &err);
    assert_non_null(second);
    //  Both see each other's writes at once.
    assert_int_equal(s_put(second, "index", "from", "second"), 0);
    char val[256];
    assert_int_equal(s_get(f->store, "index", "from", val, sizeof val), 0);
    assert_string_equal(val, "second");
    //  They share one environment: growth through one is the other's.
    batch_t many = {0, 2000, 200};
    assert_int_equal(store_write(f->store, s_put_batch, &many), 0);
    assert_true(store_mapsize(f->store) > 65536);
    assert_int_equal(store_mapsize(second), store_mapsize(f->store));
    //  A write nested in a write of the same environment would deadlock
    //  in LMDB: it is refused.
    assert_int_equal(store_write(f->store, s_write_other, second), -1);
    assert_non_null(strstr(store_error(second), "nested"));
    //  Closing one leaves the other working.
    store_destroy(&second);
    assert_int_equal(s_count(f->store), 2000);
    assert_int_equal(s_put(f->store, "index", "after", "close"), 0);
}

static void test_tiny_map_grows(void **state)
{
    fixture_t *f = *state;
    setenv("FUNDCHAIN_STORE_MAPSIZE", "65536", 1);
    f->store = s_open(f);
    size_t initial = store_mapsize(f->store);
    assert_true(initial <= 65536);
    //  Thousands of records, one transaction each and then in big batches.
    for (int i = 0; i < 2000; i++) {
        batch_t one = {i, 1, 100};
        assert_int_equal(store_write(f->store, s_put_batch, &one), 0);
    }
    batch_t many = {2000, 3000, 200};
    assert_int_equal(store_write(f->store, s_put_batch, &many), 0);
    assert_int_equal(s_count(f->store), 5000);
    assert_true(store_mapsize(f->store) >= 16 * initial);
    //  The grown map is kept by the next process to open the store.
    store_destroy(&f->store);
    f->store = s_open(f);
    assert_int_equal(s_count(f->store), 5000);
}

//  Puts one value of size bytes into a fresh tiny store; returns the
//  number of commits that answered MDB_MAP_FULL meanwhile.
static int s_big_value(fixture_t *f, size_t size, int *runs)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    f->store = s_open(f);
    size_t initial = store_mapsize(f->store);
    char *big = malloc(size);
    assert_non_null(big);
    for (size_t i = 0; i < size; i++)
        big[i] = (char)('a' + i % 26);
    int before = s_commit_map_full;
    put_t put = {"items", "big", big, size, 0};
    assert_int_equal(store_write(f->store, s_put_one, &put), 0);
    //  Every rerun followed a doubling of the map.
    assert_true(store_mapsize(f->store) >= initial << (put.runs - 1));
    get_t get = {"items", "big", "", -1};
    assert_int_equal(store_read(f->store, s_get_one, &get), 0);
    assert_int_equal(get.rc, 0);
    assert_memory_equal(get.val, big, 26);
    free(big);
    store_destroy(&f->store);
    *runs = put.runs;
    return s_commit_map_full - before;
}

static void test_big_value_and_commit_map_full(void **state)
{
    fixture_t *f = *state;
    setenv("FUNDCHAIN_STORE_MAPSIZE", "65536", 1);
    int runs;
    //  A value far bigger than the map: the put itself runs out of room.
    assert_int_equal(s_big_value(f, 1 << 20, &runs), 0);
    assert_true(runs >= 2);
    //  Values that just fit make the commit (writing the free list and
    //  meta pages) the step that runs out of room: find such a size.
    int from_commit = 0;
    for (size_t size = 30000; size < 64000 && !from_commit; size += 997) {
        from_commit = s_big_value(f, size, &runs);
        if (from_commit)
            assert_int_equal(runs, 2); //  Aborted, grown, rerun once.
    }
    assert_true(from_commit > 0);
}

//  The child of test_two_processes: writes records in a tiny map, growing
//  it, while the parent reads. Exits 0 on success.
static void s_child_writer(const char *dir, int ready_fd)
{
    const char *err;
    store_t *store = store_open(dir, s_dbs, &err);
    if (!store)
        _exit(10);
    if (write(ready_fd, "r", 1) != 1)
        _exit(11);
    for (int i = 0; i < 3000; i += 10) {
        batch_t batch = {i, 10, 150};
        if (store_write(store, s_put_batch, &batch) != 0)
            _exit(12);
    }
    for (int i = 0; i < 300; i++) {
        next_t next = {"shared", {0}, 1};
        if (store_write(store, s_next_fn, &next) != 0)
            _exit(13);
    }
    store_destroy(&store);
    _exit(0);
}

static void test_two_processes(void **state)
{
    fixture_t *f = *state;
    setenv("FUNDCHAIN_STORE_MAPSIZE", "65536", 1);
    f->store = s_open(f);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        //  The parent's environment must not be used (nor closed) here.
        close(fds[0]);
        s_child_writer(f->dir, fds[1]);
    }
    close(fds[1]);
    char ready;
    assert_int_equal(read(fds[0], &ready, 1), 1);
    close(fds[0]);
    //  Reads while the child writes: counts only grow, records are whole.
    int last = 0;
    int status = 0;
    int draws = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        int count = s_count(f->store);
        assert_true(count >= last);
        last = count;
        //  The parent writes too: counters are shared and never repeat.
        next_t next = {"shared", {0}, 1};
        assert_int_equal(store_write(f->store, s_next_fn, &next), 0);
        draws++;
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_equal(s_count(f->store), 3000);
    //  The child grew the map; this process adopted the new size.
    assert_true(store_mapsize(f->store) > 65536);
    next_t next = {"shared", {0}, 1};
    assert_int_equal(store_write(f->store, s_next_fn, &next), 0);
    assert_int_equal(next.got[0], (uint64_t)(300 + draws + 1));
}

//  A read that never ends: the child dies inside it, keeping its slot.
static int s_die_reading(store_txn_t *txn, void *arg)
{
    (void)txn;
    int *fds = arg;
    char go;
    if (write(fds[1], "r", 1) != 1 || read(fds[0], &go, 1) < 0)
        _exit(2);
    _exit(0);
}

//  Children that died inside reads fill the whole reader table (126
//  slots): a store opened before they died clears their slots and reads.
static void test_dead_readers(void **state)
{
    fixture_t *f = *state;
    f->store = s_open(f);
    int ready[2], hold[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(hold), 0);
    enum { CHILDREN = 126 };
    pid_t pids[CHILDREN];
    fflush(NULL);
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(ready[0]);
            close(hold[1]);
            const char *err;
            store_t *store = store_open(f->dir, s_dbs, &err);
            int fds[2] = {hold[0], ready[1]};
            if (!store || store_read(store, s_die_reading, fds) != 0)
                _exit(1);
        }
        char r;
        assert_int_equal(read(ready[0], &r, 1), 1);
    }
    close(hold[1]); //  Every child holds a slot: now they all die.
    for (int i = 0; i < CHILDREN; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    close(ready[0]);
    close(ready[1]);
    close(hold[0]);
    assert_int_equal(s_count(f->store), 0);
    assert_string_equal(store_error(f->store), "");
}

//  Says, from a child process, whether some process holds LMDB's lock on
//  lock.mdb (the byte at offset 0, held shared while a process uses the
//  environment): fcntl locks are never seen by their own process.
static bool s_lock_held_elsewhere(const char *dir)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char path[160];
        snprintf(path, sizeof path, "%s/lock.mdb", dir);
        int fd = open(path, O_RDWR);
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
        _exit(fd >= 0 && fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

//  A second store on the same directory in one process (the city's
//  evaluator) keeps LMDB's locks on lock.mdb: closing a descriptor of it
//  would drop them, and another process would take the lock file for
//  unused and reset it under the first.
static void test_second_open_keeps_locks(void **state)
{
    fixture_t *f = *state;
    const char *err = NULL;
    f->store = store_open(f->dir, s_dbs, &err);
    assert_non_null(f->store);
    assert_true(s_lock_held_elsewhere(f->dir));
    store_t *second = store_open(f->dir, s_dbs, &err);
    assert_non_null(second);
    assert_true(s_lock_held_elsewhere(f->dir));
    store_destroy(&second);
    assert_true(s_lock_held_elsewhere(f->dir));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_del, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_nesting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persistence_and_modes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tiny_map_grows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_big_value_and_commit_map_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_processes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_stores_one_process, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dead_readers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_allocated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_legacy_adopted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_open_keeps_locks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
