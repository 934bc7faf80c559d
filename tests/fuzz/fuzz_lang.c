/* fuzz_lang.c - libFuzzer target for the line's language (lang_guess,
 * lang_line, lang_speak) and the CLDR annotations reader (emoji_parse_string):
 * any bytes as a chat line from a handful of nicks, and as an annotations
 * file. The first byte picks which. A result is always a known language or
 * none, a confidence in 0..1, a voice name that fits; no read out of bounds. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emoji.h"
#include "lang.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static lang_t *guesser;
static emoji_t *names;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    if (!guesser && lang_create(&guesser, "auto", NULL, err, sizeof err) != 0)
        abort();
    if (!names && emoji_create(&names) != 0)
        abort();
    if (size == 0)
        return 0;
    unsigned mode = data[0];
    data++;
    size--;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    if (mode & 1) {
        if (emoji_parse_string(names, mode & 2 ? "en" : "fr", text, size) < 0)
            abort();
        char out[64];
        size_t n = emoji_apply(names, "fr", "a \xf0\x9f\xa5\xb2 \xf0\x9f\xab\xb6 b", out, sizeof out);
        if (n >= sizeof out || strlen(out) != n)
            abort();
    } else {
        lang_result_t r;
        lang_guess(guesser, text, size, &r);
        if (r.line[0] && !lang_code_known(r.line))
            abort();
        static const char *nicks[] = { "a", "b", "c_", "" };
        lang_line(guesser, mode & 2 ? "#x" : NULL, nicks[(mode >> 2) & 3], text, size, &r);
        if (!lang_code_known(r.code) || !(r.conf >= 0 && r.conf <= 1.0000001) || isnan(r.conf))
            abort();
        /* the cleaned text is valid UTF-8 in the real path: only such here */
        if (util_utf8_valid(text, size) && !memchr(text, 0, size)) {
            voice_t v = { "en-gb-scotland+m3", 50, 50, 175, 0 };
            char said[300];
            util_strlcpy(said, text, sizeof said);
            lang_speak(guesser, NULL, names, "#x", "d", text, &v, said, sizeof said);
            if (strlen(v.name) >= sizeof v.name || strlen(said) >= sizeof said)
                abort();
        }
    }
    free(text);
    return 0;
}
