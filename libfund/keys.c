/*  keys - CURVE key pairs bound to an administrative code.

    Key files are CZMQ certificates (ZPL text: a "metadata" section with
    code = NAME and a "curve" section with public-key and, in the .key file,
    secret-key). They are read here from the exact file named, through one
    open descriptor (the permission check and the read see the same file),
    and every key is checked: a malformed or mismatched key is refused
    instead of silently becoming a key of zeros. A file that is not text is
    refused before it is parsed, a public-key file holding a secret key is
    refused (the secret is out of place), and the path and content shown in
    messages are escaped (log_escape).
*/
#include "keys.h"
#include "encoding.h"
#include "fsdir.h"
#include "log.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEYS_FILE_MAX (64 * 1024) //  Key files are a few hundred bytes.
#define KEYS_Z85_LEN 40
#define KEYS_META_MAX 32  //  Metadata entries kept from a file.
#define KEYS_LINE_MAX 256 //  Key files have lines of under 80 bytes.
#define KEYS_NO_SECRET "0000000000000000000000000000000000000000"

//  Returns true when name is exactly 6 ASCII digits.
static bool s_is_code(const char *name)
{
    if (!name || strlen(name) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (name[i] < '0' || name[i] > '9')
            return false;
    return true;
}

//  Creates path exclusively with mode (never over an existing file, even a
//  dangling link). Returns 0, or -1 with a message.
static int s_create_exclusive(const char *path, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) {
        fprintf(stderr, "keys: %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (existing keys are never overwritten)" : "");
        return -1;
    }
    int rc = fchmod(fd, mode);
    close(fd);
    if (rc != 0)
        fprintf(stderr, "keys: %s: %s\n", path, strerror(errno));
    return rc;
}

//  Writes the two files of a new key pair for name. Returns 0 or -1.
static int s_write_pair(const char *pub, const char *key, const char *name)
{
    zcert_t *cert = zcert_new();
    if (!cert) {
        fprintf(stderr, "keys: cannot generate a key pair\n");
        return -1;
    }
    zcert_set_meta(cert, "code", "%s", name);
    //  The files exist already with their modes: saving truncates and
    //  writes them without ever widening the secret file's permissions.
    int rc = zcert_save_public(cert, pub);
    if (rc == 0)
        rc = zcert_save_secret(cert, key);
    if (rc != 0)
        fprintf(stderr, "keys: cannot write %s and %s\n", pub, key);
    zcert_destroy(&cert);
    return rc;
}

//  Generates a key pair for a 6-digit name into dir. Returns 0 or -1.
int keys_generate(const char *dir, const char *name)
{
    if (!s_is_code(name)) {
        fprintf(stderr, "keys: the name must be a 6-digit code, not '%s'\n", name ? name : "");
        return -1;
    }
    if (!dir || !*dir || fsdir_create(dir, 0700) != 0) {
        fprintf(stderr, "keys: cannot create directory %s: %s\n", dir ? dir : "",
                dir && *dir ? strerror(errno) : "no name");
        return -1;
    }
    char *pub = zsys_sprintf("%s/%s.pub", dir, name);
    char *key = zsys_sprintf("%s/%s.key", dir, name);
    int rc = -1;
    if (pub && key && s_create_exclusive(key, 0600) == 0) {
        if (s_create_exclusive(pub, 0644) == 0) {
            rc = s_write_pair(pub, key, name);
            if (rc != 0)
                unlink(pub);
        }
        if (rc != 0)
            unlink(key);
    }
    zstr_free(&pub);
    zstr_free(&key);
    return rc;
}

//  Reads a whole key file from an open descriptor into a chunk, and its
//  permission bits into *mode. Returns the chunk, or NULL.
static zchunk_t *s_read_fd(int fd, const char *path, mode_t *mode)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "keys: %s: not a regular file\n", LOG_SAFE(path));
        return NULL;
    }
    *mode = st.st_mode & 07777;
    if (st.st_size <= 0 || st.st_size > KEYS_FILE_MAX) {
        fprintf(stderr, "keys: %s: not a key file (size %lld)\n", LOG_SAFE(path),
                (long long)st.st_size);
        return NULL;
    }
    byte *data = malloc((size_t)st.st_size);
    ssize_t got = data ? read(fd, data, (size_t)st.st_size) : -1;
    zchunk_t *chunk = got == (ssize_t)st.st_size ? zchunk_new(data, (size_t)got) : NULL;
    if (!chunk)
        fprintf(stderr, "keys: %s: cannot read: %s\n", LOG_SAFE(path),
                got < 0 ? strerror(errno) : "short");
    if (data)
        explicit_bzero(data, (size_t)st.st_size); //  It may hold a secret key.
    free(data);
    return chunk;
}

