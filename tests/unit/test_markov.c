/* test_markov.c - Markov model: known outcomes of tiny corpora, reply
 * keywords, the folded-form index, overlap test, weights, learning. The
 * model file is test_markov_file.c. */
#include "check.h"
#include "../bench/reply_eval.h"
#include "markov.h"
#include "markov_int.h" /* the folded-form index, checked against a scan */
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "markov_fixture.h"

/* An order-2 model of three lines can only say five things. */
static void test_known_outcomes(void)
{
    static const char *const possible[] = {
        "the cat sat on the mat", "the cat sat on the log", "the dog sat on the mat",
        "the dog sat on the log", "a cat ran",
    };
    markov_t *m = model_of(MARKOV_WORDS, 2, tiny, 3);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 42);
    int seen[5] = { 0 }, other = 0, runs = 3000;
    for (int i = 0; i < runs; i++) {
        char *s = NULL;
        CHECK_EQ(markov_generate(m, &r, &o, &s), 0);
        size_t k = 0;
        while (k < 5 && (!s || strcmp(s, possible[k]) != 0))
            k++;
        if (k < 5)
            seen[k]++;
        else
            other++;
        free(s);
    }
    CHECK_EQ(other, 0);
    for (int k = 0; k < 5; k++)
        CHECK_GT(seen[k], 0);
    /* weighted by counts: 1 of 3 lines starts with "a" */
    double share = (double)seen[4] / runs;
    CHECK(share > 0.28 && share < 0.39);
    /* "on the" is followed by mat and log equally */
    CHECK_LT(abs((seen[0] + seen[2]) - (seen[1] + seen[3])), runs / 10);

    markov_stats_t st;
    markov_stats(m, &st);
    CHECK_EQ(st.lines, 3);
    CHECK_EQ(st.vocab, 9);
    /* [B]->the,a  [B the]->cat,dog  [B a]->cat  [the cat]->sat  [cat sat]->on
     * [sat on]->the  [on the]->mat,log  [the mat]->B  [the dog]->sat  [dog sat]->on
     * [the log]->B  [a cat]->ran  [cat ran]->B */
    CHECK_EQ(st.transitions, 16);

    /* every line of this corpus is a copy: the overlap test refuses them all */
    markov_gen_opts_t d;
    markov_gen_opts_default(&d);
    d.tries = 50;
    char *s = NULL;
    CHECK_EQ(markov_generate(m, &r, &d, &s), PURG_ETIMEOUT);
    CHECK(s == NULL);
    markov_free(m);
}

static void test_determinism_and_seed_word(void)
{
    static const char *const lines[] = { "one two three four five", "six seven eight" };
    markov_t *m = model_of(MARKOV_WORDS, 2, lines, 2);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t a, b;
    markov_rng_seed(&a, 7);
    markov_rng_seed(&b, 7);
    for (int i = 0; i < 20; i++) {
        char *x = NULL, *y = NULL;
        CHECK_EQ(markov_generate(m, &a, &o, &x), 0);
        CHECK_EQ(markov_generate(m, &b, &o, &y), 0);
        CHECK_STREQ(x, y);
        free(x);
        free(y);
    }
    /* a word in the middle: walked backward to the start and forward to the end */
    char *s = NULL;
    CHECK_EQ(markov_generate_with(m, &a, &o, "four", &s), 0);
    CHECK_STREQ(s, "one two three four five");
    free(s);
    CHECK_EQ(markov_generate_with(m, &a, &o, "eight", &s), 0);
    CHECK_STREQ(s, "six seven eight");
    free(s);
    CHECK_EQ(markov_generate_with(m, &a, &o, "FOUR,", &s), 0); /* folded match */
    CHECK_STREQ(s, "one two three four five");
    free(s);
    CHECK_EQ(markov_generate_with(m, &a, &o, "nine", &s), PURG_ENOTFOUND);
    CHECK(s == NULL);
    markov_free(m);
}

