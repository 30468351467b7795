/*  status - shows every report revision in the outbox and its state. */
#include "agent.h"
#include "cli.h"
#include "evalview.h"
#include "agentdb.h"
#include "linkwatch.h"
#include "outbox.h"
#include "outfile.h"
#include "table.h"
#include "xlsx.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const opt_spec_t s_specs[] = {
    {"data", true, false, "the agent's data directory"},
    {"format", true, false, "table (default), csv, json or xlsx (a workbook: needs --out)"},
    {"out", true, false, "the file to write (whole or not at all) instead of standard output"},
    {NULL, false, false, NULL}};

//  A JSON string of stored text; text that is not UTF-8 (never written by this
//  product, but a store may be damaged) is shown as such instead of failing.
static json_t *s_text(const char *text)
{
    json_t *s = json_string(text ? text : "");
    return s ? s : json_string("(text not valid UTF-8)");
}

typedef struct {
    agentdb_t *db;
    void *out; //  the JSON array or the table
} ctx_t;

//  The reason shown: the receiver's, and for a revision the city did not
//  store because it holds its own (superseded), how to make a correction win.
static const char *s_reason(agentdb_t *db, const Fundchain__OutboxEntry *e, char *buf, size_t size)
{
    const char *reason = e->reason ? e->reason : "";
    const Fundchain__Report *r = e->report;
    uint32_t own = 0, next = 0;
    if (e->state != FUNDCHAIN__OUTBOX_ENTRY__STATE__REJECTED || !r || !r->period || !r->fund ||
        e->receiver_revision < r->revision ||
        agentdb_revisions(db, r->period, r->fund, &own, &next) != 0)
        return reason;
    if (own > r->revision)
        snprintf(buf, size, "%s: superseded by this agent's revision %u", reason, own);
    else
        snprintf(buf, size, "%s; submit again to send revision %u", reason, next);
    return buf;
}

static json_t *s_entry_json(agentdb_t *db, const Fundchain__OutboxEntry *e)
{
    char reason[512];
    const Fundchain__Report *r = e->report;
    json_t *warnings = json_array();
    for (size_t i = 0; i < e->n_warnings; i++)
        json_array_append_new(warnings,
                              json_pack("{s:o, s:o}", "code", s_text(e->warnings[i]->code),
                                        "message", s_text(e->warnings[i]->message)));
    return json_pack("{s:o, s:o, s:o, s:I, s:s, s:o, s:o}", "unit", s_text(r ? r->unit : ""),
                     "period", s_text(r ? r->period : ""), "fund", s_text(r ? r->fund : ""),
                     "revision", (json_int_t)(r ? r->revision : 0), "state",
                     outbox_state_name(e->state), "reason",
                     s_text(s_reason(db, e, reason, sizeof reason)), "warnings", warnings);
}

static int s_add_json(const char *key, const Fundchain__OutboxEntry *entry, void *arg)
{
    (void)key;
    ctx_t *ctx = arg;
    json_t *entry_json = s_entry_json(ctx->db, entry);
    return entry_json ? json_array_append_new(ctx->out, entry_json) : -1;
}

static int s_add_row(const char *key, const Fundchain__OutboxEntry *e, void *arg)
{
    (void)key;
    ctx_t *ctx = arg;
    char revision[16], warnings[256] = "", reason[512];
    const Fundchain__Report *r = e->report;
    snprintf(revision, sizeof revision, "%u", r ? r->revision : 0);
    for (size_t i = 0; i < e->n_warnings; i++) {
        size_t used = strlen(warnings);
        snprintf(warnings + used, sizeof warnings - used, "%s%s", i ? " " : "",
                 e->warnings[i]->code);
    }
    const char *cells[] = {
        r ? r->unit : "", r ? r->period : "",          r ? r->fund : "",
        revision,         outbox_state_name(e->state), s_reason(ctx->db, e, reason, sizeof reason),
        warnings};
    return table_add(ctx->out, cells);
}

