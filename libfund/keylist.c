/*  keylist - the keys command of the receivers (see keylist.h). */
#include "keylist.h"
#include "allowdir.h"
#include "cli.h"
#include "table.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

//  The file name shown: the path without the directory given.
static const char *s_name(const allowdir_entry_t *entry)
{
    const char *slash = strrchr(entry->file, '/');
    return entry->is_dir || !slash ? entry->file : slash + 1;
}

static const char *s_verdict(const allowdir_entry_t *entry)
{
    return entry->is_dir ? "-" : entry->refused ? "refused" : "accepted";
}

//  Prints the entries as JSON: {"allow", "accepted", "files": [...]}.
static int s_print_json(const char *dir, const allowdir_entry_t *entries, size_t n)
{
    json_t *files = json_array();
    size_t accepted = 0;
    for (size_t i = 0; i < n; i++) {
        const allowdir_entry_t *e = &entries[i];
        accepted += !e->refused && !e->is_dir;
        json_array_append_new(files, json_pack("{s:s, s:s, s:s, s:s, s:o}", "file", s_name(e),
                                               "code", e->code, "fingerprint", e->fingerprint,
                                               "state", s_verdict(e), "problem",
                                               e->problem ? json_string(e->problem) : json_null()));
    }
    json_t *doc = json_pack("{s:s, s:I, s:o}", "allow", dir, "accepted", (json_int_t)accepted,
                            "files", files);
    int rc = doc && json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
    printf("\n");
    json_decref(doc);
    return rc;
}

//  Prints the entries as a table or CSV.
static int s_print_table(const allowdir_entry_t *entries, size_t n, format_t format)
{
    static const char *const headers[] = {"file", "code", "fingerprint", "state", "problem"};
    table_t *table = table_new(headers, 5);
    int rc = table ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const allowdir_entry_t *e = &entries[i];
        const char *cells[] = {s_name(e), e->code, e->fingerprint, s_verdict(e),
                               e->problem ? e->problem : ""};
        rc = table_add(table, cells);
    }
    if (rc == 0)
        rc = table_print(table, format, stdout);
    table_destroy(&table);
    return rc;
}

//  Runs the keys command.
int keylist_command(int argc, char **argv)
{
    static const opt_spec_t specs[] = {
        {"allow", true, false, "the allow directory to list (the daemon's --allow)"},
        {"format", true, false, "table (default), csv or json"},
        {NULL, false, false, NULL}};
    int code;
    opts_t *opts = cli_parse("keys", specs, "--allow DIR [--format F]", argc, argv, &code);
    if (!opts)
        return code;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s keys", cli_program());
    const char *need[] = {"allow"};
    format_t format = FORMAT_TABLE;
    const char *text = opts_get(opts, "format");
    code = EXIT_USAGE;
    if (text && table_format_parse(text, &format) != 0)
        fprintf(stderr, "%s: --format must be table, csv or json\n", prefix);
    else if (opts_require(opts, prefix, need, 1) == 0) {
        const char *dir = opts_get(opts, "allow");
        allowdir_entry_t *entries = NULL;
        size_t n = 0;
        code = EXIT_RUNTIME;
        if (allowdir_entries(dir, &entries, &n) == 0) {
            bool problems = false;
            for (size_t i = 0; i < n; i++)
                problems |= entries[i].problem != NULL;
            int rc = format == FORMAT_JSON ? s_print_json(dir, entries, n)
                                           : s_print_table(entries, n, format);
            code = rc == 0 && !problems ? EXIT_OK : EXIT_RUNTIME;
        }
        allowdir_entries_free(&entries, n);
    }
    opts_destroy(&opts);
    return code;
}
