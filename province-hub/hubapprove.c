/*  hubapprove - province-hub approve and unapprove (SPEC 9.3): the
    province approves a city's pool, or withdraws its approval. The hub
    records it as pending; the city learns of it when it next asks (every
    few seconds while its link is up), locks or unlocks the pool in one
    transaction and says so, and only then does the hub call it approved
    (or withdrawn). The city refuses an approval of figures it has since
    changed: the province approves only what the city approved, and the
    approval it saw. Both commands write the LMDB that run reads, while it
    runs.
*/
#include "adcode.h"
#include "cli.h"
#include "hub.h"
#include "hubdb.h"
#include "period.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const opt_spec_t s_specs[] = {{"data", true, false, "the hub's data directory"},
                                     {"unit", true, false, "the city's code (its pool)"},
                                     {"period", true, false, "YYYY, YYYY-Qn or YYYY-MM"},
                                     {"fund", true, false, "resident, employee, maternity or dept"},
                                     {"by", true, false, "who approves (default: the login name)"},
                                     {NULL, false, false, NULL}};

static int s_check(const opts_t *opts, const char *command)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "province-hub %s", command);
    const char *need[] = {"data", "unit", "period", "fund"};
    if (opts_require(opts, prefix, need, 4) != 0)
        return -1;
    period_t p;
    const char *why;
    if (!adcode_is_city(opts_get(opts, "unit"))) {
        fprintf(stderr, "%s: --unit must be a city's code (PPCC00): the province approves pools\n",
                prefix);
        return -1;
    }
    if (period_parse(opts_get(opts, "period"), &p, &why) != 0) {
        fprintf(stderr, "%s: --period %s: %s\n", prefix, opts_get(opts, "period"), why);
        return -1;
    }
    if (!period_fund_valid(opts_get(opts, "fund"))) {
        fprintf(stderr, "%s: --fund must be resident, employee, maternity or dept\n", prefix);
        return -1;
    }
    return 0;
}

static int s_command(const char *command, bool approve, int argc, char **argv)
{
    int code;
    opts_t *opts = cli_parse(command, s_specs,
                             "--data DIR --unit CITY --period P --fund F "
                             "[--by NAME]",
                             argc, argv, &code);
    if (!opts)
        return code;
    code = EXIT_USAGE;
    hubdb_t *db = NULL;
    if (s_check(opts, command) != 0)
        goto done;
    code = EXIT_RUNTIME;
    if (!(db = hubdb_open(opts_get(opts, "data"), NULL)))
        goto done;
    const char *by = cli_operator(opts);
    char why[512] = "";
    int rc =
        hubdb_approve(db, opts_get(opts, "period"), opts_get(opts, "fund"), opts_get(opts, "unit"),
                      approve, by, (int64_t)time(NULL), why, sizeof why);
    if (rc < 0)
        fprintf(stderr, "cannot write the hub's store: %s\n", store_error(hubdb_store(db)));
    else if (rc > 0) {
        fprintf(stderr, "province-hub %s: %s %s %s: %s\n", command, opts_get(opts, "unit"),
                opts_get(opts, "period"), opts_get(opts, "fund"), why);
        code = EXIT_USAGE;
    } else {
        printf("%s %s %s %s by %s: pending until the city %s it (it asks every few seconds)\n",
               command, opts_get(opts, "unit"), opts_get(opts, "period"), opts_get(opts, "fund"),
               by, approve ? "locks" : "unlocks");
        code = EXIT_OK;
    }
done:
    hubdb_destroy(&db);
    opts_destroy(&opts);
    return code;
}

//  The approve command.
int hub_approve(int argc, char **argv)
{
    return s_command("approve", true, argc, argv);
}

//  The unapprove command.
int hub_unapprove(int argc, char **argv)
{
    return s_command("unapprove", false, argc, argv);
}
