/*  opts - command-line flags ("--name value", "--flag") with an optional
    config file (-c FILE / --config FILE: "name = value" lines, '#' comments)
    whose settings the command line overrides.
*/
#ifndef OPTS_H_INCLUDED
#define OPTS_H_INCLUDED

#include <stdbool.h>
#include <stdio.h>

typedef struct {
    const char *name; /* long flag without dashes, e.g. "data" */
    bool takes_value; /* false for switches such as --insecure */
    bool repeat;      /* may be given several times (values kept in order) */
    const char *help; /* one line for --help */
} opt_spec_t;

typedef struct _opts_t opts_t;

/* Parses argv[first..] against the specs (terminated by a {NULL} entry);
   positional arguments are kept in order. Returns NULL with a message on
   stderr for an unknown flag, a missing value or an unreadable config file. */
opts_t *opts_parse(const opt_spec_t *specs, int argc, char **argv, int first);

/* Destroys the options and nulls the pointer; safe on NULL. */
void opts_destroy(opts_t **self_p);

/* Returns the value of a flag (the last one given), or NULL. */
const char *opts_get(const opts_t *self, const char *name);

/* Returns true when a switch or flag was given. */
bool opts_has(const opts_t *self, const char *name);

/* Returns the number of values of a repeatable flag, and value i. */
int opts_count(const opts_t *self, const char *name);
const char *opts_at(const opts_t *self, const char *name, int i);

/* Positional arguments. */
int opts_npos(const opts_t *self);
const char *opts_pos(const opts_t *self, int i);

/* Prints "usage: USAGE" and one line per spec to out. */
void opts_usage(const opt_spec_t *specs, const char *usage, FILE *out);

/* Returns the value of a required flag, or prints "missing --name" on stderr
   and returns NULL. */
const char *opts_need(const opts_t *self, const char *name);

#endif
