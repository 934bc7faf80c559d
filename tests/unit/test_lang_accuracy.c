/* test_lang_accuracy.c - how often the language guess is right on the
 * multilingual set (langset.h, from Debian's fortune packages), per line
 * length, line by line and with the per-nick estimate; fails below the
 * floors recorded in BENCHMARKS.md "Languages". With --report it prints the
 * table and the cost per guess against textclean's cost on the same lines
 * (tests/bench/lang.sh). */
#include "check.h"
#include "langset.h"

#include "lang.h"
#include "textclean.h"
#include "util.h"

#include <espeak-ng/speak_lib.h>
#include <stdint.h>

/* Floors (percent), a little under what the set measured (BENCHMARKS.md);
 * the list is the set's own eight languages. */
#define FLOOR_LINE_4PLUS 95.0   /* lines of 4 and 8 words, line by line */
#define FLOOR_NICK_ALL 90.0     /* all lines, with the per-nick estimate */
#define FLOOR_NICK_4PLUS 95.0
#define FLOOR_AUTO_NICK_ALL 85.0 /* `auto` (20 languages), with the estimate */
#define FLOOR_AUTO_MONO 98.0    /* `auto`, a channel that writes only English (or German) */

#define NICKS 16

typedef struct tally {
    unsigned ok[LANGSET_LENGTHS], n[LANGSET_LENGTHS];
} tally_t;

static int len_index(int words)
{
    for (int i = 0; i < LANGSET_LENGTHS; i++)
        if (langset_len[i] == words)
            return i;
    return 0;
}

static double pct(unsigned ok, unsigned n) { return n ? 100.0 * ok / n : 0; }

static double pct_from(const tally_t *t, int from)
{
    unsigned ok = 0, n = 0;
    for (int i = from; i < LANGSET_LENGTHS; i++) {
        ok += t->ok[i];
        n += t->n[i];
    }
    return pct(ok, n);
}

static void line_by_line(lang_t *l, const langset_t *set, tally_t *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < set->n; i++) {
        lang_result_t r;
        lang_guess(l, set->l[i].text, strlen(set->l[i].text), &r);
        int k = len_index(set->l[i].words);
        t->n[k]++;
        t->ok[k] += strcmp(r.code, langset_src[set->l[i].lang].code) == 0;
    }
}

static uint32_t lcg(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xFFFFFF;
}

/* A channel of NICKS nicks: nick i writes mostly in language i % 8, in runs
 * of 3..14 lines; one run in five is in its second language (a switch and a
 * switch back). Lines of every length, in the set's order shuffled. Every
 * line of the set is said once. */
static void with_nicks(lang_t *l, const langset_t *set, tally_t *t)
{
    memset(t, 0, sizeof *t);
    size_t *order[LANGSET_LANGS], cnt[LANGSET_LANGS] = {0}, used[LANGSET_LANGS] = {0};
    for (int g = 0; g < LANGSET_LANGS; g++)
        order[g] = malloc(set->n * sizeof **order);
    uint32_t seed = 12345;
    for (size_t i = 0; i < set->n; i++)
        order[set->l[i].lang][cnt[set->l[i].lang]++] = i;
    for (int g = 0; g < LANGSET_LANGS; g++)
        for (size_t i = cnt[g]; i > 1; i--) {
            size_t j = lcg(&seed) % i;
            size_t x = order[g][i - 1];
            order[g][i - 1] = order[g][j];
            order[g][j] = x;
        }
    size_t left = set->n;
    while (left > 0) {
        int nick = (int)(lcg(&seed) % NICKS);
        int home = nick % LANGSET_LANGS, second = (nick * 3 + 1) % LANGSET_LANGS;
        if (second == home)
            second = (home + 1) % LANGSET_LANGS;
        int g = lcg(&seed) % 5 == 0 ? second : home;
        if (used[g] == cnt[g]) { /* that language is said: any other one */
            for (g = 0; g < LANGSET_LANGS && used[g] == cnt[g]; g++)
                ;
        }
        int run = 3 + (int)(lcg(&seed) % 12);
        char name[24];
        snprintf(name, sizeof name, "nick%d", nick);
        for (int k = 0; k < run && used[g] < cnt[g]; k++) {
            const langset_line_t *x = &set->l[order[g][used[g]++]];
            left--;
            lang_result_t r;
            lang_line(l, "#test", name, x->text, strlen(x->text), &r);
            int li = len_index(x->words);
            t->n[li]++;
            t->ok[li] += strcmp(r.code, langset_src[x->lang].code) == 0;
        }
    }
    for (int g = 0; g < LANGSET_LANGS; g++)
        free(order[g]);
}

