/* announce.c - "X says" policy, spoken names, the narrator, and the filter
 * on who is heard (ignores and mutes). Lists are read-only after setup, an
 * announce_t is the synth thread's, the filter's mutes are locked (any
 * thread). */
#include "announce.h"
#include "nick.h"
#include "purg.h"
#include "roster.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int announce_parse_says(const char *s, announce_says_t *policy, int *secs)
{
    *secs = 0;
    if (strcmp(s, "never") == 0)
        *policy = SAYS_NEVER;
    else if (strcmp(s, "always") == 0)
        *policy = SAYS_ALWAYS;
    else if (strcmp(s, "change") == 0)
        *policy = SAYS_CHANGE;
    else {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || (*end && strcmp(end, "s") != 0) || v < 1 || v > 86400)
            return PURG_EINVAL;
        *policy = SAYS_SILENCE;
        *secs = (int)v;
    }
    return 0;
}

void announce_init(announce_t *a, announce_says_t policy, int secs)
{
    memset(a, 0, sizeof *a);
    a->policy = policy;
    a->silence_ns = (int64_t)secs * NS_PER_S;
}

int announce_before(announce_t *a, const char *nick, int is_action, int64_t now_ns)
{
    char folded[ANNOUNCE_NAME_MAX];
    nick_fold(nick, folded, sizeof folded);
    int changed = strcmp(folded, a->last) != 0;
    int quiet = a->t_last == 0 || now_ns - a->t_last >= a->silence_ns;
    util_strlcpy(a->last, folded, sizeof a->last);
    if (is_action)
        return 0;
    switch (a->policy) {
    case SAYS_NEVER: return 0;
    case SAYS_ALWAYS: return 1;
    case SAYS_CHANGE: return changed;
    case SAYS_SILENCE: return changed || quiet;
    }
    return 0;
}

void announce_after(announce_t *a, int64_t now_ns)
{
    a->t_last = now_ns;
}

static int grow(void **p, size_t elem, size_t n)
{
    void *q = realloc(*p, elem * (n + 1));
    if (!q)
        return PURG_ENOMEM;
    *p = q;
    return 0;
}

int announce_add_name(announce_lists_t *l, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec || !eq[1]) {
        util_snprintf(err, errlen, "'%s' is not NICK=SPOKEN NAME", spec);
        return PURG_EINVAL;
    }
    size_t nlen = (size_t)(eq - spec);
    if (nlen >= ANNOUNCE_NAME_MAX || strlen(eq + 1) >= ANNOUNCE_NAME_MAX) {
        util_snprintf(err, errlen, "'%s': nick and name are at most %d bytes each", spec,
                      ANNOUNCE_NAME_MAX - 1);
        return PURG_ETOOBIG;
    }
    if (l->nnames >= ANNOUNCE_LIST_MAX) {
        util_snprintf(err, errlen, "at most %d spoken names", ANNOUNCE_LIST_MAX);
        return PURG_ETOOBIG;
    }
    if (grow((void **)&l->nick, sizeof *l->nick, l->nnames) != 0 ||
        grow((void **)&l->spoken, sizeof *l->spoken, l->nnames) != 0) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    char nick[ANNOUNCE_NAME_MAX];
    memcpy(nick, spec, nlen);
    nick[nlen] = '\0';
    nick_fold(nick, l->nick[l->nnames], ANNOUNCE_NAME_MAX);
    util_strlcpy(l->spoken[l->nnames], eq + 1, ANNOUNCE_NAME_MAX);
    l->nnames++;
    return 0;
}

int announce_add_ignore(announce_lists_t *l, const char *pattern, char *err, size_t errlen)
{
    if (!pattern[0] || strlen(pattern) >= ANNOUNCE_NAME_MAX * 2) {
        util_snprintf(err, errlen, "ignore pattern '%s' is empty or longer than %d bytes",
                      pattern, ANNOUNCE_NAME_MAX * 2 - 1);
        return PURG_EINVAL;
    }
    if (l->nignore >= ANNOUNCE_LIST_MAX) {
        util_snprintf(err, errlen, "at most %d ignore patterns", ANNOUNCE_LIST_MAX);
        return PURG_ETOOBIG;
    }
    if (grow((void **)&l->ignore, sizeof *l->ignore, l->nignore) != 0) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    util_strlcpy(l->ignore[l->nignore++], pattern, sizeof *l->ignore);
    return 0;
}

