/*  envelope - what every receiver says about the Envelope. */
#include "envelope.h"
#include "fundchain.pb-c.h"

//  Returns the name of an Envelope's message type.
const char *envelope_type_name(int body_case)
{
    switch (body_case) {
    case FUNDCHAIN__ENVELOPE__BODY_REPORT:
        return "report";
    case FUNDCHAIN__ENVELOPE__BODY_ACK:
        return "ack";
    case FUNDCHAIN__ENVELOPE__BODY_EVALUATION:
        return "evaluation";
    case FUNDCHAIN__ENVELOPE__BODY_QUERY:
        return "query";
    case FUNDCHAIN__ENVELOPE__BODY_REPLY:
        return "reply";
    case FUNDCHAIN__ENVELOPE__BODY_HELD_QUERY:
        return "held-query";
    case FUNDCHAIN__ENVELOPE__BODY_HELD_REPLY:
        return "held-reply";
    default:
        return "none";
    }
}
