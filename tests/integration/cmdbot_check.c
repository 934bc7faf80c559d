/* cmdbot_check.c - counts what a command bot would act on in recorded
 * channel lines ("NICK<TAB>TEXT" per line, from cmdbot_irc.py), with the
 * same model as the unit tests (tests/unit/cmdbot.c). Prints the total and
 * every offending line; exit 0 either way, 2 on usage or I/O errors. */
#include "cmdbot.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: cmdbot_check BOTNICK RECORD-FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 2;
    }
    char line[4096];
    unsigned long lines = 0, actions = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        char *tab = strchr(line, '\t');
        const char *text = tab ? tab + 1 : line;
        int n = cmdbot_count(argv[1], text, strlen(text));
        lines++;
        if (n > 0) {
            actions += (unsigned long)n;
            fprintf(stderr, "would act %d time(s) on: %s\n", n, line);
        }
    }
    fclose(f);
    printf("%lu %lu\n", lines, actions);
    return 0;
}
