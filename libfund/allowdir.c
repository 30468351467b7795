/*  allowdir - the allow directory of a CURVE server, checked and staged. */
#include "allowdir.h"
#include "keys.h"
#include "log.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _allowdir_t {
    char *staged;    //  Private directory zauth loads.
    zhashx_t *codes; //  Z85 public key -> code.
    size_t size;     //  Keys allowed.
};

//  Returns true when name ends with ".pub" and is not hidden.
static bool s_is_pub(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && !strcmp(name + len - 4, ".pub");
}

//  Adds a sentence to an entry's problems ("; " between them).
static void s_problem(allowdir_entry_t *entry, bool refuse, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *text = zsys_vprintf(fmt, args);
    va_end(args);
    char *joined = text && entry->problem ? zsys_sprintf("%s; %s", entry->problem, text) : NULL;
    if (joined) {
        zstr_free(&text);
        text = joined;
    }
    if (text) {
        zstr_free(&entry->problem);
        entry->problem = text;
    }
    entry->refused |= refuse;
}

//  Says when a file or the directory may be written by group or others:
//  whoever can write there can make the server accept a key of theirs.
static void s_check_mode(allowdir_entry_t *entry, const struct stat *st, const char *what)
{
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        s_problem(entry, false,
                  "%s is writable by %s (mode %04o): whoever can write it can add a key; "
                  "chmod go-w it",
                  what, (st->st_mode & S_IWOTH) ? "others" : "its group",
                  (unsigned)(st->st_mode & 07777));
}

//  Reads one directory entry: its code, key and fingerprint, or its problem.
static void s_read_entry(allowdir_entry_t *entry, const char *dir, const char *name)
{
    entry->file = zsys_sprintf("%s/%s", dir, name);
    if (!entry->file)
        return;
    if (!s_is_pub(name)) {
        s_problem(entry, true, "not a .pub file: ignored");
        return;
    }
    struct stat st;
    if (stat(entry->file, &st) == 0)
        s_check_mode(entry, &st, "the file");
    bool secret = false;
    zcert_t *cert = keys_load_peer(entry->file, &secret);
    const char *code = keys_code(cert);
    entry->secret = secret;
    if (secret)
        s_problem(entry, true,
                  "it holds a SECRET key, which was put where public keys go: move it out of %s "
                  "and put the peer's .pub file here instead",
                  dir);
    else if (!cert)
        s_problem(entry, true, "not a public-key file: ignored");
    else if (!code)
        s_problem(entry, true, "no 6-digit code in its metadata: ignored");
    if (cert) {
        snprintf(entry->key, sizeof entry->key, "%s", zcert_public_txt(cert));
        keys_fingerprint(entry->key, entry->fingerprint);
    }
    if (code)
        snprintf(entry->code, sizeof entry->code, "%s", code);
    zcert_destroy(&cert);
}

//  Compares every valid entry with the others: a key under two codes is
//  refused under both; a key in two files, or a code with two keys, is
//  said (both are accepted: a county may be between two keys).
static void s_cross_check(allowdir_entry_t *entries, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            allowdir_entry_t *a = &entries[i], *b = &entries[j];
            if (i == j || !a->key[0] || !b->key[0] || a->secret || b->secret || !a->code[0] ||
                !b->code[0])
                continue;
            bool same_key = !strcmp(a->key, b->key), same_code = !strcmp(a->code, b->code);
            if (same_key && !same_code)
                s_problem(a, true, "its key is also in %s under code %s: refused under both",
                          b->file, b->code);
            else if (same_key)
                s_problem(a, false, "the same key as %s: remove one", b->file);
            else if (same_code)
                s_problem(a, false, "code %s also has the key in %s: both keys are accepted",
                          a->code, b->file);
        }
}

