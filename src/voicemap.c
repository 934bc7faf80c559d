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
#include "inibuf.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define VM_FILE_MAX (1024 * 1024) /* a voices file larger than this is refused */
#define VM_POOL_MAX 4096
#define VM_PINS_MAX 4096
#define VM_DEFAULT_PAN_WIDTH 80

/* One pool voice: [voices] id = spec. */
typedef struct vm_entry {
    char id[VOICE_NAME_MAX];
    voice_t v;
    int line;
} vm_entry_t;

/* One [overrides] pin; pool >= 0 when it names a pool voice by id. */
typedef struct vm_pin {
    char key[VOICEMAP_NICK_MAX]; /* normalized nick */
    char value[VOICEMAP_SPEC_MAX];
    voice_t v;
    int pool;
    int line;
} vm_pin_t;

typedef struct vm_pool {
    vm_entry_t *e;
    size_t n, cap;
    vm_pin_t *pins;
    size_t npins, pincap;
    char salt[VOICEMAP_SALT_MAX];
    int pan_width;
} vm_pool_t;

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

/* The built-in pool: the [voices] section of voices/default.ini (a unit test
 * checks that both give the same pool). Used when no voices file is given. */
static const char builtin_ini[] =
#include "voicemap_builtin.inc"
    ;

/* ------------------------------------------------------------------------ */
/* normalization and hash */

static char fold_char(char c)
{
    switch (c) {
    case '[': return '{';
    case ']': return '}';
    case '\\': return '|';
    case '~': return '^';
    default: return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
    }
}

void voicemap_fold(const char *s, char *out, size_t n)
{
    size_t i = 0;
    if (n == 0)
        return;
    for (; s[i] && i + 1 < n; i++)
        out[i] = fold_char(s[i]);
    out[i] = '\0';
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
/* the voices file */

static int valid_voice_name(const char *s)
{
    int plus = 0;
    size_t len = 0;
    if (!*s || *s == '+')
        return 0;
    for (; *s; s++, len++) {
        if (*s == '+') {
            if (plus++ || !s[1])
                return 0;
        } else if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_') {
            return 0;
        }
    }
    return len < VOICE_NAME_MAX;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return PURG_EINVAL;
    *out = (int)v;
    return 0;
}

/* "voice [pitch [range [rate [pan]]]]" -> v. *has_pan says whether pan was given. */
static int parse_spec(const char *spec, voice_t *v, int *has_pan, char *why, size_t whylen)
{
    static const char *const what[] = { "pitch", "range", "rate", "pan" };
    static const int lo[] = { 0, 0, 80, -100 }, hi[] = { 100, 100, 450, 100 };
    char buf[VOICEMAP_SPEC_MAX];
    if (util_strlcpy(buf, spec, sizeof buf) != 0) {
        util_snprintf(why, whylen, "voice spec too long (max %d bytes)", VOICEMAP_SPEC_MAX - 1);
        return PURG_EINVAL;
    }
    char *save = NULL, *tok = strtok_r(buf, " \t", &save);
    if (!tok) {
        util_snprintf(why, whylen, "empty voice (expected: VOICE [PITCH [RANGE [RATE [PAN]]]])");
        return PURG_EINVAL;
    }
    if (!valid_voice_name(tok)) {
        char vt[65];
        util_snprintf(why, whylen, "bad voice name '%s' (expected e.g. en-us+m3)",
                      util_visible(vt, sizeof vt, tok));
        return PURG_EINVAL;
    }
    memset(v, 0, sizeof *v);
    util_strlcpy(v->name, tok, sizeof v->name);
    int *field[] = { &v->pitch, &v->range, &v->rate, &v->pan };
    v->pitch = 50;
    v->range = 50;
    v->rate = 175;
    *has_pan = 0;
    for (int i = 0; i < 5; i++) {
        tok = strtok_r(NULL, " \t", &save);
        if (!tok)
            break;
        if (i == 4) {
            util_snprintf(why, whylen, "too many fields after voice (expected: VOICE [PITCH [RANGE [RATE [PAN]]]])");
            return PURG_EINVAL;
        }
        if (parse_int(tok, lo[i], hi[i], field[i]) != 0) {
            char vt[33];
            util_snprintf(why, whylen, "bad %s '%s' (an integer %d..%d)", what[i],
                          util_visible(vt, sizeof vt, tok), lo[i], hi[i]);
            return PURG_EINVAL;
        }
        if (i == 3)
            *has_pan = 1;
    }
    return 0;
}

