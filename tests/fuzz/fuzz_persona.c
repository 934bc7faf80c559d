/* fuzz_persona.c - libFuzzer target for the persona definition parser (INI
 * via inih, numbers, channels, nicks, paths, the [guard] section). Every
 * error must name the file and a line; a definition that parses must hold
 * what the state machine relies on. */
#include "persona.h"
#include "fuzz_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    char err[512];
    persona_def_t *d = NULL;
    /* the parser must not rely on a terminating NUL: give it exactly size bytes */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    int rc = persona_def_parse(&d, "dir/fuzz.ini", text, size, err, sizeof err);
    if (rc == 0) {
        if (!d || !d->nick[0] || d->nchannels == 0 || d->nchannels > PERSONA_MAX_CHANNELS ||
            (!d->model[0] && !d->corpus[0]) || d->order < 1 || d->order > MARKOV_MAX_ORDER ||
            d->max_turns < 1 || d->rate <= 0 || d->burst < 1 || d->think_max < d->think_min ||
            fuzz_has_ctl(d->nick, 1) || fuzz_has_ctl(d->voice, 1) || fuzz_has_ctl(d->model, 1) || fuzz_has_ctl(d->corpus, 1))
            abort();
        for (size_t i = 0; i < d->nchannels; i++)
            if (!strchr("#&+!", d->channels[i][0]))
                abort();
        char out[GUARD_MAX_LINE + 1];
        (void)guard_check(d->guard, "hello there", out, sizeof out, NULL);
    } else if (d != NULL || strncmp(err, "dir/fuzz.ini:", 13) != 0 || fuzz_has_ctl(err, 0)) {
        abort();
    }
    persona_def_free(d);
    free(text);
    return 0;
}
