/*  allowdir - the allow directory of a CURVE server, checked and staged. */
#include "allowdir.h"
#include "keys.h"
#include "log.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALLOWDIR_CONFLICT "-" //  Marks a key listed under two codes.

struct _allowdir_t {
    char *staged;    //  Private directory zauth loads.
    zhashx_t *codes; //  Z85 public key -> code (or ALLOWDIR_CONFLICT).
    size_t size;     //  Keys allowed (conflicts excluded).
};

//  Returns true when name ends with ".pub" and is not hidden.
static bool s_is_pub(const char *name)
{
    size_t len = strlen(name);
    return name[0] != '.' && len > 4 && !strcmp(name + len - 4, ".pub");
}

//  Adds one checked key to the table; a key seen under another code
//  becomes a conflict and is allowed under neither.
static void s_add(allowdir_t *self, const char *key, const char *code, const char *path)
{
    const char *known = (const char *)zhashx_lookup(self->codes, key);
    if (!known) {
        zhashx_insert(self->codes, key, (void *)code);
        self->size++;
    } else if (strcmp(known, code) != 0 && strcmp(known, ALLOWDIR_CONFLICT) != 0) {
        log_warn("allow: %s: key already listed under code %s: refused under both", path, known);
        zhashx_update(self->codes, key, (void *)ALLOWDIR_CONFLICT);
        self->size--;
    }
}

//  Checks one directory entry and adds its key when valid.
static void s_load_file(allowdir_t *self, const char *dir, const char *name)
{
    char *path = zsys_sprintf("%s/%s", dir, name);
    if (!path)
        return;
    if (!s_is_pub(name)) {
        if (name[0] != '.')
            log_warn("allow: %s ignored: not a .pub file", path);
        zstr_free(&path);
        return;
    }
    bool secret = false;
    zcert_t *cert = keys_load_peer(path, &secret);
    const char *code = keys_code(cert);
    if (secret)
        log_error("allow: %s REFUSED: it holds a SECRET key, which was put where public keys "
                  "go; move it out of %s and put the peer's .pub file here instead",
                  path, dir);
    else if (!cert)
        log_warn("allow: %s ignored: not a public-key file", path);
    else if (!code)
        log_warn("allow: %s ignored: no 6-digit code in its metadata", path);
    else
        s_add(self, zcert_public_txt(cert), code, path);
    zcert_destroy(&cert);
    zstr_free(&path);
}

//  Reads every entry of dir in name order. Returns 0 or -1.
static int s_load_dir(allowdir_t *self, const char *dir)
{
    struct dirent **entries;
    int n = scandir(dir, &entries, NULL, alphasort);
    if (n < 0) {
        log_error("allow: cannot read directory %s: %s", dir, strerror(errno));
        return -1;
    }
    for (int i = 0; i < n; i++) {
        s_load_file(self, dir, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
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
        if (strcmp(code, ALLOWDIR_CONFLICT) != 0 && s_stage_one(self, key, code) != 0) {
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
    const char *code = (const char *)zhashx_lookup(self->codes, public_txt);
    return code && strcmp(code, ALLOWDIR_CONFLICT) != 0 ? code : NULL;
}

//  Returns the number of keys allowed.
size_t allowdir_size(allowdir_t *self)
{
    return self ? self->size : 0;
}
