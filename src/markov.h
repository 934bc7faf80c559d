/* markov.h - order-n Markov text model over words or characters: train,
 * generate, reply to keywords, combine, learn, save and load; any thread
 * (see "Threads" below).
 *
 * DESIGN
 * The model keeps the training text itself as an array of token ids (lines
 * separated by the boundary token 0) plus a suffix array over it, sorted to
 * a depth of MARKOV_SA_DEPTH tokens. One structure then serves every need:
 * - forward chain: the suffixes that begin with a context c form one range
 *   of the suffix array; a uniform pick in that range, followed by the token
 *   after c, is a pick weighted by the transition counts;
 * - backward chain: the same range, taking the token before c;
 * - the overlap test ("never parrot the corpus"): a run of the output occurs
 *   in the corpus iff its range is not empty; no text scanning;
 * - the order is a generation parameter: any order up to MARKOV_MAX_ORDER
 *   can be used with the same index.
 * Memory: 8 bytes per corpus token, plus the vocabulary.
 * A model is a list of segments, each with a weight: training makes one,
 * markov_combine makes one per source (a persona from two people), and
 * markov_learn appends lines to a small "live" segment that is re-indexed
 * at once (and frozen when it reaches MARKOV_LIVE_MAX tokens).
 *
 * Threads: a built model (after markov_build, markov_load or
 * markov_combine) is read-only for markov_generate, markov_generate_with,
 * markov_reply and markov_stats: any number of threads may call them at
 * once on the same model, each with its own markov_rng_t. markov_add_line,
 * markov_build and markov_learn modify the model and need exclusive access.
 * Nothing here uses global state or rand().
 *
 * Strings: every text out of this module is NUL-terminated UTF-8 allocated
 * with malloc; the caller frees it with free(). */
#ifndef PURG_MARKOV_H
#define PURG_MARKOV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MARKOV_MAX_ORDER 8
#define MARKOV_ORDER_DEFAULT 2     /* the order `train` and persona files use unless told */
#define MARKOV_SA_DEPTH 32        /* suffix order is exact to this many tokens */
#define MARKOV_MAX_LINE 65536     /* bytes per training line */
#define MARKOV_LIVE_MAX 65536     /* tokens in the live (learning) segment */
#define MARKOV_FILE_VERSION 1

typedef enum {
    MARKOV_WORDS = 0,  /* tokens are whitespace-separated words; output joins them with ' ' */
    MARKOV_CHARS = 1   /* tokens are UTF-8 characters; output joins them with nothing */
} markov_mode_t;

typedef struct markov markov_t;

/* A small, fast, seedable generator (xoshiro128-style state). Each caller
 * owns its own; the same seed gives the same output on the same model. */
typedef struct markov_rng {
    uint64_t s[2];
} markov_rng_t;

void markov_rng_seed(markov_rng_t *r, uint64_t seed);
uint64_t markov_rng_next(markov_rng_t *r);

/* Generation options. markov_gen_opts_default() fills the defaults shown. */
typedef struct markov_gen_opts {
    int order;               /* 0 = the model's order; else 1..MARKOV_MAX_ORDER */
    bool overlap_test;       /* true: reject output copying a long run of a corpus line */
    double max_overlap_ratio;/* 0.7: a run may cover at most this share of the output */
    int max_overlap_total;   /* 15: ... and at most this many tokens (1..MARKOV_SA_DEPTH-1) */
    int tries;               /* 100: candidates tried before giving up */
    int64_t budget_ns;       /* 50 ms: reply stops looking for better candidates after this */
    size_t max_tokens;       /* 200 (words) tokens per output; longer walks are dropped */
    size_t min_tokens;       /* 1: shorter outputs are dropped */
    /* NULL: any line. Else the caller's own test of a finished candidate
     * line: one for which accept(accept_ctx, line) returns 0 is dropped like
     * one failing the overlap test, and the search goes on (a persona looks
     * for the best line its guard lets it say, not the best line). Called on
     * the calling thread; it must not call back into this model's generator. */
    int (*accept)(void *ctx, const char *line);
    void *accept_ctx;
} markov_gen_opts_t;

