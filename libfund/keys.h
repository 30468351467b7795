/*  keys - CURVE key pairs bound to an administrative code.

    keygen writes DIR/NAME.pub (public key, metadata code=NAME, readable)
    and DIR/NAME.key (secret key, mode 0600, in a directory it creates 0700).
    A public-key file states the code it is bound to: receivers take a
    peer's code from that metadata, never from what the peer sends.
*/
#ifndef KEYS_H_INCLUDED
#define KEYS_H_INCLUDED

#include <czmq.h>

/* Generates a key pair for name (a 6-digit code) into dir. Returns 0, or -1
   with a message on stderr (bad name, cannot write, existing files kept). */
int keys_generate(const char *dir, const char *name);

/* Loads a secret key file; refuses (NULL, message on stderr) a public-key
   file ("this is a public key"), a file that group or others may read, one
   that is not text, or one whose secret key does not match its public key. */
zcert_t *keys_load_secret(const char *path);

/* Loads a public key file; NULL with a message on stderr when it cannot be
   read, is not text, has no valid public key, or holds a secret key too (a
   secret key put where public keys go: refused, never used as public). */
zcert_t *keys_load_public(const char *path);

/* Loads a public key file as keys_load_public does, and sets *secret (when
   not NULL) to true when it was refused because it holds a secret key. */
zcert_t *keys_load_peer(const char *path, bool *secret);

#define KEYS_FINGERPRINT_MAX 52 /* "SHA256:" + 43 characters of base64 + NUL */

/* Writes the fingerprint of a Z85 public key into buf (KEYS_FINGERPRINT_MAX
   bytes): "SHA256:" and the unpadded base64 of the key's SHA-256, as
   ssh-keygen -l shows keys. Returns 0, or -1 (buf "") when the key is not
   valid Z85 of 32 bytes. */
int keys_fingerprint(const char *public_txt, char *buf);

/* Returns the code a certificate is bound to (metadata "code"), or NULL. */
const char *keys_code(zcert_t *cert);

#endif
