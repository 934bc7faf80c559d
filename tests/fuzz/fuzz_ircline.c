/* fuzz_ircline.c - libFuzzer target: server bytes -> ircbridge_clean_line ->
 * the checks libircclient's parser relies on (a command after a prefix, a
 * NUL-free line of at most 510 bytes, text on PRIVMSG/NOTICE). */
#include "ircbridge.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *line = malloc(size + 3);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    size_t n = ircbridge_clean_line(line, size);
    if (n > 0) {
        if (n > 510 || strlen(line) != n || strchr(line, '\n'))
            abort();
        if (line[0] == ':' && !strchr(line, ' '))
            abort();
    }
    free(line);
    return 0;
}
