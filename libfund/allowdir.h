/*  allowdir - the allow directory of a CURVE server, checked and staged.

    An allow directory holds the public-key files (*.pub) of the peers a
    server accepts; each file's metadata binds its key to a 6-digit code.
    Every file is checked here: one that cannot be read, whose key is not a
    valid CURVE key, whose code is missing or not 6 digits, or whose key
    appears again under another code is ignored with a warning. The valid
    keys are written again, with nothing but their code, into a new private
    directory: that directory is what the zauth actor loads, so zauth never
    sees a file that was not checked, and a peer's code comes from a table
    this process built itself. The directory is removed as soon as zauth
    has loaded it.
*/
#ifndef ALLOWDIR_H_INCLUDED
#define ALLOWDIR_H_INCLUDED

#include <stddef.h>

typedef struct _allowdir_t allowdir_t;

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

/* Returns the number of keys allowed. */
size_t allowdir_size(allowdir_t *self);

#endif