static void test_reply(void)
{
    markov_t *m = model_of(MARKOV_WORDS, 2, fruit, sizeof fruit / sizeof *fruit);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 3);
    for (int i = 0; i < 50; i++) {
        char *s = NULL;
        CHECK_EQ(markov_reply(m, &r, &o, "What do you think about the HARBOUR?", &s), 0);
        CHECK(s && strstr(s, "harbour"));
        free(s);
        CHECK_EQ(markov_reply(m, &r, &o, "is the banana ripe", &s), 0);
        CHECK(s && strstr(s, "banana"));
        free(s);
    }
    /* only stopwords, or unknown words: nothing to reply through */
    char *s = NULL;
    CHECK_EQ(markov_reply(m, &r, &o, "the and of to", &s), PURG_ENOTFOUND);
    CHECK_EQ(markov_reply(m, &r, &o, "xylophone quasar", &s), PURG_ENOTFOUND);
    CHECK_EQ(markov_reply(m, &r, &o, "", &s), PURG_ENOTFOUND);
    CHECK(s == NULL);
    markov_free(m);
}

/* The scored reply: keywords (ban list, swaps, rarer weighs more), the
 * account it gives, the recent-line penalty, the simple method kept. */
static void test_reply_scored(void)
{
    markov_t *m = model_of(MARKOV_WORDS, 2, fruit, sizeof fruit / sizeof *fruit);
    markov_gen_opts_t o = no_overlap();
    markov_reply_opts_t ro;
    markov_reply_opts_default(&ro);
    CHECK_EQ(ro.method, MARKOV_REPLY_SCORED);
    markov_rng_t r;
    markov_rng_seed(&r, 5);
    markov_reply_info_t info;
    char *s = NULL;
    CHECK_EQ(markov_reply_ex(m, &r, &o, &ro, "do you think the harbour has apples?", &info, &s), 0);
    CHECK(s != NULL);
    /* "think", "do", "the", "has" are banned; "you" is swapped to "I" (unknown here) */
    size_t content = 0;
    int harbour = -1, apples = -1;
    for (size_t i = 0; i < info.nkeywords; i++) {
        CHECK(strcmp(info.keyword[i], "think") != 0 && strcmp(info.keyword[i], "the") != 0);
        if (!info.swapped[i])
            content++;
        if (!strcmp(info.keyword[i], "harbour"))
            harbour = (int)i;
        if (!strcmp(info.keyword[i], "apples"))
            apples = (int)i;
    }
    CHECK_EQ(content, 2);
    CHECK(harbour >= 0 && apples >= 0);
    /* "apples" occurs once, "harbour" twice: the rarer weighs more */
    if (harbour >= 0 && apples >= 0)
        CHECK_GT(info.weight[apples], info.weight[harbour]);
    CHECK_GE(info.candidates, 1);
    CHECK(info.coverage > 0 && info.coverage <= 1.0);
    CHECK(!info.fallback);
    free(s);
    /* a stem the model lacks the plural of: "harbours" finds "harbour" */
    CHECK_EQ(markov_reply_ex(m, &r, &o, &ro, "any harbours near you?", &info, &s), 0);
    CHECK(s && strstr(s, "harbour"));
    free(s);
    /* the swap: "my" in the prompt may come back as "your", never as a seed */
    CHECK_EQ(markov_reply_ex(m, &r, &o, &ro, "my bananas", &info, &s), 0);
    free(s);
    /* a line it said lately is avoided when another will do */
    static const char *const eaten[] = {
        "we ate the apple pie", "we ate the apple cake", "we ate the plum pie",
        "the plum cake was good", "apple pie again",
    };
    markov_t *e = model_of(MARKOV_WORDS, 1, eaten, 5);
    int same = 0;
    for (int i = 0; i < 40; i++) {
        CHECK_EQ(markov_reply_ex(e, &r, &o, &ro, "apple?", &info, &s), 0);
        const char *recent[1] = { s };
        markov_reply_opts_t rr = ro;
        rr.recent = recent;
        rr.nrecent = 1;
        char *t = NULL;
        CHECK_EQ(markov_reply_ex(e, &r, &o, &rr, "apple?", &info, &t), 0);
        same += s && t && strcmp(s, t) == 0;
        CHECK(info.echo_recent < 1.0);
        free(s);
        free(t);
    }
    CHECK_LE(same, 4);
    /* the simple method is still there, and nothing known is ENOTFOUND */
    ro.method = MARKOV_REPLY_SIMPLE;
    CHECK_EQ(markov_reply_ex(m, &r, &o, &ro, "is the banana ripe", &info, &s), 0);
    CHECK(s && strstr(s, "banana"));
    free(s);
    markov_reply_opts_default(&ro);
    CHECK_EQ(markov_reply_ex(m, &r, &o, &ro, "xylophone quasar", &info, &s), PURG_ENOTFOUND);
    CHECK(info.fallback);
    markov_free(e);
    markov_free(m);
}