/* Parser state for one voices file. */
typedef struct vm_parse {
    vm_pool_t *pool;
    const char *file; /* for messages */
    inibuf_t in;      /* the whole file, as lines for inih */
    int line;       /* line the reader last returned */
    int err_line;   /* first line with a problem we found, 0 = none */
    int long_line;  /* the reader met a line longer than inih's buffer */
    char err[256];
    int check_voices; /* look each voice up in espeak-ng's data */
    int *has_pan;   /* per pool entry */
    size_t has_pan_cap;
} vm_parse_t;

/* inih reader over an in-memory file; counts lines so the handler knows where it is. */
static char *vm_reader(char *str, int num, void *stream)
{
    vm_parse_t *p = stream;
    char *r = inibuf_read(&p->in, str, num);
    p->line = p->in.line;
    if (r && p->in.truncated && !p->long_line && !p->err_line) {
        p->long_line = 1;
        p->err_line = p->line;
        util_snprintf(p->err, sizeof p->err, "line too long (max %d bytes)", num - 2);
    }
    if (r && p->in.ctl >= 0 && !p->err_line) {
        p->err_line = p->line;
        inibuf_ctl_describe(&p->in, p->err, sizeof p->err);
    }
    return r;
}

/* Records the first problem. a and b may be text from the file: they are
 * quoted through util_visible, a cut to 64 bytes. */
/* fmt is always a literal from this file, with %s for a and b (-Wformat=2) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int fail(vm_parse_t *p, const char *fmt, const char *a, const char *b)
{
    if (!p->err_line) {
        char va[65], vb[200];
        p->err_line = p->line;
        util_snprintf(p->err, sizeof p->err, fmt, util_visible(va, sizeof va, a),
                      util_visible(vb, sizeof vb, b));
    }
    return 0;
}
#pragma GCC diagnostic pop

static int add_entry(vm_parse_t *p, const char *id, const char *value)
{
    vm_pool_t *pool = p->pool;
    for (size_t i = 0; i < pool->n; i++)
        if (strcmp(pool->e[i].id, id) == 0)
            return fail(p, "duplicate voice '%s' in [voices]%s", id, "");
    if (pool->n >= VM_POOL_MAX)
        return fail(p, "too many voices (max 4096)%s%s", "", "");
    if (strlen(id) >= VOICE_NAME_MAX || !*id)
        return fail(p, "bad voice id '%s' (1..63 bytes)%s", id, "");
    if (pool->n == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 64;
        vm_entry_t *e = realloc(pool->e, cap * sizeof *e);
        if (!e)
            return fail(p, "out of memory%s%s", "", "");
        pool->e = e;
        int *hp = realloc(p->has_pan, cap * sizeof *hp);
        if (!hp)
            return fail(p, "out of memory%s%s", "", "");
        p->has_pan = hp;
        pool->cap = cap;
    }
    vm_entry_t *e = &pool->e[pool->n];
    char why[160];
    if (parse_spec(value, &e->v, &p->has_pan[pool->n], why, sizeof why) != 0)
        return fail(p, "voice '%s': %s", id, why);
    util_strlcpy(e->id, id, sizeof e->id);
    e->line = p->line;
    pool->n++;
    return 1;
}

static int add_pin(vm_parse_t *p, const char *nick, const char *value)
{
    vm_pool_t *pool = p->pool;
    char key[VOICEMAP_NICK_MAX];
    if (!*nick)
        return fail(p, "empty nick in [overrides]%s%s", "", "");
    voicemap_normalize(nick, key, sizeof key);
    for (size_t i = 0; i < pool->npins; i++)
        if (strcmp(pool->pins[i].key, key) == 0)
            return fail(p, "duplicate override for '%s'%s (nicks are compared after normalization)",
                        nick, "");
    if (pool->npins >= VM_PINS_MAX)
        return fail(p, "too many overrides (max 4096)%s%s", "", "");
    if (pool->npins == pool->pincap) {
        size_t cap = pool->pincap ? pool->pincap * 2 : 16;
        vm_pin_t *n = realloc(pool->pins, cap * sizeof *n);
        if (!n)
            return fail(p, "out of memory%s%s", "", "");
        pool->pins = n;
        pool->pincap = cap;
    }
    vm_pin_t *pin = &pool->pins[pool->npins];
    memset(pin, 0, sizeof *pin);
    util_strlcpy(pin->key, key, sizeof pin->key);
    if (util_strlcpy(pin->value, value, sizeof pin->value) != 0)
        return fail(p, "override for '%s' too long%s", nick, "");
    pin->line = p->line;
    pin->pool = -1;
    pool->npins++;
    return 1; /* resolved after the whole file is read: ids may come later */
}