void markov_gen_opts_default(markov_gen_opts_t *o);

/* Numbers about a model (for the CLI and the benchmarks). */
typedef struct markov_stats {
    markov_mode_t mode;
    int order;
    size_t vocab;            /* distinct tokens, without the boundary */
    size_t lines;            /* training lines */
    size_t tokens;           /* corpus tokens, boundaries included */
    size_t segments;
    size_t transitions;      /* distinct (context, next) pairs at the model's order */
    size_t bytes;            /* heap + mapped bytes the model holds */
} markov_stats_t;

/* ---- building ------------------------------------------------------------ */

/* A new empty model. order: 1..MARKOV_MAX_ORDER. *out is NULL on error. */
int markov_new(markov_t **out, markov_mode_t mode, int order);
/* Frees everything, unmaps a loaded file; accepts NULL. */
void markov_free(markov_t *m);

/* Appends one utterance (len bytes, need not be NUL-terminated) to the
 * model's open segment; it becomes usable after markov_build. Lines with no
 * token are ignored (return 0). PURG_EINVAL for invalid UTF-8 or a NUL byte,
 * PURG_ETOOBIG for a line over MARKOV_MAX_LINE bytes or a corpus over 2^31 tokens. */
int markov_add_line(markov_t *m, const char *line, size_t len);
/* Indexes every segment not yet indexed. PURG_EEMPTY if the model has no line. */
int markov_build(markov_t *m);
/* Adds one line to a built model and re-indexes only the live segment
 * (cost proportional to its size, at most MARKOV_LIVE_MAX tokens). */
int markov_learn(markov_t *m, const char *line, size_t len);

/* A new model mixing k built models: a context's continuations are weighted
 * by weight[i] times their counts in model i. Modes must match (PURG_EINVAL
 * otherwise); the order is models[0]'s. The sources are not modified. */
int markov_combine(markov_t **out, const markov_t *const *models,
                   const double *weights, size_t k);

/* ---- generating (read-only; *out is malloc'd, caller frees) --------------- */

/* A line from the start. PURG_EEMPTY for a model with no lines,
 * PURG_ETIMEOUT when every try was rejected (e.g. by the overlap test). */
int markov_generate(const markov_t *m, markov_rng_t *rng,
                    const markov_gen_opts_t *o, char **out);
/* A line through 'word' (anywhere in it). In word mode an exact token is
 * preferred, else any token equal to it after case-folding and trimming
 * punctuation. PURG_ENOTFOUND if the model does not know it. */
int markov_generate_with(const markov_t *m, markov_rng_t *rng,
                         const markov_gen_opts_t *o, const char *word, char **out);
/* A reply to 'text' through its keywords: markov_reply_ex with the default
 * reply options (the scored method). PURG_ENOTFOUND if no keyword is known
 * (callers usually fall back to markov_generate), PURG_ETIMEOUT if all
 * candidates were rejected. */
int markov_reply(const markov_t *m, markov_rng_t *rng,
                 const markov_gen_opts_t *o, const char *text, char **out);

/* How markov_reply_ex picks its line, beyond markov_gen_opts_t.
 * markov_reply_opts_default() fills the defaults shown. */
typedef enum {
    MARKOV_REPLY_SCORED = 0,  /* keywords weighted by rarity, candidates steered through
                                 them and scored (coverage, surprise, length, echoes) */
    MARKOV_REPLY_SIMPLE = 1   /* the older way: one keyword per candidate, the highest
                                 surprise wins (kept for comparison) */
} markov_reply_method_t;

typedef struct markov_reply_opts {
    markov_reply_method_t method; /* MARKOV_REPLY_SCORED */
    size_t pref_tokens;           /* 14: the length (tokens) a reply should have */
    const char *const *recent;    /* NULL: lines the speaker said lately; a reply */
    size_t nrecent;               /* 0:    echoing one of them is penalised */
} markov_reply_opts_t;