/* Replies stay on topic: over the prompt set (tests/data/prompts.tsv) and
 * a model of the fortunes package's "fortunes" and "wisdom" files, on a
 * fixed seed, the share of replies holding a content word of the prompt
 * (where the model knows one) and holding the topic word (where it knows
 * it) must not fall below the floors measured when the scored method was
 * made, less a margin (measured: 94.6% of 222 and 91.5% of 142, seed 7). */
#define TOPIC_FLOOR_CONTENT 0.92
#define TOPIC_FLOOR_TOPIC 0.86
static void test_reply_on_topic(void)
{
    const char *src = getenv("PURG_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/prompts.tsv", src ? src : ".");
    static re_prompt_t ps[RE_MAX_PROMPTS];
    size_t np = re_load(path, ps, RE_MAX_PROMPTS);
    CHECK_GE(np, 200);
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 2), 0);
    static const char *const files[] = { "/usr/share/games/fortunes/fortunes",
                                         "/usr/share/games/fortunes/wisdom" };
    size_t lines = 0;
    for (size_t f = 0; f < 2; f++) {
        FILE *in = fopen(files[f], "r");
        if (!in) {
            fprintf(stderr, "reply_on_topic: cannot read %s: install the Debian package "
                    "fortunes (tests/packages.txt)\n", files[f]);
            CHECK(in != NULL);
            continue;
        }
        char line[1024];
        while (fgets(line, sizeof line, in)) {
            line[strcspn(line, "\n")] = '\0';
            if (line[0] && strcmp(line, "%") != 0 && markov_add_line(m, line, strlen(line)) == 0)
                lines++;
        }
        fclose(in);
    }
    CHECK_GT(lines, 1000);
    CHECK_EQ(markov_build(m), 0);
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.max_tokens = 24;
    o.min_tokens = 3;
    o.tries = 64;
    o.budget_ns = 0; /* no time limit: the same candidates on any machine */
    markov_rng_t r;
    markov_rng_seed(&r, 7);
    long known = 0, hit = 0, tknown = 0, thit = 0;
    for (size_t i = 0; i < np; i++) {
        char *s = NULL;
        int rc = markov_reply(m, &r, &o, ps[i].text, &s);
        int c = 0, t = 0, k = 0, kt = 0;
        if (rc == 0)
            re_judge(&ps[i], s, &c, &t);
        /* known: some content word (or the topic) can be said by the model */
        for (size_t w = 0; w < ps[i].ncontent && !k; w++) {
            char *g = NULL;
            k = markov_generate_with(m, &r, &o, ps[i].content[w], &g) != PURG_ENOTFOUND;
            free(g);
        }
        char *g = NULL;
        kt = markov_generate_with(m, &r, &o, ps[i].topic, &g) != PURG_ENOTFOUND;
        free(g);
        known += k;
        hit += k && c;
        tknown += kt;
        thit += kt && t;
        free(s);
    }
    double content = known ? (double)hit / (double)known : 0;
    double topic = tknown ? (double)thit / (double)tknown : 0;
    fprintf(stderr, "reply_on_topic: %zu prompts: content word %.1f%% of %ld, topic word %.1f%% of %ld\n",
            np, 100 * content, known, 100 * topic, tknown);
    CHECK_GE(known, 150);
    CHECK_GE(content, TOPIC_FLOOR_CONTENT);
    CHECK_GE(topic, TOPIC_FLOOR_TOPIC);
    markov_free(m);
}

