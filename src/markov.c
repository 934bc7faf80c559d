/* markov.c - the Markov chain engine: vocabulary, suffix-array index,
 * walks and generation, overlap test, stats, combining and learning (the
 * keywords and replies are in markov_reply.c); any thread (see markov.h). */
#include "markov_int.h"
#include "purg.h"
#include "util.h"

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
    o->accept = NULL;
    o->accept_ctx = NULL;
}

bool markov__accepted(const markov_t *m, const markov_gen_opts_t *o, const uint32_t *c, size_t len)
{
    if (!o->accept)
        return true;
    char *s = markov__render(m, c, len);
    bool ok = s && o->accept(o->accept_ctx, s) != 0;
    free(s);
    return ok;
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
    size_t a, b;
    markov__fold_span(s, len, &a, &b);
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

/* Finds the id of s, or UINT32_MAX. */
uint32_t markov__vocab_find(const markov_t *m, const char *s, size_t len)
{
    if (!m->hcap)
        return UINT32_MAX;
    size_t mask = m->hcap - 1, i = hash_bytes(s, len) & mask;
    for (;;) {
        uint32_t slot = m->hash[i];
        if (!slot)
            return UINT32_MAX;
        uint32_t id = slot - 1;
        if (markov__tok_len(m, id) == len && memcmp(markov__tok_str(m, id), s, len) == 0)
            return id;
        i = (i + 1) & mask;
    }
}

static inline size_t fold_slot(uint64_t h, size_t mask)
{
    return (size_t)((h * 0x9E3779B97F4A7C15ull) >> 32) & mask;
}

/* fnext with room for every id the vocabulary has room for. */
static int fold_reserve(markov_t *m)
{
    if (m->fncap >= m->vcap)
        return 0;
    uint32_t *n = realloc(m->fnext, m->vcap * sizeof *n);
    if (!n)
        return PURG_ENOMEM;
    m->fnext = n;
    m->fncap = m->vcap;
    return 0;
}

/* Adds id, larger than every id indexed so far, to the folded-form index. */
static void fold_insert(uint32_t *fold, uint32_t *fnext, size_t mask, const uint64_t *normh, uint32_t id)
{
    uint64_t h = normh[id];
    size_t i = fold_slot(h, mask);
    while (fold[i] && normh[fold[i]] != h)
        i = (i + 1) & mask;
    if (fold[i]) { /* after the largest, before the smallest */
        fnext[id] = fnext[fold[i]];
        fnext[fold[i]] = id;
    } else {
        fnext[id] = id;
    }
    fold[i] = id;
}

uint32_t markov__fold_first(const markov_t *m, uint64_t h)
{
    if (!m->fold)
        return 0;
    size_t mask = m->hcap - 1;
    for (size_t i = fold_slot(h, mask); m->fold[i]; i = (i + 1) & mask)
        if (m->normh[m->fold[i]] == h)
            return m->fnext[m->fold[i]];
    return 0;
}

int markov__rehash(markov_t *m, size_t hcap)
{
    uint32_t *h = calloc(hcap, sizeof *h);
    uint32_t *f = calloc(hcap, sizeof *f);
    if (!h || !f || fold_reserve(m)) {
        free(h);
        free(f);
        return PURG_ENOMEM;
    }
    for (size_t id = 1; id < m->nvocab; id++) {
        size_t i = hash_bytes(markov__tok_str(m, (uint32_t)id), markov__tok_len(m, (uint32_t)id)) & (hcap - 1);
        while (h[i])
            i = (i + 1) & (hcap - 1);
        h[i] = (uint32_t)id + 1;
        fold_insert(f, m->fnext, hcap - 1, m->normh, (uint32_t)id);
    }
    free(m->hash);
    m->hash = h;
    free(m->fold);
    m->fold = f;
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
    uint32_t f = markov__vocab_find(m, s, len);
    if (f != UINT32_MAX) {
        *id = f;
        return 0;
    }
    int rc = vocab_append(m, s, len, id);
    if (rc)
        return rc;
    if (m->nvocab * 2 > m->hcap)
        return markov__rehash(m, m->hcap ? m->hcap * 2 : 4096);
    rc = fold_reserve(m);
    if (rc)
        return rc;
    size_t mask = m->hcap - 1, i = hash_bytes(s, len) & mask;
    while (m->hash[i])
        i = (i + 1) & mask;
    m->hash[i] = *id + 1;
    fold_insert(m->fold, m->fnext, mask, m->normh, *id);
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
    free(m->fold);
    free(m->fnext);
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
void markov__seg_range(const mseg_t *s, const uint32_t *pat, size_t len, uint32_t *lo, uint32_t *hi)
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
double markov__pattern_count(const markov_t *m, const uint32_t *pat, size_t len)
{
    double c = 0;
    for (size_t i = 0; i < m->nseg; i++) {
        uint32_t lo, hi;
        markov__seg_range(&m->seg[i], pat, len, &lo, &hi);
        c += m->seg[i].weight * (hi - lo);
    }
    return c;
}

bool markov__pattern_occurs(const markov_t *m, const uint32_t *pat, size_t len)
{
    for (size_t i = 0; i < m->nseg; i++) {
        uint32_t lo, hi;
        markov__seg_range(&m->seg[i], pat, len, &lo, &hi);
        if (hi > lo)
            return true;
    }
    return false;
}

/* Picks a random occurrence of ctx[0..len), weighted by segment weights,
 * and returns the token after it (dir > 0) or before it (dir < 0); a
 * boundary (0) past either end. PURG_ENOTFOUND if ctx never occurs. */
int markov__pick(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len, int dir,
                uint32_t *out)
{
    const mseg_t *s = NULL;
    uint32_t lo = 0, hi = 0;
    if (m->nseg == 1) {
        s = &m->seg[0];
        markov__seg_range(s, ctx, len, &lo, &hi);
    } else {
        uint32_t los[MARKOV_MAX_SEGS], his[MARKOV_MAX_SEGS];
        double total = 0;
        for (size_t i = 0; i < m->nseg; i++) {
            markov__seg_range(&m->seg[i], ctx, len, &los[i], &his[i]);
            total += m->seg[i].weight * (his[i] - los[i]);
        }
        if (total <= 0)
            return PURG_ENOTFOUND;
        double u = markov__rng_unit(r) * total;
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
    size_t p = s->sa[lo + markov__rng_below(r, hi - lo)];
    if (dir > 0)
        *out = p + len < s->n ? s->tok[p + len] : 0;
    else
        *out = p > 0 ? s->tok[p - 1] : 0;
    return 0;
}

/* ---- walking --------------------------------------------------------------------- */

int markov__walk_init(walk_t *w, size_t max_tokens)
{
    w->cap = 2 * max_tokens + 8;
    w->buf = malloc(w->cap * sizeof *w->buf);
    w->a = w->b = w->cap / 2;
    return w->buf ? 0 : PURG_ENOMEM;
}

int markov__order_of(const markov_t *m, const markov_gen_opts_t *o)
{
    int n = o->order > 0 ? o->order : m->order;
    return n > MARKOV_MAX_ORDER ? MARKOV_MAX_ORDER : n;
}

static int step(const markov_t *m, markov_rng_t *r, const uint32_t *ctx, size_t len, int dir,
                steer_t *st, uint32_t *out)
{
    return st ? markov__pick_steer(m, r, ctx, len, dir, st, out) : markov__pick(m, r, ctx, len, dir, out);
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
const uint32_t *markov__walk_content(const walk_t *w, size_t *len)
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
        if (markov__pattern_occurs(m, c + i, wl))
            return true;
    }
    return false;
}

char *markov__render(const markov_t *m, const uint32_t *c, size_t len)
{
    size_t sep = m->mode == MARKOV_WORDS ? 1 : 0, total = 1;
    for (size_t i = 0; i < len; i++)
        total += markov__tok_len(m, c[i]) + sep;
    char *s = malloc(total), *p = s;
    if (!s)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (i && sep)
            *p++ = ' ';
        size_t l = markov__tok_len(m, c[i]);
        memcpy(p, markov__tok_str(m, c[i]), l);
        p += l;
    }
    *p = '\0';
    return s;
}

bool markov__model_empty(const markov_t *m)
{
    for (size_t i = 0; i < m->nseg; i++)
        if (m->seg[i].lines && m->seg[i].sa && m->seg[i].bucket)
            return false;
    return true;
}

/* Builds one candidate into w: from the start (seed == 0) or through the
 * token seed, steered through keywords when st is not NULL. 0 if it is
 * acceptable by length and overlap. */
int markov__candidate(const markov_t *m, markov_rng_t *r, const markov_gen_opts_t *o,
                             walk_t *w, uint32_t seed, steer_t *st)
{
    w->a = w->b = w->cap / 2;
    w->buf[w->b++] = seed;
    size_t max = o->max_tokens ? o->max_tokens : 200;
    if (max > w->cap / 2 - 4)
        max = w->cap / 2 - 4;
    int rc = walk_extend(m, r, w, (size_t)markov__order_of(m, o), max, st);
    if (rc)
        return rc;
    size_t len;
    const uint32_t *c = markov__walk_content(w, &len);
    if (len < (o->min_tokens ? o->min_tokens : 1))
        return PURG_EINVAL;
    if (o->overlap_test && tokens_overlap(m, o, c, len))
        return PURG_EDENIED;
    return 0;
}

static int candidate(const markov_t *m, markov_rng_t *r, const markov_gen_opts_t *o,
                     walk_t *w, uint32_t seed)
{
    return markov__candidate(m, r, o, w, seed, NULL);
}

int markov_generate(const markov_t *m, markov_rng_t *rng, const markov_gen_opts_t *o, char **out)
{
    *out = NULL;
    if (markov__model_empty(m))
        return PURG_EEMPTY;
    walk_t w;
    if (markov__walk_init(&w, o->max_tokens ? o->max_tokens : 200))
        return PURG_ENOMEM;
    int rc = PURG_ETIMEOUT;
    for (int t = 0; t < (o->tries > 0 ? o->tries : 1); t++) {
        if (candidate(m, rng, o, &w, 0) == 0) {
            size_t len;
            const uint32_t *c = markov__walk_content(&w, &len);
            if (!markov__accepted(m, o, c, len))
                continue;
            *out = markov__render(m, c, len);
            rc = *out ? 0 : PURG_ENOMEM;
            break;
        }
    }
    free(w.buf);
    return rc;
}

/* ---- tokenizing text (replies, the overlap test) ------------------------------ */

/* Splits text like a training line and calls back for each token. */
void markov__split_text(const markov_t *m, const char *text, size_t len,
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

void markov__tv_add(void *ud, const char *s, size_t l)
{
    tokvec_t *t = ud;
    uint32_t id = markov__vocab_find(t->m, s, l);
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

/* ---- overlap, stats ------------------------------------------------------------------ */

bool markov_overlaps(const markov_t *m, const markov_gen_opts_t *o, const char *text)
{
    tokvec_t t = { .m = m };
    markov__split_text(m, text, strnlen(text, MARKOV_MAX_LINE), markov__tv_add, &t);
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
                m->vcap * sizeof *m->normh + m->hcap * sizeof *m->hash +
                m->hcap * sizeof *m->fold + m->fncap * sizeof *m->fnext;
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
            rc = markov__intern(m, markov__tok_str(src, (uint32_t)id), markov__tok_len(src, (uint32_t)id), &map[id]);
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
