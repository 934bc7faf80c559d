/* markov_fixture.h - what the Markov tests (test_markov.c,
 * test_markov_file.c) build their models from: a model of given lines, the
 * generator options without the overlap test, and a corpus of three lines.
 * Include after check.h and markov.h. */
#ifndef PURG_MARKOV_FIXTURE_H
#define PURG_MARKOV_FIXTURE_H

#include <string.h>

static inline markov_t *model_of(markov_mode_t mode, int order, const char *const *lines, size_t n)
{
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, mode, order), 0);
    for (size_t i = 0; i < n; i++)
        CHECK_EQ(markov_add_line(m, lines[i], strlen(lines[i])), 0);
    CHECK_EQ(markov_build(m), 0);
    return m;
}

static inline markov_gen_opts_t no_overlap(void)
{
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.overlap_test = false;
    return o;
}

static const char *const tiny[] = {
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat ran",
};

#endif