//  Reads and checks every entry of dir, in name order. Returns 0 or -1.
int allowdir_entries(const char *dir, allowdir_entry_t **entries_p, size_t *n_p)
{
    *entries_p = NULL;
    *n_p = 0;
    struct dirent **names;
    int n = dir ? scandir(dir, &names, NULL, alphasort) : -1;
    if (n < 0) {
        log_error("allow: cannot read directory %s: %s", dir ? dir : "(none)",
                  dir ? strerror(errno) : "not given");
        return -1;
    }
    allowdir_entry_t *entries = calloc((size_t)n + 1, sizeof *entries);
    size_t count = 0;
    struct stat st;
    if (entries && stat(dir, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH))) {
        entries[count].file = strdup(dir);
        entries[count].is_dir = true;
        s_check_mode(&entries[count++], &st, "the directory");
    }
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (entries && name[0] != '.') //  hidden files (editors' backups) are passed over
            s_read_entry(&entries[count++], dir, name);
        free(names[i]);
    }
    free(names);
    if (!entries) {
        log_error("allow: out of memory reading %s", dir);
        return -1;
    }
    s_cross_check(entries, count);
    *entries_p = entries;
    *n_p = count;
    return 0;
}

//  Frees what allowdir_entries returned and nulls the pointer.
void allowdir_entries_free(allowdir_entry_t **entries_p, size_t n)
{
    if (!entries_p || !*entries_p)
        return;
    for (size_t i = 0; i < n; i++) {
        free((*entries_p)[i].file);
        zstr_free(&(*entries_p)[i].problem);
    }
    free(*entries_p);
    *entries_p = NULL;
}

//  Logs an entry's problem (a secret key as an error) and adds its key to
//  the table unless the problem refuses it.
static void s_load_entry(allowdir_t *self, const allowdir_entry_t *entry)
{
    if (entry->problem) {
        if (entry->secret)
            log_error("allow: %s REFUSED: %s", entry->file, entry->problem);
        else
            log_warn("allow: %s: %s", entry->file, entry->problem);
    }
    if (entry->refused || entry->is_dir || !entry->key[0])
        return;
    if (!zhashx_lookup(self->codes, entry->key)) {
        zhashx_insert(self->codes, entry->key, (void *)entry->code);
        self->size++;
    }
}