//  Returns true when the bytes are text a key file can hold: UTF-8 without
//  control characters (tab, CR and LF excepted), in lines of at most
//  KEYS_LINE_MAX bytes. Anything else is refused before the ZPL parser sees
//  it, since that parser logs a bad line as it is. Says why on stderr.
static bool s_is_text(const byte *data, size_t len, const char *path)
{
    size_t bad = len, line_start = 0, bad_utf8 = 0;
    for (size_t i = 0; i < len && bad == len; i++) {
        byte c = data[i];
        if (c == '\n')
            line_start = i + 1;
        else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7F)
            bad = i;
        else if (i - line_start >= KEYS_LINE_MAX) {
            fprintf(stderr, "keys: %s: not a key file (a line longer than %d bytes)\n",
                    LOG_SAFE(path), KEYS_LINE_MAX);
            return false;
        }
    }
    if (!encoding_utf8_valid((const char *)data, bad, &bad_utf8))
        bad = bad_utf8; //  An earlier byte that is not UTF-8.
    if (bad == len)
        return true;
    char shown[80];
    size_t show = len - bad < 16 ? len - bad : 16;
    fprintf(stderr, "keys: %s: not a key file (binary content at byte %zu: \"%s\")\n",
            LOG_SAFE(path), bad, log_escape(data + bad, show, shown, sizeof shown));
    return false;
}

//  Loads the ZPL text of a key file, and its permission bits into *mode.
//  Returns the tree, or NULL.
static zconfig_t *s_load_config(const char *path, mode_t *mode)
{
    if (!path) {
        fprintf(stderr, "keys: no key file given\n");
        return NULL;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK); //  A FIFO must not block.
    if (fd < 0) {
        fprintf(stderr, "keys: %s: %s\n", LOG_SAFE(path), strerror(errno));
        return NULL;
    }
    zchunk_t *chunk = s_read_fd(fd, path, mode);
    close(fd);
    if (!chunk)
        return NULL;
    zconfig_t *root = NULL;
    if (s_is_text(zchunk_data(chunk), zchunk_size(chunk), path)) {
        root = zconfig_chunk_load(chunk);
        if (!root)
            fprintf(stderr, "keys: %s: not a key file (bad syntax)\n", LOG_SAFE(path));
    }
    zchunk_destroy(&chunk);
    return root;
}

//  Decodes the Z85 key at a path of the tree into 32 bytes. Returns 0 or -1.
static int s_decode(zconfig_t *root, const char *item, byte *key)
{
    const char *text = zconfig_get(root, item, NULL);
    if (!text || strlen(text) != KEYS_Z85_LEN)
        return -1;
    return zmq_z85_decode(key, text) ? 0 : -1;
}

//  Copies the metadata section of the tree into the certificate.
static void s_copy_meta(zconfig_t *root, zcert_t *cert)
{
    zconfig_t *meta = zconfig_locate(root, "metadata");
    zconfig_t *item = meta ? zconfig_child(meta) : NULL;
    for (int n = 0; item && n < KEYS_META_MAX; item = zconfig_next(item), n++) {
        const char *name = zconfig_name(item);
        const char *value = zconfig_value(item);
        if (name && value)
            zcert_set_meta(cert, name, "%s", value);
    }
}

//  Returns true when secret is the secret key of public.
static bool s_pair_matches(const byte *public_key, const char *secret_txt)
{
    char derived[KEYS_Z85_LEN + 1];
    byte derived_bin[32];
    return zmq_curve_public(derived, secret_txt) == 0 && zmq_z85_decode(derived_bin, derived) &&
           memcmp(derived_bin, public_key, 32) == 0;
}

//  Returns true when the tree holds a secret key (any secret-key entry but
//  the 40 zeros of "no secret").
static bool s_has_secret(zconfig_t *root)
{
    const char *text = zconfig_get(root, "curve/secret-key", NULL);
    return text && *text && strcmp(text, KEYS_NO_SECRET) != 0;
}

