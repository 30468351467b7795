/*  envelope - what every receiver says about the Envelope, the one message
    of every link (proto/fundchain.proto).
*/
#ifndef ENVELOPE_H_INCLUDED
#define ENVELOPE_H_INCLUDED

/* Returns the name of an Envelope's message type (report, ack, evaluation,
   query, reply, held-query, held-reply), or "none" for an empty or unknown one; never NULL. */
const char *envelope_type_name(int body_case);

#endif
