/* config.c - the configuration file (INI via inih) -> long options; main thread.
 *
 * The file is turned into "--key=value" strings checked against the
 * subcommand's own getopt table, so every long option has a key without a
 * second list to keep in step, and values are checked by the same code that
 * checks the command line. The file is read through the inifile layer, like
 * the voices and persona files. */
#include "config.h"
#include "inifile.h"
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct parse_state {
    inifile_t ini;              /* the file, its line and its first problem */
    const char *section;        /* the section we read */
    const struct option *longopts;
    char **out;
    int *lines;
    int max, n;
} parse_state_t;

static const struct option *find_opt(const struct option *o, const char *name)
{
    for (; o && o->name; o++)
        if (strcmp(o->name, name) == 0)
            return o;
    return NULL;
}

/* 1 true, 0 false, -1 neither. */
static int parse_bool(const char *v)
{
    static const char *const yes[] = { "1", "true", "yes", "on" };
    static const char *const no[] = { "0", "false", "no", "off" };
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int add_arg(parse_state_t *st, const char *name, const char *value)
{
    if (st->n >= st->max)
        return inifile_fail(&st->ini, PURG_ETOOBIG, "more than %d options in one file", st->max);
    size_t need = strlen(name) + (value ? strlen(value) + 1 : 0) + 3;
    char *s = malloc(need);
    if (!s)
        return inifile_fail(&st->ini, PURG_ENOMEM, "out of memory");
    if (value)
        snprintf(s, need, "--%s=%s", name, value); /* sized above: cannot truncate */
    else
        snprintf(s, need, "--%s", name);
    st->lines[st->n] = st->ini.line;
    st->out[st->n++] = s;
    return 0;
}

static int on_key(inifile_t *ini, void *user, const char *section, const char *name,
                  const char *value)
{
    parse_state_t *st = user;
    if (!section[0])
        return inifile_fail(ini, PURG_EINVAL, "'%s' is outside any section (put it under [%s])",
                            name, st->section);
    if (strcmp(section, st->section) != 0)
        return 0; /* another subcommand's section */
    if (strcmp(name, "config") == 0 || strcmp(name, "no-config") == 0 ||
        strcmp(name, "help") == 0)
        return inifile_fail(ini, PURG_EINVAL, "'%s' cannot be set in a configuration file", name);
    const struct option *o = find_opt(st->longopts, name);
    if (!o)
        return inifile_fail(ini, PURG_ENOTFOUND, "unknown key '%s'", name);
    if (o->has_arg == no_argument) {
        int b = parse_bool(value);
        if (b < 0)
            return inifile_fail(ini, PURG_EINVAL, "'%s' is true or false", name);
        return b ? add_arg(st, name, NULL) : 0;
    }
    if (o->has_arg == required_argument && !value[0])
        return inifile_fail(ini, PURG_EINVAL, "'%s' needs a value", name);
    /* "~/..." as the shell would have it on the command line */
    if (value[0] == '~' && (value[1] == '/' || !value[1])) {
        const char *home = getenv("HOME");
        if (!home || !home[0])
            return inifile_fail(ini, PURG_EINVAL,
                                "'%s' starts with ~ but HOME is not set (write the full path)",
                                name);
        char path[4096];
        if (util_snprintf(path, sizeof path, "%s%s", home, value + 1) != 0)
            return inifile_fail(ini, PURG_ETOOBIG, "'%s': the path is too long", name);
        return add_arg(st, name, path);
    }
    return add_arg(st, name, value[0] ? value : NULL);
}

int config_parse_string(const char *name, const char *text, size_t len, const char *section,
                        const struct option *longopts, char **out, int *lines, int max,
                        int *nout, char *err, size_t errlen)
{
    parse_state_t st = { .section = section, .longopts = longopts, .out = out, .lines = lines,
                         .max = max };
    *nout = 0;
    if (err && errlen)
        err[0] = '\0';
    int rc = inifile_parse(&st.ini, name, text, len, on_key, &st);
    if (rc != 0) {
        if (err && errlen) {
            inifile_error(&st.ini, err, errlen);
            size_t used = strlen(err);
            util_snprintf(err + used, errlen - used, " (see purgatory %s --help)", section);
        }
        for (int i = 0; i < st.n; i++)
            free(out[i]);
        return rc;
    }
    *nout = st.n;
    return 0;
}

int config_default_path(char *buf, size_t n)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    int rc;
    if (xdg && xdg[0] == '/')
        rc = util_snprintf(buf, n, "%s/purgatory/config.ini", xdg);
    else if (home && home[0])
        rc = util_snprintf(buf, n, "%s/.config/purgatory/config.ini", home);
    else
        return PURG_ENOTFOUND;
    return rc;
}

