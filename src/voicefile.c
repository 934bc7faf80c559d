/* voicefile.c - the voices file: [pool], [voices] and [overrides] read into a
 * vm_pool_t through the inifile layer (and [languages], [dictionary],
 * [phrases.CODE]), each voice checked against espeak-ng's
 * data; the thread that loads the voicemap (net thread on a reload, main
 * otherwise). The mapping itself is voicemap.c. */
#include "inifile.h"
#include "lang.h"
#include "purg.h"
#include "util.h"
#include "voicemap_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define VM_DEFAULT_PAN_WIDTH 80

/* The built-in pool: the [voices] section of voices/default.ini (a unit test
 * checks that both give the same pool). Used when no voices file is given. */
static const char builtin_ini[] =
#include "voicemap_builtin.inc"
    ;

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

int voicefile_parse_spec(const char *spec, voice_t *v, int *has_pan, char *why, size_t whylen)
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
    inifile_t ini;        /* the file, its line and its first problem */
    int check_voices; /* look each voice up in espeak-ng's data */
    int *has_pan;     /* per pool entry */
} vm_parse_t;

static int add_entry(vm_parse_t *p, const char *id, const char *value)
{
    vm_pool_t *pool = p->pool;
    for (size_t i = 0; i < pool->n; i++)
        if (strcmp(pool->e[i].id, id) == 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "duplicate voice '%s' in [voices]", id);
    if (pool->n >= VM_POOL_MAX)
        return inifile_fail(&p->ini, PURG_EFORMAT, "too many voices (max %d)", VM_POOL_MAX);
    if (strlen(id) >= VOICE_NAME_MAX || !*id)
        return inifile_fail(&p->ini, PURG_EFORMAT, "bad voice id '%s' (1..%d bytes)", id,
                            VOICE_NAME_MAX - 1);
    if (pool->n == pool->cap) {
        size_t cap = pool->cap ? pool->cap * 2 : 64;
        vm_entry_t *e = realloc(pool->e, cap * sizeof *e);
        if (!e)
            return inifile_fail(&p->ini, PURG_ENOMEM, "out of memory");
        pool->e = e;
        int *hp = realloc(p->has_pan, cap * sizeof *hp);
        if (!hp)
            return inifile_fail(&p->ini, PURG_ENOMEM, "out of memory");
        p->has_pan = hp;
        pool->cap = cap;
    }
    vm_entry_t *e = &pool->e[pool->n];
    char why[160];
    if (voicefile_parse_spec(value, &e->v, &p->has_pan[pool->n], why, sizeof why) != 0)
        return inifile_fail(&p->ini, PURG_EFORMAT, "voice '%s': %s", id, why);
    util_strlcpy(e->id, id, sizeof e->id);
    e->line = p->ini.line;
    pool->n++;
    return 0;
}

static int add_pin(vm_parse_t *p, const char *nick, const char *value)
{
    vm_pool_t *pool = p->pool;
    char key[VOICEMAP_NICK_MAX];
    if (!*nick)
        return inifile_fail(&p->ini, PURG_EFORMAT, "empty nick in [overrides]");
    voicemap_normalize(nick, key, sizeof key);
    for (size_t i = 0; i < pool->npins; i++)
        if (strcmp(pool->pins[i].key, key) == 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "duplicate override for '%s' "
                                "(nicks are compared after normalization)", nick);
    if (pool->npins >= VM_PINS_MAX)
        return inifile_fail(&p->ini, PURG_EFORMAT, "too many overrides (max %d)", VM_PINS_MAX);
    if (pool->npins == pool->pincap) {
        size_t cap = pool->pincap ? pool->pincap * 2 : 16;
        vm_pin_t *n = realloc(pool->pins, cap * sizeof *n);
        if (!n)
            return inifile_fail(&p->ini, PURG_ENOMEM, "out of memory");
        pool->pins = n;
        pool->pincap = cap;
    }
    vm_pin_t *pin = &pool->pins[pool->npins];
    memset(pin, 0, sizeof *pin);
    util_strlcpy(pin->key, key, sizeof pin->key);
    if (util_strlcpy(pin->value, value, sizeof pin->value) != 0)
        return inifile_fail(&p->ini, PURG_EFORMAT, "override for '%s' too long", nick);
    pin->line = p->ini.line;
    pin->pool = -1;
    pool->npins++;
    return 0; /* resolved after the whole file is read: ids may come later */
}


