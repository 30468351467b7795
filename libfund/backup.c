/*  backup - the backup command of every binary that has a store (see backup.h). */
#include "backup.h"
#include "cli.h"
#include "store.h"
#include <stdio.h>
#include <sys/stat.h>

//  Prints the size of the copy and how to use it.
static void s_report(const char *data, const char *out)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/data.mdb", out);
    struct stat st;
    long long size = stat(path, &st) == 0 ? (long long)st.st_size : -1;
    printf("copied %s to %s (%lld bytes, compacted)\n", data, out, size);
    printf("open it with --data %s; to restore, stop the daemon and put %s in place of %s\n", out,
           path, data);
}

//  Runs the backup command.
int backup_command(const char *kind, int argc, char **argv)
{
    static const opt_spec_t specs[] = {
        {"data", true, false, "the data directory of the store to copy (the daemon may run)"},
        {"out", true, false, "a new or empty directory for the copy (made 0700)"},
        {NULL, false, false, NULL}};
    int code;
    opts_t *opts = cli_parse("backup", specs, "--data DIR --out DIR2", argc, argv, &code);
    if (!opts)
        return code;
    const char *need[] = {"data", "out"};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s backup", cli_program());
    code = EXIT_USAGE;
    if (opts_require(opts, prefix, need, 2) == 0) {
        const char *data = opts_get(opts, "data"), *out = opts_get(opts, "out");
        static const char *const no_dbs[] = {NULL};
        store_opts_t expect = {.kind = kind, .no_create = true};
        const char *err = NULL;
        store_t *store = store_open_opts(data, no_dbs, &expect, &err);
        code = EXIT_RUNTIME;
        if (!store)
            fprintf(stderr, "%s: %s\n", prefix, err);
        else if (store_copy(store, out) != 0)
            fprintf(stderr, "%s: %s\n", prefix, store_error(store));
        else {
            s_report(data, out);
            code = EXIT_OK;
        }
        store_destroy(&store);
    }
    opts_destroy(&opts);
    return code;
}
