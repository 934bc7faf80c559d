/* config.h - the configuration file: INI keys of a [section] become long
 * options, parsed before the command line by the subcommand's own getopt
 * table. Main thread.
 *
 * The file is $XDG_CONFIG_HOME/purgatory/config.ini (or
 * ~/.config/purgatory/config.ini), or the one named by --config FILE;
 * --no-config reads none. In the subcommand's section every key is a long
 * option without its dashes: `key = value` becomes `--key=value`; for an
 * option without argument the value is true/yes/on/1 (given) or
 * false/no/off/0 (left out). A key may repeat (for repeatable options).
 * The command line wins: when it gives an option at all, every value the
 * file has for that option is left out, so a repeatable option given on the
 * command line replaces the file's list instead of adding to it. Other
 * sections belong to other subcommands and are not read here. */
#ifndef PURG_CONFIG_H
#define PURG_CONFIG_H

#include <getopt.h>
#include <stddef.h>

#define CONFIG_MAX_ARGS 512   /* keys taken from one file */

typedef struct config_args {
    int argc;          /* argv[0], the file's options, then the command line's */
    char **argv;       /* NULL-terminated; strings owned here or by the caller's argv */
    int nfile;         /* argv[1..nfile] came from the file */
    int *lines;        /* lines[i] = file line of argv[i] (0 for the command line) */
    char path[1024];   /* the file read ("" when none) */
} config_args_t;

/* Build the merged argument vector for `purgatory SECTION`: argv[0], the
 * options of [SECTION] in the config file (those the command line gives left
 * out), then argv[1..] without --config FILE / --no-config. longopts is the
 * subcommand's getopt_long table; short options are those of its entries
 * whose val is a character. On error returns a negative code and a sentence
 * "FILE:LINE: problem (see purgatory SECTION --help)" in err. */
int config_merge(const char *section, const struct option *longopts,
                 int argc, char **argv, config_args_t *out, char *err, size_t errlen);
void config_args_free(config_args_t *a);

/* The options [section] of the INI text gives (name used in messages), as
 * "--key=value" strings, without the command-line filtering. For tests and
 * the fuzzer. out receives up to max strings (the caller frees each). */
int config_parse_string(const char *name, const char *text, size_t len, const char *section,
                        const struct option *longopts, char **out, int *lines, int max,
                        int *nout, char *err, size_t errlen);

/* The default file's path into buf; 0, or PURG_ENOTFOUND when neither
 * XDG_CONFIG_HOME nor HOME is set. */
int config_default_path(char *buf, size_t n);

#endif
