/* fuzz_model_loader.c - libFuzzer target: the model file loader, with its
 * checksum off so that the structural checks get fuzzed too, and then every
 * use of whatever it accepted (generate, reply, stats, learn). */
#include "markov.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    markov_t *m = NULL;
    char err[256];
    markov_load_mem(&m, data, size, 0, err, sizeof err); /* the normal path */
    markov_free(m);
    m = NULL;
    if (markov_load_mem(&m, data, size, MARKOV_LOAD_NO_CHECKSUM, err, sizeof err) != 0)
        return 0;
    markov_rng_t r;
    markov_rng_seed(&r, 1);
    markov_gen_opts_t g;
    markov_gen_opts_default(&g);
    g.tries = 4;
    g.budget_ns = 0;
    g.max_tokens = 64;
    char *s = NULL;
    markov_generate(m, &r, &g, &s);
    free(s);
    s = NULL;
    markov_reply(m, &r, &g, "hello world the harbour", &s);
    free(s);
    s = NULL;
    markov_generate_with(m, &r, &g, "a", &s);
    free(s);
    markov_stats_t st;
    markov_stats(m, &st);
    markov_learn(m, "one more line", 13);
    s = NULL;
    markov_generate(m, &r, &g, &s);
    free(s);
    markov_free(m);
    return 0;
}
