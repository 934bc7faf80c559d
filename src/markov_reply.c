/* markov_reply.c - keywords and the reply search over the chain engine of
 * markov.c: a line through a word (markov_generate_with), the simple and
 * the scored replies (keywords from the prompt, rarity weights, ban and swap
 * lists, stems, candidates steered through the keywords, their score); any
 * thread, read-only on a built model (see markov.h). */
#include "markov_int.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- keywords and replies -------------------------------------------------------- */

static const char *const stopwords[] = {
    "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "but", "by", "can", "could", "did", "do", "does", "for", "from", "get",
    "got", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "into",
    "is", "it", "its", "just", "like", "me", "my", "no", "not", "now", "of", "on", "one",
    "or", "our", "out", "she", "so", "some", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "to", "too", "up", "us", "very", "was",
    "we", "were", "what", "when", "where", "which", "who", "why", "will", "with",
    "would", "yes", "you", "your", "unto", "shall", "thee", "thou", "thy", "ye", "lol",
    "ok", "oh", "yeah",
};

static bool is_stopword(uint64_t h)
{
    for (size_t i = 0; i < sizeof stopwords / sizeof *stopwords; i++)
        if (markov__normh(stopwords[i], strlen(stopwords[i])) == h)
            return true;
    return false;
}

static size_t model_tokens(const markov_t *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nseg; i++)
        n += m->seg[i].n;
    return n;
}

#define MAX_KEYWORDS 64

typedef struct kwset {
    const markov_t *m;
    uint32_t id[MAX_KEYWORDS];
    size_t n;
    double common;      /* weighted count above which a word is too common */
    bool skip_stop;     /* skip stopwords */
    bool skip_blank;    /* skip tokens without a letter or digit */
} kwset_t;

static void kw_add(kwset_t *k, uint32_t id)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->id[i] == id)
            return;
    if (k->n < MAX_KEYWORDS)
        k->id[k->n++] = id;
}

/* Adds the model tokens matching one input word: the exact token, and in
 * word mode every token with the same folded form. */
static void kw_word(void *ud, const char *s, size_t l)
{
    kwset_t *k = ud;
    const markov_t *m = k->m;
    uint64_t h = markov__normh(s, l);
    if ((k->skip_blank && h == 0) || (k->skip_stop && h != 0 && is_stopword(h)))
        return;
    uint32_t exact = markov__vocab_find(m, s, l);
    if (exact != UINT32_MAX && exact != 0 && markov__pattern_count(m, &exact, 1) <= k->common)
        kw_add(k, exact);
    if (m->mode != MARKOV_WORDS || h == 0)
        return;
    /* the tokens of this folded form, ascending, from the index */
    for (uint32_t t = markov__fold_first(m, h); t && k->n < MAX_KEYWORDS; t = markov__fold_next(m, t)) {
        if (t == exact)
            continue;
        double c = markov__pattern_count(m, &t, 1);
        if (c > 0 && c <= k->common)
            kw_add(k, t);
    }
}

static bool kw_has(const kwset_t *k, uint32_t id)
{
    for (size_t i = 0; i < k->n; i++)
        if (k->id[i] == id)
            return true;
    return false;
}

/* MegaHAL-style surprise: -log2 P(keyword | context) summed over keyword
 * positions, damped for long lines. */
static double score(const markov_t *m, const kwset_t *k, const walk_t *w, size_t order)
{
    double s = 0;
    size_t a = w->a, b = w->b;
    size_t n = 0;
    for (size_t i = a + 1; i < b; i++) {
        if (w->buf[i] == 0)
            break;
        n++;
        if (!kw_has(k, w->buf[i]))
            continue;
        size_t len = i - a < order ? i - a : order;
        double ctx = markov__pattern_count(m, w->buf + i - len, len);
        double both = markov__pattern_count(m, w->buf + i - len, len + 1);
        if (ctx > 0 && both > 0)
            s += -log2(both / ctx);
        s += 1.0; /* each keyword counts even when predictable */
    }
    if (n > 8)
        s /= sqrt((double)n - 1);
    if (n > 16)
        s /= (double)n;
    return s;
}

/* Tries up to o->tries candidates through the keywords, within o->budget_ns,
 * and keeps the best scoring one. */