/* The accept hook: the caller's own test of each candidate line (a
 * persona's guard). Refused lines never come out, of any generator, and a
 * hook that refuses everything leaves nothing. */
typedef struct refuser {
    const char *word;  /* lines holding it are refused; NULL: every line */
    int calls;
} refuser_t;

static int refuse_word(void *ctx, const char *line)
{
    refuser_t *f = ctx;
    f->calls++;
    return f->word && !strstr(line, f->word);
}

static void test_accept_hook(void)
{
    markov_t *m = model_of(MARKOV_WORDS, 2, tiny, 3);
    markov_t *fm = model_of(MARKOV_WORDS, 1, fruit, sizeof fruit / sizeof *fruit);
    markov_gen_opts_t o = no_overlap();
    refuser_t f = { "mat", 0 };
    o.accept = refuse_word;
    o.accept_ctx = &f;
    markov_rng_t r;
    markov_rng_seed(&r, 11);
    int seen_log = 0;
    for (int i = 0; i < 300; i++) {
        char *s = NULL;
        CHECK_EQ(markov_generate(m, &r, &o, &s), 0);
        CHECK(s && !strstr(s, "mat"));
        seen_log += s && strstr(s, "log") != NULL;
        free(s);
        CHECK_EQ(markov_generate_with(m, &r, &o, "sat", &s), 0);
        CHECK(s && !strstr(s, "mat"));
        free(s);
    }
    CHECK_GT(seen_log, 0);
    CHECK_GT(f.calls, 600);
    /* the scored and the simple reply: the best line the hook takes */
    f.word = "harbour";
    markov_reply_opts_t ro;
    markov_reply_opts_default(&ro);
    for (int method = 0; method < 2; method++) {
        ro.method = method ? MARKOV_REPLY_SIMPLE : MARKOV_REPLY_SCORED;
        for (int i = 0; i < 50; i++) {
            char *s = NULL;
            markov_reply_info_t info;
            int rc = markov_reply_ex(fm, &r, &o, &ro, "the harbour and the boats", &info, &s);
            CHECK(rc == 0 || rc == PURG_ETIMEOUT);
            CHECK(rc != 0 || (s && !strstr(s, "harbour")));
            free(s);
        }
    }
    /* a hook that refuses every line: nothing comes out */
    f.word = NULL;
    char *s = NULL;
    CHECK_EQ(markov_generate(m, &r, &o, &s), PURG_ETIMEOUT);
    CHECK(s == NULL);
    CHECK_NE(markov_reply(fm, &r, &o, "the boats were red", &s), 0);
    CHECK(s == NULL);
    /* the default has no hook */
    markov_gen_opts_t d;
    markov_gen_opts_default(&d);
    CHECK(d.accept == NULL && d.accept_ctx == NULL);
    markov_free(m);
    markov_free(fm);
}

