/* markov_int.h - the inside of markov_t, shared by markov.c (the chain
 * engine: model, index, walks, overlap test), markov_reply.c (keywords and
 * the reply search) and markov_file.c (save/load) only; same threads as
 * markov.h. */
#ifndef PURG_MARKOV_INT_H
#define PURG_MARKOV_INT_H

#include "markov.h"

#define MARKOV_MAX_SEGS 64

/* One indexed run of training text. tok[0] and tok[n-1] are boundaries (0),
 * so every token of a line has a boundary before and after it. */
typedef struct mseg {
    double weight;
    uint32_t *tok;      /* n token ids */
    uint32_t *sa;       /* n suffix starts, sorted to MARKOV_SA_DEPTH; NULL until indexed */
    uint32_t *bucket;   /* nv+1 entries: SA range of the suffixes starting with each id */
    uint32_t nv;        /* vocabulary size when bucket was built */
    size_t n, cap;
    size_t lines;
    bool mapped;        /* tok and sa point into the model file mapping */
    bool live;          /* the segment markov_learn appends to */
    bool learned;       /* made by markov_learn (may be merged) */
} mseg_t;

struct markov {
    markov_mode_t mode;
    int order;
    /* vocabulary: string of id i at arena + off[i], NUL-terminated; id 0 is
     * the boundary, the empty string */
    char *arena;
    size_t arena_len, arena_cap;
    uint32_t *off;      /* nvocab + 1 entries */
    uint64_t *normh;    /* per id: hash of the case-folded, punctuation-trimmed form (0: none) */
    size_t nvocab, vcap;
    uint32_t *hash;     /* open addressing: id + 1, 0 = empty; hcap is a power of two */
    size_t hcap;
    /* the folded forms (normh) as an index, so that a keyword's variants
     * are found without a scan of the vocabulary: fold has hcap slots, open
     * addressing on normh, each the largest id of one folded form (0 =
     * empty); fnext links the ids of a form in a ring, ascending, the
     * largest back to the smallest. Kept by markov__rehash and markov__intern. */
    uint32_t *fold;
    uint32_t *fnext;    /* fncap entries */
    size_t fncap;
    mseg_t seg[MARKOV_MAX_SEGS];
    size_t nseg;
    void *map;          /* the file mapping of a loaded model, or NULL */
    size_t maplen;
};

/* Interns a token; *id receives its id. */
int markov__intern(markov_t *m, const char *s, size_t len, uint32_t *id);
/* Rebuilds the vocabulary hash table and the folded-form index with hcap
 * (a power of two, above the vocabulary size) slots. */
int markov__rehash(markov_t *m, size_t hcap);
/* Builds the suffix array and buckets of a segment. */
int markov__index(markov_t *m, mseg_t *s);
/* The folded form of a token s[0..len) is s[*a..*b): ASCII punctuation
 * trimmed at both ends (bytes >= 0x80 count as letters, so that non-English
 * words still match), then ASCII letters lowered. *a == *b: nothing left. */
static inline void markov__fold_span(const char *s, size_t len, size_t *a, size_t *b)
{
#define MARKOV_KEEPS(c) ((unsigned char)(c) >= 0x80 || ((c) >= '0' && (c) <= '9') || \
                         ((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
    size_t i = 0, j = len;
    while (i < j && !MARKOV_KEEPS(s[i]))
        i++;
    while (j > i && !MARKOV_KEEPS(s[j - 1]))
        j--;
#undef MARKOV_KEEPS
    *a = i;
    *b = j;
}
/* Hash of the folded form of a token (0 if it has no letter or digit). */
uint64_t markov__normh(const char *s, size_t len);
/* The smallest id whose normh is h, or 0 if none; markov__fold_next gives
 * the others, ascending (a cost independent of the vocabulary's size). */
uint32_t markov__fold_first(const markov_t *m, uint64_t h);
/* The next id after t with the same folded form, or 0 after the last. */
static inline uint32_t markov__fold_next(const markov_t *m, uint32_t t)
{
    return m->fnext[t] > t ? m->fnext[t] : 0; /* the ring goes back down after the last */
}

/* ---- shared by markov.c and markov_reply.c ---------------------------------- */

/* Uniform in [0, n), n < 2^32. */
static inline uint32_t markov__rng_below(markov_rng_t *r, uint32_t n)
{
    return (uint32_t)(((markov_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static inline double markov__rng_unit(markov_rng_t *r)
{
    return (double)(markov_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline const char *markov__tok_str(const markov_t *m, uint32_t id)
{
    return m->arena + m->off[id];
}

static inline size_t markov__tok_len(const markov_t *m, uint32_t id)
{
    return m->off[id + 1] - m->off[id] - 1;
}

/* The id of the token s, or UINT32_MAX. */
uint32_t markov__vocab_find(const markov_t *m, const char *s, size_t len);

/* SA range [*lo, *hi) of the suffixes of s that begin with pat[0..len). */
void markov__seg_range(const mseg_t *s, const uint32_t *pat, size_t len, uint32_t *lo, uint32_t *hi);
/* Weighted occurrence count of pat over all segments. */
double markov__pattern_count(const markov_t *m, const uint32_t *pat, size_t len);
bool markov__pattern_occurs(const markov_t *m, const uint32_t *pat, size_t len);
/* A random occurrence of ctx[0..len), weighted by segment weights: the token
 * after it (dir > 0) or before it (dir < 0), 0 past either end.
 * PURG_ENOTFOUND if ctx never occurs. */
int markov__pick(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len, int dir,
                 uint32_t *out);
/* True when no segment has an indexed line. */
bool markov__model_empty(const markov_t *m);
/* The order a walk uses under o. */
int markov__order_of(const markov_t *m, const markov_gen_opts_t *o);

/* A double-ended token buffer: tokens in buf[a..b). */
typedef struct walk {
    uint32_t *buf;
    size_t cap, a, b;
} walk_t;

int markov__walk_init(walk_t *w, size_t max_tokens);
/* The content of w without its boundaries. */
const uint32_t *markov__walk_content(const walk_t *w, size_t *len);
/* Tokens joined as the mode says (malloc'd), or NULL. */
char *markov__render(const markov_t *m, const uint32_t *c, size_t len);
/* Whether the caller's accept hook (o->accept; none: yes) takes the line
 * c[0..len) renders to (no memory: no). */
bool markov__accepted(const markov_t *m, const markov_gen_opts_t *o, const uint32_t *c, size_t len);

/* Keywords a walk is steered through (markov_reply.c). */
typedef struct steer steer_t;
/* markov__pick, but preferring a keyword of st the walk lacks (markov_reply.c). */
int markov__pick_steer(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len,
                       int dir, steer_t *st, uint32_t *out);
/* Builds one candidate into w: from the start (seed == 0) or through the
 * token seed, steered through keywords when st is not NULL. 0 if it is
 * acceptable by length and overlap. */
int markov__candidate(const markov_t *m, markov_rng_t *r, const markov_gen_opts_t *o,
                      walk_t *w, uint32_t seed, steer_t *st);

/* Splits text like a training line and calls fn for each token. */
void markov__split_text(const markov_t *m, const char *text, size_t len,
                        void (*fn)(void *ud, const char *s, size_t l), void *ud);

/* A text's token ids (markov__split_text with markov__tv_add); an unknown
 * token is UINT32_MAX - 1 (matches nothing) and sets unknown. */
typedef struct tokvec {
    const markov_t *m;
    uint32_t *v;
    size_t n, cap;
    bool unknown;
} tokvec_t;

void markov__tv_add(void *ud, const char *s, size_t l);

#endif