static int best_through(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                        const kwset_t *k, const char *avoid, char **out)
{
    walk_t w, best;
    size_t max = o->max_tokens ? o->max_tokens : 200;
    if (markov__walk_init(&w, max))
        return PURG_ENOMEM;
    if (markov__walk_init(&best, max)) {
        free(w.buf);
        return PURG_ENOMEM;
    }
    int64_t deadline = util_now_ns() + (o->budget_ns > 0 ? o->budget_ns : 0);
    double best_score = -1;
    size_t order = (size_t)markov__order_of(m, o);
    int tries = o->tries > 0 ? o->tries : 1;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < tries; t++) {
        if (t > 0 && o->budget_ns > 0 && best_score >= 0 && util_now_ns() > deadline)
            break;
        uint32_t seed = k->id[markov__rng_below(rng, (uint32_t)k->n)];
        if (markov__candidate(m, rng, o, &w, seed, NULL) != 0)
            continue;
        size_t len;
        const uint32_t *c = markov__walk_content(&w, &len);
        if (avoid) {
            char *s = markov__render(m, c, len);
            bool same = s && strcmp(s, avoid) == 0;
            free(s);
            if (same)
                continue;
        }
        double sc = score(m, k, &w, order);
        if (sc > best_score && markov__accepted(m, o, c, len)) {
            best_score = sc;
            memcpy(best.buf, w.buf, w.cap * sizeof *w.buf);
            best.a = w.a;
            best.b = w.b;
        }
    }
    if (best_score >= 0) {
        size_t len;
        const uint32_t *c = markov__walk_content(&best, &len);
        *out = markov__render(m, c, len);
        rc = *out ? 0 : PURG_ENOMEM;
    }
    free(w.buf);
    free(best.buf);
    return rc;
}

int markov_generate_with(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                         const char *word, char **out)
{
    *out = NULL;
    if (markov__model_empty(m))
        return PURG_EEMPTY;
    size_t len = strlen(word);
    while (len && (word[len - 1] == ' ' || word[len - 1] == '\n'))
        len--;
    kwset_t k = { .m = m, .n = 0, .common = INFINITY, .skip_stop = false };
    uint32_t exact = markov__vocab_find(m, word, len);
    if (exact != UINT32_MAX && exact != 0 && markov__pattern_count(m, &exact, 1) > 0)
        kw_add(&k, exact);
    else
        kw_word(&k, word, len);
    if (k.n == 0)
        return PURG_ENOTFOUND;
    markov_gen_opts_t oo = *o;
    oo.budget_ns = 0; /* any acceptable candidate will do */
    walk_t w;
    if (markov__walk_init(&w, o->max_tokens ? o->max_tokens : 200))
        return PURG_ENOMEM;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < (oo.tries > 0 ? oo.tries : 1); t++) {
        if (markov__candidate(m, rng, &oo, &w, k.id[markov__rng_below(rng, (uint32_t)k.n)], NULL) == 0) {
            size_t n;
            const uint32_t *c = markov__walk_content(&w, &n);
            if (!markov__accepted(m, &oo, c, n))
                continue;
            *out = markov__render(m, c, n);
            rc = *out ? 0 : PURG_ENOMEM;
            break;
        }
    }
    free(w.buf);
    return rc;
}

/* The simple method (MARKOV_REPLY_SIMPLE): what markov_reply did before
 * the scored one. */
static int reply_simple(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                        const char *text, char **out)
{
    size_t len = strnlen(text, MARKOV_MAX_LINE);
    kwset_t k = { .m = m, .n = 0, .skip_stop = m->mode == MARKOV_WORDS, .skip_blank = true };
    /* Words making up more than 1% of a large corpus carry no topic. */
    size_t total = model_tokens(m);
    k.common = (m->mode == MARKOV_WORDS && total >= 2000) ? (double)total / 100.0 : INFINITY;
    markov__split_text(m, text, len, kw_word, &k);
    if (k.n == 0)
        return PURG_ENOTFOUND;
    return best_through(m, rng, o, &k, text, out);
}

/* Steering a walk through keywords (scored replies): the keyword tokens as
 * a bitmap over the vocabulary, the group of each, and the groups the walk
 * already holds. */
#define RK_GROUPS 16
#define RK_VARIANTS 16