static void test_overlap(void)
{
    markov_t *m = model_of(MARKOV_WORDS, 2, fruit, sizeof fruit / sizeof *fruit);
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    /* copies and long runs are caught, new text is not */
    CHECK(markov_overlaps(m, &o, "the boats were painted red and blue"));
    CHECK(markov_overlaps(m, &o, "we went to the harbour to see the boats were painted"));
    CHECK(markov_overlaps(m, &o, "the boats were painted red banana")); /* 5 of 6 */
    CHECK(!markov_overlaps(m, &o, "the boats were painted blue and red")); /* 4 of 7 */
    CHECK(!markov_overlaps(m, &o, "zebra quasar"));
    CHECK(markov_overlaps(m, &o, "boats")); /* one known word is a whole-line copy */
    /* the ratio and total are honoured */
    markov_gen_opts_t loose = o;
    loose.max_overlap_ratio = 1.0;
    loose.max_overlap_total = 20;
    CHECK(!markov_overlaps(m, &loose, "we went to the harbour to see the boats were painted"));
    /* generated lines with the test on are never copies */
    markov_rng_t r;
    markov_rng_seed(&r, 11);
    int made = 0;
    for (int i = 0; i < 200; i++) {
        char *s = NULL;
        int rc = markov_generate(m, &r, &o, &s);
        CHECK(rc == 0 || rc == PURG_ETIMEOUT);
        if (rc == 0) {
            made++;
            CHECK(!markov_overlaps(m, &o, s));
            for (size_t k = 0; k < sizeof fruit / sizeof *fruit; k++)
                CHECK(strcmp(s, fruit[k]) != 0);
        }
        free(s);
    }
    CHECK_GT(made, 100);
    markov_free(m);
}

static void test_weights(void)
{
    static const char *const red[] = { "red apple", "red cherry" };
    static const char *const blue[] = { "blue sky", "blue sea" };
    markov_t *a = model_of(MARKOV_WORDS, 2, red, 2), *b = model_of(MARKOV_WORDS, 2, blue, 2);
    const markov_t *ms[2] = { a, b };
    double w[2] = { 3.0, 1.0 };
    markov_t *mix = NULL;
    CHECK_EQ(markov_combine(&mix, ms, w, 2), 0);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 5);
    int nred = 0, nblue = 0, runs = 4000;
    for (int i = 0; i < runs; i++) {
        char *s = NULL;
        CHECK_EQ(markov_generate(mix, &r, &o, &s), 0);
        if (s && strncmp(s, "red ", 4) == 0)
            nred++;
        else if (s && strncmp(s, "blue ", 5) == 0)
            nblue++;
        free(s);
    }
    CHECK_EQ(nred + nblue, runs);
    double share = (double)nred / runs;
    CHECK(share > 0.71 && share < 0.79);
    /* word and character models do not mix */
    static const char *const names[] = { "Tatooine" };
    markov_t *c = model_of(MARKOV_CHARS, 2, names, 1);
    const markov_t *bad[2] = { a, c };
    markov_t *x = NULL;
    CHECK_EQ(markov_combine(&x, bad, w, 2), PURG_EINVAL);
    CHECK(x == NULL);
    markov_free(c);
    markov_free(mix);
    markov_free(a);
    markov_free(b);
}

static void test_learn(void)
{
    markov_t *m = model_of(MARKOV_WORDS, 2, tiny, 3);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 9);
    char *s = NULL;
    CHECK_EQ(markov_generate_with(m, &r, &o, "zebra", &s), PURG_ENOTFOUND);
    CHECK_EQ(markov_learn(m, "a zebra sat on the mat", 22), 0);
    CHECK_EQ(markov_generate_with(m, &r, &o, "zebra", &s), 0);
    CHECK(s && strncmp(s, "a zebra sat on the ", 19) == 0);
    free(s);
    /* enough learning to freeze the live segment twice (and merge) */
    size_t big = 3000;
    char *line = malloc(big * 8);
    size_t len = 0;
    for (size_t i = 0; i < big; i++)
        len += (size_t)sprintf(line + len, "%sw%zu", i ? " " : "", i % 977);
    for (int i = 0; i < 50; i++)
        CHECK_EQ(markov_learn(m, line, len), 0);
    free(line);
    markov_stats_t st;
    markov_stats(m, &st);
    CHECK_EQ(st.lines, 3 + 1 + 50);
    CHECK_LE(st.segments, 3);
    o.max_tokens = 4000; /* the learned lines are 3000 words long */
    CHECK_EQ(markov_generate_with(m, &r, &o, "w976", &s), 0);
    free(s);
    CHECK_EQ(markov_generate_with(m, &r, &o, "zebra", &s), 0);
    free(s);
    markov_free(m);
}

