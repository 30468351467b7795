/*  province-hub - the provincial bureau's (省医保局) hub.

    Stores every city and county evaluation in LMDB and answers ranking and
    drill-down queries. (The hub's daemon and queries are the subject of
    the next issue; keygen is shared with the other binaries.)
*/
#include "cli.h"
#include <stdio.h>

static int
s_not_yet (int argc, char **argv)
{
    (void) argc;
    fprintf (stderr, "province-hub %s: not implemented in this version\n", argv[0]);
    return EXIT_RUNTIME;
}

static const cli_command_t s_commands[] = {
    {"keygen", cli_keygen, "write a CURVE key pair bound to a 6-digit code"},
    {"run", s_not_yet, "receive city evaluations (not implemented yet)"},
    {"rank", s_not_yet, "rank cities or counties (not implemented yet)"},
    {"show", s_not_yet, "show one evaluation (not implemented yet)"},
    {NULL, NULL, NULL}};

int
main (int argc, char **argv)
{
    return cli_main ("province-hub", "provincial hub (省医保局)", s_commands, argc, argv);
}
