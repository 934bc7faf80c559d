/* main.c - `purgatory`: dispatches to a subcommand; main thread. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand's name */
    const char *summary;
} command_t;

static const command_t commands[] = {
    /* one line per subcommand */
    { "listen", cli_listen, "join IRC channels and speak every line aloud" },
    { "voices", cli_voices, "explain, preview, list and check the nick -> voice mapping" },
    { "train", cli_train, "build a Markov model from text or IRC logs" },
    { "babble", cli_babble, "print lines, or replies, made by Markov models" },
    { "demo", cli_demo, "personas converse aloud offline, with no IRC server" },
    { NULL, NULL, NULL }
};

static void usage(FILE *f)
{
    fprintf(f, "usage: purgatory COMMAND [OPTIONS]\n"
               "       purgatory --help | --version\n\n"
               "Makes an IRC channel audible: every nick speaks in a voice of its own.\n\n"
               "commands:\n");
    for (const command_t *c = commands; c->name; c++)
        fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n'purgatory COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("purgatory %s\n", PURG_VERSION);
        return 0;
    }
    for (const command_t *c = commands; c->name; c++)
        if (strcmp(argv[1], c->name) == 0)
            return c->run(argc - 1, argv + 1);
    fprintf(stderr, "purgatory: unknown command '%s'; see 'purgatory --help'\n", argv[1]);
    return 2;
}
