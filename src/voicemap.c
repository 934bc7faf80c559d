/* voicemap.c - nick -> voice: stable hash into a pool, overrides, roster-aware
 * distinctness; net thread (the `voices` subcommand uses it from main).
 *
 * THE HASH. A nick is first normalized (voicemap_normalize): IRC rfc1459
 * case-mapping (A-Z -> a-z, [ ] \ ~ -> { } | ^), then everything from the
 * first '|' on is cut ("avi|away"), then, repeatedly, a trailing {tag}
 * ("avi[m]") and trailing _ ^ - ` and digits ("avi_", "avi2") are stripped;
 * if that would leave nothing, the case-mapped nick is kept as it is.
 * The hash is FNV-1a 64 (offset 0xcbf29ce484222325, prime 0x100000001b3) over
 * the bytes  salt, one 0x00 byte, normalized nick,  followed by the 64-bit
 * finalizer of MurmurHash3 (fmix64). It uses only fixed-width unsigned
 * arithmetic, so it is the same on every machine, build and run.
 *
 * THE PROBE SEQUENCE. With N pool voices, nick x with hash h tries the voices
 *   c_k(x) = (h mod N + k * step) mod N,  k = 0, 1, ..., N-1,
 * step = 1 + ((h >> 32) mod (N-1)), raised by one until gcd(step, N) = 1, so
 * the sequence visits every voice once. c_0 is the nick's first choice.
 *
 * THE DISTINCTNESS RULE. The voices in a channel are a function of the SET of
 * people present (the roster), never of the order in which they were seen:
 *  1. A person is a normalized identity; two present nicks with the same one
 *     ("avi" and "avi_") are the same person and share a voice.
 *  2. Pinned people ([overrides]) get their pinned voice; a pinned pool voice
 *     is taken for everybody else.
 *  3. Then in rounds k = 0, 1, ...: every person still without a voice, in
 *     ascending order of hash (then of normalized nick), takes c_k if it is
 *     free. Round 0 hands out first choices, so a person keeps their first
 *     choice unless a pinned person, or a present person with a smaller hash
 *     and the same first choice, holds it ("displaced").
 *  4. When the pool runs out, the rest get their first choice and share.
 * Joining can therefore move somebody already present (only those whose
 * claim loses), which is the price of order independence.
 *
 * A nick change keeps the voice: a roster entry keeps the identity it joined
 * with, and the new nick is only its new name. Lookups outside any channel
 * (channel NULL) give the pinned or first-choice voice. */
#include "voicemap.h"
#include "lang.h"
#include "nick.h"
#include "voicemap_int.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Open-addressing table of pointers; see tab_find and friends. */
typedef struct vm_tab {
    void **item;    /* NULL: empty slot */
    uint64_t *hash; /* each item's hash */
    size_t cap, n;  /* cap: 0 or a power of two, n <= cap / 2 */
} vm_tab_t;

struct vm_class;

/* Someone present: one normalized identity, carried by one or more nicks. */
typedef struct vm_person {
    char key[VOICEMAP_NICK_MAX]; /* normalized identity */
    uint64_t h;
    int first, step;      /* choices: c_k = (first + k * step) mod N */
    int index;            /* pool index of the voice, -1: pinned outside the pool */
    unsigned flags;
    const vm_pin_t *pin;  /* NULL: not pinned */
    size_t nicks;         /* members carrying this identity */
    struct vm_class *cls; /* unpinned: the class of its choices */
    size_t hpos;          /* place in cls->heap; VM_WAITING_NOT while holding a voice */
} vm_person_t;

typedef struct vm_member {
    char nick[VOICEMAP_NICK_MAX]; /* case-mapped current nick */
    vm_person_t *p;               /* the identity it joined with */
} vm_member_t;

/* Unpinned people present with the same (first, step): the same choices. */
typedef struct vm_class {
    int first, step;
    vm_person_t **heap; /* the waiting ones (holding no voice), min-heap by before() */
    size_t n, cap;      /* cap >= members, so a holder can always come back */
    size_t members;     /* waiting + holding */
} vm_class_t;

typedef struct vm_chan {
    char name[VOICEMAP_CHAN_MAX]; /* case-mapped */
    vm_tab_t nicks;      /* folded nick -> vm_member_t */
    vm_tab_t people;     /* identity -> vm_person_t */
    vm_tab_t classes;    /* (first, step) -> vm_class_t */
    vm_person_t **holder; /* [VM_POOL_MAX] who holds each pool voice by the rounds */
    unsigned *pinned;     /* [VM_POOL_MAX] pinned people present on each pool voice */
    size_t waiting;       /* people in class heaps */
    int dirty; /* holder[] may be wrong: assign() before the next lookup */
    int stale; /* the pool, salt or pins changed: rebuild() first */
} vm_chan_t;

