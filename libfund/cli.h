/*  cli - the command-line plumbing the three binaries share: subcommand
    dispatch, --help and --version, option parsing with -c FILE, the keygen
    command, and the exit codes of SPEC 7 (0 success, 1 runtime failure,
    2 bad usage or rejected input).
*/
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include "opts.h"

#define EXIT_OK 0
#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

typedef struct {
    const char *name;                 /* "run", "submit", ... */
    int (*fn)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;              /* one line for --help */
} cli_command_t;

/* Dispatches argv[1] to a command of the NULL-terminated table. Without a
   command it prints the commands on stderr and returns EXIT_USAGE; "help"
   or --help, -h or --version anywhere on the line print and return EXIT_OK
   ("help COMMAND" prints the command's help); an unknown command returns
   EXIT_USAGE. Otherwise returns the command's exit code. */
int cli_main(const char *program, const char *summary, const cli_command_t *commands, int argc,
             char **argv);

/* Parses a command's options (specs must not list help/config/version:
   they are added here). --help, -h or --version anywhere on the line (before
   "--") prints the help or the version and nothing else is done: then it
   returns NULL with *code EXIT_OK. A bad flag returns NULL with *code
   EXIT_USAGE and a message on stderr. */
opts_t *cli_parse(const char *command, const opt_spec_t *specs, const char *usage, int argc,
                  char **argv, int *code);

/* The keygen command of every binary: --out DIR --name CODE. */
int cli_keygen(int argc, char **argv);

/* Who a review command acts for: --by when given, else the login name of
   who runs it (SUDO_USER first, so that "sudo" names the person). Never
   fails: "unknown" when the name cannot be found. */
const char *cli_operator(const opts_t *opts);

/* Returns the program name given to cli_main. */
const char *cli_program(void);

#endif