typedef struct rgroup {
    uint32_t id[RK_VARIANTS];   /* model tokens of this word (case and punctuation variants) */
    double cnt[RK_VARIANTS];    /* their weighted counts */
    size_t n;
    double total;               /* sum of cnt */
    double weight;              /* bits: log2(tokens / total); 0 for a swapped word */
    bool aux;                   /* a swapped word ("you" -> "I"): never a seed */
    char word[MARKOV_INFO_WORD];
} rgroup_t;

struct steer {
    rgroup_t g[RK_GROUPS];
    size_t n;
    uint32_t slot[512];         /* keyword token -> group: (id + 1) << 8 | group, open addressing
                                   (at most RK_GROUPS * RK_VARIANTS = 256 used: never full) */
    uint32_t content;           /* the content groups (bit per group) */
    uint32_t used;              /* groups already in the walk (bit per group) */
};

static inline size_t steer_hash(uint32_t id)
{
    return (id * 2654435761u) >> 23;
}

/* The group of a keyword token, or -1. */
static int steer_group(const steer_t *st, uint32_t id)
{
    for (size_t i = steer_hash(id);; i = (i + 1) & 511) {
        uint32_t v = st->slot[i];
        if (!v)
            return -1;
        if ((v >> 8) == id + 1)
            return (int)(v & 255);
    }
}

static void steer_index(steer_t *st)
{
    memset(st->slot, 0, sizeof st->slot);
    st->content = 0;
    for (size_t g = 0; g < st->n; g++) {
        if (!st->g[g].aux)
            st->content |= 1u << g;
        for (size_t v = 0; v < st->g[g].n; v++) {
            size_t i = steer_hash(st->g[g].id[v]);
            while (st->slot[i])
                i = (i + 1) & 511;
            st->slot[i] = (st->g[g].id[v] + 1) << 8 | (uint32_t)g;
        }
    }
}

/* Like pick, but when the context is followed (dir > 0) or preceded by a
 * keyword whose group the walk lacks, that keyword is taken (7 times in 8).
 * Small ranges are scanned whole, larger ones sampled, so a step costs at
 * most a few dozen lookups; once the walk holds every content keyword it
 * is an ordinary pick. */
#define STEER_SCAN 24
#define STEER_SAMPLE 6
#define STEER_FOUND 16
int markov__pick_steer(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len,
                      int dir, steer_t *st, uint32_t *out)
{
    int rc;
    if ((st->used & st->content) == st->content) {
        rc = markov__pick(m, r, ctx, len, dir, out);
    } else {
        uint32_t found[STEER_FOUND];
        size_t nf = 0;
        for (size_t i = 0; i < m->nseg && nf < STEER_FOUND; i++) {
            const mseg_t *s = &m->seg[i];
            uint32_t lo, hi;
            markov__seg_range(s, ctx, len, &lo, &hi);
            uint32_t span = hi - lo, look = span <= STEER_SCAN ? span : STEER_SAMPLE;
            for (uint32_t j = 0; j < look && nf < STEER_FOUND; j++) {
                size_t p = s->sa[lo + (span <= STEER_SCAN ? j : markov__rng_below(r, span))];
                uint32_t t = dir > 0 ? (p + len < s->n ? s->tok[p + len] : 0) : (p > 0 ? s->tok[p - 1] : 0);
                int g = t ? steer_group(st, t) : -1;
                if (g >= 0 && !(st->used & (1u << g)))
                    found[nf++] = t;
            }
        }
        if (nf && markov__rng_below(r, 8) != 0) {
            *out = found[markov__rng_below(r, (uint32_t)nf)];
            st->used |= 1u << steer_group(st, *out);
            return 0;
        }
        rc = markov__pick(m, r, ctx, len, dir, out);
    }
    if (rc == 0 && *out) {
        int g = steer_group(st, *out);
        if (g >= 0)
            st->used |= 1u << g;
    }
    return rc;
}

/* ---- scored replies (MARKOV_REPLY_SCORED) ------------------------------------------- */

void markov_reply_opts_default(markov_reply_opts_t *r)
{
    memset(r, 0, sizeof *r);
    r->method = MARKOV_REPLY_SCORED;
    r->pref_tokens = 14;
}