struct voicemap {
    vm_pool_t pool;
    vm_chan_t *ch;
    size_t nch, chcap;
    char *path;     /* NULL = built-in pool */
    char *salt_arg; /* NULL = the file's salt */
    struct stat st; /* of path at the last (re)load, for voicemap_file_changed */
    int check_voices;
    vm_pin_t *rpins; /* voicemap_pin: run-time pins, kept across reloads */
    size_t nrpins;
    /* assign()'s scratch, per pool voice */
    unsigned char taken[VM_POOL_MAX];
    struct vm_class *best[VM_POOL_MAX]; /* the smallest head asking this round */
    int asked[VM_POOL_MAX];             /* voices asked for this round */
};

static void chan_free(vm_chan_t *c);

const char *voicemap_languages(const voicemap_t *m) { return m->pool.languages; }
size_t voicemap_lang_voices(const voicemap_t *m) { return m->pool.nlang; }

void voicemap_lang_voice(const voicemap_t *m, size_t i, const char **code, const char **voice)
{
    *code = i < m->pool.nlang ? m->pool.lang_code[i] : "";
    *voice = i < m->pool.nlang ? m->pool.lang_voice[i] : "";
}

const char *voicemap_phrase(const voicemap_t *m, const char *code, phrase_t which)
{
    if ((unsigned)which >= PHRASE_COUNT)
        return "";
    if (!code || !code[0] || (!phrases_known(code) && !lang_code_known(code)))
        code = "en";
    for (size_t i = 0; m && i < m->pool.nphrase; i++)
        if (strcmp(m->pool.phrase_code[i], code) == 0 && m->pool.phrase[i][which][0])
            return m->pool.phrase[i][which];
    return phrases_get(code, which);
}

int voicemap_dictionary(const voicemap_t *m, char *buf, size_t n)
{
    const char *d = m->pool.dictionary;
    if (!d[0])
        return PURG_ENOTFOUND;
    if (d[0] == '/' || !m->path || !strchr(m->path, '/'))
        return util_strlcpy(buf, d, n);
    int dir = (int)(strrchr(m->path, '/') - m->path);
    return util_snprintf(buf, n, "%.*s/%s", dir, m->path, d);
}

/* ------------------------------------------------------------------------ */
/* normalization and hash */

void voicemap_fold(const char *s, char *out, size_t n)
{
    nick_fold(s, out, n); /* the one mapping (nick.h); the hash depends on it */
}

static int strippable(char c)
{
    return c == '_' || c == '^' || c == '-' || c == '`' || (c >= '0' && c <= '9');
}