/* ---- the folded-form index ---------------------------------------------------- */

typedef struct hid {
    uint64_t h;
    uint32_t id;
} hid_t;

static int cmp_hid(const void *a, const void *b)
{
    const hid_t *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Every folded form's ids, as the index gives them, against the vocabulary
 * sorted by (folded hash, id): the same ids, ascending, then the end.
 * Returns the number of forms checked. */
static size_t check_fold(const markov_t *m)
{
    size_t n = m->nvocab - 1, forms = 0, bad = 0;
    hid_t *v = malloc((n ? n : 1) * sizeof *v);
    CHECK(v != NULL);
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++) {
        v[i].id = (uint32_t)(i + 1);
        v[i].h = m->normh[i + 1];
    }
    qsort(v, n, sizeof *v, cmp_hid);
    for (size_t i = 0; i < n;) {
        uint32_t t = markov__fold_first(m, v[i].h);
        size_t j = i;
        for (; j < n && v[j].h == v[i].h; j++) {
            bad += t != v[j].id;
            t = t ? markov__fold_next(m, t) : 0;
        }
        bad += t != 0;
        forms++;
        i = j;
    }
    CHECK_EQ(bad, (size_t)0);
    CHECK_EQ(markov__fold_first(m, markov__normh("notaword", 8)), (uint32_t)0);
    free(v);
    return forms;
}

/* The index that replaced the vocabulary scan finds the same tokens in the
 * same order: after training (several rehashes), learning (ids added one by
 * one), loading a file and combining two models. */
static void test_fold_index(void)
{
    static const char *const pre[] = { "", "", "(", "", "\"" }, *const suf[] = { "", ",", ")", "!", ".\"" };
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 2), 0);
    char line[256], w[32];
    for (int i = 0; i < 3000; i++) {
        size_t len = 0;
        for (int k = 0; k < 4; k++) {
            int x = (i * 7 + k * 13) % 1500;
            snprintf(w, sizeof w, (x % 3 == 0) ? "Word%d" : "word%d", x);
            len += (size_t)snprintf(line + len, sizeof line - len, "%s", k ? " " : "");
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s%s", pre[(i + k) % 5], w,
                                    suf[(i + k) % 5]);
        }
        CHECK_EQ(markov_add_line(m, line, len), 0);
    }
    CHECK_EQ(markov_build(m), 0);
    markov_stats_t st;
    markov_stats(m, &st);
    CHECK_GT(st.vocab, (size_t)4096); /* the tables were rebuilt on the way */
    CHECK_EQ(check_fold(m), (size_t)1500);
    /* learning: new forms and new variants of known ones */
    for (int i = 0; i < 200; i++) {
        int len = snprintf(line, sizeof line, "a zebra%d and WORD%d? and (Zebra%d)", i, i, i);
        CHECK_EQ(markov_learn(m, line, (size_t)len), 0);
    }
    CHECK_EQ(check_fold(m), (size_t)1702); /* + zebraN, "a", "and" */
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 3);
    char *s = NULL;
    CHECK_EQ(markov_generate_with(m, &r, &o, "ZEBRA7", &s), 0); /* learned, found folded */
    CHECK(s && (strstr(s, "zebra7") || strstr(s, "Zebra7")));
    free(s);
    /* a loaded file */
    const char *tmpdir = getenv("PURG_TEST_TMP");
    char path[1024], err[256] = "";
    snprintf(path, sizeof path, "%s/test_markov_fold.model", tmpdir ? tmpdir : "/tmp");
    CHECK_EQ(markov_save(m, path, err, sizeof err), 0);
    markov_t *l = NULL;
    CHECK_EQ(markov_load(&l, path, err, sizeof err), 0);
    if (l) {
        CHECK_EQ(check_fold(l), check_fold(m));
        /* combined with a small model */
        markov_t *t = model_of(MARKOV_WORDS, 2, tiny, 3);
        const markov_t *both[2] = { l, t };
        const double wt[2] = { 1.0, 2.0 };
        markov_t *c = NULL;
        CHECK_EQ(markov_combine(&c, both, wt, 2), 0);
        if (c)
            CHECK_EQ(check_fold(c), check_fold(l) + 8); /* the cat sat on mat dog log ran ("a" is known) */
        markov_free(c);
        markov_free(t);
        markov_free(l);
    }
    unlink(path);
    markov_free(m);
}

