/*  fsdir - creating the private directories of stores and keys. */
#include "fsdir.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

//  Creates one directory; an existing directory is success.
static int s_mkdir_one(const char *path, mode_t mode)
{
    if (mkdir(path, mode) == 0)
        return 0;
    int saved = errno;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return 0;
        errno = ENOTDIR;
        return -1;
    }
    errno = saved;
    return -1;
}

//  Creates path and its missing parents with mode; 0 or -1 with errno.
int fsdir_create(const char *path, mode_t mode)
{
    if (!path || !*path) {
        errno = EINVAL;
        return -1;
    }
    char *copy = strdup(path);
    if (!copy)
        return -1;
    int rc = 0;
    //  Creates each parent in turn, skipping the leading and repeated slashes.
    for (char *slash = strchr(copy + 1, '/'); slash && rc == 0; slash = strchr(slash + 1, '/')) {
        if (slash[-1] == '/')
            continue;
        *slash = 0;
        rc = s_mkdir_one(copy, mode);
        *slash = '/';
    }
    if (rc == 0)
        rc = s_mkdir_one(copy, mode);
    int saved = errno;
    free(copy);
    errno = saved;
    return rc;
}
