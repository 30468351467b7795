/*  machine - what the table's header says about the machine: cores, CPU
    model, memory, and the filesystem and disk that hold the data
    directory (from /proc and /sys; "unknown" where they say nothing).
*/
#ifndef MACHINE_H_INCLUDED
#define MACHINE_H_INCLUDED

#include "results.h"

/* Adds the header lines describing this machine and dir to the table. */
void machine_describe(results_t *results, const char *dir);

#endif
