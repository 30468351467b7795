/*  opts - command-line flags with an optional config file.

    The command line is read first, then the config file (-c FILE or
    --config FILE) fills in the settings the command line did not give:
    the command line always wins, and a repeatable flag given on the command
    line replaces all the file's values of that flag.
*/
#include "opts.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define OPTS_CONFIG "config"

//  One known flag and the values it received.
typedef struct {
    char *name;
    bool takes_value;
    bool repeat;
    bool given;     //  Set by the command line or the config file.
    bool from_argv; //  Set by the command line: the file may not touch it.
    char **values;
    int count;
} s_flag_t;

struct _opts_t {
    s_flag_t *flags;
    int nflags;
    char **pos;
    int npos;
};

//  Frees the values of a flag.
static void s_flag_clear(s_flag_t *flag)
{
    for (int i = 0; i < flag->count; i++)
        free(flag->values[i]);
    free(flag->values);
    flag->values = NULL;
    flag->count = 0;
}

//  Appends a copy of text to a string array. Returns 0 or -1.
static int s_push(char ***array, int *count, const char *text)
{
    char *copy = strdup(text);
    char **grown = copy ? realloc(*array, sizeof(char *) * ((size_t)*count + 1)) : NULL;
    if (!grown) {
        free(copy);
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    grown[(*count)++] = copy;
    *array = grown;
    return 0;
}

//  Destroys the options and nulls the pointer; safe on NULL.
void opts_destroy(opts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    opts_t *self = *self_p;
    for (int i = 0; i < self->nflags; i++) {
        s_flag_clear(&self->flags[i]);
        free(self->flags[i].name);
    }
    free(self->flags);
    for (int i = 0; i < self->npos; i++)
        free(self->pos[i]);
    free(self->pos);
    free(self);
    *self_p = NULL;
}

//  Creates the options with a copy of the specs (the caller's array may go
//  away) plus the implicit "config" flag. Returns NULL on failure.
static opts_t *s_opts_new(const opt_spec_t *specs)
{
    int n = 0;
    while (specs && specs[n].name)
        n++;
    opts_t *self = calloc(1, sizeof *self);
    if (self)
        self->flags = calloc((size_t)n + 1, sizeof(s_flag_t));
    if (!self || !self->flags) {
        free(self);
        fprintf(stderr, "out of memory\n");
        return NULL;
    }
    for (int i = 0; i <= n; i++) {
        const char *name = i < n ? specs[i].name : OPTS_CONFIG;
        s_flag_t *flag = &self->flags[self->nflags];
        flag->name = strdup(name);
        flag->takes_value = i < n ? specs[i].takes_value : true;
        flag->repeat = i < n ? specs[i].repeat : false;
        self->nflags++;
        if (!flag->name) {
            opts_destroy(&self);
            fprintf(stderr, "out of memory\n");
            return NULL;
        }
    }
    return self;
}

//  Returns the flag called name (len bytes), or NULL.
static s_flag_t *s_find(const opts_t *self, const char *name, size_t len)
{
    if (!self || !name)
        return NULL;
    for (int i = 0; i < self->nflags; i++)
        if (strlen(self->flags[i].name) == len && !memcmp(self->flags[i].name, name, len))
            return &self->flags[i];
    return NULL;
}

//  Records a value (NULL for a switch) of a flag. Returns 0 or -1.
static int s_set(s_flag_t *flag, const char *value, bool from_argv)
{
    if (from_argv && !flag->from_argv)
        s_flag_clear(flag); //  The command line replaces the file's values.
    flag->from_argv |= from_argv;
    flag->given = true;
    if (!value)
        return 0;
    if (!flag->repeat)
        s_flag_clear(flag);
    return s_push(&flag->values, &flag->count, value);
}

//  Parses a switch's value: true/yes/on/1 or false/no/off/0. Returns 1, 0 or -1.
static int s_switch_value(const char *text)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcmp(text, yes[i]))
            return 1;
        if (!strcmp(text, no[i]))
            return 0;
    }
    return -1;
}

//  Applies one setting, from the command line (where is NULL) or from a
//  config file line (where is "FILE:LINE"). Returns 0 or -1 with a message.
static int s_apply(s_flag_t *flag, const char *value, const char *where)
{
    if (!where && flag->takes_value && !value) {
        fprintf(stderr, "missing value for --%s\n", flag->name);
        return -1;
    }
    if (where && flag->takes_value && !value) {
        fprintf(stderr, "%s: missing value for '%s'\n", where, flag->name);
        return -1;
    }
    if (!where && flag->takes_value && !*value) {
        fprintf(stderr, "--%s is empty: give it a value\n", flag->name);
        return -1;
    }
    if (where && flag->from_argv)
        return 0; //  The command line wins over the file.
    if (flag->takes_value)
        return s_set(flag, value, !where);
    int on = value ? s_switch_value(value) : 1;
    if (on < 0) {
        if (where)
            fprintf(stderr, "%s: '%s' is a switch: true or false, not '%s'\n", where, flag->name,
                    value);
        else
            fprintf(stderr, "--%s is a switch and takes no value ('%s')\n", flag->name, value);
        return -1;
    }
    if (on)
        return s_set(flag, NULL, !where);
    flag->given = false;
    flag->from_argv |= !where;
    return 0;
}