/* Function words and chat filler: never keywords (sorted, for bsearch). */
static const char *const banned[] = {
    "a", "about", "above", "advice", "after", "again", "against", "ago", "agree", "ah",
    "all", "almost", "also", "although", "always", "am", "among", "an", "and", "another",
    "any", "anybody", "anybody's", "anyone", "anything", "anyway", "are", "aren't",
    "around", "as", "ask", "asked", "asking", "at", "away", "awesome", "back", "bad", "be",
    "because", "been", "before", "being", "believe", "below", "best", "better", "between",
    "both", "but", "by", "can", "can't", "cannot", "care", "cares", "come", "cool", "could",
    "couldn't", "curious", "dear", "did", "didn't", "do", "do-you", "does", "doesn't",
    "doing", "don't", "done", "down", "dreamed", "dreaming", "during", "each", "either",
    "else", "enjoy", "enough", "even", "ever", "every", "everybody", "everyone",
    "everything", "explain", "favorite", "favourite", "feel", "feeling", "few", "find",
    "fine", "for", "from", "funny", "get", "gets", "getting", "give", "go", "goes", "going",
    "gone", "good", "got", "guess", "guys", "had", "happen", "happened", "happens", "happy",
    "has", "hasn't", "hate", "have", "haven't", "having", "he", "he's", "hear", "heard",
    "hello", "her", "here", "hers", "herself", "hey", "hi", "him", "himself", "his",
    "honest", "honestly", "how", "how's", "however", "i", "i'd", "i'll", "i'm", "i've",
    "if", "important", "in", "interesting", "into", "is", "isn't", "it", "it's", "its",
    "itself", "just", "keep", "keeps", "kinda", "know", "learn", "learned", "let", "let's",
    "like", "lol", "look", "looking", "lot", "made", "make", "many", "may", "maybe", "me",
    "mean", "means", "might", "mine", "more", "most", "much", "must", "my", "myself",
    "need", "never", "no", "nor", "not", "nothing", "now", "of", "off", "often", "oh", "ok",
    "okay", "on", "once", "one", "only", "opinion", "or", "other", "others", "ought", "our",
    "ours", "ourselves", "out", "over", "own", "perhaps", "please", "pretty", "probably",
    "quick", "quite", "rather", "really", "remember", "right", "said", "same", "say",
    "says", "see", "seem", "seems", "seen", "serious", "shall", "she", "she's", "should",
    "should've", "shouldn't", "show", "simply", "since", "so", "some", "somebody",
    "someone", "something", "sometimes", "sort", "speak", "still", "stuff", "such",
    "suppose", "supposed", "sure", "take", "talk", "talked", "talking", "taught", "teach",
    "tell", "than", "thank", "thanks", "that", "that's", "the", "thee", "their", "theirs",
    "them", "themselves", "then", "there", "there's", "these", "they", "they're", "thing",
    "things", "think", "thinking", "this", "those", "thou", "though", "thought", "through",
    "thy", "to", "today", "told", "too", "toward", "trust", "try", "under", "understand",
    "until", "unto", "up", "upon", "us", "usually", "very", "wanna", "want", "wants", "was",
    "wasn't", "way", "we", "we're", "well", "were", "what", "what's", "whatever", "when",
    "where", "where's", "whether", "which", "while", "who", "who's", "whom", "whose", "why",
    "will", "wish", "with", "without", "won't", "wonder", "wondering", "worried", "worry",
    "worth", "would", "wouldn't", "ya", "yeah", "yes", "yet", "you", "you'd", "you'll",
    "you're", "you've", "your", "yours", "yourself", "yourselves",
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_banned(const char *w)
{
    return bsearch(&w, banned, sizeof banned / sizeof *banned, sizeof *banned, cmp_str) != NULL;
}

/* MegaHAL's swap list: the reply speaks back, so "you" in the prompt is
 * "I" in the answer. A swapped word may appear in a reply; it never seeds one. */
static const struct { const char *from, *to; } swaps[] = {
    { "i", "you" }, { "me", "you" }, { "my", "your" }, { "mine", "yours" },
    { "myself", "yourself" }, { "i'm", "you're" }, { "am", "are" },
    { "you", "i" }, { "you", "me" }, { "your", "my" }, { "yours", "mine" },
    { "yourself", "myself" }, { "you're", "i'm" }, { "are", "am" },
};

/* The folded form of a word (markov__fold_span, the form markov__normh
 * hashes) into buf. Returns its length, 0 if nothing is left or it does
 * not fit. */
static size_t fold_word(const char *s, size_t len, char *buf, size_t cap)
{
    size_t a, b;
    markov__fold_span(s, len, &a, &b);
    if (a == b || b - a >= cap)
        return 0;
    for (size_t i = a; i < b; i++)
        buf[i - a] = (char)tolower((unsigned char)s[i]);
    buf[b - a] = '\0';
    return b - a;
}

/* A word pair's hash from the folded hashes of its words; 0 if either is none. */
static inline uint64_t pair_hash(uint64_t a, uint64_t b)
{
    return a && b ? ((a * 31) ^ b) | 1 : 0;
}

typedef struct rprompt {
    const markov_t *m;
    steer_t *st;
    double tokens;              /* model tokens */
    uint64_t pair[64];          /* folded hashes of the prompt's word pairs */
    size_t npair;
    uint64_t prev;              /* folded hash of the previous word */
    bool pairs_only;            /* only collect the pairs (a recent line) */
} rprompt_t;

static void group_collect(const markov_t *m, rgroup_t *g, uint64_t h)
{
    g->n = 0;
    g->total = 0;
    /* the tokens of this folded form, ascending, from the index */
    for (uint32_t t = markov__fold_first(m, h); t && g->n < RK_VARIANTS; t = markov__fold_next(m, t)) {
        double c = markov__pattern_count(m, &t, 1);
        if (c <= 0)
            continue;
        g->id[g->n] = t;
        g->cnt[g->n++] = c;
        g->total += c;
    }
}

/* Forms a word may stand for when the model lacks it: rivers -> river,
 * churches -> church, stories -> story, singing -> sing, walked -> walk. */
static int stem_forms(const char *w, size_t n, char forms[4][MARKOV_INFO_WORD])
{
    int k = 0;
    if (n > 3 && w[n - 1] == 's' && w[n - 2] != 's')
        util_snprintf(forms[k++], MARKOV_INFO_WORD, "%.*s", (int)(n - 1), w);
    if (n > 4 && !strcmp(w + n - 2, "es"))
        util_snprintf(forms[k++], MARKOV_INFO_WORD, "%.*s", (int)(n - 2), w);
    if (n > 4 && !strcmp(w + n - 3, "ies"))
        util_snprintf(forms[k++], MARKOV_INFO_WORD, "%.*sy", (int)(n - 3), w);
    if (n > 5 && (!strcmp(w + n - 3, "ing") || !strcmp(w + n - 2, "ed")))
        util_snprintf(forms[k++], MARKOV_INFO_WORD, "%.*s", (int)(n - (w[n - 1] == 'g' ? 3 : 2)), w);
    return k;
}

static void group_add(rprompt_t *p, const char *word, uint64_t h, bool aux)
{
    steer_t *st = p->st;
    for (size_t i = 0; i < st->n; i++)
        if (!strcmp(st->g[i].word, word)) {
            if (!aux)
                st->g[i].aux = false;
            return;
        }
    if (st->n == RK_GROUPS)
        return;
    rgroup_t *g = &st->g[st->n];
    group_collect(p->m, g, h);
    if (g->n == 0)
        return;
    util_strlcpy(g->word, word, sizeof g->word);
    g->aux = aux;
    g->weight = aux ? 0 : log2(p->tokens / g->total);
    if (g->weight < 0.5 && !aux)
        g->weight = 0.5;
    st->n++;
}

static void prompt_word(void *ud, const char *s, size_t l)
{
    rprompt_t *p = ud;
    char w[MARKOV_INFO_WORD];
    size_t n = fold_word(s, l, w, sizeof w);
    uint64_t h = n ? markov__normh(w, n) : 0;
    if (p->prev && h && p->npair < sizeof p->pair / sizeof *p->pair)
        p->pair[p->npair++] = pair_hash(p->prev, h);
    p->prev = h;
    if (!n || p->pairs_only)
        return;
    bool swapped = false;
    for (size_t i = 0; i < sizeof swaps / sizeof *swaps; i++)
        if (!strcmp(w, swaps[i].from)) {
            group_add(p, swaps[i].to, markov__normh(swaps[i].to, strlen(swaps[i].to)), true);
            swapped = true;
        }
    if (swapped || is_banned(w) || (n == 1 && isalpha((unsigned char)w[0])))
        return;
    size_t before = p->st->n;
    group_add(p, w, h, false);
    if (p->st->n > before)
        return;
    char forms[4][MARKOV_INFO_WORD];
    int k = stem_forms(w, n, forms);
    for (int i = 0; i < k && p->st->n == before; i++)
        if (!is_banned(forms[i]))
            group_add(p, forms[i], markov__normh(forms[i], strlen(forms[i])), false);
}

/* Fills st with the prompt's keywords and their bitmap. */
static int steer_build(const markov_t *m, const char *text, size_t len, steer_t *st, rprompt_t *p)
{
    memset(p, 0, sizeof *p);
    p->m = m;
    p->st = st;
    p->tokens = (double)model_tokens(m);
    markov__split_text(m, text, len, prompt_word, p);
    steer_index(st);
    return 0;
}

/* A content group, drawn with probability proportional to weight squared
 * (rare words seed more replies); -1 if there is none. */
static int draw_group(const steer_t *st, markov_rng_t *r)
{
    double total = 0;
    for (size_t g = 0; g < st->n; g++)
        if (!st->g[g].aux)
            total += st->g[g].weight * st->g[g].weight;
    if (total <= 0)
        return -1;
    double u = markov__rng_unit(r) * total;
    int last = -1;
    for (size_t g = 0; g < st->n; g++) {
        if (st->g[g].aux)
            continue;
        last = (int)g;
        u -= st->g[g].weight * st->g[g].weight;
        if (u < 0)
            break;
    }
    return last;
}

static uint32_t draw_variant(const rgroup_t *g, markov_rng_t *r)
{
    double u = markov__rng_unit(r) * g->total;
    for (size_t v = 0; v + 1 < g->n; v++) {
        u -= g->cnt[v];
        if (u < 0)
            return g->id[v];
    }
    return g->id[g->n - 1];
}

/* A set of word pairs (folded hashes), open addressing; 0 is empty. */
#define PAIRSET 1024
typedef struct pairset {
    uint64_t h[PAIRSET];
    size_t n;
} pairset_t;

static void pairset_add(pairset_t *ps, uint64_t h)
{
    if (!h || ps->n >= PAIRSET / 2)
        return;
    for (size_t i = h & (PAIRSET - 1);; i = (i + 1) & (PAIRSET - 1)) {
        if (ps->h[i] == h)
            return;
        if (!ps->h[i]) {
            ps->h[i] = h;
            ps->n++;
            return;
        }
    }
}

static bool pairset_has(const pairset_t *ps, uint64_t h)
{
    for (size_t i = h & (PAIRSET - 1); ps->h[i]; i = (i + 1) & (PAIRSET - 1))
        if (ps->h[i] == h)
            return true;
    return false;
}

/* Share of c's word pairs found in ps. */
static double pair_share(const markov_t *m, const uint32_t *c, size_t len, const pairset_t *ps)
{
    if (len < 2 || ps->n == 0)
        return 0;
    size_t hit = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        uint64_t h = pair_hash(m->normh[c[i]], m->normh[c[i + 1]]);
        hit += h && pairset_has(ps, h);
    }
    return (double)hit / (double)(len - 1);
}