//  Reads every entry of dir into the table. Returns 0 or -1.
static int s_load_dir(allowdir_t *self, const char *dir)
{
    allowdir_entry_t *entries;
    size_t n;
    if (allowdir_entries(dir, &entries, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        s_load_entry(self, &entries[i]);
    allowdir_entries_free(&entries, n);
    return 0;
}

//  Writes one allowed key with its code into the staged directory.
static int s_stage_one(allowdir_t *self, const char *key, const char *code)
{
    byte public_key[32];
    byte secret_key[32] = {0};
    if (!zmq_z85_decode(public_key, key))
        return -1;
    zcert_t *cert = zcert_new_from(public_key, secret_key);
    if (!cert)
        return -1;
    zcert_set_meta(cert, "code", "%s", code);
    //  Z85 may hold '/', so the file is named after the key in hex.
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", public_key[i]);
    char *path = zsys_sprintf("%s/%s.pub", self->staged, hex);
    int rc = path ? zcert_save_public(cert, path) : -1;
    zstr_free(&path);
    zcert_destroy(&cert);
    return rc;
}

//  Creates the private staged directory and fills it. Returns 0 or -1.
static int s_stage(allowdir_t *self)
{
    const char *tmp = getenv("TMPDIR");
    self->staged = zsys_sprintf("%s/fundchain-allow-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!self->staged || !mkdtemp(self->staged)) {
        log_error("allow: cannot create a private directory: %s", strerror(errno));
        zstr_free(&self->staged);
        return -1;
    }
    for (const char *code = (const char *)zhashx_first(self->codes); code;
         code = (const char *)zhashx_next(self->codes)) {
        const char *key = (const char *)zhashx_cursor(self->codes);
        if (s_stage_one(self, key, code) != 0) {
            log_error("allow: cannot write %s: %s", self->staged, strerror(errno));
            return -1;
        }
    }
    return 0;
}

//  Loads and stages the allow directory dir; NULL with a message.
allowdir_t *allowdir_new(const char *dir)
{
    allowdir_t *self = (allowdir_t *)zmalloc(sizeof(allowdir_t));
    if (!self)
        return NULL;
    self->codes = zhashx_new();
    if (!self->codes || !dir) {
        log_error("allow: no allow directory");
        allowdir_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->codes, (zhashx_destructor_fn *)zstr_free);
    zhashx_set_duplicator(self->codes, (zhashx_duplicator_fn *)strdup);
    if (s_load_dir(self, dir) != 0 || s_stage(self) != 0) {
        allowdir_destroy(&self);
        return NULL;
    }
    if (self->size == 0)
        log_warn("allow: %s holds no valid public key: every peer will be refused", dir);
    return self;
}

//  Removes the staged directory and its files.
static void s_unstage(const char *staged)
{
    struct dirent **entries;
    int n = scandir(staged, &entries, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        if (strcmp(entries[i]->d_name, ".") && strcmp(entries[i]->d_name, "..")) {
            char *path = zsys_sprintf("%s/%s", staged, entries[i]->d_name);
            if (path)
                unlink(path);
            zstr_free(&path);
        }
        free(entries[i]);
    }
    if (n >= 0)
        free(entries);
    rmdir(staged);
}

//  Removes the staged directory once zauth has loaded it.
void allowdir_unstage(allowdir_t *self)
{
    if (!self || !self->staged)
        return;
    s_unstage(self->staged);
    zstr_free(&self->staged);
}

//  Removes the staged copy, frees the table and nulls the pointer.
void allowdir_destroy(allowdir_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    allowdir_t *self = *self_p;
    allowdir_unstage(self);
    zhashx_destroy(&self->codes);
    free(self);
    *self_p = NULL;
}

//  Returns the staged directory.
const char *allowdir_staged(allowdir_t *self)
{
    return self ? self->staged : NULL;
}

//  Returns the code bound to a Z85 public key, or NULL.
const char *allowdir_code(allowdir_t *self, const char *public_txt)
{
    if (!self || !public_txt)
        return NULL;
    return (const char *)zhashx_lookup(self->codes, public_txt);
}

//  Returns the number of keys allowed.
size_t allowdir_size(allowdir_t *self)
{
    return self ? self->size : 0;
}

//  Logs each key that one table has and the other has not (or not so);
//  returns how many. It walks a list of the keys: a lookup in a table while
//  zhashx iterates it would move the iteration.
static size_t s_log_missing(allowdir_t *have, allowdir_t *other, const char *verb)
{
    size_t n = 0;
    zlistx_t *keys = zhashx_keys(have->codes);
    for (const char *key = keys ? zlistx_first(keys) : NULL; key; key = zlistx_next(keys)) {
        const char *code = (const char *)zhashx_lookup(have->codes, key);
        const char *then = (const char *)zhashx_lookup(other->codes, key);
        if (then && code && !strcmp(then, code))
            continue;
        char fingerprint[KEYS_FINGERPRINT_MAX];
        keys_fingerprint(key, fingerprint);
        log_info("allow: key %s of %s %s", fingerprint, code ? code : "?", verb);
        n++;
    }
    zlistx_destroy(&keys);
    return n;
}

//  Logs how fresh differs from old, key by key.
void allowdir_log_changes(allowdir_t *old, allowdir_t *fresh)
{
    if (!old || !fresh)
        return;
    size_t removed = s_log_missing(old, fresh, "removed: refused from its next message on");
    size_t added = s_log_missing(fresh, old, "added: accepted from now on");
    if (!removed && !added)
        log_info("allow: reloaded, %zu keys, nothing changed", fresh->size);
    else
        log_info("allow: reloaded, %zu keys: %zu added, %zu removed", fresh->size, added, removed);
}