//  The status document, or NULL when the outbox cannot be read.
static json_t *s_status_json(agentdb_t *db)
{
    json_t *reports = json_array();
    ctx_t ctx = {db, reports};
    if (outbox_each(agentdb_store(db), false, s_add_json, &ctx) != 0) {
        json_decref(reports);
        return NULL;
    }
    json_t *doc = json_pack("{s:s, s:o}", "unit", agentdb_unit(db), "reports", reports);
    linkwatch_condition_t link;
    if (doc && linkwatch_load(agentdb_store(db), &link) == 0)
        json_object_set_new(doc, "link", linkwatch_json(&link));
    return doc;
}

static int s_print_json(agentdb_t *db, FILE *out)
{
    json_t *doc = s_status_json(db);
    int rc = doc ? json_dumpf(doc, out, EVALVIEW_JSON_FLAGS) : -1;
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

//  Writes the status workbook from the document --format json prints.
static int s_workbook(agentdb_t *db, const char *data, const char *path)
{
    json_t *doc = s_status_json(db);
    xlsx_about_t about = {"county-agent status", "区县", data};
    int rc = doc ? xlsx_write_agent_status(doc, &about, path) : -1;
    json_decref(doc);
    return rc;
}

//  Prints the link to the city as county-agent run last saw it, if it ran.
static void s_print_link(agentdb_t *db, FILE *out)
{
    linkwatch_condition_t link;
    char text[3 * LINKWATCH_TEXT_MAX];
    if (linkwatch_load(agentdb_store(db), &link) != 0)
        return;
    linkwatch_describe(&link, text, sizeof text);
    fprintf(out, "\n%s\n", text);
}

static int s_print_table(agentdb_t *db, format_t format, FILE *out)
{
    static const char *headers[] = {"unit",  "period", "fund",    "revision",
                                    "state", "reason", "warnings"};
    table_t *table = table_new(headers, 7);
    if (!table)
        return -1;
    table_align_right(table, 3);
    ctx_t ctx = {db, table};
    int rc = outbox_each(agentdb_store(db), false, s_add_row, &ctx);
    if (rc == 0)
        rc = table_print(table, format, out);
    table_destroy(&table);
    if (rc == 0)
        s_print_link(db, format == FORMAT_TABLE ? out : stderr);
    return rc;
}

//  Prints the status in a text format to --out (whole or not at all) or stdout.
static int s_print(agentdb_t *db, format_t format, const char *path)
{
    outfile_t *out = outfile_new(path);
    if (!out)
        return -1;
    int rc = format == FORMAT_JSON ? s_print_json(db, outfile_stream(out))
                                   : s_print_table(db, format, outfile_stream(out));
    if (rc != 0) {
        outfile_destroy(&out);
        return -1;
    }
    return outfile_commit(&out);
}

//  The status command.
int agent_status(int argc, char **argv)
{
    int code;
    opts_t *opts =
        cli_parse("status", s_specs, "--data DIR [--format F] [--out FILE]", argc, argv, &code);
    if (!opts)
        return code;
    const char *data = opts_need(opts, "data"), *path = opts_get(opts, "out");
    format_t format = FORMAT_TABLE;
    code = EXIT_USAGE;
    if (opts_get(opts, "format") &&
        table_format_parse_query(opts_get(opts, "format"), &format) != 0)
        fprintf(stderr, "county-agent status: --format must be table, csv, json or xlsx\n");
    else if (format == FORMAT_XLSX && !path)
        fprintf(stderr, "county-agent status: --format xlsx needs --out FILE\n");
    else if (data) {
        agentdb_t *db = agentdb_open(data, NULL);
        code = EXIT_RUNTIME;
        if (db) {
            int rc = format == FORMAT_XLSX ? s_workbook(db, data, path) : s_print(db, format, path);
            code = rc == 0 ? EXIT_OK : EXIT_RUNTIME;
        }
        agentdb_destroy(&db);
    }
    opts_destroy(&opts);
    return code;
}
