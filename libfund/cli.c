/*  cli - the command-line plumbing the three binaries share. */
#include "cli.h"
#include "adcode.h"
#include "keys.h"
#include "log.h"
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *s_program = "fundchain";

#define MAX_SPECS 64

const char *cli_program(void)
{
    return s_program;
}

static void s_print_commands(const char *summary, const cli_command_t *commands, FILE *out)
{
    fprintf(out, "%s - %s\n\nusage: %s COMMAND [OPTIONS]\n\ncommands:\n", s_program, summary,
            s_program);
    for (const cli_command_t *c = commands; c->name; c++)
        fprintf(out, "  %-8s %s\n", c->name, c->summary);
    fprintf(out, "\n'%s COMMAND --help' describes a command's options.\n", s_program);
}

//  Returns "help" or "version" for the first --help, -h or --version among
//  argv[1..] (before a "--", after which everything is positional), or NULL.
static const char *s_asked(int argc, char **argv)
{
    for (int i = 1; i < argc && argv[i] && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return "help";
        if (!strcmp(argv[i], "--version"))
            return "version";
    }
    return NULL;
}

//  Returns the command called name, or NULL.
static const cli_command_t *s_command(const cli_command_t *commands, const char *name)
{
    for (const cli_command_t *c = commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

//  Dispatches argv[1] to its command; returns the command's exit code.
int cli_main(const char *program, const char *summary, const cli_command_t *commands, int argc,
             char **argv)
{
    s_program = program;
    //  A write beyond the file size limit (ulimit -f) then fails with EFBIG,
    //  which LMDB reports, instead of killing the process mid-command.
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2) {
        s_print_commands(summary, commands, stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    const cli_command_t *command = s_command(commands, name);
    if (command)
        return command->fn(argc - 1, argv + 1);
    if (!strcmp(name, "help") && argc > 2 && (command = s_command(commands, argv[2]))) {
        static char help_flag[] = "--help";
        char *help_argv[] = {argv[2], help_flag, NULL};
        return command->fn(2, help_argv);
    }
    const char *asked = s_asked(argc, argv);
    if (asked && !strcmp(asked, "version"))
        printf("%s %s\n", program, FUNDCHAIN_VERSION);
    else if (asked || !strcmp(name, "help"))
        s_print_commands(summary, commands, stdout);
    else {
        fprintf(stderr, "%s: unknown command '%s' (try --help)\n", program, name);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

//  Parses a command's options; NULL with *code set when it must stop.
opts_t *cli_parse(const char *command, const opt_spec_t *specs, const char *usage, int argc,
                  char **argv, int *code)
{
    opt_spec_t all[MAX_SPECS + 4];
    size_t n = 0;
    for (; specs[n].name && n < MAX_SPECS; n++)
        all[n] = specs[n];
    all[n++] = (opt_spec_t){"help", false, false, "show this help and exit"};
    all[n++] = (opt_spec_t){"version", false, false, "show the version and exit"};
    all[n] = (opt_spec_t){NULL, false, false, NULL};

    //  --help and --version win wherever they are, before any other flag is
    //  read: nothing else is done, not even reading the config file.
    const char *asked = s_asked(argc, argv);
    opts_t *opts = asked ? NULL : opts_parse(all, argc, argv, 1);
    if (!asked && !opts) {
        fprintf(stderr, "%s %s: try '%s %s --help'\n", s_program, command, s_program, command);
        *code = EXIT_USAGE;
        return NULL;
    }
    if (opts && opts_has(opts, "help")) //  --help=yes, or help = yes in the config file
        asked = "help";
    else if (opts && opts_has(opts, "version"))
        asked = "version";
    if (!asked)
        return opts;
    if (!strcmp(asked, "help")) {
        char line[512];
        snprintf(line, sizeof line, "%s %s %s", s_program, command, usage);
        opts_usage(all, line, stdout);
        printf("  -c FILE, --config FILE  read settings from FILE (name = value lines)\n");
    } else
        printf("%s %s\n", s_program, FUNDCHAIN_VERSION);
    opts_destroy(&opts);
    *code = EXIT_OK;
    return NULL;
}

//  The keygen command: writes DIR/NAME.pub and DIR/NAME.key.
int cli_keygen(int argc, char **argv)
{
    static const opt_spec_t specs[] = {
        {"out", true, false, "directory for NAME.pub and NAME.key (created 0700)"},
        {"name", true, false, "the 6-digit administrative code the key is bound to"},
        {NULL, false, false, NULL}};
    int code;
    opts_t *opts = cli_parse("keygen", specs, "--out DIR --name CODE", argc, argv, &code);
    if (!opts)
        return code;
    const char *dir = opts_get(opts, "out");
    const char *name = opts_get(opts, "name");
    const char *need[] = {"out", "name"};
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s keygen", s_program);
    code = EXIT_USAGE;
    if (opts_require(opts, prefix, need, 2) == 0 && !adcode_valid(name))
        fprintf(stderr,
                "%s keygen: --name must be the 6-digit code the key is bound to, not '%s'\n",
                s_program, name);
    else if (dir && name)
        code = keys_generate(dir, name) == 0 ? EXIT_OK : EXIT_RUNTIME;
    if (code == EXIT_OK)
        printf("wrote %s/%s.pub and %s/%s.key\n", dir, name, dir, name);
    opts_destroy(&opts);
    return code;
}

//  Names who a review command acts for.
const char *cli_operator(const opts_t *opts)
{
    if (opts_get(opts, "by"))
        return opts_get(opts, "by");
    const char *name = getenv("SUDO_USER");
    struct passwd *pw = name && *name ? NULL : getpwuid(getuid());
    return name && *name ? name : pw ? pw->pw_name : "unknown";
}
