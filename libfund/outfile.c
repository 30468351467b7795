/*  outfile - FILE.tmp, then rename: a command's output file appears whole
    or not at all.
*/
#include "outfile.h"
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct _outfile_t {
    char *path; //  NULL: standard output
    char *tmp;
    FILE *stream;
};

//  Opens the output.
outfile_t *outfile_new(const char *path)
{
    outfile_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (!path || !strcmp(path, "-")) {
        self->stream = stdout;
        return self;
    }
    size_t len = strlen(path);
    self->path = strdup(path);
    self->tmp = malloc(len + 5);
    if (self->path && self->tmp) {
        memcpy(self->tmp, path, len);
        memcpy(self->tmp + len, ".tmp", 5);
        self->stream = fopen(self->tmp, "w");
        if (!self->stream)
            fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
    }
    if (!self->stream) {
        free(self->path);
        free(self->tmp);
        free(self);
        return NULL;
    }
    return self;
}

FILE *outfile_stream(outfile_t *self)
{
    return self->stream;
}

const char *outfile_path(const outfile_t *self)
{
    return self->path ? self->path : "standard output";
}

static void s_free(outfile_t *self)
{
    free(self->path);
    free(self->tmp);
    free(self);
}

//  Writes the file in place.
int outfile_commit(outfile_t **self_p)
{
    outfile_t *self = *self_p;
    *self_p = NULL;
    if (!self->path) {
        int rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
        if (rc != 0)
            fprintf(stderr, "cannot write to standard output: %s\n", strerror(errno));
        s_free(self);
        return rc;
    }
    bool ok =
        fflush(self->stream) == 0 && !ferror(self->stream) && fsync(fileno(self->stream)) == 0;
    int err = errno;
    ok = fclose(self->stream) == 0 && ok;
    if (ok && rename(self->tmp, self->path) != 0)
        ok = false, err = errno;
    if (!ok) {
        fprintf(stderr, "cannot write %s: %s\n", self->path, strerror(err ? err : EIO));
        unlink(self->tmp);
    }
    s_free(self);
    return ok ? 0 : -1;
}

//  Syncs and renames a file written by name.
int outfile_rename(const char *tmp, const char *path)
{
    FILE *f = fopen(tmp, "r+");
    bool ok = f && fsync(fileno(f)) == 0;
    int err = errno;
    if (f)
        fclose(f);
    if (ok && rename(tmp, path) != 0)
        ok = false, err = errno;
    if (!ok) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(err ? err : EIO));
        unlink(tmp);
    }
    return ok ? 0 : -1;
}

//  Gives up the file.
void outfile_destroy(outfile_t **self_p)
{
    outfile_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->path) {
        fclose(self->stream);
        unlink(self->tmp);
    }
    s_free(self);
    *self_p = NULL;
}