/* The longest run of c that occurs in the corpus, in tokens. */
static size_t longest_copy(const markov_t *m, const uint32_t *c, size_t len)
{
    size_t best = 0;
    for (size_t i = 0; i < len; i++)
        while (i + best < len && best < MARKOV_SA_DEPTH && markov__pattern_occurs(m, c + i, best + 1))
            best++;
    return best;
}

typedef struct rscore {
    double score, coverage, surprise, echo_prompt, echo_recent, corpus_run;
    size_t tokens;
} rscore_t;

/* The word pairs of the lines the speaker said lately, all in one set. */
static void recent_pairs(const markov_t *m, const markov_reply_opts_t *ro, pairset_t *rp)
{
    memset(rp, 0, sizeof *rp);
    for (size_t i = 0; i < ro->nrecent && i < 16; i++) {
        if (!ro->recent || !ro->recent[i])
            continue;
        rprompt_t p;
        memset(&p, 0, sizeof p);
        p.m = m;
        p.pairs_only = true;
        markov__split_text(m, ro->recent[i], strnlen(ro->recent[i], MARKOV_MAX_LINE), prompt_word, &p);
        for (size_t k = 0; k < p.npair; k++)
            pairset_add(rp, p.pair[k]);
    }
}

/* Scores the candidate in w. The copied-run part (the costly one) is left
 * out, and corpus_run set to -1, when the rest cannot beat 'bar'. */
