/*  hubingest - turns one message from a city into an evaluation to store or
    a refusal. The city's code comes from the authenticated connection: a
    city may send only its own pool and its own units' evaluations, all
    inside the province.
*/
#ifndef HUBINGEST_H_INCLUDED
#define HUBINGEST_H_INCLUDED

#include "fundchain.pb-c.h"
#include <czmq.h>

typedef enum {
    HUBINGEST_ACCEPT, /* *eval is set: store it, then acknowledge */
    HUBINGEST_REJECT, /* refused for good: acknowledge with the reason */
    HUBINGEST_DROP,   /* not an answerable evaluation: log and drop */
    HUBINGEST_POLL    /* a city's ReviewPoll (poll, city): answer with its orders */
} hubingest_verdict_t;

typedef struct {
    hubingest_verdict_t verdict;
    Fundchain__Evaluation *eval; /* HUBINGEST_ACCEPT and REJECT */
    uint8_t *bytes;              /* likewise: eval encoded, as the store will hold it */
    void *arena;                 /* the memory eval was decoded into (a pbarena) */
    size_t len;
    char reason[512]; /* free eval and bytes with hubingest_clear */
    Fundchain__ReviewPoll *poll; /* HUBINGEST_POLL: in the arena */
    char city[8];                      /* HUBINGEST_POLL: the city asking */
} hubingest_t;

/* Examines one payload frame from peer (NULL only on an --insecure link)
   for province. Fills *out; never fails. */
void hubingest_examine(const char *province, zframe_t *payload, const char *peer, hubingest_t *out);

/* Frees the evaluation and bytes of an examined message; safe when it
   holds none. */
void hubingest_clear(hubingest_t *in);

/* Builds the acknowledgement of an examined message (accepted unless
   rejected). Returns a heap frame, or NULL when out of memory. */
zframe_t *hubingest_ack(const hubingest_t *in);

#endif
