/* view.c - ANSI rendering of the presenter's view; pure, any thread. */
#include "view.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct out {
    char *buf;
    size_t n, len;
    int cols, rows, row, col, color;
} out_t;

static void raw(out_t *o, const char *s)
{
    size_t l = strlen(s);
    if (o->len + l + 1 > o->n)
        return;
    memcpy(o->buf + o->len, s, l + 1);
    o->len += l;
}

/* Text from the network (nicks, channels, lines), made visible first (no
 * control byte, bidi mark or bad UTF-8 reaches the terminal), cut at the
 * screen's right edge (bytes of one UTF-8 code point count as one column;
 * wide characters are not measured; a cut may fall inside a code point only
 * where the buffer ends). */
static void text(out_t *o, const char *s)
{
    char vis[UTIL_VIS_MAX];
    util_visible(vis, sizeof vis, s);
    for (const unsigned char *p = (const unsigned char *)vis; *p; p++) {
        if ((*p & 0xC0) != 0x80) {
            if (o->col >= o->cols)
                return;
            o->col++;
        }
        if (o->len + 2 > o->n)
            return;
        o->buf[o->len++] = (char)*p;
        o->buf[o->len] = '\0';
    }
}

static void textf(out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void textf(out_t *o, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (r >= 0)
        text(o, tmp);
}

static void sgr(out_t *o, const char *codes)
{
    if (!o->color)
        return;
    char tmp[32];
    if (util_snprintf(tmp, sizeof tmp, "\x1b[%sm", codes) == 0)
        raw(o, tmp);
}

static int newline(out_t *o)
{
    if (o->row + 1 >= o->rows)
        return 0;
    sgr(o, "0");
    raw(o, "\x1b[K\r\n");
    o->row++;
    o->col = 0;
    return 1;
}

int view_nick_color(const char *nick)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)nick; *p; p++)
        h = (h ^ *p) * 16777619u;
    return 31 + (int)(h % 6);
}

static void nick(out_t *o, const char *n)
{
    char c[16];
    if (util_snprintf(c, sizeof c, "1;%d", view_nick_color(n)) == 0)
        sgr(o, c);
    textf(o, "<%s>", n);
    sgr(o, "0");
}

static void line(out_t *o, int kind, const char *who, const char *voice, const char *t)
{
    if (kind == UTT_NOTICE) {
        sgr(o, "2");
        textf(o, "-- %s", t);
        sgr(o, "0");
        return;
    }
    nick(o, who);
    if (voice && voice[0]) {
        sgr(o, "2");
        textf(o, " [%s]", voice);
        sgr(o, "0");
    }
    textf(o, kind == UTT_ACTION ? " * %s" : " %s", t);
}

size_t view_render(const view_state_t *st, int cols, int rows, int color, char *buf, size_t n)
{
    out_t o = { buf, n, 0, cols > 10 ? cols : 80, rows > 4 ? rows : 24, 0, 0, color };
    if (n == 0)
        return 0;
    buf[0] = '\0';
    raw(&o, "\x1b[H");
    sgr(&o, "1");
    textf(&o, "purgatory %s", st->title);
    sgr(&o, "0");
    newline(&o);
    if (st->paused) {
        sgr(&o, "1;7");
        text(&o, " PAUSED ");
        sgr(&o, "0");
    } else {
        text(&o, st->speaking ? "speaking" : "waiting ");
    }
    textf(&o, "   volume %d%%   backlog %.1f s (%zu queued)", st->volume, st->backlog_secs,
          st->nqueued);
    newline(&o);
    textf(&o, "muted: %s", st->muted[0] ? st->muted : "nobody");
    newline(&o);
    newline(&o);
    sgr(&o, "1");
    text(&o, "NOW ");
    sgr(&o, "0");
    if (st->speaking)
        line(&o, st->now.kind, st->now.nick, st->now.voice, st->now.text);
    else
        text(&o, "(silence)");
    newline(&o);
    newline(&o);
    sgr(&o, "1");
    text(&o, "QUEUED");
    sgr(&o, "0");
    newline(&o);
    for (size_t i = 0; i < st->nqueue_shown; i++) {
        text(&o, "  ");
        line(&o, (int)st->queue[i].kind, st->queue[i].nick, NULL, st->queue[i].text);
        newline(&o);
    }
    if (st->nqueued > st->nqueue_shown) {
        textf(&o, "  ... and %zu more", st->nqueued - st->nqueue_shown);
        newline(&o);
    }
    newline(&o);
    sgr(&o, "1");
    text(&o, "SPOKEN");
    sgr(&o, "0");
    newline(&o);
    for (size_t i = 0; i < VIEW_HISTORY; i++) {
        if (st->history[i].kind < 0)
            continue;
        text(&o, "  ");
        line(&o, st->history[i].kind, st->history[i].nick, NULL, st->history[i].text);
        if (!newline(&o))
            break;
    }
    /* the bottom rows: status, prompt and keys */
    while (o.row < o.rows - 3 && newline(&o))
        ;
    textf(&o, "%s", st->status);
    newline(&o);
    if (st->prompt[0]) {
        sgr(&o, "1");
        textf(&o, "%s_", st->prompt);
        sgr(&o, "0");
    }
    newline(&o);
    sgr(&o, "2");
    textf(&o, "keys: %s", st->keys ? st->keys : "");
    sgr(&o, "0");
    raw(&o, "\x1b[K\x1b[J");
    return o.len;
}