//  Strips spaces at both ends of text in place and returns it.
static char *s_trim(char *text)
{
    while (*text == ' ' || *text == '\t')
        text++;
    size_t len = strlen(text);
    while (len > 0 && strchr(" \t\r\n", text[len - 1]))
        text[--len] = 0;
    return text;
}

//  Cuts a comment ('#' at the start or after a space) off line.
static void s_cut_comment(char *line)
{
    for (char *hash = strchr(line, '#'); hash; hash = strchr(hash + 1, '#'))
        if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
            *hash = 0;
            return;
        }
}

//  Applies one config file line ("name = value", "name value" or "name").
static int s_config_line(opts_t *self, char *line, const char *where)
{
    s_cut_comment(line);
    line = s_trim(line);
    if (!*line)
        return 0;
    if (!strncmp(line, "--", 2))
        line += 2;
    size_t name_len = strcspn(line, " \t=");
    char *value = s_trim(line + name_len);
    if (*value == '=')
        value = s_trim(value + 1);
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = 0;
        value++;
    }
    s_flag_t *flag = s_find(self, line, name_len);
    if (!flag || !strcmp(flag->name, OPTS_CONFIG)) {
        fprintf(stderr, "%s: unknown setting '%.*s'\n", where, (int)name_len, line);
        return -1;
    }
    return s_apply(flag, *value ? value : NULL, where);
}

