/* markov_fixture.h - what the Markov tests (test_markov.c,
 * test_markov_file.c) build their models from: a model of given lines, the
 * generator options without the overlap test, and corpora of three and ten
 * lines.
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

/* ten lines on a few topics, for replies and for files with real content */
static const char *const fruit[] = {
    "I ate a banana at the market this morning",
    "the market was closed on sunday so we went home",
    "my sister likes a banana with her tea",
    "we went to the harbour to see the boats",
    "the boats were painted red and blue",
    "her tea was cold by the time we got home",
    "a red banana is a strange thing to see",
    "Bananas, apples and pears were on the table",
    "the table was set for nine people",
    "nine people came to the harbour at night",
};

#endif
