/* cmdbot_check.c - counts what command bots would act on in recorded
 * channel lines ("NICK<TAB>TEXT" per line, from cmdbot_irc.py), with the
 * same model as the unit tests (tests/unit/cmdbot.c): for each bot nick
 * given, the triggers of a bot by that name (cmdbot_count) and those of
 * Hubot, Limnoria, Sopel, Errbot and Eggdrop bots of that name sitting in
 * the channel (cmdbot_count_room). Lines by the bots themselves are not
 * counted. Prints "LINES ACTIONS" and every offending line on stderr; exit 0
 * either way, 2 on usage or I/O errors. */
#include "cmdbot.h"
#include "nick.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: cmdbot_check RECORD-FILE BOTNICK...\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    char line[4096];
    unsigned long lines = 0, actions = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] == '\n')
            line[--len] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        const char *who = line, *text = tab + 1;
        int self = 0;
        for (int b = 2; b < argc; b++)
            self |= nick_eq(who, argv[b]);
        if (self)
            continue;
        lines++;
        for (int b = 2; b < argc; b++) {
            int n = cmdbot_count(argv[b], text, strlen(text)) +
                    cmdbot_count_room(argv[b], text, strlen(text));
            if (n > 0) {
                actions += (unsigned long)n;
                fprintf(stderr, "%s would act %d time(s) on <%s> %s\n", argv[b], n, who, text);
            }
        }
    }
    fclose(f);
    printf("%lu %lu\n", lines, actions);
    return 0;
}