void voicemap_normalize(const char *nick, char *out, size_t n)
{
    if (n == 0)
        return;
    voicemap_fold(nick, out, n);
    char *bar = strchr(out, '|');
    if (bar && bar != out)
        *bar = '\0';
    size_t len = strlen(out);
    for (;;) {
        size_t before = len;
        while (len > 0 && strippable(out[len - 1]))
            len--;
        if (len > 0 && out[len - 1] == '}') {
            char *open = NULL;
            for (size_t i = len - 1; i > 0; i--)
                if (out[i - 1] == '{') { open = out + i - 1; break; }
            if (open && open != out)
                len = (size_t)(open - out);
        }
        if (len == 0 || len == before)
            break;
    }
    if (len > 0)
        out[len] = '\0';
    /* len == 0: the nick was all suffix ("_", "42"); keep it case-mapped. */
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

uint64_t voicemap_hash(const char *salt, const char *norm)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    const unsigned char *p;
    for (p = (const unsigned char *)(salt ? salt : ""); *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    h = (h ^ 0u) * 0x100000001b3ULL;
    for (p = (const unsigned char *)norm; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return fmix64(h);
}

static size_t gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* k-th choice of hash h in a pool of n voices (see the top of the file). */
static int probe(uint64_t h, size_t k, size_t n)
{
    size_t first = (size_t)(h % n);
    if (n == 1)
        return 0;
    size_t step = 1 + (size_t)((h >> 32) % (n - 1));
    while (gcd(step, n) != 1)
        step++;
    return (int)((first + (k % n) * step) % n);
}

/* ------------------------------------------------------------------------ */
/* construction */

/* Points a run-time pin at the pool voice named by its value, if there is
 * one; otherwise it keeps the voice parsed from its spec (pool = -1). */
static void rpin_resolve(const vm_pool_t *pool, vm_pin_t *pin)
{
    pin->pool = -1;
    for (size_t j = 0; j < pool->n; j++)
        if (strcmp(pool->e[j].id, pin->value) == 0) {
            pin->pool = (int)j;
            pin->v = pool->e[j].v;
        }
}

int voicemap_load(voicemap_t **out, const char *path, const char *salt, char *err, size_t errlen)
{
    return voicemap_load_opts(out, path, salt, 1, err, errlen);
}

int voicemap_load_opts(voicemap_t **out, const char *path, const char *salt, int check_voices,
                       char *err, size_t errlen)
{
    voicemap_t *m = calloc(1, sizeof *m);
    int rc = PURG_ENOMEM;
    if (err && errlen)
        err[0] = '\0';
    *out = NULL;
    if (!m)
        goto fail;
    if (path && !(m->path = strdup(path)))
        goto fail_m;
    if (salt && !(m->salt_arg = strdup(salt)))
        goto fail_path;
    m->check_voices = check_voices;
    rc = voicefile_load(&m->pool, path, salt, check_voices, &m->st, err, errlen);
    if (rc != 0)
        goto fail_salt;
    *out = m;
    return 0;

fail_salt:
    free(m->salt_arg);
fail_path:
    free(m->path);
fail_m:
    free(m);
fail:
    if (rc == PURG_ENOMEM && err && errlen && !err[0])
        util_snprintf(err, errlen, "out of memory loading voices");
    return rc;
}

void voicemap_free(voicemap_t *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nch; i++)
        chan_free(&m->ch[i]);
    free(m->ch);
    voicefile_clear(&m->pool);
    free(m->rpins);
    free(m->path);
    free(m->salt_arg);
    free(m);
}

int voicemap_reload(voicemap_t *m, char *err, size_t errlen)
{
    vm_pool_t pool;
    struct stat st;
    int rc = voicefile_load(&pool, m->path, m->salt_arg, m->check_voices, &st, err, errlen);
    if (rc != 0)
        return rc; /* the old mapping stays in force */
    voicefile_clear(&m->pool);
    m->pool = pool;
    m->st = st;
    for (size_t i = 0; i < m->nrpins; i++)
        rpin_resolve(&m->pool, &m->rpins[i]); /* a spec pin keeps its voice; an id may move */
    for (size_t i = 0; i < m->nch; i++)
        m->ch[i].stale = 1;
    return 0;
}

int voicemap_file_changed(const voicemap_t *m)
{
    struct stat st;
    if (!m->path)
        return 0;
    if (stat(m->path, &st) != 0)
        return 0; /* gone: keep what we have; a reload would fail anyway */
    return st.st_ino != m->st.st_ino || st.st_size != m->st.st_size ||
           st.st_mtim.tv_sec != m->st.st_mtim.tv_sec || st.st_mtim.tv_nsec != m->st.st_mtim.tv_nsec;
}

/* ------------------------------------------------------------------------ */
/* pool access */

size_t voicemap_size(const voicemap_t *m)
{
    return m->pool.n;
}

int voicemap_entry(const voicemap_t *m, size_t i, const char **id, voice_t *v, int *line)
{
    if (i >= m->pool.n)
        return PURG_ENOTFOUND;
    if (id)
        *id = m->pool.e[i].id;
    if (v)
        *v = m->pool.e[i].v;
    if (line)
        *line = m->pool.e[i].line;
    return 0;
}

const char *voicemap_salt(const voicemap_t *m)
{
    return m->pool.salt;
}

static const vm_pin_t *find_pin(const voicemap_t *m, const char *key)
{
    for (size_t i = 0; i < m->nrpins; i++) /* run-time pins win over the file's */
        if (strcmp(m->rpins[i].key, key) == 0)
            return &m->rpins[i];
    for (size_t i = 0; i < m->pool.npins; i++)
        if (strcmp(m->pool.pins[i].key, key) == 0)
            return &m->pool.pins[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* hash tables: open addressing, linear probing, backward-shift deletion */

/* Items are caller-owned pointers; the table keeps each one's hash. */
static int tab_grow(vm_tab_t *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    void **item = calloc(cap, sizeof *item);
    uint64_t *hash = calloc(cap, sizeof *hash);
    if (!item || !hash) {
        free(item);
        free(hash);
        return PURG_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->item[i])
            continue;
        size_t j = (size_t)t->hash[i] & (cap - 1);
        while (item[j])
            j = (j + 1) & (cap - 1);
        item[j] = t->item[i];
        hash[j] = t->hash[i];
    }
    free(t->item);
    free(t->hash);
    t->item = item;
    t->hash = hash;
    t->cap = cap;
    return 0;
}

/* The slot holding the item with hash h that eq() matches to key, or
 * (size_t)-1. */
static size_t tab_find(const vm_tab_t *t, uint64_t h, int (*eq)(const void *item, const void *key),
                       const void *key)
{
    if (t->cap == 0)
        return (size_t)-1;
    size_t mask = t->cap - 1;
    for (size_t i = (size_t)h & mask; t->item[i]; i = (i + 1) & mask)
        if (t->hash[i] == h && eq(t->item[i], key))
            return i;
    return (size_t)-1;
}

/* Adds item (not yet in t) under hash h: 0 or PURG_ENOMEM. Load stays <= 1/2. */
static int tab_put(vm_tab_t *t, uint64_t h, void *item)
{
    if ((t->n + 1) * 2 > t->cap && tab_grow(t) != 0)
        return PURG_ENOMEM;
    size_t mask = t->cap - 1, i = (size_t)h & mask;
    while (t->item[i])
        i = (i + 1) & mask;
    t->item[i] = item;
    t->hash[i] = h;
    t->n++;
    return 0;
}

/* Empties slot i and moves later items of its probe run back, so every
 * item stays reachable from its home slot without tombstones. */
static void tab_del(vm_tab_t *t, size_t i)
{
    size_t mask = t->cap - 1;
    t->item[i] = NULL;
    t->n--;
    for (size_t j = (i + 1) & mask; t->item[j]; j = (j + 1) & mask) {
        size_t home = (size_t)t->hash[j] & mask;
        if (((j - home) & mask) >= ((j - i) & mask)) {
            t->item[i] = t->item[j];
            t->hash[i] = t->hash[j];
            t->item[j] = NULL;
            i = j;
        }
    }
}

static void tab_free(vm_tab_t *t)
{
    free(t->item);
    free(t->hash);
    memset(t, 0, sizeof *t);
}

static uint64_t str_hash(const char *s)
{
    return voicemap_hash(NULL, s); /* salt-free: a reload does not move table slots */
}

/* ------------------------------------------------------------------------ */
/* rosters
 *
 * DESIGN. A channel keeps three tables: nicks (folded nick -> member), people
 * (identity -> person; several nicks may carry one identity) and probe
 * classes. A class is the set of unpinned people with the same (first choice,
 * step): they try the same voice in every round. So in round k only the
 * smallest waiting member of each class (its "head") can win anything, and
 * voice v goes to the smallest head whose c_k is v, if v is free: within a
 * round the voices are independent of each other, and the walk in ascending
 * hash order of rule 3 gives each free voice to the smallest person asking.
 * Each class keeps its waiting people in a min-heap ordered as the rule
 * orders people (hash, then identity); people holding a voice are out of the
 * heap and listed in holder[]. assign() replays the rounds over class heads
 * only: O(classes) per round, and with a pool of N voices at most N people
 * ever hold one; with many more people than voices the pool fills in round 0.
 *
 * A roster change marks the channel dirty only when it can change anyone's
 * voice; assign() runs at the next lookup. Provably harmless changes:
 *  - someone joins whose class already has a waiting member smaller than
 *    them: that member waits through every round, so the newcomer is never a
 *    head and never asks for anything; they share their first choice;
 *  - a waiting person leaves: whenever they were a head they lost (their voice
 *    was taken, or a smaller head won it), and the next member of their class
 *    would ask for the same voice in the same round and lose the same way;
 *  - another nick of a person present joins or leaves, or a nick changes.
 * Everything else (a pin arrives or leaves, a holder leaves, a join that may
 * win) sets dirty. A reload or a run-time pin sets stale: hashes, classes and
 * pins are rebuilt from the people table.
 * tests/unit/test_voicemap.c checks all of this against the plain rule. */

#define VM_WAITING_NOT ((size_t)-1) /* hpos of a person holding a voice */

static int member_eq(const void *item, const void *key)
{
    return strcmp(((const vm_member_t *)item)->nick, key) == 0;
}

static int person_eq(const void *item, const void *key)
{
    return strcmp(((const vm_person_t *)item)->key, key) == 0;
}

static int class_eq(const void *item, const void *key)
{
    const vm_class_t *a = item, *b = key;
    return a->first == b->first && a->step == b->step;
}

static uint64_t class_hash(int first, int step)
{
    return fmix64(((uint64_t)(unsigned)first << 32) ^ (uint64_t)(unsigned)step ^ 0x9e3779b97f4a7c15ULL);
}

/* The order of rule 3: ascending hash, then identity. */
static int before(const vm_person_t *a, const vm_person_t *b)
{
    if (a->h != b->h)
        return a->h < b->h;
    return strcmp(a->key, b->key) < 0;
}

/* First choice and step of hash h in a pool of n voices (see probe()). */
static void probe_seq(uint64_t h, size_t n, int *first, int *step)
{
    *first = (int)(h % n);
    if (n == 1) {
        *step = 0;
        return;
    }
    size_t s = 1 + (size_t)((h >> 32) % (n - 1));
    while (gcd(s, n) != 1)
        s++;
    *step = (int)s;
}

static void heap_set(vm_class_t *cl, size_t i, vm_person_t *p)
{
    cl->heap[i] = p;
    p->hpos = i;
}

static void heap_up(vm_class_t *cl, size_t i)
{
    vm_person_t *p = cl->heap[i];
    while (i > 0 && before(p, cl->heap[(i - 1) / 2])) {
        heap_set(cl, i, cl->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(cl, i, p);
}

static void heap_down(vm_class_t *cl, size_t i)
{
    vm_person_t *p = cl->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= cl->n)
            break;
        if (c + 1 < cl->n && before(cl->heap[c + 1], cl->heap[c]))
            c++;
        if (!before(cl->heap[c], p))
            break;
        heap_set(cl, i, cl->heap[c]);
        i = c;
    }
    heap_set(cl, i, p);
}

/* The heap's capacity is kept >= the class's members, so this cannot fail. */
static void heap_push(vm_class_t *cl, vm_person_t *p)
{
    cl->heap[cl->n] = p;
    heap_up(cl, cl->n++);
}

static void heap_remove(vm_class_t *cl, size_t i)
{
    vm_person_t *last = cl->heap[--cl->n];
    cl->heap[i]->hpos = VM_WAITING_NOT;
    if (i == cl->n)
        return;
    heap_set(cl, i, last);
    heap_up(cl, i);
    heap_down(cl, last->hpos);
}

static vm_chan_t *find_chan(voicemap_t *m, const char *channel)
{
    char name[VOICEMAP_CHAN_MAX];
    voicemap_fold(channel, name, sizeof name);
    for (size_t i = 0; i < m->nch; i++)
        if (strcmp(m->ch[i].name, name) == 0)
            return &m->ch[i];
    return NULL;
}

static vm_member_t *find_member(vm_chan_t *c, const char *folded, uint64_t fh)
{
    size_t i = tab_find(&c->nicks, fh, member_eq, folded);
    return i == (size_t)-1 ? NULL : c->nicks.item[i];
}

/* Files p (hash, choices, pin already set) as pinned or as waiting in its
 * class. 0 or PURG_ENOMEM (then nothing changed). */
static int place(vm_chan_t *c, vm_person_t *p)
{
    p->cls = NULL;
    p->hpos = VM_WAITING_NOT;
    if (p->pin) {
        p->index = p->pin->pool;
        p->flags = VOICEMAP_PINNED;
        if (p->pin->pool >= 0 && c->pinned[p->pin->pool]++ == 0)
            c->dirty = 1; /* a pool voice is taken away from the rounds */
        return 0;
    }
    vm_class_t probe_key = { .first = p->first, .step = p->step };
    uint64_t ch = class_hash(p->first, p->step);
    size_t slot = tab_find(&c->classes, ch, class_eq, &probe_key);
    vm_class_t *cl = slot == (size_t)-1 ? NULL : c->classes.item[slot];
    if (!cl) {
        cl = calloc(1, sizeof *cl);
        if (!cl || tab_put(&c->classes, ch, cl) != 0) {
            free(cl);
            return PURG_ENOMEM;
        }
        cl->first = p->first;
        cl->step = p->step;
    }
    if (cl->members + 1 > cl->cap) {
        size_t cap = cl->cap ? cl->cap * 2 : 4;
        vm_person_t **heap = realloc(cl->heap, cap * sizeof *heap);
        if (!heap) {
            if (cl->members == 0) {
                tab_del(&c->classes, tab_find(&c->classes, ch, class_eq, &probe_key));
                free(cl->heap);
                free(cl);
            }
            return PURG_ENOMEM;
        }
        cl->heap = heap;
        cl->cap = cap;
    }
    /* harmless unless p would be its class's smallest waiting member */
    if (cl->n == 0 || before(p, cl->heap[0]))
        c->dirty = 1;
    cl->members++;
    p->cls = cl;
    p->index = p->first;
    p->flags = VOICEMAP_SHARED;
    heap_push(cl, p);
    c->waiting++;
    return 0;
}

/* Undoes place(p): p leaves the rounds. */
static void unplace(vm_chan_t *c, vm_person_t *p)
{
    if (p->pin) {
        if (p->pin->pool >= 0 && --c->pinned[p->pin->pool] == 0)
            c->dirty = 1;
        return;
    }
    vm_class_t *cl = p->cls;
    if (p->hpos == VM_WAITING_NOT) {
        c->holder[p->index] = NULL; /* a holder leaves: the rounds change */
        c->dirty = 1;
    } else {
        heap_remove(cl, p->hpos); /* a waiting person leaves: nothing changes */
        c->waiting--;
    }
    if (--cl->members == 0) {
        tab_del(&c->classes, tab_find(&c->classes, class_hash(cl->first, cl->step), class_eq, cl));
        free(cl->heap);
        free(cl);
    }
    p->cls = NULL;
}

/* Hash, choices and pin of p under the current pool. */
static void person_reset(voicemap_t *m, vm_person_t *p)
{
    p->h = voicemap_hash(m->pool.salt, p->key);
    probe_seq(p->h, m->pool.n, &p->first, &p->step);
    p->pin = find_pin(m, p->key);
}

static void chan_clear(vm_chan_t *c)
{
    for (size_t i = 0; i < c->nicks.cap; i++)
        free(c->nicks.item[i]);
    for (size_t i = 0; i < c->people.cap; i++)
        free(c->people.item[i]);
    for (size_t i = 0; i < c->classes.cap; i++) {
        vm_class_t *cl = c->classes.item[i];
        if (cl)
            free(cl->heap);
        free(cl);
    }
    tab_free(&c->nicks);
    tab_free(&c->people);
    tab_free(&c->classes);
    memset(c->holder, 0, VM_POOL_MAX * sizeof *c->holder);
    memset(c->pinned, 0, VM_POOL_MAX * sizeof *c->pinned);
    c->waiting = 0;
    c->dirty = c->stale = 0;
}

/* After a reload or a new pin: file everybody again under the current pool,
 * salt and pins. Out of memory forgets the roster (people are then heard
 * with their first choices until they are seen again). */
static void rebuild(voicemap_t *m, vm_chan_t *c)
{
    for (size_t i = 0; i < c->classes.cap; i++) {
        vm_class_t *cl = c->classes.item[i];
        if (cl)
            free(cl->heap);
        free(cl);
    }
    tab_free(&c->classes);
    memset(c->holder, 0, VM_POOL_MAX * sizeof *c->holder);
    memset(c->pinned, 0, VM_POOL_MAX * sizeof *c->pinned);
    c->waiting = 0;
    c->stale = 0;
    c->dirty = 1;
    for (size_t i = 0; i < c->people.cap; i++) {
        vm_person_t *p = c->people.item[i];
        if (!p)
            continue;
        person_reset(m, p);
        if (place(c, p) != 0) {
            chan_clear(c);
            return;
        }
    }
}

/* The distinctness rule (top of file) over channel c, replayed over class
 * heads (see DESIGN above). */
static void assign(voicemap_t *m, vm_chan_t *c)
{
    size_t n = m->pool.n, free_n = 0;
    for (size_t v = 0; v < n; v++) {
        vm_person_t *x = c->holder[v];
        if (x) { /* back to waiting: the rounds decide again */
            c->holder[v] = NULL;
            x->index = x->first;
            x->flags = VOICEMAP_SHARED;
            heap_push(x->cls, x);
            c->waiting++;
        }
        m->taken[v] = c->pinned[v] > 0;
        free_n += !m->taken[v];
    }
    for (size_t k = 0; k < n && free_n > 0 && c->waiting > 0; k++) {
        size_t asked = 0;
        for (size_t i = 0; i < c->classes.cap; i++) {
            vm_class_t *cl = c->classes.item[i];
            if (!cl || cl->n == 0)
                continue;
            size_t v = ((size_t)cl->first + k * (size_t)cl->step) % n;
            if (m->taken[v])
                continue;
            if (!m->best[v])
                m->asked[asked++] = (int)v;
            if (!m->best[v] || before(cl->heap[0], m->best[v]->heap[0]))
                m->best[v] = cl;
        }
        for (size_t i = 0; i < asked; i++) {
            int v = m->asked[i];
            vm_class_t *cl = m->best[v];
            vm_person_t *x = cl->heap[0];
            m->best[v] = NULL;
            heap_remove(cl, 0);
            c->waiting--;
            x->index = v;
            x->flags = k > 0 ? VOICEMAP_DISPLACED : 0;
            c->holder[v] = x;
            m->taken[v] = 1;
            free_n--;
        }
    }
    c->dirty = 0;
}

static void chan_fresh(voicemap_t *m, vm_chan_t *c)
{
    if (c->stale)
        rebuild(m, c);
    if (c->dirty)
        assign(m, c);
}

static vm_chan_t *get_chan(voicemap_t *m, const char *channel)
{
    vm_chan_t *c = find_chan(m, channel);
    if (c)
        return c;
    if (m->nch == m->chcap) {
        size_t cap = m->chcap ? m->chcap * 2 : 4;
        vm_chan_t *nc = realloc(m->ch, cap * sizeof *nc);
        if (!nc)
            return NULL;
        m->ch = nc;
        m->chcap = cap;
    }
    c = &m->ch[m->nch];
    memset(c, 0, sizeof *c);
    c->holder = calloc(VM_POOL_MAX, sizeof *c->holder);
    c->pinned = calloc(VM_POOL_MAX, sizeof *c->pinned);
    if (!c->holder || !c->pinned) {
        free(c->holder);
        free(c->pinned);
        return NULL;
    }
    voicemap_fold(channel, c->name, sizeof c->name);
    m->nch++;
    return c;
}

static void chan_free(vm_chan_t *c)
{
    chan_clear(c);
    free(c->holder);
    free(c->pinned);
}

/* Adds nick (folded, table hash fh) to c with identity key; returns the
 * member or NULL (out of memory: the nick is heard as a guest). */
static vm_member_t *add_member(voicemap_t *m, vm_chan_t *c, const char *folded, uint64_t fh,
                               const char *key)
{
    vm_member_t *x = find_member(c, folded, fh);
    if (x)
        return x;
    x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    util_strlcpy(x->nick, folded, sizeof x->nick);
    uint64_t kh = str_hash(key);
    size_t slot = tab_find(&c->people, kh, person_eq, key);
    vm_person_t *p = slot == (size_t)-1 ? NULL : c->people.item[slot];
    int fresh = !p;
    if (fresh) {
        p = calloc(1, sizeof *p);
        if (!p)
            goto fail_x;
        util_strlcpy(p->key, key, sizeof p->key);
        person_reset(m, p);
        if (tab_put(&c->people, kh, p) != 0)
            goto fail_p;
    }
    if (tab_put(&c->nicks, fh, x) != 0)
        goto fail_people;
    if (fresh && !c->stale && place(c, p) != 0)
        goto fail_nick;
    p->nicks++;
    x->p = p;
    return x;

fail_nick:
    tab_del(&c->nicks, tab_find(&c->nicks, fh, member_eq, folded));
fail_people:
    if (fresh)
        tab_del(&c->people, tab_find(&c->people, kh, person_eq, key));
fail_p:
    if (fresh)
        free(p);
fail_x:
    free(x);
    return NULL;
}

static void remove_member(vm_chan_t *c, const char *folded, uint64_t fh)
{
    size_t slot = tab_find(&c->nicks, fh, member_eq, folded);
    if (slot == (size_t)-1)
        return;
    vm_member_t *x = c->nicks.item[slot];
    vm_person_t *p = x->p;
    tab_del(&c->nicks, slot);
    free(x);
    if (--p->nicks > 0)
        return; /* another nick of the same person is still here */
    if (!c->stale)
        unplace(c, p);
    tab_del(&c->people, tab_find(&c->people, str_hash(p->key), person_eq, p->key));
    free(p);
}

/* The identity a nick would bring: the one it already has in any roster
 * (after renames), else its normalized form. */
static void identity(voicemap_t *m, const char *folded, uint64_t fh, const char *nick, char *key,
                     size_t n)
{
    for (size_t i = 0; i < m->nch; i++) {
        vm_member_t *x = find_member(&m->ch[i], folded, fh);
        if (x) {
            util_strlcpy(key, x->p->key, n);
            return;
        }
    }
    voicemap_normalize(nick, key, n);
}

void voicemap_join(voicemap_t *m, const char *channel, const char *nick)
{
    char folded[VOICEMAP_NICK_MAX], key[VOICEMAP_NICK_MAX];
    if (!m || !channel || !nick || !*nick)
        return;
    vm_chan_t *c = get_chan(m, channel);
    if (!c)
        return;
    voicemap_fold(nick, folded, sizeof folded);
    uint64_t fh = str_hash(folded);
    if (find_member(c, folded, fh))
        return;
    identity(m, folded, fh, nick, key, sizeof key);
    add_member(m, c, folded, fh, key);
}

void voicemap_names(voicemap_t *m, const char *channel, const char *const *nicks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = nicks[i];
        while (s && *s && strchr("@+%~&!", *s))
            s++; /* channel mode prefixes of a NAMES reply */
        voicemap_join(m, channel, s);
    }
}

void voicemap_part(voicemap_t *m, const char *channel, const char *nick)
{
    char folded[VOICEMAP_NICK_MAX];
    if (!m || !channel || !nick)
        return;
    vm_chan_t *c = find_chan(m, channel);
    if (!c)
        return;
    voicemap_fold(nick, folded, sizeof folded);
    remove_member(c, folded, str_hash(folded));
}

void voicemap_kick(voicemap_t *m, const char *channel, const char *nick)
{
    voicemap_part(m, channel, nick);
}

void voicemap_quit(voicemap_t *m, const char *nick)
{
    char folded[VOICEMAP_NICK_MAX];
    if (!m || !nick)
        return;
    voicemap_fold(nick, folded, sizeof folded);
    uint64_t fh = str_hash(folded);
    for (size_t i = 0; i < m->nch; i++)
        remove_member(&m->ch[i], folded, fh);
}

void voicemap_channel_clear(voicemap_t *m, const char *channel)
{
    if (!m || !channel)
        return;
    vm_chan_t *c = find_chan(m, channel);
    if (c)
        chan_clear(c);
}

void voicemap_rename(voicemap_t *m, const char *oldnick, const char *newnick)
{
    char from[VOICEMAP_NICK_MAX], to[VOICEMAP_NICK_MAX];
    if (!m || !oldnick || !newnick || !*newnick)
        return;
    voicemap_fold(oldnick, from, sizeof from);
    voicemap_fold(newnick, to, sizeof to);
    if (strcmp(from, to) == 0)
        return;
    uint64_t fromh = str_hash(from), toh = str_hash(to);
    for (size_t i = 0; i < m->nch; i++) {
        vm_chan_t *c = &m->ch[i];
        size_t slot = tab_find(&c->nicks, fromh, member_eq, from);
        if (slot == (size_t)-1)
            continue;
        vm_member_t *x = c->nicks.item[slot];
        tab_del(&c->nicks, slot);
        remove_member(c, to, toh); /* a stale entry under the new nick */
        util_strlcpy(x->nick, to, sizeof x->nick);
        /* the person (identity) stays: the voice does not change. The slot
         * just freed keeps this put from needing memory. */
        tab_put(&c->nicks, toh, x);
    }
}

size_t voicemap_roster_size(voicemap_t *m, const char *channel)
{
    vm_chan_t *c = m && channel ? find_chan(m, channel) : NULL;
    return c ? c->nicks.n : 0;
}

/* ------------------------------------------------------------------------ */
/* lookup */

int voicemap_explain(voicemap_t *m, const char *channel, const char *nick, voicemap_info_t *info)
{
    char folded[VOICEMAP_NICK_MAX];
    if (!m || !nick || !info)
        return PURG_EINVAL;
    memset(info, 0, sizeof *info);
    voicemap_fold(nick, folded, sizeof folded);
    uint64_t fh = str_hash(folded);
    vm_chan_t *c = channel ? find_chan(m, channel) : NULL;
    vm_member_t *x = c ? find_member(c, folded, fh) : NULL;
    if (c && !x && *folded) {
        /* not (yet) in the roster: heard as if it had just joined */
        char key[VOICEMAP_NICK_MAX];
        identity(m, folded, fh, nick, key, sizeof key);
        if (add_member(m, c, folded, fh, key)) {
            int rc = voicemap_explain(m, channel, nick, info);
            remove_member(c, folded, fh);
            return rc;
        }
    }
    if (x) {
        chan_fresh(m, c);
        x = find_member(c, folded, fh); /* gone if a rebuild ran out of memory */
    }
    if (x) {
        const vm_person_t *p = x->p;
        util_strlcpy(info->norm, p->key, sizeof info->norm);
        info->hash = p->h;
        info->first = p->first;
        info->index = p->index;
        info->flags = p->flags;
        info->v = p->pin ? p->pin->v : m->pool.e[p->index].v;
    } else {
        identity(m, folded, fh, nick, info->norm, sizeof info->norm);
        info->hash = voicemap_hash(m->pool.salt, info->norm);
        info->first = probe(info->hash, 0, m->pool.n);
        const vm_pin_t *pin = find_pin(m, info->norm);
        if (pin) {
            info->index = pin->pool;
            info->v = pin->v;
            info->flags = VOICEMAP_PINNED;
        } else {
            info->index = info->first;
            info->v = m->pool.e[info->first].v;
        }
    }
    if (info->index >= 0)
        util_strlcpy(info->id, m->pool.e[info->index].id, sizeof info->id);
    return 0;
}

int voicemap_lookup(voicemap_t *m, const char *channel, const char *nick, voice_t *out)
{
    voicemap_info_t info;
    int rc = voicemap_explain(m, channel, nick, &info);
    if (rc == 0)
        *out = info.v;
    return rc;
}

/* ------------------------------------------------------------------------ */
/* how alike two voices are */

/* 'm' or 'f' for the variants +mN / +fN, else 0. */
static char variant_gender(const char *variant)
{
    if ((variant[0] == 'm' || variant[0] == 'f') && isdigit((unsigned char)variant[1]))
        return variant[0];
    return 0;
}

double voicemap_distance(const voice_t *a, const voice_t *b)
{
    char la[VOICE_NAME_MAX], lb[VOICE_NAME_MAX];
    util_strlcpy(la, a->name, sizeof la);
    util_strlcpy(lb, b->name, sizeof lb);
    char *va = strchr(la, '+'), *vb = strchr(lb, '+');
    if (va)
        *va++ = '\0';
    if (vb)
        *vb++ = '\0';
    double d = 0;
    if (strcasecmp(la, lb) != 0)
        d += 2;
    if (strcmp(va ? va : "", vb ? vb : "") != 0) {
        char ga = va ? variant_gender(va) : 0, gb = vb ? variant_gender(vb) : 0;
        d += (ga && gb && ga != gb) ? 3 : 2;
    }
    d += abs(a->pitch - b->pitch) / 15.0 + abs(a->range - b->range) / 30.0 + abs(a->rate - b->rate) / 40.0;
    return d;
}

/* ------------------------------------------------------------------------ */
/* run-time pins */

int voicemap_pin(voicemap_t *m, const char *nick, const char *spec, char *err, size_t errlen)
{
    vm_pin_t pin;
    char why[200];
    int has_pan;
    if (err && errlen)
        err[0] = '\0';
    if (!nick || !*nick || !spec) {
        util_snprintf(err, errlen, "a pin needs a nick and a voice");
        return PURG_EINVAL;
    }
    memset(&pin, 0, sizeof pin);
    voicemap_normalize(nick, pin.key, sizeof pin.key);
    char vn[65];
    util_visible(vn, sizeof vn, nick);
    if (util_strlcpy(pin.value, spec, sizeof pin.value) != 0) {
        util_snprintf(err, errlen, "voice for '%s' too long (max %d bytes)", vn,
                      VOICEMAP_SPEC_MAX - 1);
        return PURG_EINVAL;
    }
    rpin_resolve(&m->pool, &pin);
    if (pin.pool < 0) {
        if (voicefile_parse_spec(spec, &pin.v, &has_pan, why, sizeof why) != 0) {
            util_snprintf(err, errlen, "voice for '%s': %s (or not a voice id of the pool)",
                          vn, why); /* why: visible already */
            return PURG_EINVAL;
        }
        if (m->check_voices && voicemap_voice_status(pin.v.name, why, sizeof why) != 0) {
            char vy[200];
            util_snprintf(err, errlen, "voice for '%s': %s", vn, util_visible(vy, sizeof vy, why));
            return PURG_ENOTFOUND;
        }
    }
    size_t i = 0;
    while (i < m->nrpins && strcmp(m->rpins[i].key, pin.key) != 0)
        i++;
    if (i == m->nrpins) {
        if (m->nrpins >= VM_PINS_MAX) {
            util_snprintf(err, errlen, "too many pins (max %d)", VM_PINS_MAX);
            return PURG_ETOOBIG;
        }
        vm_pin_t *n = realloc(m->rpins, (m->nrpins + 1) * sizeof *n);
        if (!n) {
            util_snprintf(err, errlen, "out of memory");
            return PURG_ENOMEM;
        }
        m->rpins = n;
        m->nrpins++;
    }
    m->rpins[i] = pin;
    for (size_t c = 0; c < m->nch; c++)
        m->ch[c].stale = 1; /* pins moved in memory too: rebuild() finds them again */
    return 0;
}