static void test_chars(void)
{
    static const char *const planets[] = {
        "Tatooine", "Alderaan", "Coruscant", "Dagobah", "Naboo", "Kashyyyk",
        "Ærøskøbing", "Hoth", "Endor", "Bespin", "Mustafar", "Kamino",
    };
    markov_t *m = model_of(MARKOV_CHARS, 2, planets, sizeof planets / sizeof *planets);
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.max_tokens = 40;
    markov_rng_t r;
    markov_rng_seed(&r, 1);
    int made = 0;
    for (int i = 0; i < 100; i++) {
        char *s = NULL;
        int rc = markov_generate(m, &r, &o, &s);
        if (rc == 0) {
            made++;
            CHECK(util_utf8_valid(s, strlen(s)));
            CHECK(strlen(s) > 0 && !strchr(s, ' '));
        }
        free(s);
    }
    CHECK_GT(made, 50);
    char *s = NULL;
    CHECK(markov_generate_with(m, &r, &o, "ø", &s) == 0 || s == NULL);
    free(s);
    markov_free(m);
}

static void test_bad_lines(void)
{
    markov_t *m = NULL;
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 0), PURG_EINVAL);
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, MARKOV_MAX_ORDER + 1), PURG_EINVAL);
    CHECK_EQ(markov_new(&m, MARKOV_WORDS, 2), 0);
    CHECK_EQ(markov_add_line(m, "ab\xff", 3), PURG_EINVAL);
    CHECK_EQ(markov_add_line(m, "a\0b", 3), PURG_EINVAL);
    char *huge = malloc(MARKOV_MAX_LINE + 10);
    memset(huge, 'x', MARKOV_MAX_LINE + 10);
    CHECK_EQ(markov_add_line(m, huge, MARKOV_MAX_LINE + 10), PURG_ETOOBIG);
    free(huge);
    CHECK_EQ(markov_add_line(m, "   \t ", 5), 0);
    CHECK_EQ(markov_build(m), PURG_EEMPTY);
    markov_gen_opts_t o = no_overlap();
    markov_rng_t r;
    markov_rng_seed(&r, 1);
    char *s = NULL;
    CHECK_EQ(markov_generate(m, &r, &o, &s), PURG_EEMPTY);
    CHECK_EQ(markov_reply(m, &r, &o, "hello", &s), PURG_EEMPTY);
    markov_free(m);
    markov_free(NULL);
}

static const check_case_t cases[] = {
    CHECK_CASE(known_outcomes),
    CHECK_CASE(determinism_and_seed_word),
    CHECK_CASE(reply),
    CHECK_CASE(reply_scored),
    CHECK_CASE(reply_on_topic),
    CHECK_CASE(accept_hook),
    CHECK_CASE(overlap),
    CHECK_CASE(weights),
    CHECK_CASE(learn),
    CHECK_CASE(fold_index),
    CHECK_CASE(chars),
    CHECK_CASE(bad_lines),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