static int vm_handler(void *user, const char *section, const char *name, const char *value)
{
    vm_parse_t *p = user;
    vm_pool_t *pool = p->pool;
    if (p->err_line)
        return 1; /* report the first problem only */
    if (strcmp(section, "voices") == 0)
        return add_entry(p, name, value);
    if (strcmp(section, "overrides") == 0)
        return add_pin(p, name, value);
    if (strcmp(section, "pool") == 0) {
        if (strcmp(name, "salt") == 0) {
            if (util_strlcpy(pool->salt, value, sizeof pool->salt) != 0)
                return fail(p, "salt too long (max %d bytes)%s", "127", "");
            return 1;
        }
        if (strcmp(name, "pan_width") == 0) {
            if (parse_int(value, 0, 100, &pool->pan_width) != 0)
                return fail(p, "bad pan_width '%s' (an integer 0..100)%s", value, "");
            return 1;
        }
        if (strcmp(name, "name") == 0 || strcmp(name, "description") == 0)
            return 1;
        return fail(p, "unknown key '%s' in [pool] (known: salt, pan_width, name, description)%s",
                    name, "");
    }
    return fail(p, "unknown section [%s] (known: [pool], [voices], [overrides])%s", section, "");
}

/* Where espeak-ng keeps its data; NULL if not found (then voices are not checked). */
const char *voicemap_espeak_data(char *buf, size_t n)
{
    static const char *const dirs[] = {
        "/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
        "/usr/lib/espeak-ng-data", "/usr/share/espeak-ng-data", "/usr/local/share/espeak-ng-data",
    };
    struct stat st;
    const char *env = getenv("ESPEAK_DATA_PATH");
    if (env && util_snprintf(buf, n, "%s/espeak-ng-data", env) == 0 &&
        stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
        return buf;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
        if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode) && util_strlcpy(buf, dirs[i], n) == 0)
            return buf;
    return NULL;
}

/* Does lang file `path` (or its name) declare language `lang`? */
static int lang_file_matches(const char *path, const char *base, const char *lang)
{
    if (strcasecmp(base, lang) == 0)
        return 1;
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256], word[64];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        if (sscanf(line, "language %63s", word) == 1 && strcasecmp(word, lang) == 0)
            found = 1;
    fclose(f);
    return found;
}

static int lang_dir_has(const char *dir, const char *lang, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    int found = 0;
    while (!found && (de = readdir(d)) != NULL) {
        char path[1024];
        struct stat st;
        if (de->d_name[0] == '.' || util_snprintf(path, sizeof path, "%s/%s", dir, de->d_name) != 0 ||
            stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode))
            found = depth < 3 && lang_dir_has(path, lang, depth + 1);
        else
            found = lang_file_matches(path, de->d_name, lang);
    }
    closedir(d);
    return found;
}

/* Which espeak-ng voices (languages) and variants exist; one per load, so
 * a pool of a hundred entries walks espeak-ng's data once per distinct name. */
typedef struct vm_known {
    char data[512]; /* espeak-ng-data directory, "" = not found: nothing is checked */
    char (*names)[VOICE_NAME_MAX];
    size_t n;
} vm_known_t;

#define VM_KNOWN_MAX 256

static void known_init(vm_known_t *k)
{
    memset(k, 0, sizeof *k);
    if (!voicemap_espeak_data(k->data, sizeof k->data))
        k->data[0] = '\0';
    k->names = calloc(VM_KNOWN_MAX, VOICE_NAME_MAX);
}

