/* fuzz_guard.c - libFuzzer target for guard_check: any line in; whatever
 * the guard lets through (strict, or rewritten) must hold no control
 * character, start with no sigil, and leave the command-bot model silent.
 * The first input byte picks the mode and the output buffer size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdbot.h"
#include "guard.h"
#include "purg.h"
#include "util.h"

static const char lead_sigils[] = "!#$%&*+,-./:;=>?@\\^`|~";

static void check_passed(const char *out)
{
    size_t n = strlen(out);
    if (n == 0 || !util_utf8_valid(out, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7F)
            abort();                                   /* control character */
        if (c == 0xC2 && i + 1 < n && (unsigned char)out[i + 1] < 0xA0)
            abort();                                   /* C1 control */
    }
    size_t i = 0;
    while (out[i] == ' ' || out[i] == '(' || out[i] == '"' || out[i] == '\'' ||
           out[i] == '[' || out[i] == '{' || out[i] == '<')
        i++;
    if (out[i] && strchr(lead_sigils, out[i]))
        abort();                                       /* leading sigil */
    if (cmdbot_count("cmdbot", out, n) != 0)
        abort();                                       /* a bot would act */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static guard_t *strict, *rw;
    if (!strict) {
        if (guard_create(&strict) || guard_create(&rw) ||
            guard_add_nick(strict, "cmdbot") || guard_add_nick(rw, "cmdbot"))
            abort();
        guard_set_rewrite(rw, true);
    }
    if (size == 0 || size > 4096)
        return 0;
    const guard_t *g = (data[0] & 1) ? rw : strict;
    size_t outlen = (data[0] & 2) ? 16 : 512;
    char *line = malloc(size);            /* the rest, NUL-terminated */
    char *out = malloc(outlen);
    if (!line || !out)
        abort();
    memcpy(line, data + 1, size - 1);
    line[size - 1] = '\0';
    const char *why = NULL;
    int rc = guard_check(g, line, out, outlen, &why);
    if (!why)
        abort();
    if (rc == 0)
        check_passed(out);
    else if (rc != PURG_EDENIED && rc != PURG_ETOOBIG)
        abort();
    free(line);
    free(out);
    return 0;
}
