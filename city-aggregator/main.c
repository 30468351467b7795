/*  city-aggregator - the city bureau's (市医保局) aggregator.

    run receives county reports over CURVE, validates them again, checks
    jurisdiction, stores the newest revision durably before acknowledging
    (group commit), consolidates the city pool (市级统筹, 统收统支), scores
    units and pool and publishes every change; pool, show and status read
    the same LMDB, also while run runs; watch follows the live feed.
*/
#include "city.h"
#include "backup.h"
#include "cli.h"
#include "keylist.h"

//  The backup command, for this binary's kind of store.
static int s_backup(int argc, char **argv)
{
    return backup_command("city", argc, argv);
}

static const cli_command_t s_commands[] = {
    {"keygen", cli_keygen, "write a CURVE key pair bound to a 6-digit code"},
    {"run", city_run, "receive, validate and consolidate county reports"},
    {"pool", city_pool, "show the city pool of a period and fund"},
    {"show", city_show, "show one unit's own evaluation"},
    {"status", city_status, "show completeness, timeliness and warnings"},
    {"report", city_report, "write the HTML report of a period: league tables and charts"},
    {"narrative", city_narrative, "write a unit's self-evaluation report (绩效自评报告)"},
    {"approve", city_approve, "approve a unit's report, or the pool (--pool)"},
    {"unapprove", city_unapprove, "withdraw an approval (the pool's before its units')"},
    {"unlock", city_unlock, "take revisions of one unit past --lock-after until a date"},
    {"history", city_history, "every revision received, approval and unlock of one unit"},
    {"watch", city_watch, "print live pool and evaluation updates"},
    {"keys", keylist_command, "list an allow directory: codes, fingerprints, problems"},
    {"backup", s_backup, "copy the store, consistent and compacted, while the daemon runs"},
    {NULL, NULL, NULL}};

int main(int argc, char **argv)
{
    return cli_main("city-aggregator", "city aggregator (市医保局)", s_commands, argc, argv);
}