/* 0 or PURG_ENOTFOUND with why. base is a language; variant may be NULL. */
static int known_check(vm_known_t *k, const char *name, char *why, size_t whylen)
{
    char base[VOICE_NAME_MAX], key[VOICE_NAME_MAX + 1], path[1024];
    struct stat st;
    if (!k->data[0])
        return 0; /* cannot tell: espeak-ng itself will say at synthesis */
    util_strlcpy(base, name, sizeof base);
    char *plus = strchr(base, '+');
    if (plus)
        *plus++ = '\0';
    const char *part[2] = { base, plus };
    for (int i = 0; i < 2 && part[i]; i++) {
        /* cache keys: "L:" language / "V:" variant, truncated harmlessly to the buffer */
        snprintf(key, sizeof key, "%c%s", i ? 'V' : 'L', part[i]);
        int hit = 0;
        for (size_t j = 0; k->names && j < k->n && !hit; j++)
            hit = strcmp(k->names[j], key) == 0;
        if (hit)
            continue;
        int ok;
        if (i == 0)
            ok = util_snprintf(path, sizeof path, "%s/lang", k->data) == 0 && lang_dir_has(path, base, 0);
        else
            ok = util_snprintf(path, sizeof path, "%s/voices/!v/%s", k->data, plus) == 0 &&
                 stat(path, &st) == 0 && S_ISREG(st.st_mode);
        if (!ok) {
            if (i == 0)
                util_snprintf(why, whylen, "espeak-ng has no voice '%s' (see 'espeak-ng --voices')", base);
            else
                util_snprintf(why, whylen, "espeak-ng has no variant '+%s' (see %s/voices/!v/)", plus,
                              k->data);
            return PURG_ENOTFOUND;
        }
        if (k->names && k->n < VM_KNOWN_MAX)
            util_strlcpy(k->names[k->n++], key, VOICE_NAME_MAX);
    }
    return 0;
}

int voicemap_voice_status(const char *name, char *why, size_t whylen)
{
    vm_known_t k;
    known_init(&k);
    int rc = known_check(&k, name, why, whylen);
    free(k.names);
    return rc;
}

/* what: "voice 'ID'" or "override for 'NICK'", for the message. */
static void check_voice(vm_parse_t *p, vm_known_t *k, const char *what, const char *who,
                        const char *name, int line)
{
    char why[200];
    if (known_check(k, name, why, sizeof why) != 0 && (!p->err_line || line < p->err_line)) {
        char vw[65], vy[200];
        p->err_line = line;
        util_snprintf(p->err, sizeof p->err, "%s '%s': %s", what, util_visible(vw, sizeof vw, who),
                      util_visible(vy, sizeof vy, why));
    }
}

/* After the file: automatic pans, resolve overrides, check voices exist. */
static void finish_pool(vm_parse_t *p)
{
    vm_pool_t *pool = p->pool;
    vm_known_t k;
    if (p->check_voices)
        known_init(&k);
    for (size_t i = 0; i < pool->n; i++) {
        if (!p->has_pan[i]) {
            /* golden-ratio spread: any few consecutive entries land far apart */
            uint32_t frac = (uint32_t)((i * 40503u) & 0xffffu);
            pool->e[i].v.pan = -pool->pan_width +
                               (int)((frac * (uint32_t)(2 * pool->pan_width) + 32767u) / 65535u);
        }
        if (p->check_voices)
            check_voice(p, &k, "voice", pool->e[i].id, pool->e[i].v.name, pool->e[i].line);
    }
    for (size_t i = 0; i < pool->npins && !p->err_line; i++) {
        vm_pin_t *pin = &pool->pins[i];
        for (size_t j = 0; j < pool->n; j++)
            if (strcmp(pool->e[j].id, pin->value) == 0) {
                pin->pool = (int)j;
                pin->v = pool->e[j].v;
            }
        if (pin->pool >= 0)
            continue;
        char why[160];
        int has_pan;
        if (parse_spec(pin->value, &pin->v, &has_pan, why, sizeof why) != 0) {
            char vk[65];
            p->err_line = pin->line;
            util_snprintf(p->err, sizeof p->err, "override for '%s': %s (or not a voice id of [voices])",
                          util_visible(vk, sizeof vk, pin->key), why); /* why: visible already */
            break;
        }
        if (p->check_voices)
            check_voice(p, &k, "override for", pin->key, pin->v.name, pin->line);
    }
    if (p->check_voices)
        free(k.names);
}

static void pool_clear(vm_pool_t *pool)
{
    free(pool->e);
    free(pool->pins);
    memset(pool, 0, sizeof *pool);
}