/* s lowered into code (n bytes); true when all of it fit and it is a
 * language --languages knows ("FR" -> "fr"). */
static int known_code(const char *s, char *code, size_t n)
{
    size_t k = 0;
    for (; s[k] && k + 1 < n; k++)
        code[k] = (char)tolower((unsigned char)s[k]);
    code[k] = '\0';
    return !s[k] && lang_code_known(code);
}

/* [languages]: use = SPEC, or CODE = VOICE. */
static int add_language(vm_parse_t *p, const char *name, const char *value)
{
    vm_pool_t *pool = p->pool;
    char why[1024];
    if (strcmp(name, "use") == 0) {
        if (lang_spec_check(value, why, sizeof why) != 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "[languages] use: %s", why);
        if (util_strlcpy(pool->languages, value, sizeof pool->languages) != 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "[languages] use: too long");
        return 0;
    }
    char code[16];
    if (!known_code(name, code, sizeof code))
        return inifile_fail(&p->ini, PURG_EFORMAT, "unknown key '%s' in [languages] (use = LIST, "
                            "or a language code = an espeak-ng voice, e.g. fr = fr-be)", name);
    if (!valid_voice_name(value) || strchr(value, '+'))
        return inifile_fail(&p->ini, PURG_EFORMAT, "[languages] %s: '%s' is not an espeak-ng voice "
                            "name without +variant (the nick keeps its own variant)", code, value);
    if (p->check_voices && voicemap_voice_status(value, why, sizeof why) != 0)
        return inifile_fail(&p->ini, PURG_ENOTFOUND, "[languages] %s: %s", code, why);
    size_t i = 0;
    while (i < pool->nlang && strcmp(pool->lang_code[i], code) != 0)
        i++;
    if (i == VOICEMAP_LANG_VOICES)
        return inifile_fail(&p->ini, PURG_ETOOBIG, "more than %d languages in [languages]",
                            VOICEMAP_LANG_VOICES);
    util_strlcpy(pool->lang_code[i], code, sizeof pool->lang_code[i]);
    util_strlcpy(pool->lang_voice[i], value, sizeof pool->lang_voice[i]);
    if (i == pool->nlang)
        pool->nlang++;
    return 0;
}

/* [phrases.CODE] KEY = WORDS: the words purgatory adds inside a line in
 * language CODE (phrases.h); CODE any language --languages knows. */
static int add_phrase(vm_parse_t *p, const char *section, const char *name, const char *value)
{
    vm_pool_t *pool = p->pool;
    const char *sc = section + strlen("phrases.");
    char code[16];
    if (!known_code(sc, code, sizeof code))
        return inifile_fail(&p->ini, PURG_EFORMAT, "unknown language in [%s] (a language code "
                            "--languages knows, e.g. [phrases.fr])", section);
    int which = phrases_key(name);
    if (which < 0)
        return inifile_fail(&p->ini, PURG_EFORMAT, "unknown key '%s' in [%s] (known: %s)", name,
                            section, phrases_keys());
    char why[128];
    if (phrases_check(value, why, sizeof why) != 0)
        return inifile_fail(&p->ini, PURG_EFORMAT, "[%s] %s: %s", section, name, why);
    size_t i = 0;
    while (i < pool->nphrase && strcmp(pool->phrase_code[i], code) != 0)
        i++;
    if (i == VOICEMAP_PHRASE_LANGS)
        return inifile_fail(&p->ini, PURG_ETOOBIG, "more than %d [phrases.CODE] sections",
                            VOICEMAP_PHRASE_LANGS);
    if (i == pool->nphrase) {
        util_strlcpy(pool->phrase_code[i], code, sizeof pool->phrase_code[i]);
        memset(pool->phrase[i], 0, sizeof pool->phrase[i]);
        pool->nphrase++;
    }
    util_strlcpy(pool->phrase[i][which], value, sizeof pool->phrase[i][which]);
    return 0;
}

