/* ircv3.c - CAP negotiation and message tags for the bridge; net thread (see ircv3.h). */
#include "ircv3.h"

#include <string.h>

/* Is tag key k[0..n) (before '=') one that marks a bot? */
static int bot_key(const char *k, size_t n)
{
    static const char *const keys[] = { "bot", "draft/bot", "inspircd.org/bot" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
            return 1;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* n digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int64_t ircv3_parse_time(const char *s, size_t n)
{
    if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        return 0;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 ||
        mi > 59 || se < 0 || se > 60)
        return 0;
    size_t i = 19;
    int ms = 0;
    if (s[i] == '.') {
        int k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
            if (k < 3)
                ms = ms * 10 + (s[i] - '0');
        for (; k < 3; k++)
            ms *= 10;
    }
    if (i + 1 != n || s[i] != 'Z')
        return 0;
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000 + ms;
}

size_t ircv3_strip_tags(char *line, size_t len, ircv3_tags_t *t)
{
    t->flags = 0;
    t->time_ms = 0;
    t->batch[0] = '\0';
    if (len == 0 || line[0] != '@') {
        line[len] = '\0';
        return len;
    }
    size_t end = 1;
    while (end < len && line[end] != ' ')
        end++;
    /* tags are "key[=value]" separated by ';' */
    for (size_t i = 1; i < end;) {
        size_t j = i;
        while (j < end && line[j] != ';')
            j++;
        size_t k = i;
        while (k < j && line[k] != '=')
            k++;
        const char *v = line + k + 1;
        size_t vn = k < j ? j - k - 1 : 0;
        if (line[i] == '+')   /* client-only tags carry no server word */
            ;
        else if (bot_key(line + i, k - i))
            t->flags |= IRCV3_TAG_BOT;
        else if (k - i == 4 && memcmp(line + i, "time", 4) == 0)
            t->time_ms = ircv3_parse_time(v, vn);
        else if (k - i == 5 && memcmp(line + i, "batch", 5) == 0 && vn > 0 &&
                 vn < sizeof t->batch) {
            memcpy(t->batch, v, vn);
            t->batch[vn] = '\0';
        }
        i = j + 1;
    }
    while (end < len && line[end] == ' ')
        end++;
    memmove(line, line + end, len - end);
    len -= end;
    line[len] = '\0';
    return len;
}

/* The command after an optional prefix, or NULL. */
const char *ircv3_command(const char *line)
{
    if (*line == ':') {
        line = strchr(line, ' ');
        if (!line)
            return NULL;
        while (*line == ' ')
            line++;
    }
    return line;
}

int ircv3_cap_lists(const char *p, const char *cap)
{
    const char *list = strstr(p, " :");
    list = list ? list + 2 : strrchr(p, ' ') ? strrchr(p, ' ') + 1 : p;
    size_t n = strlen(cap);
    while (*list) {
        while (*list == ' ')
            list++;
        size_t w = strcspn(list, " ");
        if (w >= n && strncmp(list, cap, n) == 0 && (w == n || list[n] == '='))
            return 1;
        list += w;
    }
    return 0;
}

/* The capabilities purgatory asks for, in the order it asks. */
static const struct { const char *name; unsigned bit; } wanted[] = {
    { "message-tags", IRCV3_MESSAGE_TAGS },
    { "multi-prefix", IRCV3_MULTI_PREFIX },
    { "server-time", IRCV3_SERVER_TIME },
    { "batch", IRCV3_BATCH },
};

/* The IRCV3_* bits of the wanted capabilities a CAP line names. */
static unsigned caps_named(const char *p)
{
    unsigned bits = 0;
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        if (ircv3_cap_lists(p, wanted[i].name))
            bits |= wanted[i].bit;
    return bits;
}

/* "CAP <target> <sub> ...": the words after the target. */
static const char *cap_args(const char *p)
{
    const char *t = p + 4;
    t += strcspn(t, " ");
    return *t == ' ' ? t + 1 : NULL;
}

static size_t put(char *reply, const char *s)
{
    size_t n = strlen(s);
    memcpy(reply, s, n);
    return n;
}

static void finish(ircv3_cap_t *c, int sasl_busy, char *reply, size_t *replylen)
{
    c->state = CAP_DONE;
    if (!sasl_busy && !c->end_sent) {
        *replylen = put(reply, "CAP END\r\n");
        c->end_sent = 1;
    }
}

void ircv3_cap_step(ircv3_cap_t *c, const char *line, int sasl_busy, char *reply,
                    size_t *replylen)
{
    *replylen = 0;
    const char *p = ircv3_command(line);
    if (!p)
        return;
    if (strncmp(p, "903 ", 4) == 0 || strncmp(p, "001 ", 4) == 0) {
        c->end_sent = 1;      /* SASL sent CAP END, or we are registered anyway */
        if (p[0] == '0' && c->state == CAP_LS)
            c->state = CAP_DONE;  /* a server without CAP registered us on NICK/USER */
        return;
    }
    if (strncmp(p, "CAP ", 4) != 0)
        return;
    const char *a = cap_args(p);
    if (!a)
        return;
    if (c->state == CAP_LS && strncmp(a, "LS ", 3) == 0) {
        c->offered |= caps_named(p);
        if (strncmp(a + 3, "* ", 2) == 0)
            return;           /* more LS lines follow */
        if (!c->offered) {
            finish(c, sasl_busy, reply, replylen);
            return;
        }
        size_t n = put(reply, "CAP REQ :");
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
            if (c->offered & wanted[i].bit) {
                n += put(reply + n, wanted[i].name);
                reply[n++] = ' ';
            }
        reply[n - 1] = '\r';  /* the last space */
        reply[n++] = '\n';
        *replylen = n;
        c->state = CAP_REQ;
    } else if (c->state == CAP_REQ && (strncmp(a, "ACK ", 4) == 0 || strncmp(a, "NAK ", 4) == 0) &&
               caps_named(p)) {
        if (a[0] == 'A')
            c->acked |= caps_named(p);
        finish(c, sasl_busy, reply, replylen);
    }
}

const char *ircv3_cap_start(ircv3_cap_t *c, size_t *len)
{
    c->state = CAP_LS;
    *len = 12;
    return "CAP LS 302\r\n";
}
