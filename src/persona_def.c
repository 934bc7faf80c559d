/* persona_def.c - persona definition files ([persona] and [guard]) read
 * through the inifile layer into a persona_def_t; main thread. The state machine
 * that runs a definition is persona.c. */
#include "persona.h"
#include "nick.h"

#include "inifile.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct p_parse {
    persona_def_t *d;
    inifile_t ini;                  /* the file, its line and its first problem */
    char dir[PERSONA_PATH_MAX]; /* the INI's directory, for relative paths */
} p_parse_t;

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == s || *end || errno || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Resolves a path from the INI against its directory. */
static int set_path(p_parse_t *p, char *dst, const char *value)
{
    int rc;
    if (!*value)
        return inifile_fail(&p->ini, PURG_EINVAL, "empty path");
    if (value[0] == '/' || !p->dir[0])
        rc = util_strlcpy(dst, value, PERSONA_PATH_MAX);
    else
        rc = util_snprintf(dst, PERSONA_PATH_MAX, "%s/%s", p->dir, value);
    if (rc != 0)
        return inifile_fail(&p->ini, PURG_EINVAL, "path too long: '%s'", value);
    return 0;
}

static int set_channels(p_parse_t *p, const char *value)
{
    persona_def_t *d = p->d;
    char buf[1024];
    if (util_strlcpy(buf, value, sizeof buf) != 0)
        return inifile_fail(&p->ini, PURG_EINVAL, "channels: list too long");
    d->nchannels = 0;
    char *save = NULL;
    for (char *t = strtok_r(buf, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
        if (!irc_channel_valid(t))
            return inifile_fail(&p->ini, PURG_EINVAL,
                                "channels: '%s' is not a channel name (e.g. #purgatory)", t);
        if (d->nchannels == PERSONA_MAX_CHANNELS)
            return inifile_fail(&p->ini, PURG_EINVAL, "channels: at most %d", PERSONA_MAX_CHANNELS);
        for (size_t i = 0; i < d->nchannels; i++)
            if (nick_eq(d->channels[i], t))
                return inifile_fail(&p->ini, PURG_EINVAL, "channels: '%s' given twice", t);
        util_strlcpy(d->channels[d->nchannels++], t, PERSONA_CHAN_MAX);
    }
    if (d->nchannels == 0)
        return inifile_fail(&p->ini, PURG_EINVAL,
                            "channels: empty (give at least one, e.g. #purgatory)");
    return 0;
}

/* learn_from: nick masks (nick_match: '*' and '?', rfc1459 case), "!MASK" excludes. */
static int set_learn_from(p_parse_t *p, const char *value)
{
    char buf[sizeof p->d->learn_from];
    if (util_strlcpy(buf, value, sizeof buf) != 0)
        return inifile_fail(&p->ini, PURG_EINVAL, "learn_from: list too long");
    char *save = NULL;
    for (char *t = strtok_r(buf, " ,\t", &save); t; t = strtok_r(NULL, " ,\t", &save)) {
        const char *g = t[0] == '!' ? t + 1 : t;
        if (!*g || strlen(g) > 64)
            return inifile_fail(&p->ini, PURG_EINVAL, "learn_from: '%s' is not a nick mask "
                                "(like alice, bob*, !*bot)", t);
        for (const char *c = g; *c; c++)
            if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
                return inifile_fail(&p->ini, PURG_EINVAL, "learn_from: '%s' is not a nick mask "
                                    "(like alice, bob*, !*bot)", t);
    }
    util_strlcpy(p->d->learn_from, value, sizeof p->d->learn_from);
    return 0;
}

typedef struct p_numkey {
    const char *key;
    double lo, hi;
    size_t off;   /* offset of the field in persona_def_t */
    int is_int;   /* int field; else double */
} p_numkey_t;

static const p_numkey_t p_numkeys[] = {
    { "order", 1, MARKOV_MAX_ORDER, offsetof(persona_def_t, order), 1 },
    { "chattiness", 0, 86400, offsetof(persona_def_t, chattiness), 0 },
    { "reply_mention", 0, 1, offsetof(persona_def_t, reply_mention), 0 },
    { "reply_persona", 0, 1, offsetof(persona_def_t, reply_persona), 0 },
    { "quiet_after", 0, 100000, offsetof(persona_def_t, quiet_after), 0 },
    { "max_turns", 1, 1000, offsetof(persona_def_t, max_turns), 1 },
    { "rate", 0.1, 600, offsetof(persona_def_t, rate), 0 },
    { "burst", 1, 100, offsetof(persona_def_t, burst), 1 },
    { "think_min", 0, 600, offsetof(persona_def_t, think_min), 0 },
    { "think_max", 0, 600, offsetof(persona_def_t, think_max), 0 },
    { "max_words", 3, 200, offsetof(persona_def_t, max_words), 1 },
    { "max_kicks", 1, 20, offsetof(persona_def_t, max_kicks), 1 },
    { "replies_per_nick", 1, 60, offsetof(persona_def_t, replies_per_nick), 1 },
};

static int persona_key(p_parse_t *p, const char *name, const char *value)
{
    persona_def_t *d = p->d;
    for (size_t i = 0; i < sizeof p_numkeys / sizeof p_numkeys[0]; i++) {
        const p_numkey_t *k = &p_numkeys[i];
        if (strcmp(name, k->key) != 0)
            continue;
        double v;
        char range[64];
        if (parse_num(value, k->lo, k->hi, &v) != 0 || (k->is_int && v != floor(v))) {
            util_snprintf(range, sizeof range, "%s %g..%g", k->is_int ? "an integer" : "a number",
                          k->lo, k->hi);
            return inifile_fail(&p->ini, PURG_EINVAL, "bad value for %s (expected %s)", name,
                                range);
        }
        if (k->is_int)
            *(int *)(void *)((char *)d + k->off) = (int)v;
        else
            *(double *)(void *)((char *)d + k->off) = v;
        return 0;
    }
    if (strcmp(name, "nick") == 0) {
        if (!irc_nick_valid(value))
            return inifile_fail(&p->ini, PURG_EINVAL, "nick '%s' is not an IRC nick (1-30 letters, "
                                "digits, -[]\\`_^{|}, not starting with a digit or '-')", value);
        util_strlcpy(d->nick, value, sizeof d->nick);
        return 0;
    }
    if (strcmp(name, "model") == 0)
        return set_path(p, d->model, value);
    if (strcmp(name, "corpus") == 0)
        return set_path(p, d->corpus, value);
    if (strcmp(name, "corpus_format") == 0) {
        if (corpus_format_parse(value, &d->corpus_format) != 0)
            return inifile_fail(&p->ini, PURG_EINVAL,
                                "corpus_format '%s' unknown (plain, irssi, weechat or znc)", value);
        return 0;
    }
    if (strcmp(name, "corpus_max_lines") == 0) {
        double v;
        if (parse_num(value, 0, 1e9, &v) != 0 || v != floor(v))
            return inifile_fail(&p->ini, PURG_EINVAL,
                                "bad value for corpus_max_lines (an integer, 0 = all)");
        d->corpus_max_lines = (size_t)v;
        return 0;
    }
    if (strcmp(name, "channels") == 0 || strcmp(name, "channel") == 0)
        return set_channels(p, value);
    if (strcmp(name, "bot_mode") == 0) {
        if (strcmp(value, "auto") == 0)
            d->bot_mode = IRC_BOT_MODE_AUTO;
        else if (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0)
            d->bot_mode = IRC_BOT_MODE_ON;
        else if (strcmp(value, "off") == 0 || strcmp(value, "no") == 0)
            d->bot_mode = IRC_BOT_MODE_OFF;
        else
            return inifile_fail(&p->ini, PURG_EINVAL, "bot_mode is auto, on or off");
        return 0;
    }
    if (strcmp(name, "learn") == 0) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "on") == 0)
            d->learn = 1;
        else if (strcmp(value, "no") == 0 || strcmp(value, "off") == 0)
            d->learn = 0;
        else
            return inifile_fail(&p->ini, PURG_EINVAL, "learn is yes or no, not '%s'", value);
        return 0;
    }
    if (strcmp(name, "take_turns") == 0) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "on") == 0)
            d->take_turns = 1;
        else if (strcmp(value, "no") == 0 || strcmp(value, "off") == 0)
            d->take_turns = 0;
        else
            return inifile_fail(&p->ini, PURG_EINVAL, "take_turns is yes or no, not '%s'", value);
        return 0;
    }
    if (strcmp(name, "learn_from") == 0)
        return set_learn_from(p, value);
    if (strcmp(name, "voice") == 0) {
        if (util_strlcpy(d->voice, value, sizeof d->voice) != 0)
            return inifile_fail(&p->ini, PURG_EINVAL, "voice too long");
        return 0;
    }
    return inifile_fail(&p->ini, PURG_EINVAL, "unknown key '%s' in [persona]", name);
}

