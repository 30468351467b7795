/*  fsdir - creating the private directories of stores and keys.

    A directory is created with all its missing parents, each with the
    given mode (e.g. 0700), so that a key or data directory is never
    readable by others even for an instant. Existing directories are left
    as they are.
*/
#ifndef FSDIR_H_INCLUDED
#define FSDIR_H_INCLUDED

#include <sys/types.h>

/* Creates path and its missing parents with mode. Returns 0 when path is
   (now) a directory, or -1 with errno set (ENOTDIR when it is a file). */
int fsdir_create(const char *path, mode_t mode);

#endif
