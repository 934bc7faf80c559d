/* markov.c - Markov model: vocabulary, suffix-array index, generation,
 * replies, overlap test, combining and learning; any thread (see markov.h). */
#include "markov_int.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- random numbers ------------------------------------------------------- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void markov_rng_seed(markov_rng_t *r, uint64_t seed)
{
    r->s[0] = splitmix(&seed);
    r->s[1] = splitmix(&seed);
    if (!r->s[0] && !r->s[1])
        r->s[0] = 1;
}

/* xoroshiro128+ */
uint64_t markov_rng_next(markov_rng_t *r)
{
    uint64_t s0 = r->s[0], s1 = r->s[1], res = s0 + s1;
    s1 ^= s0;
    r->s[0] = ((s0 << 24) | (s0 >> 40)) ^ s1 ^ (s1 << 16);
    r->s[1] = (s1 << 37) | (s1 >> 27);
    return res;
}

/* Uniform in [0, n), n < 2^32. */
static uint32_t rng_below(markov_rng_t *r, uint32_t n)
{
    return (uint32_t)(((markov_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_unit(markov_rng_t *r)
{
    return (double)(markov_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

void markov_gen_opts_default(markov_gen_opts_t *o)
{
    o->order = 0;
    o->overlap_test = true;
    o->max_overlap_ratio = 0.7;
    o->max_overlap_total = 15;
    o->tries = 100;
    o->budget_ns = 50 * 1000000LL;
    o->max_tokens = 200;
    o->min_tokens = 1;
}

/* ---- vocabulary ------------------------------------------------------------ */

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

uint64_t markov__normh(const char *s, size_t len)
{
    /* Trim ASCII punctuation at both ends, fold ASCII case; bytes >= 0x80
     * count as letters so that non-English words still match. */
    size_t a = 0, b = len;
    while (a < b && (unsigned char)s[a] < 0x80 && !(
               (s[a] >= '0' && s[a] <= '9') || (s[a] >= 'a' && s[a] <= 'z') ||
               (s[a] >= 'A' && s[a] <= 'Z')))
        a++;
    while (b > a && (unsigned char)s[b - 1] < 0x80 && !(
               (s[b - 1] >= '0' && s[b - 1] <= '9') || (s[b - 1] >= 'a' && s[b - 1] <= 'z') ||
               (s[b - 1] >= 'A' && s[b - 1] <= 'Z')))
        b--;
    if (a == b)
        return 0;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        h = (h ^ c) * 0x100000001b3ull;
    }
    return h | 1; /* never 0 */
}

static inline const char *tok_str(const markov_t *m, uint32_t id)
{
    return m->arena + m->off[id];
}

static inline size_t tok_len(const markov_t *m, uint32_t id)
{
    return m->off[id + 1] - m->off[id] - 1;
}

/* Finds the id of s, or UINT32_MAX. */
static uint32_t vocab_find(const markov_t *m, const char *s, size_t len)
{
    if (!m->hcap)
        return UINT32_MAX;
    size_t mask = m->hcap - 1, i = hash_bytes(s, len) & mask;
    for (;;) {
        uint32_t slot = m->hash[i];
        if (!slot)
            return UINT32_MAX;
        uint32_t id = slot - 1;
        if (tok_len(m, id) == len && memcmp(tok_str(m, id), s, len) == 0)
            return id;
        i = (i + 1) & mask;
    }
}

int markov__rehash(markov_t *m, size_t hcap)
{
    uint32_t *h = calloc(hcap, sizeof *h);
    if (!h)
        return PURG_ENOMEM;
    for (size_t id = 1; id < m->nvocab; id++) {
        size_t i = hash_bytes(tok_str(m, (uint32_t)id), tok_len(m, (uint32_t)id)) & (hcap - 1);
        while (h[i])
            i = (i + 1) & (hcap - 1);
        h[i] = (uint32_t)id + 1;
    }
    free(m->hash);
    m->hash = h;
    m->hcap = hcap;
    return 0;
}

/* Appends a string to the vocabulary without looking it up. */
static int vocab_append(markov_t *m, const char *s, size_t len, uint32_t *id)
{
    if (m->nvocab >= UINT32_MAX - 2 || m->arena_len + len + 1 > UINT32_MAX)
        return PURG_ETOOBIG;
    if (m->nvocab + 1 >= m->vcap) {
        size_t nc = m->vcap ? m->vcap * 2 : 1024;
        uint32_t *no = realloc(m->off, (nc + 1) * sizeof *no);
        if (!no)
            return PURG_ENOMEM;
        m->off = no;
        uint64_t *nh = realloc(m->normh, nc * sizeof *nh);
        if (!nh)
            return PURG_ENOMEM;
        m->normh = nh;
        m->vcap = nc;
    }
    if (m->arena_len + len + 1 > m->arena_cap) {
        size_t nc = m->arena_cap ? m->arena_cap * 2 : 16384;
        while (nc < m->arena_len + len + 1)
            nc *= 2;
        char *na = realloc(m->arena, nc);
        if (!na)
            return PURG_ENOMEM;
        m->arena = na;
        m->arena_cap = nc;
    }
    memcpy(m->arena + m->arena_len, s, len);
    m->arena[m->arena_len + len] = '\0';
    m->off[m->nvocab] = (uint32_t)m->arena_len;
    m->arena_len += len + 1;
    m->off[m->nvocab + 1] = (uint32_t)m->arena_len;
    m->normh[m->nvocab] = len ? markov__normh(s, len) : 0;
    *id = (uint32_t)m->nvocab++;
    return 0;
}

int markov__intern(markov_t *m, const char *s, size_t len, uint32_t *id)
{
    uint32_t f = vocab_find(m, s, len);
    if (f != UINT32_MAX) {
        *id = f;
        return 0;
    }
    int rc = vocab_append(m, s, len, id);
    if (rc)
        return rc;
    if (m->nvocab * 2 > m->hcap)
        return markov__rehash(m, m->hcap ? m->hcap * 2 : 4096);
    size_t mask = m->hcap - 1, i = hash_bytes(s, len) & mask;
    while (m->hash[i])
        i = (i + 1) & mask;
    m->hash[i] = *id + 1;
    return 0;
}

/* ---- model life ------------------------------------------------------------- */

int markov_new(markov_t **out, markov_mode_t mode, int order)
{
    *out = NULL;
    if ((mode != MARKOV_WORDS && mode != MARKOV_CHARS) || order < 1 || order > MARKOV_MAX_ORDER)
        return PURG_EINVAL;
    markov_t *m = calloc(1, sizeof *m);
    if (!m)
        return PURG_ENOMEM;
    m->mode = mode;
    m->order = order;
    uint32_t id;
    int rc = vocab_append(m, "", 0, &id); /* the boundary, id 0 */
    if (rc)
        goto fail;
    rc = markov__rehash(m, 4096);
    if (rc)
        goto fail;
    *out = m;
    return 0;
fail:
    markov_free(m);
    return rc;
}

static void seg_clear(mseg_t *s)
{
    if (!s->mapped) {
        free(s->tok);
        free(s->sa);
    }
    free(s->bucket);
    memset(s, 0, sizeof *s);
}

void markov_free(markov_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nseg; i++)
        seg_clear(&m->seg[i]);
    if (m->map)
        munmap(m->map, m->maplen);
    free(m->arena);
    free(m->off);
    free(m->normh);
    free(m->hash);
    free(m);
}

markov_mode_t markov_mode(const markov_t *m) { return m->mode; }
int markov_order(const markov_t *m) { return m->order; }

/* Makes a mapped segment's tokens writable (heap copy). */
static int seg_own(mseg_t *s)
{
    if (!s->mapped)
        return 0;
    uint32_t *t = malloc((s->n ? s->n : 1) * sizeof *t);
    uint32_t *a = malloc((s->n ? s->n : 1) * sizeof *a);
    if (!t || !a) {
        free(t);
        free(a);
        return PURG_ENOMEM;
    }
    memcpy(t, s->tok, s->n * sizeof *t);
    memcpy(a, s->sa, s->n * sizeof *a);
    s->tok = t;
    s->sa = a;
    s->cap = s->n;
    s->mapped = false;
    return 0;
}

static int seg_reserve(mseg_t *s, size_t more)
{
    if (s->n + more <= s->cap)
        return 0;
    if (s->n + more > ((size_t)1 << 31))
        return PURG_ETOOBIG;
    size_t nc = s->cap ? s->cap * 2 : 4096;
    while (nc < s->n + more)
        nc *= 2;
    uint32_t *t = realloc(s->tok, nc * sizeof *t);
    if (!t)
        return PURG_ENOMEM;
    s->tok = t;
    s->cap = nc;
    return 0;
}

/* Appends the tokens of one line to segment s (unindexed afterwards). */
static int seg_add_line(markov_t *m, mseg_t *s, const char *line, size_t len)
{
    if (len > MARKOV_MAX_LINE)
        return PURG_ETOOBIG;
    if (memchr(line, '\0', len) || !util_utf8_valid(line, len))
        return PURG_EINVAL;
    /* worst case one token per byte, plus the boundaries */
    int rc = seg_reserve(s, len + 2);
    if (rc)
        return rc;
    size_t n0 = s->n;
    if (s->n == 0)
        s->tok[s->n++] = 0;
    size_t start = s->n;
    const unsigned char *p = (const unsigned char *)line;
    size_t i = 0;
    while (i < len) {
        size_t tl;
        if (m->mode == MARKOV_WORDS) {
            if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' ||
                p[i] == '\v' || p[i] == '\f') {
                i++;
                continue;
            }
            tl = 0;
            while (i + tl < len && !(p[i + tl] == ' ' || p[i + tl] == '\t' || p[i + tl] == '\r' ||
                                     p[i + tl] == '\n' || p[i + tl] == '\v' || p[i + tl] == '\f'))
                tl++;
        } else {
            if (p[i] == '\r' || p[i] == '\n') {
                i++;
                continue;
            }
            tl = util_utf8_seq(p + i, len - i);
        }
        uint32_t id;
        rc = markov__intern(m, line + i, tl, &id);
        if (rc) {
            s->n = n0;
            return rc;
        }
        s->tok[s->n++] = id;
        i += tl;
    }
    if (s->n == start) { /* nothing but blanks */
        s->n = n0;
        return 0;
    }
    s->tok[s->n++] = 0;
    s->lines++;
    free(s->sa);
    s->sa = NULL;
    return 0;
}

int markov_add_line(markov_t *m, const char *line, size_t len)
{
    if (m->nseg == 0) {
        m->nseg = 1;
        memset(&m->seg[0], 0, sizeof m->seg[0]);
        m->seg[0].weight = 1.0;
    }
    mseg_t *s = &m->seg[m->nseg - 1];
    int rc = seg_own(s);
    if (rc)
        return rc;
    return seg_add_line(m, s, line, len);
}

/* ---- the suffix array -------------------------------------------------------- */

/* Prefix doubling (Manber-Myers) with counting sorts, stopped once the order
 * is exact to MARKOV_SA_DEPTH tokens: 6 linear passes instead of a
 * comparison sort whose cost grows with repeated text. */
static int sa_build(const uint32_t *tok, size_t n, uint32_t nv, uint32_t *sa)
{
    if (n == 0)
        return 0;
    uint32_t *rank = malloc(n * sizeof *rank);
    uint32_t *tmp = malloc(n * sizeof *tmp);
    size_t cmax = (n > nv ? n : nv) + 2;
    uint32_t *cnt = malloc(cmax * sizeof *cnt);
    if (!rank || !tmp || !cnt) {
        free(rank);
        free(tmp);
        free(cnt);
        return PURG_ENOMEM;
    }
    /* depth 1: ranks are ids + 1 (0 would mean "past the end") */
    memset(cnt, 0, (nv + 2) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[tok[i] + 1]++;
    uint32_t sum = 0;
    for (size_t r = 0; r < (size_t)nv + 2; r++) {
        uint32_t c = cnt[r];
        cnt[r] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++)
        sa[cnt[tok[i] + 1]++] = (uint32_t)i;
    /* dense ranks, so that the loop can tell when all are distinct */
    size_t maxrank = 0;
    for (size_t j = 0; j < n; j++) {
        if (j == 0 || tok[sa[j]] != tok[sa[j - 1]])
            maxrank++;
        rank[sa[j]] = (uint32_t)maxrank;
    }
    for (size_t h = 1; h < MARKOV_SA_DEPTH && maxrank < n; h *= 2) {
        /* order by the second key (rank at i + h; past the end first) ... */
        size_t k = 0;
        for (size_t i = n - (h < n ? h : n); i < n; i++)
            tmp[k++] = (uint32_t)i;
        for (size_t j = 0; j < n; j++)
            if (sa[j] >= h)
                tmp[k++] = sa[j] - (uint32_t)h;
        /* ... then stably by the first key */
        memset(cnt, 0, (maxrank + 2) * sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[rank[i]]++;
        sum = 0;
        for (size_t r = 0; r <= maxrank + 1; r++) {
            uint32_t c = cnt[r];
            cnt[r] = sum;
            sum += c;
        }
        for (size_t j = 0; j < n; j++)
            sa[cnt[rank[tmp[j]]]++] = tmp[j];
        /* new ranks, in tmp (indexed by position) */
        uint32_t r = 1;
        for (size_t j = 0; j < n; j++) {
            size_t a = sa[j];
            if (j > 0) {
                size_t b = sa[j - 1];
                uint32_t a2 = a + h < n ? rank[a + h] : 0, b2 = b + h < n ? rank[b + h] : 0;
                if (rank[a] != rank[b] || a2 != b2)
                    r++;
            }
            tmp[a] = r;
        }
        memcpy(rank, tmp, n * sizeof *rank);
        maxrank = r;
    }
    free(rank);
    free(tmp);
    free(cnt);
    return 0;
}

int markov__index(markov_t *m, mseg_t *s)
{
    uint32_t nv = (uint32_t)m->nvocab;
    uint32_t *b = calloc((size_t)nv + 1, sizeof *b);
    if (!b)
        return PURG_ENOMEM;
    if (!s->sa) {
        uint32_t *sa = malloc((s->n ? s->n : 1) * sizeof *sa);
        if (!sa) {
            free(b);
            return PURG_ENOMEM;
        }
        int rc = sa_build(s->tok, s->n, nv, sa);
        if (rc) {
            free(sa);
            free(b);
            return rc;
        }
        s->sa = sa;
    }
    /* bucket[t] = first SA index whose suffix starts with t */
    for (size_t i = 0; i < s->n; i++)
        b[s->tok[i]]++;
    uint32_t sum = 0;
    for (size_t t = 0; t <= nv; t++) {
        uint32_t c = t < nv ? b[t] : 0;
        b[t] = sum;
        sum += c;
    }
    free(s->bucket);
    s->bucket = b;
    s->nv = nv;
    return 0;
}

int markov_build(markov_t *m)
{
    size_t lines = 0;
    for (size_t i = 0; i < m->nseg; i++) {
        mseg_t *s = &m->seg[i];
        if (!s->sa || !s->bucket) {
            int rc = markov__index(m, s);
            if (rc)
                return rc;
        }
        lines += s->lines;
    }
    return lines ? 0 : PURG_EEMPTY;
}

/* ---- searching ----------------------------------------------------------------- */

static inline uint32_t key_at(const mseg_t *s, size_t p)
{
    return p < s->n ? s->tok[p] + 1 : 0;
}

/* SA range [*lo, *hi) of the suffixes of s that begin with pat[0..len). */
static void seg_range(const mseg_t *s, const uint32_t *pat, size_t len, uint32_t *lo, uint32_t *hi)
{
    if (len == 0) {
        *lo = 0;
        *hi = (uint32_t)s->n;
        return;
    }
    if (!s->sa || pat[0] >= s->nv) {
        *lo = *hi = 0;
        return;
    }
    uint32_t l = s->bucket[pat[0]], h = s->bucket[pat[0] + 1];
    for (size_t d = 1; d < len && l < h; d++) {
        uint32_t key = pat[d] + 1;
        uint32_t a = l, b = h;
        while (a < b) { /* first with key_at >= key */
            uint32_t mid = a + (b - a) / 2;
            if (key_at(s, (size_t)s->sa[mid] + d) < key)
                a = mid + 1;
            else
                b = mid;
        }
        l = a;
        b = h;
        while (a < b) { /* first with key_at > key */
            uint32_t mid = a + (b - a) / 2;
            if (key_at(s, (size_t)s->sa[mid] + d) <= key)
                a = mid + 1;
            else
                b = mid;
        }
        h = a;
    }
    *lo = l;
    *hi = h;
}

/* Weighted occurrence count of pat over all segments. */
static double pattern_count(const markov_t *m, const uint32_t *pat, size_t len)
{
    double c = 0;
    for (size_t i = 0; i < m->nseg; i++) {
        uint32_t lo, hi;
        seg_range(&m->seg[i], pat, len, &lo, &hi);
        c += m->seg[i].weight * (hi - lo);
    }
    return c;
}

static bool pattern_occurs(const markov_t *m, const uint32_t *pat, size_t len)
{
    for (size_t i = 0; i < m->nseg; i++) {
        uint32_t lo, hi;
        seg_range(&m->seg[i], pat, len, &lo, &hi);
        if (hi > lo)
            return true;
    }
    return false;
}

/* Picks a random occurrence of ctx[0..len), weighted by segment weights,
 * and returns the token after it (dir > 0) or before it (dir < 0); a
 * boundary (0) past either end. PURG_ENOTFOUND if ctx never occurs. */
static int pick(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len, int dir,
                uint32_t *out)
{
    const mseg_t *s = NULL;
    uint32_t lo = 0, hi = 0;
    if (m->nseg == 1) {
        s = &m->seg[0];
        seg_range(s, ctx, len, &lo, &hi);
    } else {
        uint32_t los[MARKOV_MAX_SEGS], his[MARKOV_MAX_SEGS];
        double total = 0;
        for (size_t i = 0; i < m->nseg; i++) {
            seg_range(&m->seg[i], ctx, len, &los[i], &his[i]);
            total += m->seg[i].weight * (his[i] - los[i]);
        }
        if (total <= 0)
            return PURG_ENOTFOUND;
        double u = rng_unit(r) * total;
        size_t i = 0;
        for (; i + 1 < m->nseg; i++) {
            double w = m->seg[i].weight * (his[i] - los[i]);
            if (u < w && his[i] > los[i])
                break;
            u -= w;
        }
        while (his[i] == los[i]) /* rounding pushed u past the last non-empty one */
            i--;
        s = &m->seg[i];
        lo = los[i];
        hi = his[i];
    }
    if (hi <= lo)
        return PURG_ENOTFOUND;
    size_t p = s->sa[lo + rng_below(r, hi - lo)];
    if (dir > 0)
        *out = p + len < s->n ? s->tok[p + len] : 0;
    else
        *out = p > 0 ? s->tok[p - 1] : 0;
    return 0;
}

/* ---- walking --------------------------------------------------------------------- */

/* A double-ended token buffer: tokens in buf[a..b). */
typedef struct walk {
    uint32_t *buf;
    size_t cap, a, b;
} walk_t;

static int walk_init(walk_t *w, size_t max_tokens)
{
    w->cap = 2 * max_tokens + 8;
    w->buf = malloc(w->cap * sizeof *w->buf);
    w->a = w->b = w->cap / 2;
    return w->buf ? 0 : PURG_ENOMEM;
}

static int order_of(const markov_t *m, const markov_gen_opts_t *o)
{
    int n = o->order > 0 ? o->order : m->order;
    return n > MARKOV_MAX_ORDER ? MARKOV_MAX_ORDER : n;
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

typedef struct steer {
    rgroup_t g[RK_GROUPS];
    size_t n;
    uint32_t slot[512];         /* keyword token -> group: (id + 1) << 8 | group, open addressing
                                   (at most RK_GROUPS * RK_VARIANTS = 256 used: never full) */
    uint32_t content;           /* the content groups (bit per group) */
    uint32_t used;              /* groups already in the walk (bit per group) */
} steer_t;

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
static int pick_steer(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len,
                      int dir, steer_t *st, uint32_t *out)
{
    int rc;
    if ((st->used & st->content) == st->content) {
        rc = pick(m, r, ctx, len, dir, out);
    } else {
        uint32_t found[STEER_FOUND];
        size_t nf = 0;
        for (size_t i = 0; i < m->nseg && nf < STEER_FOUND; i++) {
            const mseg_t *s = &m->seg[i];
            uint32_t lo, hi;
            seg_range(s, ctx, len, &lo, &hi);
            uint32_t span = hi - lo, look = span <= STEER_SCAN ? span : STEER_SAMPLE;
            for (uint32_t j = 0; j < look && nf < STEER_FOUND; j++) {
                size_t p = s->sa[lo + (span <= STEER_SCAN ? j : rng_below(r, span))];
                uint32_t t = dir > 0 ? (p + len < s->n ? s->tok[p + len] : 0) : (p > 0 ? s->tok[p - 1] : 0);
                int g = t ? steer_group(st, t) : -1;
                if (g >= 0 && !(st->used & (1u << g)))
                    found[nf++] = t;
            }
        }
        if (nf && rng_below(r, 8) != 0) {
            *out = found[rng_below(r, (uint32_t)nf)];
            st->used |= 1u << steer_group(st, *out);
            return 0;
        }
        rc = pick(m, r, ctx, len, dir, out);
    }
    if (rc == 0 && *out) {
        int g = steer_group(st, *out);
        if (g >= 0)
            st->used |= 1u << g;
    }
    return rc;
}

static int step(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len, int dir,
                steer_t *st, uint32_t *out)
{
    return st ? pick_steer(m, r, ctx, len, dir, st, out) : pick(m, r, ctx, len, dir, out);
}

/* Walks forward from the end of w until a boundary, then backward from its
 * start until a boundary (steered through keywords when st is not NULL).
 * The result is B? tokens B. Returns PURG_ETOOBIG if it grew past max_tokens. */
static int walk_extend(const markov_t *m, markov_rng_t *r, walk_t *w, size_t order, size_t max_tokens,
                       steer_t *st)
{
    while (w->b - w->a == 0 || w->buf[w->b - 1] != 0 || w->b - w->a == 1) {
        size_t len = w->b - w->a < order ? w->b - w->a : order;
        uint32_t t;
        int rc = step(m, r, w->buf + w->b - len, len, +1, st, &t);
        if (rc)
            return rc;
        if (w->b >= w->cap || w->b - w->a > max_tokens + 1)
            return PURG_ETOOBIG;
        w->buf[w->b++] = t;
        if (t == 0)
            break;
    }
    while (w->buf[w->a] != 0) {
        size_t len = w->b - w->a < order ? w->b - w->a : order;
        uint32_t t;
        int rc = step(m, r, w->buf + w->a, len, -1, st, &t);
        if (rc)
            return rc;
        if (w->a == 0 || w->b - w->a > max_tokens + 1)
            return PURG_ETOOBIG;
        w->buf[--w->a] = t;
    }
    return 0;
}

/* The content of w without its boundaries. */
static const uint32_t *walk_content(const walk_t *w, size_t *len)
{
    size_t a = w->a, b = w->b;
    if (a < b && w->buf[a] == 0)
        a++;
    if (b > a && w->buf[b - 1] == 0)
        b--;
    *len = b - a;
    return w->buf + a;
}

static bool tokens_overlap(const markov_t *m, const markov_gen_opts_t *o, const uint32_t *c, size_t len)
{
    int total = o->max_overlap_total;
    if (total < 1)
        total = 1;
    if (total > MARKOV_SA_DEPTH - 1)
        total = MARKOV_SA_DEPTH - 1;
    size_t limit = (size_t)llround(o->max_overlap_ratio * (double)len);
    if (limit > (size_t)total)
        limit = (size_t)total;
    size_t over = limit + 1;
    size_t count = len > limit ? len - limit : 1;
    for (size_t i = 0; i < count; i++) {
        size_t wl = len - i < over ? len - i : over;
        if (pattern_occurs(m, c + i, wl))
            return true;
    }
    return false;
}

static char *render(const markov_t *m, const uint32_t *c, size_t len)
{
    size_t sep = m->mode == MARKOV_WORDS ? 1 : 0, total = 1;
    for (size_t i = 0; i < len; i++)
        total += tok_len(m, c[i]) + sep;
    char *s = malloc(total), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (i && sep)
            *p++ = ' ';
        size_t l = tok_len(m, c[i]);
        memcpy(p, tok_str(m, c[i]), l);
        p += l;
    }
    *p = '\0';
    return s;
}

static bool model_empty(const markov_t *m)
{
    for (size_t i = 0; i < m->nseg; i++)
        if (m->seg[i].lines && m->seg[i].sa && m->seg[i].bucket)
            return false;
    return true;
}

/* Builds one candidate into w: from the start (seed == 0) or through the
 * token seed, steered through keywords when st is not NULL. 0 if it is
 * acceptable by length and overlap. */
static int candidate_steered(const markov_t *m, markov_rng_t *r, const markov_gen_opts_t *o,
                             walk_t *w, uint32_t seed, steer_t *st)
{
    w->a = w->b = w->cap / 2;
    w->buf[w->b++] = seed;
    size_t max = o->max_tokens ? o->max_tokens : 200;
    if (max > w->cap / 2 - 4)
        max = w->cap / 2 - 4;
    int rc = walk_extend(m, r, w, (size_t)order_of(m, o), max, st);
    if (rc)
        return rc;
    size_t len;
    const uint32_t *c = walk_content(w, &len);
    if (len < (o->min_tokens ? o->min_tokens : 1))
        return PURG_EINVAL;
    if (o->overlap_test && tokens_overlap(m, o, c, len))
        return PURG_EDENIED;
    return 0;
}

static int candidate(const markov_t *m, markov_rng_t *r, const markov_gen_opts_t *o,
                     walk_t *w, uint32_t seed)
{
    return candidate_steered(m, r, o, w, seed, NULL);
}

int markov_generate(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o, char **out)
{
    *out = NULL;
    if (model_empty(m))
        return PURG_EEMPTY;
    walk_t w;
    if (walk_init(&w, o->max_tokens ? o->max_tokens : 200))
        return PURG_ENOMEM;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < (o->tries > 0 ? o->tries : 1); t++) {
        if (candidate(m, rng, o, &w, 0) == 0) {
            size_t len;
            const uint32_t *c = walk_content(&w, &len);
            *out = render(m, c, len);
            rc = *out ? 0 : PURG_ENOMEM;
            break;
        }
    }
    free(w.buf);
    return rc;
}

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

/* Splits text like a training line and calls back for each token. */
static void split_text(const markov_t *m, const char *text, size_t len,
                       void (*fn)(void *ud, const char *s, size_t l), void *ud)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < len) {
        if (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n') {
            if (m->mode == MARKOV_CHARS && p[i] == ' ')
                fn(ud, text + i, 1);
            i++;
            continue;
        }
        size_t tl;
        if (m->mode == MARKOV_WORDS) {
            tl = 0;
            while (i + tl < len && !(p[i + tl] == ' ' || p[i + tl] == '\t' ||
                                     p[i + tl] == '\r' || p[i + tl] == '\n'))
                tl++;
        } else {
            tl = util_utf8_seq(p + i, len - i);
            if (!tl)
                tl = 1; /* skip a bad byte */
        }
        fn(ud, text + i, tl);
        i += tl;
    }
}

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
    uint32_t exact = vocab_find(m, s, l);
    if (exact != UINT32_MAX && exact != 0 && pattern_count(m, &exact, 1) <= k->common)
        kw_add(k, exact);
    if (m->mode != MARKOV_WORDS || h == 0)
        return;
    for (size_t id = 1; id < m->nvocab && k->n < MAX_KEYWORDS; id++) {
        if (m->normh[id] != h || id == exact)
            continue;
        uint32_t t = (uint32_t)id;
        double c = pattern_count(m, &t, 1);
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
        double ctx = pattern_count(m, w->buf + i - len, len);
        double both = pattern_count(m, w->buf + i - len, len + 1);
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
    if (walk_init(&w, max))
        return PURG_ENOMEM;
    if (walk_init(&best, max)) {
        free(w.buf);
        return PURG_ENOMEM;
    }
    int64_t deadline = util_now_ns() + (o->budget_ns > 0 ? o->budget_ns : 0);
    double best_score = -1;
    size_t order = (size_t)order_of(m, o);
    int tries = o->tries > 0 ? o->tries : 1;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < tries; t++) {
        if (t > 0 && o->budget_ns > 0 && best_score >= 0 && util_now_ns() > deadline)
            break;
        uint32_t seed = k->id[rng_below(rng, (uint32_t)k->n)];
        if (candidate(m, rng, o, &w, seed) != 0)
            continue;
        size_t len;
        const uint32_t *c = walk_content(&w, &len);
        if (avoid) {
            char *s = render(m, c, len);
            bool same = s && strcmp(s, avoid) == 0;
            free(s);
            if (same)
                continue;
        }
        double sc = score(m, k, &w, order);
        if (sc > best_score) {
            best_score = sc;
            memcpy(best.buf, w.buf, w.cap * sizeof *w.buf);
            best.a = w.a;
            best.b = w.b;
        }
    }
    if (best_score >= 0) {
        size_t len;
        const uint32_t *c = walk_content(&best, &len);
        *out = render(m, c, len);
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
    if (model_empty(m))
        return PURG_EEMPTY;
    size_t len = strlen(word);
    while (len && (word[len - 1] == ' ' || word[len - 1] == '\n'))
        len--;
    kwset_t k = { .m = m, .n = 0, .common = INFINITY, .skip_stop = false };
    uint32_t exact = vocab_find(m, word, len);
    if (exact != UINT32_MAX && exact != 0 && pattern_count(m, &exact, 1) > 0)
        kw_add(&k, exact);
    else
        kw_word(&k, word, len);
    if (k.n == 0)
        return PURG_ENOTFOUND;
    markov_gen_opts_t oo = *o;
    oo.budget_ns = 0; /* any acceptable candidate will do */
    walk_t w;
    if (walk_init(&w, o->max_tokens ? o->max_tokens : 200))
        return PURG_ENOMEM;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < (oo.tries > 0 ? oo.tries : 1); t++) {
        if (candidate(m, rng, &oo, &w, k.id[rng_below(rng, (uint32_t)k.n)]) == 0) {
            size_t n;
            const uint32_t *c = walk_content(&w, &n);
            *out = render(m, c, n);
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
    split_text(m, text, len, kw_word, &k);
    if (k.n == 0)
        return PURG_ENOTFOUND;
    return best_through(m, rng, o, &k, text, out);
}

typedef struct tokvec {
    const markov_t *m;
    uint32_t *v;
    size_t n, cap;
    bool unknown;
} tokvec_t;

static void tv_add(void *ud, const char *s, size_t l)
{
    tokvec_t *t = ud;
    uint32_t id = vocab_find(t->m, s, l);
    if (id == UINT32_MAX || id == 0) {
        t->unknown = true;
        id = UINT32_MAX - 1; /* matches nothing */
    }
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 64;
        uint32_t *nv = realloc(t->v, nc * sizeof *nv);
        if (!nv) {
            t->unknown = true;
            return;
        }
        t->v = nv;
        t->cap = nc;
    }
    t->v[t->n++] = id;
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

/* The folded form of a word: ASCII punctuation trimmed at both ends, ASCII
 * letters lowered (as markov__normh). Returns its length, 0 if nothing is
 * left or it does not fit. */
static size_t fold_word(const char *s, size_t len, char *buf, size_t cap)
{
    size_t a = 0, b = len;
    while (a < b && (unsigned char)s[a] < 0x80 && !isalnum((unsigned char)s[a]))
        a++;
    while (b > a && (unsigned char)s[b - 1] < 0x80 && !isalnum((unsigned char)s[b - 1]))
        b--;
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
    for (size_t id = 1; id < m->nvocab && g->n < RK_VARIANTS; id++) {
        if (m->normh[id] != h)
            continue;
        uint32_t t = (uint32_t)id;
        double c = pattern_count(m, &t, 1);
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
    split_text(m, text, len, prompt_word, p);
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
    double u = rng_unit(r) * total;
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
    double u = rng_unit(r) * g->total;
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
        while (i + best < len && best < MARKOV_SA_DEPTH && pattern_occurs(m, c + i, best + 1))
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
        split_text(m, ro->recent[i], strnlen(ro->recent[i], MARKOV_MAX_LINE), prompt_word, &p);
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
    const uint32_t *c = walk_content(w, &len);
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
        double ctx = pattern_count(m, w->buf + pos - cl, cl);
        double both = pattern_count(m, w->buf + pos - cl, cl + 1);
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
    if (walk_init(&w, max)) {
        free(sets);
        return PURG_ENOMEM;
    }
    if (walk_init(&best, max)) {
        free(w.buf);
        free(sets);
        return PURG_ENOMEM;
    }
    int64_t deadline = util_now_ns() + (o->budget_ns > 0 ? o->budget_ns : 0);
    size_t order = (size_t)order_of(m, o);
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
        if (candidate_steered(m, rng, o, &w, seed, st) != 0) {
            info->rejected++;
            continue;
        }
        size_t len;
        const uint32_t *c = walk_content(&w, &len);
        if (len == pv->n && !pv->unknown && memcmp(c, pv->v, len * sizeof *c) == 0) {
            info->rejected++;
            continue;
        }
        info->candidates++;
        rscore_t sc;
        score_scored(m, st, &sets[0], &sets[1], &w, order, ro->pref_tokens, have ? bs.score : -INFINITY, &sc);
        if (!have || sc.score > bs.score) {
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
        const uint32_t *c = walk_content(&best, &len);
        *out = render(m, c, len);
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
    if (model_empty(m))
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
        split_text(m, text, strnlen(text, MARKOV_MAX_LINE), tv_add, &pv);
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

/* ---- overlap, stats ------------------------------------------------------------------ */

bool markov_overlaps(const markov_t *m, const markov_gen_opts_t *o, const char *text)
{
    tokvec_t t = { .m = m };
    split_text(m, text, strnlen(text, MARKOV_MAX_LINE), tv_add, &t);
    bool r = t.n > 0 && tokens_overlap(m, o, t.v, t.n);
    free(t.v);
    return r;
}

/* Distinct (context, next) pairs usable at 'order': contexts of 'order'
 * tokens with no boundary inside, and the shorter contexts that start a line. */
static size_t seg_transitions(const mseg_t *s, size_t order)
{
    size_t total = 0;
    if (!s->sa)
        return 0;
    for (size_t L = 2; L <= order + 1 && L <= MARKOV_SA_DEPTH; L++) {
        size_t prev = SIZE_MAX;
        for (size_t k = 0; k < s->n; k++) {
            size_t p = s->sa[k];
            if (p + L > s->n)
                continue;
            if (L <= order && s->tok[p] != 0)
                continue;
            bool ok = true;
            for (size_t j = 1; j + 1 < L && ok; j++)
                ok = s->tok[p + j] != 0;
            if (!ok)
                continue;
            if (prev == SIZE_MAX || memcmp(s->tok + prev, s->tok + p, L * sizeof *s->tok) != 0)
                total++;
            prev = p;
        }
    }
    return total;
}

void markov_stats(const markov_t *m, markov_stats_t *st)
{
    memset(st, 0, sizeof *st);
    st->mode = m->mode;
    st->order = m->order;
    st->vocab = m->nvocab - 1;
    st->segments = m->nseg;
    st->bytes = sizeof *m + m->arena_cap + (m->vcap + 1) * sizeof *m->off +
                m->vcap * sizeof *m->normh + m->hcap * sizeof *m->hash;
    for (size_t i = 0; i < m->nseg; i++) {
        const mseg_t *s = &m->seg[i];
        st->lines += s->lines;
        st->tokens += s->n;
        st->transitions += seg_transitions(s, (size_t)m->order);
        st->bytes += (s->mapped ? s->n : s->cap) * sizeof *s->tok + (s->sa ? s->n * sizeof *s->sa : 0) +
                     (s->bucket ? ((size_t)s->nv + 1) * sizeof *s->bucket : 0);
    }
}

/* ---- combining, learning ------------------------------------------------------------- */

int markov_combine(markov_t **out, const markov_t *const *models, const double *weights, size_t k)
{
    *out = NULL;
    if (k == 0)
        return PURG_EINVAL;
    size_t nseg = 0;
    for (size_t i = 0; i < k; i++) {
        if (models[i]->mode != models[0]->mode || !(weights[i] > 0) || !isfinite(weights[i]))
            return PURG_EINVAL;
        nseg += models[i]->nseg;
    }
    if (nseg > MARKOV_MAX_SEGS)
        return PURG_ETOOBIG;
    markov_t *m;
    int rc = markov_new(&m, models[0]->mode, models[0]->order);
    if (rc)
        return rc;
    uint32_t *map = NULL;
    for (size_t i = 0; i < k; i++) {
        const markov_t *src = models[i];
        free(map);
        map = malloc(src->nvocab * sizeof *map);
        if (!map) {
            rc = PURG_ENOMEM;
            goto fail;
        }
        map[0] = 0;
        for (size_t id = 1; id < src->nvocab; id++) {
            rc = markov__intern(m, tok_str(src, (uint32_t)id), tok_len(src, (uint32_t)id), &map[id]);
            if (rc)
                goto fail;
        }
        for (size_t j = 0; j < src->nseg; j++) {
            const mseg_t *ss = &src->seg[j];
            mseg_t *d = &m->seg[m->nseg];
            memset(d, 0, sizeof *d);
            d->tok = malloc((ss->n ? ss->n : 1) * sizeof *d->tok);
            if (!d->tok) {
                rc = PURG_ENOMEM;
                goto fail;
            }
            m->nseg++;
            for (size_t p = 0; p < ss->n; p++)
                d->tok[p] = map[ss->tok[p] < src->nvocab ? ss->tok[p] : 0];
            d->n = d->cap = ss->n;
            d->lines = ss->lines;
            d->weight = weights[i] * ss->weight;
        }
    }
    free(map);
    map = NULL;
    /* every segment is re-indexed: the ids, and so the suffix order, changed */
    for (size_t j = 0; j < m->nseg; j++) {
        rc = markov__index(m, &m->seg[j]);
        if (rc)
            goto fail;
    }
    *out = m;
    return 0;
fail:
    free(map);
    markov_free(m);
    return rc;
}

/* Merges learned segment b into learned segment a (same weight), then drops b. */
static int seg_merge(markov_t *m, mseg_t *a, mseg_t *b)
{
    int rc = seg_reserve(a, b->n);
    if (rc)
        return rc;
    /* b starts with a boundary that a already ends with */
    memcpy(a->tok + a->n, b->tok + 1, (b->n - 1) * sizeof *a->tok);
    a->n += b->n - 1;
    a->lines += b->lines;
    free(a->sa);
    a->sa = NULL;
    seg_clear(b);
    m->nseg--;
    return markov__index(m, a);
}

int markov_learn(markov_t *m, const char *line, size_t len)
{
    mseg_t *live = m->nseg ? &m->seg[m->nseg - 1] : NULL;
    if (!live || !live->live) {
        if (m->nseg >= MARKOV_MAX_SEGS)
            return PURG_ETOOBIG;
        live = &m->seg[m->nseg++];
        memset(live, 0, sizeof *live);
        live->weight = m->nseg > 1 ? m->seg[0].weight : 1.0;
        live->live = live->learned = true;
    }
    int rc = seg_add_line(m, live, line, len);
    if (rc)
        goto out;
    if (live->n > MARKOV_LIVE_MAX) {
        /* freeze it, merging with the previous learned segment if any */
        live->live = false;
        mseg_t *prev = m->nseg >= 2 ? &m->seg[m->nseg - 2] : NULL;
        if (prev && prev->learned && !prev->mapped && prev->weight == live->weight)
            return seg_merge(m, prev, live);
    }
out:
    /* re-index what changed; older segments need not know new words, as
     * seg_range treats ids >= their nv as absent */
    for (size_t i = 0; i < m->nseg; i++) {
        mseg_t *s = &m->seg[i];
        if (!s->sa) {
            int r2 = markov__index(m, s);
            if (r2)
                return r2;
        }
    }
    if (live->n == 0) { /* the new segment got nothing */
        seg_clear(live);
        m->nseg--;
    }
    return rc;
}