static void score_scored(const markov_t *m, const steer_t *st, const pairset_t *pp, const pairset_t *rp,
                         const walk_t *w, size_t order, size_t pref, double bar, rscore_t *sc)
{
    size_t len;
    const uint32_t *c = markov__walk_content(w, &len);
    uint32_t in = 0;
    double surprise = 0;
    for (size_t i = 0; i < len; i++) {
        int g = steer_group(st, c[i]);
        if (g < 0)
            continue;
        in |= 1u << g;
        if (st->g[g].aux)
            continue;
        /* MegaHAL: -log2 P(keyword | context) */
        size_t pos = (size_t)(c + i - w->buf), cl = pos - w->a < order ? pos - w->a : order;
        double ctx = markov__pattern_count(m, w->buf + pos - cl, cl);
        double both = markov__pattern_count(m, w->buf + pos - cl, cl + 1);
        if (ctx > 0 && both > 0)
            surprise += -log2(both / ctx);
    }
    if (len > 8)
        surprise /= sqrt((double)len - 1);
    if (len > 16)
        surprise /= (double)len;
    double have = 0, all = 0;
    int main = -1;
    for (size_t g = 0; g < st->n; g++) {
        if (st->g[g].aux)
            continue;
        all += st->g[g].weight;
        if (in & (1u << g))
            have += st->g[g].weight;
        if (main < 0 || st->g[g].weight > st->g[main].weight)
            main = (int)g;
    }
    sc->coverage = all > 0 ? have / all : 0;
    sc->surprise = surprise;
    sc->tokens = len;
    sc->echo_prompt = pair_share(m, c, len, pp);
    sc->echo_recent = pair_share(m, c, len, rp);
    double lenterm = fabs(log((double)(len ? len : 1) / (double)(pref ? pref : 14)));
    sc->score = 8.0 * sc->coverage + (main >= 0 && (in & (1u << main)) ? 2.0 : 0.0) +
                fmin(surprise / 4.0, 10.0) - 2.0 * lenterm - 6.0 * sc->echo_prompt -
                6.0 * sc->echo_recent;
    if (sc->score <= bar) {
        sc->corpus_run = -1;
        return;
    }
    sc->corpus_run = len ? (double)longest_copy(m, c, len) / (double)len : 0;
    sc->score -= 3.0 * sc->corpus_run;
}

