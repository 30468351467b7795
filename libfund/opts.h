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
   stderr for an unknown flag, a missing or empty value ("--data is empty")
   or an unreadable config file. */
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

/* Returns "--a, --b and --c": the flags among names[0..n) (NULL entries
   skipped) that were not given, in their order; NULL when none is missing
   (or out of memory). The caller frees the text. */
char *opts_missing(const opts_t *self, const char *const *names, size_t n);

/* Checks that every flag among names[0..n) (NULL entries skipped) was
   given. Returns 0, or -1 after printing ONE line naming every missing flag,
   "PREFIX: missing --a, --b and --c", on stderr. */
int opts_require(const opts_t *self, const char *prefix, const char *const *names, size_t n);

/* Reads a flag that must be a whole number from min to max into *value,
   which is left alone when the flag is absent. Returns 0, or -1 after
   printing "--name must be a whole number from MIN to MAX, not 'TEXT'". */
int opts_number(const opts_t *self, const char *name, long min, long max, long *value);

#endif