//  Says why a public-key file that holds a secret key is refused.
static void s_refuse_secret(const char *path, mode_t mode)
{
    fprintf(stderr,
            "keys: %s: this file holds a SECRET key, not only a public key: a secret key was "
            "put where public keys go. Refused: remove it from here, keep it only where its "
            "owner's --key reads it, and give the .pub file instead%s\n",
            LOG_SAFE(path),
            mode & 077 ? " (group or others could read it: make a new key pair)" : "");
}

//  Checks a key file's tree: with secret, the secret key must be there,
//  match the public key, and be readable by its owner only; without, there
//  must be no secret key (*secret_found set). Returns 0, or -1 with a message.
static int s_check(zconfig_t *root, const char *path, bool secret, mode_t mode, byte *public_key,
                   byte *secret_key, bool *secret_found)
{
    if (s_decode(root, "curve/public-key", public_key) != 0)
        fprintf(stderr, "keys: %s: no valid public key\n", LOG_SAFE(path));
    else if (!secret && s_has_secret(root)) {
        *secret_found = true;
        s_refuse_secret(path, mode);
    } else if (secret && !zconfig_get(root, "curve/secret-key", NULL))
        fprintf(stderr, "keys: %s: this is a public key (give the .key file)\n", LOG_SAFE(path));
    else if (secret && s_decode(root, "curve/secret-key", secret_key) != 0)
        fprintf(stderr, "keys: %s: no valid secret key\n", LOG_SAFE(path));
    else if (secret && (mode & 077))
        fprintf(stderr,
                "keys: %s: mode %04o lets group or others read the secret key "
                "(run chmod 600 %s)\n",
                LOG_SAFE(path), (unsigned)mode, LOG_SAFE(path));
    else if (secret && !s_pair_matches(public_key, zconfig_get(root, "curve/secret-key", "")))
        fprintf(stderr, "keys: %s: the secret key does not match the public key\n", LOG_SAFE(path));
    else
        return 0;
    return -1;
}

//  Builds a certificate from a key file; with secret, the secret key must
//  be there and match the public key; without, there must be none
//  (*secret_found set). Returns the certificate, or NULL.
static zcert_t *s_load(const char *path, bool secret, bool *secret_found)
{
    mode_t mode = 0;
    zconfig_t *root = s_load_config(path, &mode);
    if (!root)
        return NULL;
    byte public_key[32];
    byte secret_key[32] = {0};
    zcert_t *cert = NULL;
    if (s_check(root, path, secret, mode, public_key, secret_key, secret_found) == 0) {
        cert = zcert_new_from(public_key, secret_key);
        if (cert)
            s_copy_meta(root, cert);
        else
            fprintf(stderr, "keys: %s: cannot build the certificate\n", LOG_SAFE(path));
    }
    explicit_bzero(secret_key, sizeof secret_key);
    zconfig_destroy(&root);
    return cert;
}

//  Loads a secret key file; refuses one others may read or without a secret key.
zcert_t *keys_load_secret(const char *path)
{
    bool unused = false;
    return s_load(path, true, &unused);
}

//  Loads a public key file; refuses one that holds a secret key too.
zcert_t *keys_load_public(const char *path)
{
    return keys_load_peer(path, NULL);
}

//  Loads a public key file as keys_load_public does; *secret tells whether
//  it was refused for holding a secret key.
zcert_t *keys_load_peer(const char *path, bool *secret)
{
    bool found = false;
    zcert_t *cert = s_load(path, false, &found);
    if (secret)
        *secret = found;
    return cert;
}

//  Writes the SHA256 fingerprint of a Z85 public key. Returns 0 or -1.
int keys_fingerprint(const char *public_txt, char *buf)
{
    buf[0] = '\0';
    byte key[32];
    if (!public_txt || strlen(public_txt) != 40 || !zmq_z85_decode(key, public_txt) ||
        sodium_init() < 0)
        return -1;
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, key, sizeof key);
    memcpy(buf, "SHA256:", 7);
    sodium_bin2base64(buf + 7, KEYS_FINGERPRINT_MAX - 7, hash, sizeof hash,
                      sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    return 0;
}

//  Returns the 6-digit code a certificate is bound to, or NULL.
const char *keys_code(zcert_t *cert)
{
    const char *code = cert ? zcert_meta(cert, "code") : NULL;
    return s_is_code(code) ? code : NULL;
}