/* Parse text (len bytes) named file into pool. */
static int pool_parse(vm_pool_t *pool, const char *file, const char *text, size_t len,
                      int check_voices, char *err, size_t errlen)
{
    vm_parse_t p;
    memset(&p, 0, sizeof p);
    memset(pool, 0, sizeof *pool);
    pool->pan_width = VM_DEFAULT_PAN_WIDTH;
    p.pool = pool;
    p.file = file;
    inibuf_init(&p.in, text, len);
    p.check_voices = check_voices;
    int rc = ini_parse_stream(vm_reader, &p, vm_handler, &p);
    if (rc == -2) {
        util_snprintf(err, errlen, "%s: out of memory while parsing", file);
        free(p.has_pan);
        pool_clear(pool);
        return PURG_ENOMEM;
    }
    if (rc > 0 && (!p.err_line || rc < p.err_line)) {
        /* inih found a line that is neither a section nor key = value */
        p.err_line = rc;
        util_snprintf(p.err, sizeof p.err, "%s",
                      "syntax error (expected '[section]', 'key = value' or a ; comment)");
    }
    if (!p.err_line && pool->n == 0)
        util_snprintf(p.err, sizeof p.err, "%s", "no voices: the [voices] section is missing or empty");
    else if (!p.err_line)
        finish_pool(&p);
    free(p.has_pan);
    if (p.err_line || p.err[0]) {
        char vf[UTIL_VIS_MAX];
        util_visible(vf, sizeof vf, file); /* a name from a directory listing, say */
        if (p.err_line)
            util_snprintf(err, errlen, "%s:%d: %s", vf, p.err_line, p.err);
        else
            util_snprintf(err, errlen, "%s: %s", vf, p.err);
        pool_clear(pool);
        return PURG_EFORMAT;
    }
    return 0;
}

int voicemap_parse_string(const char *name, const char *text, size_t len, int check_voices,
                          char *err, size_t errlen)
{
    vm_pool_t pool;
    int rc = pool_parse(&pool, name, text, len, check_voices, err, errlen);
    pool_clear(&pool);
    return rc;
}

static int read_file(const char *path, char **out, size_t *outlen, struct stat *st,
                     char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        util_snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return errno == ENOENT ? PURG_ENOTFOUND : PURG_EIO;
    }
    if (fstat(fileno(f), st) != 0 || !S_ISREG(st->st_mode)) {
        util_snprintf(err, errlen, "%s: not a regular file", path);
        fclose(f);
        return PURG_EIO;
    }
    if (st->st_size > VM_FILE_MAX) {
        util_snprintf(err, errlen, "%s: too big (%lld bytes, max %d)", path, (long long)st->st_size,
                      VM_FILE_MAX);
        fclose(f);
        return PURG_ETOOBIG;
    }
    char *buf = malloc((size_t)st->st_size + 1);
    if (!buf) {
        fclose(f);
        util_snprintf(err, errlen, "%s: out of memory", path);
        return PURG_ENOMEM;
    }
    size_t n = fread(buf, 1, (size_t)st->st_size, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        util_snprintf(err, errlen, "%s: read error", path);
        return PURG_EIO;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return 0;
}

/* Load the pool of path (NULL: built-in) with salt override salt_arg. */
static int pool_load(vm_pool_t *pool, const char *path, const char *salt_arg, int check_voices,
                     struct stat *st, char *err, size_t errlen)
{
    int rc;
    if (!path) {
        memset(st, 0, sizeof *st);
        rc = pool_parse(pool, "(built-in voices)", builtin_ini, sizeof builtin_ini - 1, 0, err, errlen);
    } else {
        char *text = NULL;
        size_t len = 0;
        rc = read_file(path, &text, &len, st, err, errlen);
        if (rc != 0)
            return rc;
        rc = pool_parse(pool, path, text, len, check_voices, err, errlen);
        free(text);
    }
    if (rc == 0 && salt_arg && util_strlcpy(pool->salt, salt_arg, sizeof pool->salt) != 0) {
        util_snprintf(err, errlen, "salt too long (max %d bytes)", VOICEMAP_SALT_MAX - 1);
        pool_clear(pool);
        return PURG_EINVAL;
    }
    return rc;
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
    rc = pool_load(&m->pool, path, salt, check_voices, &m->st, err, errlen);
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
    pool_clear(&m->pool);
    free(m->rpins);
    free(m->path);
    free(m->salt_arg);
    free(m);
}

int voicemap_reload(voicemap_t *m, char *err, size_t errlen)
{
    vm_pool_t pool;
    struct stat st;
    int rc = pool_load(&pool, m->path, m->salt_arg, m->check_voices, &st, err, errlen);
    if (rc != 0)
        return rc; /* the old mapping stays in force */
    pool_clear(&m->pool);
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
        if (parse_spec(spec, &pin.v, &has_pan, why, sizeof why) != 0) {
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