void markov_reply_opts_default(markov_reply_opts_t *r);

#define MARKOV_INFO_KEYWORDS 16
#define MARKOV_INFO_WORD 48

/* What markov_reply_ex did, for `babble --verbose` and the benchmarks. */
typedef struct markov_reply_info {
    size_t nkeywords;                 /* keywords of the prompt the model knows */
    char keyword[MARKOV_INFO_KEYWORDS][MARKOV_INFO_WORD]; /* folded form (UTF-8, may be cut) */
    double weight[MARKOV_INFO_KEYWORDS]; /* bits: log2(tokens / count); 0 for a swapped word */
    bool swapped[MARKOV_INFO_KEYWORDS];  /* "you" -> "I": may appear, never a seed */
    int candidates;                   /* candidates built (accepted ones) */
    int rejected;                     /* candidates refused (length, overlap, the prompt itself,
                                         the accept hook) */
    double score;                     /* the winner's: the sum of the parts below */
    double coverage;                  /* share of the keywords' weight it contains, 0..1 */
    double surprise;                  /* MegaHAL's information of its keywords (bits, normalised) */
    size_t tokens;                    /* its length */
    double echo_prompt;               /* share of its word pairs found in the prompt, 0..1 */
    double echo_recent;               /* ... in the most similar recent line, 0..1 */
    double corpus_run;                /* longest run copied from the corpus / length, 0..1 */
    bool fallback;                    /* nothing scored: the simple way answered */
    int64_t ns;                       /* time taken */
} markov_reply_info_t;

/* markov_reply with reply options (NULL: the defaults) and, when info is not
 * NULL, an account of the choice. The scored method:
 * - keywords: the prompt's words the model knows, after a ban list of
 *   function words, with MegaHAL's swaps (you -> I, my -> your, ...);
 *   a content word weighs log2(tokens/count) bits (rare words weigh more),
 *   a plural or -ing/-ed form the model lacks is looked up as its stem;
 * - candidates: seeded through a content keyword (picked by weight), built
 *   forward and backward; at each step a continuation that is a keyword not
 *   yet used is preferred when the context offers one;
 * - score: 8 x coverage + 2 if the heaviest keyword is in + surprise / 4
 *   (at most 10) - 2 x |ln(length / pref_tokens)| - 6 x echo of the prompt
 *   - 6 x echo of a recent line - 3 x copied run share;
 * - the best within o->tries candidates and o->budget_ns wins; when none
 *   is accepted the simple method is tried before giving up.
 * Returns as markov_reply. */
int markov_reply_ex(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o,
                    const markov_reply_opts_t *ro, const char *text,
                    markov_reply_info_t *info, char **out);

/* True when 'text' (tokenized like training lines) copies a run longer than
 * the options allow from some training line. */
bool markov_overlaps(const markov_t *m, const markov_gen_opts_t *o, const char *text);

void markov_stats(const markov_t *m, markov_stats_t *st);
markov_mode_t markov_mode(const markov_t *m);
int markov_order(const markov_t *m);

/* ---- files ----------------------------------------------------------------- */

/* Writes the built model atomically: a temporary file beside 'path', fsync,
 * rename, fsync of the directory. On error 'path' is untouched and err
 * (if not NULL) says what failed. */
int markov_save(const markov_t *m, const char *path, char *err, size_t errlen);

/* For the fuzzer: skip both checksums, so that the structural checks (which
 * stand alone: every offset, size and index is validated) get exercised. */
enum { MARKOV_LOAD_NO_CHECKSUM = 1 };

/* Maps a model file read-only. PURG_ENOTFOUND, PURG_EIO, or PURG_EFORMAT for
 * a truncated, corrupted or foreign file or another version; err says which. */
int markov_load(markov_t **out, const char *path, char *err, size_t errlen);
/* Same from memory (the bytes are copied). */
int markov_load_mem(markov_t **out, const void *data, size_t len, unsigned flags,
                    char *err, size_t errlen);

#endif
