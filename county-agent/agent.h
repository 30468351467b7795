/*  agent - the commands of county-agent. Each returns an exit code of SPEC 7. */
#ifndef AGENT_H_INCLUDED
#define AGENT_H_INCLUDED

/* Validates CSV files and enqueues their reports in one transaction. */
int agent_submit(int argc, char **argv);

/* Prints the outbox: each report revision, its state, reason and warnings. */
int agent_status(int argc, char **argv);

/* Sends the outbox to the city until every report is acknowledged. */
int agent_run(int argc, char **argv);

/* Learns which revisions the city holds of this unit's reports, so that the
   next submit numbers after them (an agent installed again). */
int agent_sync(int argc, char **argv);

#endif
