/* fuzz_corpus_reader.c - libFuzzer target: the corpus readers, and the
 * model trained from what they pass on (build, generate, reply, learn).
 * Input: one option byte (bits 0-1 format, bit 2 character tokens, bit 3
 * keep only nick "alice", bit 4 a 32-byte line limit), then the text. */
#include "corpus.h"
#include "markov.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int add(void *ud, const char *line, size_t len)
{
    markov_t *m = ud;
    int rc = markov_add_line(m, line, len);
    return rc == -2 /* PURG_EINVAL */ ? 0 : rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    static const char *const nicks[] = { "alice" };
    corpus_opts_t o = {
        .format = (corpus_format_t)(opt & 3),
        .nicks = nicks,
        .nnicks = (opt & 8) ? 1 : 0,
        .max_line = (opt & 16) ? 32 : 0,
    };
    markov_t *m = NULL;
    if (markov_new(&m, (opt & 4) ? MARKOV_CHARS : MARKOV_WORDS, 1 + (opt >> 5)) != 0)
        return 0;
    corpus_stats_t st;
    memset(&st, 0, sizeof st);
    if (corpus_read_mem((const char *)data + 1, size - 1, &o, add, m, &st) == 0 &&
        markov_build(m) == 0) {
        markov_rng_t r;
        markov_rng_seed(&r, size);
        markov_gen_opts_t g;
        markov_gen_opts_default(&g);
        g.tries = 4;
        g.budget_ns = 0;
        g.max_tokens = 64;
        for (int i = 0; i < 3; i++) {
            char *s = NULL;
            markov_generate(m, &r, &g, &s);
            free(s);
        }
        /* a reply to the last bytes of the input, as text */
        char text[64];
        size_t tl = size - 1 < sizeof text - 1 ? size - 1 : sizeof text - 1;
        memcpy(text, data + size - tl, tl);
        text[tl] = '\0';
        char *s = NULL;
        markov_reply(m, &r, &g, text, &s);
        free(s);
        s = NULL;
        markov_generate_with(m, &r, &g, text, &s);
        free(s);
        markov_overlaps(m, &g, text);
        markov_learn(m, text, tl);
        markov_stats_t ms;
        markov_stats(m, &ms);
    }
    markov_free(m);
    return 0;
}
