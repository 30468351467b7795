/*  county-agent - the county bureau's (区县医保局) reporting daemon and tools.

    submit validates CSV files and enqueues their reports in the agent's
    LMDB outbox; run sends the outbox to the city over CURVE and resends
    with backoff until each report is acknowledged; status shows the outbox;
    sync learns the revisions the city holds, for an agent installed again.
*/
#include "agent.h"
#include "backup.h"
#include "cli.h"

//  The backup command, for this binary's kind of store.
static int s_backup(int argc, char **argv)
{
    return backup_command("agent", argc, argv);
}

static const cli_command_t s_commands[] = {
    {"keygen", cli_keygen, "write a CURVE key pair bound to a 6-digit code"},
    {"run", agent_run, "send the outbox to the city until every report is acknowledged"},
    {"submit", agent_submit, "validate CSV files and enqueue their reports (exit 2 if rejected)"},
    {"status", agent_status, "show every report revision in the outbox and its state"},
    {"sync", agent_sync, "learn the revisions the city holds (after installing the agent again)"},
    {"backup", s_backup, "copy the store, consistent and compacted, while the daemon runs"},
    {NULL, NULL, NULL}};

int main(int argc, char **argv)
{
    return cli_main("county-agent", "county reporting agent (区县医保局)", s_commands, argc, argv);
}