static int vm_handler(inifile_t *ini, void *user, const char *section, const char *name,
                      const char *value)
{
    vm_parse_t *p = user;
    vm_pool_t *pool = p->pool;
    (void)ini; /* p->ini */
    if (strcmp(section, "voices") == 0)
        return add_entry(p, name, value);
    if (strcmp(section, "overrides") == 0)
        return add_pin(p, name, value);
    if (strcmp(section, "pool") == 0) {
        if (strcmp(name, "salt") == 0) {
            if (util_strlcpy(pool->salt, value, sizeof pool->salt) != 0)
                return inifile_fail(&p->ini, PURG_EFORMAT, "salt too long (max %d bytes)",
                                    VOICEMAP_SALT_MAX - 1);
            return 0;
        }
        if (strcmp(name, "pan_width") == 0) {
            if (parse_int(value, 0, 100, &pool->pan_width) != 0)
                return inifile_fail(&p->ini, PURG_EFORMAT, "bad pan_width '%s' (an integer 0..100)",
                                    value);
            return 0;
        }
        if (strcmp(name, "name") == 0 || strcmp(name, "description") == 0)
            return 0;
        return inifile_fail(&p->ini, PURG_EFORMAT, "unknown key '%s' in [pool] "
                            "(known: salt, pan_width, name, description)", name);
    }
    if (strcmp(section, "languages") == 0)
        return add_language(p, name, value);
    if (strcmp(section, "dictionary") == 0) {
        if (strcmp(name, "file") != 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "unknown key '%s' in [dictionary] (known: file)",
                                name);
        if (!value[0] || util_strlcpy(pool->dictionary, value, sizeof pool->dictionary) != 0)
            return inifile_fail(&p->ini, PURG_EFORMAT, "[dictionary] file: a path of 1 to %zu bytes",
                                sizeof pool->dictionary - 1);
        return 0;
    }
    if (strncmp(section, "phrases.", strlen("phrases.")) == 0)
        return add_phrase(p, section, name, value);
    return inifile_fail(&p->ini, PURG_EFORMAT, "unknown section [%s] (known: [pool], [voices], "
                        "[overrides], [languages], [dictionary], [phrases.CODE])", section);
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
    if (known_check(k, name, why, sizeof why) != 0)
        inifile_fail_at(&p->ini, line, PURG_EFORMAT, "%s '%s': %s", what, who, why);
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
    for (size_t i = 0; i < pool->npins && !p->ini.rc; i++) {
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
        if (voicefile_parse_spec(pin->value, &pin->v, &has_pan, why, sizeof why) != 0) {
            inifile_fail_at(&p->ini, pin->line, PURG_EFORMAT,
                            "override for '%s': %s (or not a voice id of [voices])", pin->key, why);
            break;
        }
        if (p->check_voices)
            check_voice(p, &k, "override for", pin->key, pin->v.name, pin->line);
    }
    if (p->check_voices)
        free(k.names);
}

void voicefile_clear(vm_pool_t *pool)
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
    p.check_voices = check_voices;
    if (inifile_parse(&p.ini, file, text, len, vm_handler, &p) == 0) {
        if (pool->n == 0)
            inifile_fail_at(&p.ini, 0, PURG_EFORMAT,
                            "no voices: the [voices] section is missing or empty");
        else
            finish_pool(&p);
    }
    free(p.has_pan);
    if (p.ini.rc) {
        inifile_error(&p.ini, err, errlen);
        voicefile_clear(pool);
        return p.ini.rc == PURG_ENOMEM ? PURG_ENOMEM : PURG_EFORMAT;
    }
    return 0;
}

int voicemap_parse_string(const char *name, const char *text, size_t len, int check_voices,
                          char *err, size_t errlen)
{
    vm_pool_t pool;
    int rc = pool_parse(&pool, name, text, len, check_voices, err, errlen);
    voicefile_clear(&pool);
    return rc;
}

int voicefile_load(vm_pool_t *pool, const char *path, const char *salt_arg, int check_voices,
                   struct stat *st, char *err, size_t errlen)
{
    int rc;
    if (!path) {
        memset(st, 0, sizeof *st);
        rc = pool_parse(pool, "(built-in voices)", builtin_ini, sizeof builtin_ini - 1, 0, err, errlen);
    } else {
        char *text = NULL;
        size_t len = 0;
        rc = inifile_read(path, "voices file", 0, &text, &len, st, err, errlen);
        if (rc != 0)
            return rc;
        rc = pool_parse(pool, path, text, len, check_voices, err, errlen);
        free(text);
    }
    if (rc == 0 && salt_arg && util_strlcpy(pool->salt, salt_arg, sizeof pool->salt) != 0) {
        util_snprintf(err, errlen, "salt too long (max %d bytes)", VOICEMAP_SALT_MAX - 1);
        voicefile_clear(pool);
        return PURG_EINVAL;
    }
    return rc;
}