/* A candidate nothing is likely to beat by much: every keyword, near the
 * preferred length, echoing nothing. The search stops there. */
#define RS_STALE 16 /* ... or after this many candidates in a row no better than the best */
static bool good_enough(const rscore_t *sc, size_t pref)
{
    double l = fabs(log((double)(sc->tokens ? sc->tokens : 1) / (double)(pref ? pref : 14)));
    return sc->coverage > 0.999 && l < 0.4 && sc->echo_prompt < 0.25 && sc->echo_recent < 0.25 &&
           sc->corpus_run < 0.6;
}

static void info_keywords(const steer_t *st, markov_reply_info_t *info)
{
    info->nkeywords = st->n < MARKOV_INFO_KEYWORDS ? st->n : MARKOV_INFO_KEYWORDS;
    for (size_t g = 0; g < info->nkeywords; g++) {
        util_strlcpy(info->keyword[g], st->g[g].word, sizeof info->keyword[g]);
        info->weight[g] = st->g[g].weight;
        info->swapped[g] = st->g[g].aux;
    }
}

/* The best candidate through the keywords in st. pv: the prompt's tokens
 * (a candidate equal to it is refused). */
static int reply_scored(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                        const markov_reply_opts_t *ro, const tokvec_t *pv, steer_t *st,
                        const rprompt_t *p, markov_reply_info_t *info, char **out)
{
    pairset_t *sets = malloc(2 * sizeof *sets); /* the prompt's pairs, the recent lines' */
    if (!sets)
        return PURG_ENOMEM;
    memset(&sets[0], 0, sizeof sets[0]);
    for (size_t k = 0; k < p->npair; k++)
        pairset_add(&sets[0], p->pair[k]);
    recent_pairs(m, ro, &sets[1]);
    size_t max = o->max_tokens ? o->max_tokens : 200;
    walk_t w, best;
    if (markov__walk_init(&w, max)) {
        free(sets);
        return PURG_ENOMEM;
    }
    if (markov__walk_init(&best, max)) {
        free(w.buf);
        free(sets);
        return PURG_ENOMEM;
    }
    int64_t deadline = util_now_ns() + (o->budget_ns > 0 ? o->budget_ns : 0);
    size_t order = (size_t)markov__order_of(m, o);
    int tries = o->tries > 0 ? o->tries : 1;
    rscore_t bs = { .score = -INFINITY };
    bool have = false;
    int stale = 0;
    for (int t = 0; t < tries; t++) {
        if (have && o->budget_ns > 0 && util_now_ns() > deadline)
            break;
        int g = draw_group(st, rng);
        uint32_t seed = draw_variant(&st->g[g], rng);
        st->used = 1u << g;
        if (markov__candidate(m, rng, o, &w, seed, st) != 0) {
            info->rejected++;
            continue;
        }
        size_t len;
        const uint32_t *c = markov__walk_content(&w, &len);
        if (len == pv->n && !pv->unknown && memcmp(c, pv->v, len * sizeof *c) == 0) {
            info->rejected++;
            continue;
        }
        info->candidates++;
        rscore_t sc;
        score_scored(m, st, &sets[0], &sets[1], &w, order, ro->pref_tokens, have ? bs.score : -INFINITY, &sc);
        if (!have || sc.score > bs.score) {
            if (!markov__accepted(m, o, c, len)) {
                info->rejected++; /* the caller would not say it (its accept hook) */
                continue;
            }
            have = true;
            bs = sc;
            memcpy(best.buf, w.buf, w.cap * sizeof *w.buf);
            best.a = w.a;
            best.b = w.b;
            stale = 0;
            if (good_enough(&sc, ro->pref_tokens))
                break;
        } else if (++stale >= RS_STALE) {
            break; /* the search has settled */
        }
    }
    int rc = PURG_ETIMEOUT;
    if (have) {
        size_t len;
        const uint32_t *c = markov__walk_content(&best, &len);
        *out = markov__render(m, c, len);
        rc = *out ? 0 : PURG_ENOMEM;
        info->score = bs.score;
        info->coverage = bs.coverage;
        info->surprise = bs.surprise;
        info->tokens = bs.tokens;
        info->echo_prompt = bs.echo_prompt;
        info->echo_recent = bs.echo_recent;
        info->corpus_run = bs.corpus_run;
    }
    free(w.buf);
    free(best.buf);
    free(sets);
    return rc;
}

