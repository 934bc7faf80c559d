/* markov_int.h - the inside of markov_t, shared by markov.c (model, index,
 * generation) and markov_file.c (save/load) only; same threads as markov.h. */
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
    mseg_t seg[MARKOV_MAX_SEGS];
    size_t nseg;
    void *map;          /* the file mapping of a loaded model, or NULL */
    size_t maplen;
};

/* Interns a token; *id receives its id. */
int markov__intern(markov_t *m, const char *s, size_t len, uint32_t *id);
/* Rebuilds the vocabulary hash table with hcap (a power of two) slots. */
int markov__rehash(markov_t *m, size_t hcap);
/* Builds the suffix array and buckets of a segment. */
int markov__index(markov_t *m, mseg_t *s);
/* Hash of the folded form of a token (0 if it has no letter or digit). */
uint64_t markov__normh(const char *s, size_t len);

#endif