void announce_lists_free(announce_lists_t *l)
{
    if (!l)
        return;
    free(l->nick);
    free(l->spoken);
    free(l->ignore);
    memset(l, 0, sizeof *l);
}

void announce_spoken(const announce_lists_t *l, const char *nick, char *out, size_t n)
{
    char folded[ANNOUNCE_NAME_MAX];
    nick_fold(nick, folded, sizeof folded);
    for (size_t i = 0; l && i < l->nnames; i++) {
        if (strcmp(l->nick[i], folded) == 0) {
            util_strlcpy(out, l->spoken[i], n);
            return;
        }
    }
    if (n == 0)
        return;
    size_t k = 0;
    int space = 1; /* no leading space */
    for (const char *p = nick; *p && k + 1 < n; p++) {
        if (strchr("_-|`^[]{}\\", *p)) {
            if (!space)
                out[k++] = ' ';
            space = 1;
        } else {
            out[k++] = *p;
            space = 0;
        }
    }
    while (k > 0 && out[k - 1] == ' ')
        k--;
    out[k] = '\0';
    if (k == 0)
        util_strlcpy(out, nick, n);
}

int announce_ignored(const announce_lists_t *l, const char *nick, const char *mask)
{
    for (size_t i = 0; l && i < l->nignore; i++)
        if (nick_pattern_match(l->ignore[i], nick, mask))
            return 1;
    return 0;
}

/* ---- the filter ------------------------------------------------------------ */

int announce_filter_init(announce_filter_t *f)
{
    memset(f, 0, sizeof *f);
    if (pthread_mutex_init(&f->lock, NULL) != 0)
        return PURG_ENOMEM;
    f->up = 1;
    return 0;
}

void announce_filter_fini(announce_filter_t *f)
{
    announce_lists_free(&f->lists);
    if (f->up)
        pthread_mutex_destroy(&f->lock);
    f->up = 0;
}

/* Caller holds f->lock. Index of nick in the mutes, or nmuted. */
static size_t mute_index_locked(const announce_filter_t *f, const char *nick)
{
    size_t n = strlen(nick), i;
    for (i = 0; i < f->nmuted; i++)
        if (nick_eq_n(f->muted[i], strlen(f->muted[i]), nick, n))
            break;
    return i;
}

int announce_filter_mute(announce_filter_t *f, const char *nick, int on)
{
    int changed = 0;
    if (!nick[0] || strlen(nick) >= ANNOUNCE_NAME_MAX)
        return 0;
    pthread_mutex_lock(&f->lock);
    size_t i = mute_index_locked(f, nick);
    if (on && i == f->nmuted && i < ANNOUNCE_MUTE_MAX) {
        util_strlcpy(f->muted[f->nmuted++], nick, ANNOUNCE_NAME_MAX);
        changed = 1;
    } else if (!on && i < f->nmuted) {
        memmove(f->muted[i], f->muted[i + 1], (f->nmuted - i - 1) * sizeof f->muted[0]);
        f->nmuted--;
        changed = 1;
    }
    pthread_mutex_unlock(&f->lock);
    return changed;
}

int announce_filter_muted(announce_filter_t *f, const char *nick)
{
    pthread_mutex_lock(&f->lock);
    int m = mute_index_locked(f, nick) < f->nmuted;
    pthread_mutex_unlock(&f->lock);
    return m;
}

int announce_filter_heard(announce_filter_t *f, const char *nick, const char *mask)
{
    if (announce_ignored(&f->lists, nick, mask && mask[0] ? mask : NULL))
        return 0;
    return !announce_filter_muted(f, nick);
}

void announce_filter_list(announce_filter_t *f, char *buf, size_t n)
{
    size_t off = 0;
    if (n == 0)
        return;
    buf[0] = '\0';
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->nmuted && off < n; i++) {
        int w = snprintf(buf + off, n - off, "%s%s", i ? ", " : "", f->muted[i]);
        if (w < 0)
            break;
        off += (size_t)w;
    }
    pthread_mutex_unlock(&f->lock);
}

/* ---- the narrator ------------------------------------------------------------ */

/* How the listener speaks for itself. */
static const voice_t narrator = { "en", 50, 30, 190, 0 };

utterance_t *announce_notice(const char *chan, const char *text)
{
    return utterance_new(UTT_NOTICE, chan ? chan : "", "", &narrator, text);
}
