/*  allowdir - the allow directory of a CURVE server, checked and staged.

    An allow directory holds the public-key files (*.pub) of the peers a
    server accepts; each file's metadata binds its key to a 6-digit code.
    Every file is checked here (allowdir_entries): one that cannot be read,
    whose key is not a valid CURVE key, whose code is missing or not 6
    digits, or whose key appears again under another code is ignored with a
    warning; other problems (a writable file) are warned of. The valid
    keys are written again, with nothing but their code, into a new private
    directory: that directory is what the zauth actor loads, so zauth never
    sees a file that was not checked, and a peer's code comes from a table
    this process built itself. The directory is removed as soon as zauth
    has loaded it.
*/
#ifndef ALLOWDIR_H_INCLUDED
#define ALLOWDIR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef struct _allowdir_t allowdir_t;

/* One file of an allow directory, as checked (or the directory itself,
   when its mode is a problem). */
typedef struct {
    char *file;            /* its path */
    char code[7];          /* the 6-digit code it binds, "" when none */
    char key[41];          /* the Z85 public key, "" when none was read */
    char fingerprint[52];  /* keys_fingerprint of key, "" when none */
    char *problem;         /* what is wrong with it, in sentences; NULL: nothing */
    bool refused;          /* its key is not allowed because of the problem */
    bool secret;           /* it holds a secret key */
    bool is_dir;           /* the entry is the directory itself */
} allowdir_entry_t;

/* Reads and checks every file of dir in name order (what allowdir_new
   loads, and `keys` lists): each file's code, key and fingerprint, and its
   problems: not a .pub file, a secret key, no key, no code, a key under two
   codes (refused under both), the same key in two files, a code with two
   keys (both accepted), a file or the directory writable by group or
   others. Returns 0, or -1 with a message when dir cannot be read. */
int allowdir_entries(const char *dir, allowdir_entry_t **entries_p, size_t *n_p);

/* Frees the entries of allowdir_entries and nulls the pointer; safe on NULL. */
void allowdir_entries_free(allowdir_entry_t **entries_p, size_t n);

/* Loads and stages the allow directory dir. Returns NULL with a message on
   stderr when dir cannot be read or the staged copy cannot be written. */
allowdir_t *allowdir_new(const char *dir);

/* Removes the staged copy, frees the table and nulls the pointer; safe on NULL. */
void allowdir_destroy(allowdir_t **self_p);

/* Returns the staged directory, for zauth's "CURVE" command (NULL once
   unstaged). */
const char *allowdir_staged(allowdir_t *self);

/* Removes the staged directory once zauth has loaded it (zauth keeps its
   certificates when the directory is gone), so that nothing is left behind
   however the process ends. */
void allowdir_unstage(allowdir_t *self);

/* Returns the code bound to a Z85 public key, or NULL when the key is not allowed. */
const char *allowdir_code(allowdir_t *self, const char *public_txt);

/* Logs, key by key (code and fingerprint), what fresh allows that old did
   not ("added") and what old allowed that fresh does not ("removed"), or
   that nothing changed. Never fails; does nothing when either is NULL. */
void allowdir_log_changes(allowdir_t *old, allowdir_t *fresh);

/* Returns the number of keys allowed. */
size_t allowdir_size(allowdir_t *self);

#endif