/* A channel where everybody writes one language g: 4 nicks taking turns,
 * every line of g once, lengths mixed (the set's lines of g shuffled, fixed
 * seed). Percent spoken in g: what a presenter of a one-language channel
 * hears, where every switch the estimate makes is a mistake. */
static double monolingual(lang_t *l, const langset_t *set, int g)
{
    size_t *order = malloc(set->n * sizeof *order), cnt = 0;
    if (!order)
        return 0;
    for (size_t i = 0; i < set->n; i++)
        if (set->l[i].lang == g)
            order[cnt++] = i;
    uint32_t seed = 777;
    for (size_t i = cnt; i > 1; i--) {
        size_t j = lcg(&seed) % i, x = order[i - 1];
        order[i - 1] = order[j];
        order[j] = x;
    }
    unsigned ok = 0;
    char chan[24];
    snprintf(chan, sizeof chan, "#mono%d", g);
    for (size_t k = 0; k < cnt; k++) {
        static const char *nicks[] = { "anna", "bert", "carl", "dora" };
        const langset_line_t *x = &set->l[order[k]];
        lang_result_t r;
        lang_line(l, chan, nicks[k % 4], x->text, strlen(x->text), &r);
        ok += strcmp(r.code, langset_src[g].code) == 0;
    }
    free(order);
    return pct(ok, (unsigned)cnt);
}

static const char *set_list(char *buf, size_t n)
{
    buf[0] = '\0';
    for (int g = 0; g < LANGSET_LANGS; g++) {
        strncat(buf, langset_src[g].code, n - strlen(buf) - 1);
        if (g + 1 < LANGSET_LANGS)
            strncat(buf, ",", n - strlen(buf) - 1);
    }
    return buf;
}

static int load(langset_t *set)
{
    if (langset_load(set) != 0) {
        fprintf(stderr, "out of memory\n");
        return -1;
    }
    if (set->missing[0])
        fprintf(stderr, "test_lang_accuracy: cannot read %s(install the fortune packages "
                "of tests/packages.txt)\n", set->missing);
    return set->missing[0] ? -1 : 0;
}

static void test_floors(void)
{
    langset_t set;
    CHECK(load(&set) == 0);
    CHECK_EQ(set.n, (size_t)LANGSET_LANGS * LANGSET_LENGTHS * LANGSET_PER);
    char list[64], err[512];
    lang_t *l = NULL;
    CHECK_EQ(lang_create(&l, set_list(list, sizeof list), NULL, err, sizeof err), 0);
    if (!l) {
        fprintf(stderr, "%s\n", err);
        langset_free(&set);
        return;
    }
    tally_t line, nick;
    line_by_line(l, &set, &line);
    with_nicks(l, &set, &nick);
    CHECK_GE(pct_from(&line, 2), FLOOR_LINE_4PLUS);
    CHECK_GE(pct_from(&nick, 0), FLOOR_NICK_ALL);
    CHECK_GE(pct_from(&nick, 2), FLOOR_NICK_4PLUS);
    lang_free(l);
    CHECK_EQ(lang_create(&l, "auto", NULL, err, sizeof err), 0);
    if (l) {
        with_nicks(l, &set, &nick);
        CHECK_GE(pct_from(&nick, 0), FLOOR_AUTO_NICK_ALL);
        lang_free(l);
    }
    /* the default must not trouble a channel of one language */
    for (int g = 0; g < 2; g++) { /* en, de */
        if (lang_create(&l, "auto", NULL, err, sizeof err) != 0)
            break;
        CHECK_GE(monolingual(l, &set, g), FLOOR_AUTO_MONO);
        lang_free(l);
    }
    langset_free(&set);
}

static double secs(void) { return (double)util_now_ns() / 1e9; }