//  Reads the config file at path. Returns 0 or -1 with a message.
static int s_config_load(opts_t *self, const char *path)
{
    FILE *file = fopen(path, "r");
    if (!file) {
        fprintf(stderr, "cannot read config file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t size = 0;
    int rc = 0;
    for (long number = 1; rc == 0 && getline(&line, &size, file) >= 0; number++) {
        char *text = line;
        if (number == 1 && !strncmp(text, "\xEF\xBB\xBF", 3))
            text += 3; //  Skips a UTF-8 byte order mark.
        char where[512];
        snprintf(where, sizeof where, "%s:%ld", path, number);
        rc = s_config_line(self, text, where);
    }
    if (rc == 0 && ferror(file)) {
        fprintf(stderr, "cannot read config file %s: %s\n", path, strerror(errno));
        rc = -1;
    }
    free(line);
    fclose(file);
    return rc;
}

//  Parses one "--name", "--name=value" or "--name value" at argv[*i].
static int s_parse_long(opts_t *self, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *equal = strchr(arg, '=');
    size_t len = equal ? (size_t)(equal - arg) : strlen(arg);
    s_flag_t *flag = s_find(self, arg, len);
    if (!flag) {
        fprintf(stderr, "unknown option '--%.*s'\n", (int)len, arg);
        return -1;
    }
    const char *value = equal ? equal + 1 : NULL;
    if (!equal && flag->takes_value && *i + 1 < argc && argv[*i + 1] &&
        strncmp(argv[*i + 1], "--", 2) != 0)
        value = argv[++*i];
    return s_apply(flag, value, NULL);
}

//  Parses one argument at argv[*i]; after "--" everything is positional.
static int s_parse_arg(opts_t *self, int argc, char **argv, int *i, bool *rest)
{
    const char *arg = argv[*i];
    if (!arg)
        return 0;
    if (*rest || arg[0] != '-' || !strcmp(arg, "-"))
        return s_push(&self->pos, &self->npos, arg);
    if (!strcmp(arg, "--")) {
        *rest = true;
        return 0;
    }
    if (!strcmp(arg, "-c")) {
        if (*i + 1 >= argc || !argv[*i + 1]) {
            fprintf(stderr, "missing value for -c\n");
            return -1;
        }
        return s_apply(s_find(self, OPTS_CONFIG, strlen(OPTS_CONFIG)), argv[++*i], NULL);
    }
    if (!strcmp(arg, "-h") && s_find(self, "help", 4))
        return s_apply(s_find(self, "help", 4), NULL, NULL);
    if (arg[1] != '-') {
        fprintf(stderr, "unknown option '%s'\n", arg);
        return -1;
    }
    return s_parse_long(self, argc, argv, i);
}

//  Parses argv[first..] against specs; NULL with a message on bad usage.
opts_t *opts_parse(const opt_spec_t *specs, int argc, char **argv, int first)
{
    opts_t *self = s_opts_new(specs);
    if (!self)
        return NULL;
    bool rest = false;
    for (int i = first < 0 ? 0 : first; argv && i < argc; i++)
        if (s_parse_arg(self, argc, argv, &i, &rest) != 0) {
            opts_destroy(&self);
            return NULL;
        }
    const char *config = opts_get(self, OPTS_CONFIG);
    if (config && s_config_load(self, config) != 0)
        opts_destroy(&self);
    return self;
}

//  Returns the flag called name, or NULL.
static s_flag_t *s_lookup(const opts_t *self, const char *name)
{
    return name ? s_find(self, name, strlen(name)) : NULL;
}

//  Returns the last value of a flag, or NULL.
const char *opts_get(const opts_t *self, const char *name)
{
    s_flag_t *flag = s_lookup(self, name);
    return flag && flag->given && flag->count > 0 ? flag->values[flag->count - 1] : NULL;
}

//  Returns true when a switch or flag was given.
bool opts_has(const opts_t *self, const char *name)
{
    s_flag_t *flag = s_lookup(self, name);
    return flag && flag->given;
}

//  Returns the number of values of a flag.
int opts_count(const opts_t *self, const char *name)
{
    s_flag_t *flag = s_lookup(self, name);
    return flag && flag->given ? flag->count : 0;
}

//  Returns value i of a flag, or NULL when out of range.
const char *opts_at(const opts_t *self, const char *name, int i)
{
    s_flag_t *flag = s_lookup(self, name);
    return flag && flag->given && i >= 0 && i < flag->count ? flag->values[i] : NULL;
}

//  Returns the number of positional arguments.
int opts_npos(const opts_t *self)
{
    return self ? self->npos : 0;
}

//  Returns positional argument i, or NULL when out of range.
const char *opts_pos(const opts_t *self, int i)
{
    return self && i >= 0 && i < self->npos ? self->pos[i] : NULL;
}

//  Prints "usage: USAGE" and one line per spec to out.
void opts_usage(const opt_spec_t *specs, const char *usage, FILE *out)
{
    if (!out)
        return;
    fprintf(out, "usage: %s\n\noptions:\n", usage ? usage : "");
    for (int i = 0; specs && specs[i].name; i++) {
        char left[128];
        snprintf(left, sizeof left, "--%s%s", specs[i].name, specs[i].takes_value ? " VALUE" : "");
        fprintf(out, "  %-24s %s%s\n", left, specs[i].help ? specs[i].help : "",
                specs[i].repeat ? " (repeatable)" : "");
    }
}

//  Returns a required flag's value, or prints "missing --name" and NULL.
const char *opts_need(const opts_t *self, const char *name)
{
    const char *value = opts_get(self, name);
    if (!value)
        fprintf(stderr, "missing --%s\n", name ? name : "(null)");
    return value;
}

//  Appends ", --name" (or " and --name" for the last) to text. Returns 0 or -1.
static int s_append_flag(char **text, size_t *len, const char *name, bool first, bool last)
{
    const char *sep = first ? "" : last ? " and " : ", ";
    size_t more = strlen(sep) + 2 + strlen(name);
    char *grown = realloc(*text, *len + more + 1);
    if (!grown)
        return -1;
    snprintf(grown + *len, more + 1, "%s--%s", sep, name);
    *len += more;
    *text = grown;
    return 0;
}

//  Returns "--a, --b and --c" for the required flags not given, or NULL.
char *opts_missing(const opts_t *self, const char *const *names, size_t n)
{
    size_t total = 0, done = 0, len = 0;
    for (size_t i = 0; i < n; i++)
        total += names[i] && !opts_get(self, names[i]);
    char *text = NULL;
    for (size_t i = 0; i < n && done < total; i++) {
        if (!names[i] || opts_get(self, names[i]))
            continue;
        done++;
        if (s_append_flag(&text, &len, names[i], done == 1, done == total) != 0) {
            free(text);
            return NULL;
        }
    }
    return text;
}

//  Prints "PREFIX: missing --a, --b and --c" when flags are missing.
int opts_require(const opts_t *self, const char *prefix, const char *const *names, size_t n)
{
    char *missing = opts_missing(self, names, n);
    if (!missing)
        return 0;
    fprintf(stderr, "%s%smissing %s\n", prefix ? prefix : "", prefix ? ": " : "", missing);
    free(missing);
    return -1;
}

//  Reads a whole number flag from min to max into *value (left alone when
//  the flag is absent). Returns 0, or -1 with a message.
int opts_number(const opts_t *self, const char *name, long min, long max, long *value)
{
    const char *text = opts_get(self, name);
    if (!text)
        return 0;
    char *end = NULL;
    errno = 0;
    long number = strtol(text, &end, 10);
    bool digits = *text >= '0' && *text <= '9';
    if (!digits && (*text == '-' || *text == '+'))
        digits = text[1] >= '0' && text[1] <= '9';
    if (!digits || *end || errno || number < min || number > max) {
        if (max == LONG_MAX)
            fprintf(stderr, "--%s must be a whole number of at least %ld, not '%s'\n", name, min,
                    text);
        else
            fprintf(stderr, "--%s must be a whole number from %ld to %ld, not '%s'\n", name, min,
                    max, text);
        return -1;
    }
    *value = number;
    return 0;
}
