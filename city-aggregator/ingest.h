/*  ingest - turns one message from a county into a report to store or a
    refusal, never trusting the sender: the sender's code comes from the
    authenticated connection, the report is validated again, and the unit
    must be the sender's own and inside the city. A HeldQuery (county-agent
    sync) is answered for the sender's own unit, whatever it names.
*/
#ifndef INGEST_H_INCLUDED
#define INGEST_H_INCLUDED

#include "cityconf.h"
#include "report.h"
#include <czmq.h>
#include <stdbool.h>

typedef enum {
    INGEST_ACCEPT, /* *report is set: store it, then acknowledge */
    INGEST_REJECT, /* refused for good: acknowledge with the reason */
    INGEST_DROP,   /* not even an answerable report: log and drop */
    INGEST_HELD    /* a HeldQuery of unit: answer with what the city holds of it,
                      or with reason when it is not set empty */
} ingest_verdict_t;

typedef struct {
    ingest_verdict_t verdict;
    report_t *report; /* INGEST_ACCEPT: validated, owned by the caller */
    char unit[8], period[16], fund[16];
    uint32_t revision; /* what the acknowledgement names */
    char reason[512];  /* INGEST_REJECT / INGEST_DROP: why */
} ingest_t;

/* Examines one payload frame. peer is the authenticated code (NULL only on
   an --insecure link). Fills *out; never fails. */
void ingest_examine(const cityconf_t *conf, zframe_t *payload, const char *peer, ingest_t *out);

#endif
