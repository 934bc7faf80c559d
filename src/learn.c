/* learn.c - the learned-lines file of a persona: parse, cap, save, forget;
 * one thread at a time (see learn.h). */
#include "learn.h"
#include "nick.h"

#include "irc.h"
#include "purg.h"
#include "roster.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void learn_init(learn_t *l)
{
    memset(l, 0, sizeof *l);
}

void learn_clear(learn_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[(l->head + i) % l->cap].text);
    free(l->e);
    learn_init(l);
}

int learn_text_ok(const char *text)
{
    size_t n = strlen(text);
    if (n == 0 || n > LEARN_TEXT_MAX || !util_utf8_valid(text, n))
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return 0;
    return 1;
}

const learn_entry_t *learn_get(const learn_t *l, size_t i)
{
    return &l->e[(l->head + i) % l->cap];
}

/* Room for one more: grows the ring, or drops the oldest at the cap. */
static int make_room(learn_t *l)
{
    if (l->n == LEARN_MAX_LINES) {
        free(l->e[l->head].text);
        l->head = (l->head + 1) % l->cap;
        l->n--;
        return 0;
    }
    if (l->n < l->cap)
        return 0;
    size_t nc = l->cap ? l->cap * 2 : 64;
    if (nc > LEARN_MAX_LINES)
        nc = LEARN_MAX_LINES;
    learn_entry_t *e = malloc(nc * sizeof *e);
    if (!e)
        return PURG_ENOMEM;
    for (size_t i = 0; i < l->n; i++)
        e[i] = l->e[(l->head + i) % l->cap];
    free(l->e);
    l->e = e;
    l->cap = nc;
    l->head = 0;
    return 0;
}

int learn_add(learn_t *l, const char *nick, int64_t t, const char *text)
{
    if (!irc_nick_valid(nick) || strlen(nick) > LEARN_NICK_MAX || !learn_text_ok(text) || t < 0)
        return PURG_EINVAL;
    char *copy = strdup(text);
    if (!copy)
        return PURG_ENOMEM;
    int rc = make_room(l);
    if (rc != 0) {
        free(copy);
        return rc;
    }
    learn_entry_t *e = &l->e[(l->head + l->n) % l->cap];
    util_strlcpy(e->nick, nick, sizeof e->nick);
    e->t = t;
    e->text = copy;
    l->n++;
    l->dirty = 1;
    return 0;
}

size_t learn_forget(learn_t *l, const char *nick)
{
    size_t kept = 0, gone = 0;
    for (size_t i = 0; i < l->n; i++) {
        learn_entry_t *e = &l->e[(l->head + i) % l->cap];
        if (nick_eq(e->nick, nick)) {
            free(e->text);
            gone++;
        } else {
            l->e[(l->head + kept) % l->cap] = *e;
            kept++;
        }
    }
    l->n = kept;
    if (gone)
        l->dirty = 1;
    return gone;
}

/* One line of the file (without its newline): "NICK\tSECONDS\tTEXT". */
static int parse_line(learn_t *l, char *s)
{
    char *tab1 = strchr(s, '\t');
    char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab2)
        return PURG_EINVAL;
    *tab1 = *tab2 = '\0';
    const char *num = tab1 + 1;
    int64_t t = 0;
    if (!*num || strlen(num) > 12)
        return PURG_EINVAL;
    for (const char *p = num; *p; p++) {
        if (*p < '0' || *p > '9')
            return PURG_EINVAL;
        t = t * 10 + (*p - '0');
    }
    return learn_add(l, s, t, tab2 + 1);
}

int learn_parse(learn_t *l, const char *buf, size_t len)
{
    size_t mlen = strlen(LEARN_MAGIC);
    if (len < mlen || memcmp(buf, LEARN_MAGIC, mlen) != 0 ||
        (len > mlen && buf[mlen] != '\n' && buf[mlen] != '\r'))
        return PURG_EFORMAT;
    l->bad = 0;
    char line[LEARN_NICK_MAX + 16 + LEARN_TEXT_MAX + 8];
    size_t i = mlen;
    while (i < len) {
        const char *nl = memchr(buf + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - buf) : len, n = end - i;
        if (n && buf[i + n - 1] == '\r')
            n--;
        if (n == 0 || buf[i] == '#') {
            /* blank or a comment */
        } else if (n >= sizeof line || memchr(buf + i, '\0', n)) {
            l->bad++;
        } else {
            memcpy(line, buf + i, n);
            line[n] = '\0';
            int rc = parse_line(l, line);
            if (rc == PURG_ENOMEM)
                return rc;
            if (rc != 0)
                l->bad++;
        }
        i = end + 1;
    }
    l->dirty = 0;
    return 0;
}

int learn_load(learn_t *l, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        util_snprintf(err, errlen, "cannot read %s: %s", path, strerror(e));
        return e == ENOENT ? PURG_ENOTFOUND : PURG_EIO;
    }
    char *buf = malloc(LEARN_FILE_MAX + 1);
    if (!buf) {
        fclose(f);
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    size_t n = fread(buf, 1, LEARN_FILE_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad) {
        util_snprintf(err, errlen, "cannot read %s: read error", path);
        rc = PURG_EIO;
    } else if (n > LEARN_FILE_MAX) {
        util_snprintf(err, errlen, "%s is larger than %u MiB; is it a learned-lines file?", path,
                      LEARN_FILE_MAX >> 20);
        rc = PURG_ETOOBIG;
    } else if ((rc = learn_parse(l, buf, n)) == PURG_EFORMAT) {
        util_snprintf(err, errlen, "%s is not a learned-lines file (its first line is not '%s')",
                      path, LEARN_MAGIC);
    } else if (rc != 0) {
        util_snprintf(err, errlen, "%s: %s", path, purg_strerror(rc));
    }
    free(buf);
    return rc;
}

int learn_save(learn_t *l, const char *path, char *err, size_t errlen)
{
    util_atomic_t a;
    int rc = util_atomic_begin(&a, path, 0600, err, errlen); /* what people said: not for every local user */
    if (rc != 0)
        return rc;
    int fd = dup(a.fd); /* stdio closes its own; the commit syncs and closes a.fd */
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        util_snprintf(err, errlen, "cannot write %s: %s", a.tmp, strerror(errno));
        if (fd >= 0)
            close(fd);
        util_atomic_abort(&a);
        return PURG_EIO;
    }
    fprintf(f, "%s\n", LEARN_MAGIC);
    for (size_t i = 0; i < l->n; i++) {
        const learn_entry_t *e = learn_get(l, i);
        fprintf(f, "%s\t%lld\t%s\n", e->nick, (long long)e->t, e->text);
    }
    int e = ferror(f) ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !e)
        e = errno ? errno : EIO;
    if (e) {
        util_snprintf(err, errlen, "cannot write %s: %s", path, strerror(e));
        util_atomic_abort(&a);
        return PURG_EIO;
    }
    rc = util_atomic_commit(&a, err, errlen);
    if (rc == 0 || a.renamed)
        l->dirty = 0;
    return rc;
}