/* Which entries of longopts the command line uses (seen[i] = 1). */
static void scan_cmdline(const struct option *longopts, int argc, char **argv, char *seen)
{
    char shortopts[128] = ":";
    size_t k = 1;
    for (const struct option *o = longopts; o->name; o++) {
        if (o->val <= 0 || o->val >= 128 || o->flag || k + 3 >= sizeof shortopts)
            continue;
        shortopts[k++] = (char)o->val;
        if (o->has_arg != no_argument)
            shortopts[k++] = ':';
        if (o->has_arg == optional_argument)
            shortopts[k++] = ':';
    }
    shortopts[k] = '\0';
    char **copy = malloc(sizeof *copy * ((size_t)argc + 1));
    if (!copy)
        return;
    memcpy(copy, argv, sizeof *copy * (size_t)argc);
    copy[argc] = NULL;
    int saved_opterr = opterr, ch, idx;
    opterr = 0;
    optind = 0; /* full re-initialization of getopt's state */
    while (idx = -1, (ch = getopt_long(argc, copy, shortopts, longopts, &idx)) != -1) {
        if (idx >= 0) {
            seen[idx] = 1;
            continue;
        }
        for (int i = 0; longopts[i].name; i++)
            if (longopts[i].val == ch && !longopts[i].flag)
                seen[i] = 1;
    }
    opterr = saved_opterr;
    optind = 1;
    free(copy);
}

/* The option name of a "--name[=value]" string from the file. */
static int opt_index(const struct option *longopts, const char *arg)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    for (int i = 0; longopts[i].name; i++)
        if (strlen(longopts[i].name) == n && strncmp(longopts[i].name, name, n) == 0)
            return i;
    return -1;
}

int config_merge(const char *section, const struct option *longopts,
                 int argc, char **argv, config_args_t *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    const char *path = NULL;
    int explicit = 0, none = 0, rc = 0;
    int nopts = 0;
    while (longopts[nopts].name)
        nopts++;
    char **cli = malloc(sizeof *cli * ((size_t)argc + 1));
    char **file = calloc(CONFIG_MAX_ARGS, sizeof *file);
    int *flines = calloc(CONFIG_MAX_ARGS, sizeof *flines);
    char *seen = calloc((size_t)nopts + 1, 1);
    char *text = NULL;
    int ncli = 0, nfile = 0;
    if (!cli || !file || !flines || !seen) {
        util_snprintf(err, errlen, "out of memory");
        rc = PURG_ENOMEM;
        goto done;
    }
    /* take --config FILE / --no-config out of the command line */
    cli[ncli++] = argv[0];
    for (int i = 1; i < argc; i++) {
        int past_dashes = 0;
        for (int j = 1; j < i; j++)
            if (strcmp(argv[j], "--") == 0)
                past_dashes = 1;
        if (!past_dashes && strcmp(argv[i], "--no-config") == 0) {
            none = 1;
        } else if (!past_dashes && strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                util_snprintf(err, errlen, "--config needs a file name");
                rc = PURG_EINVAL;
                goto done;
            }
            path = argv[++i];
            explicit = 1;
        } else if (!past_dashes && strncmp(argv[i], "--config=", 9) == 0) {
            path = argv[i] + 9;
            explicit = 1;
        } else {
            cli[ncli++] = argv[i];
        }
    }
    cli[ncli] = NULL;
    char defpath[sizeof out->path];
    if (!explicit && !none && config_default_path(defpath, sizeof defpath) == 0)
        path = defpath;
    if (none)
        path = NULL;
    size_t len = 0;
    if (path) {
        rc = inifile_read(path, "configuration file", 0, &text, &len, NULL, err, errlen);
        if (rc == PURG_ENOTFOUND && !explicit) {
            rc = 0; /* no default file: fine */
            path = NULL;
            err[0] = '\0';
        } else if (rc != 0) {
            goto done;
        }
    }
    if (path) {
        util_strlcpy(out->path, path, sizeof out->path);
        rc = config_parse_string(path, text, len, section, longopts, file, flines,
                                 CONFIG_MAX_ARGS, &nfile, err, errlen);
        if (rc != 0)
            goto done;
        scan_cmdline(longopts, ncli, cli, seen);
    }
    out->argv = calloc((size_t)(ncli + nfile + 1), sizeof *out->argv);
    out->lines = calloc((size_t)(ncli + nfile + 1), sizeof *out->lines);
    if (!out->argv || !out->lines) {
        util_snprintf(err, errlen, "out of memory");
        rc = PURG_ENOMEM;
        goto done;
    }
    out->argv[out->argc++] = cli[0];
    for (int i = 0; i < nfile; i++) {
        int idx = opt_index(longopts, file[i]);
        if (idx >= 0 && seen[idx]) {
            free(file[i]);          /* the command line wins */
            continue;
        }
        out->lines[out->argc] = flines[i];
        out->argv[out->argc++] = file[i];
    }
    nfile = 0;                      /* now owned by out */
    out->nfile = out->argc - 1;
    for (int i = 1; i < ncli; i++)
        out->argv[out->argc++] = cli[i];
    out->argv[out->argc] = NULL;
done:
    for (int i = 0; i < nfile; i++)
        free(file[i]);
    if (rc != 0)
        config_args_free(out);
    free(cli);
    free(file);
    free(flines);
    free(seen);
    free(text);
    return rc;
}

void config_args_free(config_args_t *a)
{
    if (!a)
        return;
    for (int i = 1; a->argv && i <= a->nfile; i++)
        free(a->argv[i]);
    free(a->argv);
    free(a->lines);
    a->argv = NULL;
    a->lines = NULL;
    a->argc = a->nfile = 0;
}