static int p_handler(inifile_t *ini, void *user, const char *section, const char *name,
                     const char *value)
{
    p_parse_t *p = user;
    (void)ini; /* p->ini */
    if (strcmp(section, "persona") == 0)
        return persona_key(p, name, value);
    if (strcmp(section, "guard") == 0) {
        int rc = guard_set(p->d->guard, name, value);
        if (rc == PURG_ENOTFOUND)
            return inifile_fail(&p->ini, PURG_EINVAL, "unknown key '%s' in [guard] (sigils, "
                                "command_words, nicks, rewrite, max_len)", name);
        if (rc != 0)
            return inifile_fail(&p->ini, PURG_EINVAL, "bad value for %s in [guard]: '%s'", name,
                                value);
        return 0;
    }
    if (!*section)
        return inifile_fail(&p->ini, PURG_EINVAL, "'%s' outside a section (start with [persona])",
                            name);
    return inifile_fail(&p->ini, PURG_EINVAL, "unknown section [%s] (known: [persona], [guard])",
                        section);
}

static void def_defaults(persona_def_t *d)
{
    d->order = 2;
    d->chattiness = 20;
    d->reply_mention = 0.9;
    d->reply_persona = 0.5;
    d->quiet_after = 10;
    d->max_turns = 6;
    d->rate = 10;
    d->burst = 2;
    d->think_min = 1;
    d->think_max = 3;
    d->max_words = 30;
    d->bot_mode = IRC_BOT_MODE_AUTO;
    d->max_kicks = 2;
    d->replies_per_nick = 3;
    d->take_turns = 1;
}

