/*  province-hub - the provincial bureau's (省医保局) hub.

    run receives the cities' evaluations over CURVE, checks that each city
    sends only its own pool and units, stores the newest version durably
    before acknowledging (group commit), and answers rank and show for
    remote users on its query endpoint; rank and show read the same LMDB
    (--data), also while run runs, or ask a remote hub (--query).
*/
#include "backup.h"
#include "cli.h"
#include "keylist.h"
#include "hub.h"

//  The backup command, for this binary's kind of store.
static int s_backup(int argc, char **argv)
{
    return backup_command("hub", argc, argv);
}

static const cli_command_t s_commands[] = {
    {"keygen", cli_keygen, "write a CURVE key pair bound to a 6-digit code"},
    {"run", hub_run, "receive and store the cities' evaluations; answer queries"},
    {"rank", hub_rank, "rank cities or counties by total or by an indicator"},
    {"show", hub_show, "show one county's evaluation or one city's pool"},
    {"approve", hub_approve, "approve a city's pool (it is locked at the city too)"},
    {"unapprove", hub_unapprove, "withdraw the province's approval of a city's pool"},
    {"history", hub_history, "every version of one evaluation the hub stored, with its changes"},
    {"report", hub_report, "write the HTML report of a period: league tables and charts"},
    {"narrative", hub_narrative, "write a unit's or a city pool's self-evaluation report"},
    {"keys", keylist_command, "list an allow directory: codes, fingerprints, problems"},
    {"backup", s_backup, "copy the store, consistent and compacted, while the daemon runs"},
    {NULL, NULL, NULL}};

int main(int argc, char **argv)
{
    return cli_main("province-hub", "provincial hub (省医保局)", s_commands, argc, argv);
}
