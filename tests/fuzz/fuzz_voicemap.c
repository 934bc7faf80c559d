/* fuzz_voicemap.c - libFuzzer target for the voices file parser (INI via
 * inih, voice specs, overrides), and for nick normalization on each line. */
#include "voicemap.h"
#include "fuzz_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char err[512];
    /* check_voices = 0: the parser is the target, not espeak-ng's data files */
    if (voicemap_parse_string("fuzz.ini", text, size, 0, err, sizeof err) != 0 && fuzz_has_ctl(err, 0))
        abort(); /* an error message is safe to print */
    /* every line as a nick: normalization must stay within its buffer */
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char norm[VOICEMAP_NICK_MAX];
        voicemap_normalize(line, norm, sizeof norm);
        (void)voicemap_hash(line, norm);
    }
    free(text);
    return 0;
}