int markov_reply_ex(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                    const markov_reply_opts_t *ro, const char *text,
                    markov_reply_info_t *info, char **out)
{
    markov_reply_info_t scratch;
    markov_reply_opts_t dflt;
    int64_t t0 = util_now_ns();
    *out = NULL;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    if (!ro) {
        markov_reply_opts_default(&dflt);
        ro = &dflt;
    }
    if (markov__model_empty(m))
        return PURG_EEMPTY;
    int rc;
    if (ro->method == MARKOV_REPLY_SIMPLE || m->mode != MARKOV_WORDS) {
        rc = reply_simple(m, rng, o, text, out);
        info->ns = util_now_ns() - t0;
        return rc;
    }
    steer_t st;
    rprompt_t p;
    memset(&st, 0, sizeof st);
    rc = steer_build(m, text, strnlen(text, MARKOV_MAX_LINE), &st, &p);
    if (rc == 0) {
        info_keywords(&st, info);
        tokvec_t pv = { .m = m };
        markov__split_text(m, text, strnlen(text, MARKOV_MAX_LINE), markov__tv_add, &pv);
        rc = draw_group(&st, rng) >= 0 ? reply_scored(m, rng, o, ro, &pv, &st, &p, info, out)
                                       : PURG_ENOTFOUND;
        free(pv.v);
    }
    if (rc == PURG_ENOTFOUND || rc == PURG_ETIMEOUT) {
        /* nothing scored: the simple way (its keyword rules are wider) */
        info->fallback = true;
        rc = reply_simple(m, rng, o, text, out);
    }
    info->ns = util_now_ns() - t0;
    return rc;
}

int markov_reply(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                 const char *text, char **out)
{
    return markov_reply_ex(m, rng, o, NULL, text, NULL, out);
}