static void report_one(const char *spec, const langset_t *set)
{
    char err[512];
    lang_t *l = NULL;
    if (lang_create(&l, spec, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return;
    }
    tally_t line, nick;
    line_by_line(l, set, &line);
    lang_free(l);
    lang_create(&l, spec, NULL, err, sizeof err);
    with_nicks(l, set, &nick);
    printf("%-28s |", strlen(spec) > 28 ? "list of the 8" : spec);
    for (int i = 0; i < LANGSET_LENGTHS; i++)
        printf(" %5.1f", pct(line.ok[i], line.n[i]));
    printf(" | %5.1f %5.1f |", pct_from(&line, 2), pct_from(&line, 0));
    for (int i = 0; i < LANGSET_LENGTHS; i++)
        printf(" %5.1f", pct(nick.ok[i], nick.n[i]));
    printf(" | %5.1f %5.1f\n", pct_from(&nick, 2), pct_from(&nick, 0));
    lang_free(l);
}

static void report_cost(const char *spec, const langset_t *set)
{
    char err[512];
    lang_t *l = NULL;
    if (lang_create(&l, spec, NULL, err, sizeof err) != 0)
        return;
    enum { ROUNDS = 5 };
    double best_guess = 1e9, best_clean = 1e9;
    char out[1024];
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = secs();
        for (size_t i = 0; i < set->n; i++)
            textclean_clean(NULL, set->l[i].text, strlen(set->l[i].text), out, sizeof out);
        double t1 = secs();
        for (size_t i = 0; i < set->n; i++) {
            lang_result_t r;
            lang_line(l, "#bench", i % 2 ? "a" : "b", set->l[i].text, strlen(set->l[i].text), &r);
        }
        double t2 = secs();
        if (t1 - t0 < best_clean)
            best_clean = t1 - t0;
        if (t2 - t1 < best_guess)
            best_guess = t2 - t1;
    }
    printf("cost %-22s: %.2f us a line (textclean of the same lines: %.2f us; ratio %.1f)\n",
           strlen(spec) > 22 ? "list of the 8" : spec, best_guess / (double)set->n * 1e6,
           best_clean / (double)set->n * 1e6, best_guess / best_clean);
    lang_free(l);
}

static int discard(short *wav, int n, espeak_EVENT *ev)
{
    (void)wav, (void)n, (void)ev;
    return 0;
}

/* espeak-ng's own time for the set's 8-word lines (what the synth thread
 * spends on a line), voice loaded once: the scale the guess is read on. */
static void report_espeak(const langset_t *set)
{
    if (espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 100, NULL, espeakINITIALIZE_DONT_EXIT) <= 0)
        return;
    espeak_SetSynthCallback(discard);
    size_t n = 0;
    double t0 = secs();
    for (size_t i = 0; i < set->n; i++) {
        if (set->l[i].words != 8 || strcmp(langset_src[set->l[i].lang].code, "en") != 0)
            continue;
        if (n == 0)
            espeak_SetVoiceByName("en");
        espeak_Synth(set->l[i].text, strlen(set->l[i].text) + 1, 0, POS_CHARACTER, 0,
                     espeakCHARS_UTF8, NULL, NULL);
        n++;
    }
    double t = secs() - t0;
    printf("espeak-ng synthesis of the %zu English 8-word lines: %.0f us a line\n", n,
           n ? t / (double)n * 1e6 : 0);
}

static int report(void)
{
    langset_t set;
    if (load(&set) != 0)
        return 1;
    char list[64];
    printf("%zu lines: %d languages (%s) x %d lengths x %d\n", set.n, LANGSET_LANGS,
           set_list(list, sizeof list), LANGSET_LENGTHS, LANGSET_PER);
    printf("%-28s | line by line: 1w    2w    4w    8w | 4+w   all | with the nick: 1w 2w 4w 8w | 4+w all\n",
           "--languages");
    report_one(list, &set);
    report_one("auto", &set);
    for (int k = 0; k < 2; k++) {
        const char *spec = k ? "auto" : list;
        printf("one-language channels, %-9s:", k ? "auto" : "the list");
        for (int g = 0; g < LANGSET_LANGS; g++) {
            lang_t *l = NULL;
            char err[256];
            if (lang_create(&l, spec, NULL, err, sizeof err) != 0)
                break;
            printf(" %s %.1f", langset_src[g].code, monolingual(l, &set, g));
            lang_free(l);
        }
        printf("\n");
    }
    report_cost(list, &set);
    report_cost("auto", &set);
    report_espeak(&set);
    langset_free(&set);
    return 0;
}

static const check_case_t cases[] = { CHECK_CASE(floors) };

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--report") == 0)
        return report();
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