/* Checks across keys, once the whole file was read; they concern the file
 * as a whole (line 0). */
static void def_finish(p_parse_t *p)
{
    persona_def_t *d = p->d;
    if (!d->nick[0])
        inifile_fail_at(&p->ini, 0, PURG_EINVAL, "no nick (add 'nick = NAME' to [persona])");
    else if (d->nchannels == 0)
        inifile_fail_at(&p->ini, 0, PURG_EINVAL,
                        "no channels (add 'channels = #purgatory' to [persona])");
    else if (!d->model[0] && !d->corpus[0])
        inifile_fail_at(&p->ini, 0, PURG_EINVAL, "neither model nor corpus "
                        "(add 'model = FILE' or 'corpus = FILE' to [persona])");
    else if (d->learn && !d->model[0])
        inifile_fail_at(&p->ini, 0, PURG_EINVAL, "learn = yes needs 'model = FILE' "
                        "(what it learns is kept beside it, in FILE.learned)");
    else if (d->think_max < d->think_min)
        inifile_fail_at(&p->ini, 0, PURG_EINVAL, "think_max is below think_min");
}

int persona_def_parse(persona_def_t **out, const char *name, const char *text, size_t len,
                      char *err, size_t errlen)
{
    p_parse_t p;
    int rc = PURG_ENOMEM;
    *out = NULL;
    if (err && errlen)
        err[0] = '\0';
    memset(&p, 0, sizeof p);
    const char *slash = strrchr(name, '/');
    if (slash && (size_t)(slash - name) < sizeof p.dir)
        memcpy(p.dir, name, (size_t)(slash - name) + (slash == name));
    persona_def_t *d = calloc(1, sizeof *d);
    if (!d)
        goto fail;
    if (guard_create(&d->guard) != 0)
        goto fail_d;
    def_defaults(d);
    util_strlcpy(d->file, name, sizeof d->file);
    p.d = d;
    if (inifile_parse(&p.ini, name, text, len, p_handler, &p) == 0)
        def_finish(&p);
    if (p.ini.rc) {
        inifile_error(&p.ini, err, errlen);
        rc = p.ini.rc == PURG_ENOMEM ? PURG_ENOMEM : PURG_EINVAL;
        goto fail_guard;
    }
    *out = d;
    return 0;

fail_guard:
    guard_free(d->guard);
fail_d:
    free(d);
fail:
    if (rc == PURG_ENOMEM && !(err && errlen && err[0]))
        util_snprintf(err, errlen, "%s: out of memory", name);
    return rc;
}

int persona_def_load(persona_def_t **out, const char *path, char *err, size_t errlen)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = inifile_read(path, "persona file", 0, &text, &len, NULL, err, errlen);
    if (rc != 0)
        return rc;
    rc = persona_def_parse(out, path, text, len, err, errlen);
    free(text);
    return rc;
}

void persona_def_free(persona_def_t *d)
{
    if (!d)
        return;
    guard_free(d->guard);
    free(d);
}

int persona_seat(const char *cmd, const char *file, const persona_def_t *const *taken,
                 size_t ntaken, voicemap_t *voices, persona_def_t **def, markov_t **model,
                 char *err, size_t errlen)
{
    char warn[600];
    int rc = persona_def_load(def, file, err, errlen);
    if (rc != 0)
        return rc;
    const persona_def_t *d = *def;
    for (size_t j = 0; j < ntaken; j++)
        if (nick_eq(taken[j]->nick, d->nick)) {
            util_snprintf(err, errlen, "%s: nick '%s' is already taken by %s", d->file,
                          d->nick, taken[j]->file);
            return PURG_EINVAL;
        }
    if ((rc = persona_model_open(d, model, warn, sizeof warn, err, errlen)) != 0)
        return rc;
    if (warn[0])
        fprintf(stderr, "purgatory %s: %s\n", cmd, warn);
    if (d->voice[0] && (rc = voicemap_pin(voices, d->nick, d->voice, warn, sizeof warn)) != 0) {
        util_snprintf(err, errlen, "%s: %s", d->file, warn);
        return rc;
    }
    return 0;
}
