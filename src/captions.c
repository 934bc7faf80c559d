/* captions.c - the captions server: stage events -> server-sent events for a
 * browser page. Threads: the stage subscriber (on_stage) on the publishing
 * thread; the pump thread (pump_main); libmicrohttpd's per-connection
 * threads (on_request, sse_read); start and stop on the main thread.
 *
 * DESIGN: one mutex (c->lock) guards everything below it in struct
 * captions; no one holds it across I/O, and it is never taken by the audio
 * callback. Lock order: the stage's lock, then c->lock (on_stage runs under
 * the stage's lock); nothing here publishes.
 *
 * An event's way: on_stage encodes it at once (JSON; the strings are
 * borrowed only for the call) into a pending FIFO with the sink frame at
 * which it is heard. The pump releases a pending event when audio_position
 * reaches that frame (so a speaker is highlighted when their first sample
 * plays, and each word when it is said); events with no frame (pause,
 * volume, mutes, the queue) are released at once. Released events get a
 * log id (the SSE id) and go into a ring of CAPTIONS_LOG; a finished line
 * also goes into the scrollback. Each page has a cursor into the log and a
 * fixed output buffer; the pump never waits on a page, and a page whose
 * cursor fell out of the ring is closed. */
#include "captions.h"
#include "lockcheck.h"
#include "purg.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "captions_assets.inc"   /* generated: captions_html, captions_js, captions_css */

#define PUMP_MS 10
#define KEEPALIVE_S 15
#define STALE_NS (60LL * 1000000000) /* a pending event older than this goes out anyway
                                        (a device that never played it) */
#define LINE_MAX_BYTES 4400
#define EVENT_MAX (CAPTIONS_CLIENT_BUF - 64) /* an encoded event always fits a page's buffer */

typedef struct pend {
    uint64_t pos;          /* released once audio_position >= pos */
    int64_t t_ns;
    int kind;              /* stage_kind_t */
    char *body;            /* "event: X\ndata: {...}\n\n" */
} pend_t;

typedef struct logent {
    uint64_t lid;          /* 0 = empty */
    char *body;
    size_t len;
} logent_t;

struct captions {
    audio_t *audio;
    struct MHD_Daemon *mhd;
    int port;
    int fd;                                  /* our listening socket (MHD closes it) */
    pthread_t pump;
    int pump_running;
    atomic_uint clients;
    atomic_ulong dropped_clients;

    pthread_mutex_t lock;
    _Atomic(const void *) holder;            /* who holds lock (asserted by *_locked) */
    pthread_cond_t more;                     /* the log grew, or stopping */
    int lock_up;
    int stopping;
    /* the subscriber's own state (publishing thread, under the stage's lock) */
    uint64_t cur_id;                         /* the utterance of the last START */
    size_t cur_line_off;                     /* where its line begins in its spoken text */
    char cur_line[LINE_MAX_BYTES];           /* its line, for word offsets */
    /* under lock */
    pend_t pend[CAPTIONS_PENDING];
    size_t pend_head, pend_n;
    logent_t log[CAPTIONS_LOG];
    uint64_t newest;                         /* lid of the newest released event */
    unsigned long released;
    uint64_t speaking_lid;                   /* lid of the START being heard, or 0 */
    char *speaking_json;                     /* its data object, for the scrollback */
    char *scroll[CAPTIONS_SCROLLBACK];       /* "event: line\ndata: ...\n\n" */
    uint64_t scroll_count;                   /* lines ever put in the scrollback */
    int paused, volume, queued;
};

/* ---- the lock, with its holder noted for the asserts ------------------------------ */

static int cap_held(captions_t *c)
{
    return atomic_load(&c->holder) == lockcheck_self();
}

static void cap_lock(captions_t *c)
{
    pthread_mutex_lock(&c->lock);
    atomic_store(&c->holder, lockcheck_self());
}

static void cap_unlock(captions_t *c)
{
    LOCK_ASSERT(cap_held(c));
    atomic_store(&c->holder, NULL);
    pthread_mutex_unlock(&c->lock);
}

/* pthread_cond_timedwait on c->more; the lock is someone else's meanwhile. */
static int cap_wait(captions_t *c, const struct timespec *until)
{
    atomic_store(&c->holder, NULL);
    int rc = pthread_cond_timedwait(&c->more, &c->lock, until);
    atomic_store(&c->holder, lockcheck_self());
    return rc;
}

/* ---- parsing and encoding (pure) ------------------------------------------ */

int captions_parse_addr(const char *spec, char *host, size_t hostlen, int *port,
                        char *err, size_t errlen)
{
    const char *p = strrchr(spec, ':');
    const char *ps = p ? p + 1 : spec;
    char h[64] = CAPTIONS_DEFAULT_HOST;
    if (p) {
        size_t n = (size_t)(p - spec);
        const char *hs = spec;
        if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']') {
            hs++;
            n -= 2;
        } else if (memchr(spec, ':', n)) {
            util_snprintf(err, errlen, "wants [ADDR:]PORT (an IPv6 address in brackets), not '%s'", spec);
            return PURG_EINVAL;
        }
        if (n == 0 || n >= sizeof h) {
            util_snprintf(err, errlen, "wants [ADDR:]PORT, not '%s'", spec);
            return PURG_EINVAL;
        }
        memcpy(h, hs, n);
        h[n] = '\0';
        if (strcmp(h, "localhost") == 0)
            util_strlcpy(h, CAPTIONS_DEFAULT_HOST, sizeof h);
        unsigned char buf[sizeof(struct in6_addr)];
        if (inet_pton(AF_INET, h, buf) != 1 && inet_pton(AF_INET6, h, buf) != 1) {
            util_snprintf(err, errlen, "'%s' is not an IP address (use e.g. 127.0.0.1, 0.0.0.0 "
                          "or [::1])", h);
            return PURG_EINVAL;
        }
    }
    long v = 0;
    size_t digits = 0;
    for (const char *q = ps; *q; q++, digits++) {
        if (*q < '0' || *q > '9' || digits >= 5) {
            digits = 0;
            break;
        }
        v = v * 10 + (*q - '0');
    }
    if (digits == 0 || v > 65535) {
        util_snprintf(err, errlen, "wants a port 0-65535 ([ADDR:]PORT), not '%s'", spec);
        return PURG_EINVAL;
    }
    if (util_strlcpy(host, h, hostlen) != 0) {
        util_snprintf(err, errlen, "address too long: '%s'", spec);
        return PURG_EINVAL;
    }
    *port = (int)v;
    return 0;
}

int captions_parse_event_id(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    if (!s || s[0] < '1' || s[0] > '9')
        return PURG_EINVAL;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 19)
            return PURG_EINVAL;
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return PURG_EINVAL;
    *out = v;
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { n = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { n = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { n = 4; min = 0x10000; }
    else return 0;
    unsigned cp = c & (0xFF >> (n + 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

size_t captions_json_str(const char *s, char *out, size_t n)
{
    size_t o = 0;
    if (n == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        char tmp[8];
        size_t tl, adv;
        size_t q = utf8_seq(p);
        if (q == 0) {
            memcpy(tmp, "\xEF\xBF\xBD", 3); /* U+FFFD */
            tl = 3;
            adv = 1;
        } else if (q == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", p[2] == 0xA8 ? 0x2028 : 0x2029);
            adv = 3;
        } else if (q == 1 && (*p < 0x20 || *p == '"' || *p == '\\' || *p == '<' || *p == '>' ||
                              *p == '&' || *p == 0x7F)) {
            if (*p == '"' || *p == '\\') {
                tmp[0] = '\\';
                tmp[1] = (char)*p;
                tl = 2;
            } else {
                tl = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", *p);
            }
            adv = 1;
        } else {
            memcpy(tmp, p, q);
            tl = adv = q;
        }
        if (o + tl >= n)
            break;
        memcpy(out + o, tmp, tl);
        o += tl;
        p += adv;
    }
    out[o] = '\0';
    return o;
}

size_t captions_utf16_len(const char *s, size_t nbytes)
{
    size_t units = 0;
    for (size_t i = 0; i < nbytes && s[i]; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80)
            units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* ---- the log (under c->lock) ------------------------------------------------ */

static void release_locked(captions_t *c, int kind, char *body)
{
    LOCK_ASSERT(cap_held(c));
    uint64_t lid = ++c->newest;
    logent_t *e = &c->log[lid % CAPTIONS_LOG];
    free(e->body);
    e->lid = lid;
    e->body = body;
    e->len = strlen(body);
    c->released++;
    if (kind == STAGE_START) {
        c->speaking_lid = lid;
        free(c->speaking_json);
        const char *d = strstr(body, "data: ");
        c->speaking_json = d ? strdup(d + 6) : NULL;
        char *nl = c->speaking_json ? strchr(c->speaking_json, '\n') : NULL;
        if (nl)
            *nl = '\0';
    } else if (kind == STAGE_END && c->speaking_json) {
        /* the finished line joins the scrollback: its START object, with
         * "skipped" added */
        size_t jl = strlen(c->speaking_json);
        int skipped = strstr(body, "\"skipped\":1") != NULL;
        char *line = NULL;
        if (jl > 0 && c->speaking_json[jl - 1] == '}') {
            size_t need = jl + 64;
            line = malloc(need);
            if (line && snprintf(line, need, "event: line\ndata: %.*s,\"skipped\":%d}\n\n",
                                 (int)(jl - 1), c->speaking_json, skipped) >= (int)need) {
                free(line);
                line = NULL;
            }
        }
        if (line) {
            char **slot = &c->scroll[c->scroll_count % CAPTIONS_SCROLLBACK];
            free(*slot);
            *slot = line;
            c->scroll_count++;
        }
        free(c->speaking_json);
        c->speaking_json = NULL;
        c->speaking_lid = 0;
    } else if (kind == STAGE_PAUSE || kind == STAGE_VOLUME || kind == STAGE_QUEUE) {
        const char *d = strstr(body, "data: ");
        int v = 0;
        if (d && sscanf(d, "data: {\"%*[a-z]\":%d", &v) == 1) {
            if (kind == STAGE_PAUSE)
                c->paused = v;
            else if (kind == STAGE_VOLUME)
                c->volume = v;
            else
                c->queued = v;
        }
    }
}

/* Release every pending event that is due; 1 when any was. */
static int pump_locked(captions_t *c, uint64_t heard, int64_t now)
{
    LOCK_ASSERT(cap_held(c));
    int any = 0;
    while (c->pend_n > 0) {
        pend_t *p = &c->pend[c->pend_head];
        if (p->pos > heard && now - p->t_ns < STALE_NS)
            break;
        release_locked(c, p->kind, p->body);
        p->body = NULL;
        c->pend_head = (c->pend_head + 1) % CAPTIONS_PENDING;
        c->pend_n--;
        any = 1;
    }
    return any;
}

/* ---- the subscriber (publishing thread) ------------------------------------------ */

static const char *utt_kind_name(int k)
{
    return k == 1 ? "action" : k == 2 ? "notice" : "say";
}

/* The event's SSE body, or NULL when it is not for the page (or no memory). */
static char *encode(captions_t *c, const stage_event_t *ev)
{
    char *buf = malloc(EVENT_MAX);
    if (!buf)
        return NULL;
    int n = -1;
    switch (ev->kind) {
    case STAGE_START: {
        /* the page shows the line itself; words are placed in it */
        const char *text = ev->text ? ev->text : "", *line = ev->line ? ev->line : text;
        size_t tl = strlen(text), ll = strlen(line);
        c->cur_id = ev->id;
        c->cur_line_off = ll <= tl && strcmp(text + tl - ll, line) == 0 ? tl - ll : 0;
        util_strlcpy(c->cur_line, line, sizeof c->cur_line);
        char ch[2 * 64 * 6], nick[2 * 64 * 6], voice[48 * 6], jl[LINE_MAX_BYTES * 2];
        captions_json_str(ev->channel ? ev->channel : "", ch, sizeof ch);
        captions_json_str(ev->nick ? ev->nick : "", nick, sizeof nick);
        captions_json_str(ev->voice ? ev->voice : "", voice, sizeof voice);
        captions_json_str(c->cur_line, jl, sizeof jl);
        n = snprintf(buf, EVENT_MAX, "event: start\ndata: {\"id\":%llu,\"kind\":\"%s\",\"ch\":\"%s\","
                     "\"nick\":\"%s\",\"voice\":\"%s\",\"pan\":%d,\"color\":%d,\"text\":\"%s\"}\n\n",
                     (unsigned long long)ev->id, utt_kind_name(ev->utt_kind), ch, nick, voice,
                     ev->pan, ev->color, jl);
        break;
    }
    case STAGE_WORD: {
        if (ev->id != c->cur_id || ev->off + ev->len <= c->cur_line_off)
            break; /* another line's, or in "alice says:" */
        size_t end = ev->off + ev->len - c->cur_line_off;
        size_t ll = strlen(c->cur_line);
        n = snprintf(buf, EVENT_MAX, "event: word\ndata: {\"id\":%llu,\"upto\":%zu}\n\n",
                     (unsigned long long)ev->id,
                     captions_utf16_len(c->cur_line, end < ll ? end : ll));
        break;
    }
    case STAGE_END:
        n = snprintf(buf, EVENT_MAX, "event: end\ndata: {\"id\":%llu,\"skipped\":%d}\n\n",
                     (unsigned long long)ev->id, ev->value ? 1 : 0);
        break;
    case STAGE_QUEUE:
    case STAGE_CLEAR:
        n = snprintf(buf, EVENT_MAX, "event: %s\ndata: {\"n\":%d}\n\n", stage_kind_name(ev->kind),
                     ev->value);
        break;
    case STAGE_PAUSE:
        n = snprintf(buf, EVENT_MAX, "event: pause\ndata: {\"on\":%d}\n\n", ev->value ? 1 : 0);
        break;
    case STAGE_VOLUME:
        n = snprintf(buf, EVENT_MAX, "event: volume\ndata: {\"v\":%d}\n\n", ev->value);
        break;
    case STAGE_MUTE: {
        char nick[64 * 6];
        captions_json_str(ev->nick ? ev->nick : "", nick, sizeof nick);
        n = snprintf(buf, EVENT_MAX, "event: mute\ndata: {\"on\":%d,\"nick\":\"%s\"}\n\n",
                     ev->value ? 1 : 0, nick);
        break;
    }
    }
    if (n < 0 || n >= EVENT_MAX) {
        free(buf);
        return NULL;
    }
    char *fit = realloc(buf, (size_t)n + 1); /* what is kept is what it needs */
    return fit ? fit : buf;
}

/* stage_fn: on the publishing thread, under the stage's lock. */
static void on_stage(void *ctx, const stage_event_t *ev)
{
    captions_t *c = ctx;
    char *body = encode(c, ev);
    if (!body)
        return;
    int timed = ev->kind == STAGE_START || ev->kind == STAGE_WORD || ev->kind == STAGE_END;
    cap_lock(c);
    if (!timed) {
        release_locked(c, ev->kind, body);
        pthread_cond_broadcast(&c->more);
    } else {
        if (c->pend_n == CAPTIONS_PENDING) { /* full: the oldest goes out early */
            pend_t *p = &c->pend[c->pend_head];
            release_locked(c, p->kind, p->body);
            p->body = NULL;
            c->pend_head = (c->pend_head + 1) % CAPTIONS_PENDING;
            c->pend_n--;
            pthread_cond_broadcast(&c->more);
        }
        pend_t *p = &c->pend[(c->pend_head + c->pend_n) % CAPTIONS_PENDING];
        /* a start or a word is heard once the frame at pos was handed out
         * (the position passed it); an end once the position reached it */
        uint64_t due = ev->kind == STAGE_END ? ev->pos : ev->pos + 1;
        *p = (pend_t){ .pos = due, .t_ns = ev->t_ns, .kind = (int)ev->kind, .body = body };
        c->pend_n++;
    }
    cap_unlock(c);
}

/* ---- the pump thread --------------------------------------------------------------- */

static void deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_nsec += ms * 1000000L;
    ts->tv_sec += ts->tv_nsec / 1000000000L;
    ts->tv_nsec %= 1000000000L;
}

static void *pump_main(void *arg)
{
    captions_t *c = arg;
    util_thread_name("purg-captions");
    cap_lock(c);
    while (!c->stopping) {
        if (pump_locked(c, audio_position(c->audio), util_now_ns()))
            pthread_cond_broadcast(&c->more);
        struct timespec ts;
        deadline(&ts, PUMP_MS);
        cap_wait(c, &ts);
    }
    cap_unlock(c);
    return NULL;
}

/* ---- one page's event stream (its connection thread) -------------------------------- */

typedef struct client {
    captions_t *c;
    uint64_t next;           /* the next log id to send */
    uint64_t replay;         /* the next scrollback line (absolute), up to scroll_count */
    int hello;               /* the state event went out */
    char buf[CAPTIONS_CLIENT_BUF];
    size_t len, off;
} client_t;

/* Fill k->buf with what comes next; waits (unlocked while waiting) up to
 * KEEPALIVE_S. 0, or MHD_CONTENT_READER_END_* to end the stream. */
static ssize_t fill(client_t *k)
{
    captions_t *c = k->c;
    ssize_t rc = 0;
    k->len = k->off = 0;
    cap_lock(c);
    if (!k->hello) {
        k->hello = 1;
        int n = snprintf(k->buf, sizeof k->buf, "retry: 1000\nevent: state\ndata: {\"paused\":%d,"
                         "\"volume\":%d,\"queue\":%d}\n\n", c->paused, c->volume, c->queued);
        k->len = n > 0 && (size_t)n < sizeof k->buf ? (size_t)n : 0;
        goto out;
    }
    for (;;) {
        if (c->stopping) {
            rc = MHD_CONTENT_READER_END_OF_STREAM;
            break;
        }
        if (k->replay < c->scroll_count) {
            if (c->scroll_count - k->replay > CAPTIONS_SCROLLBACK)
                k->replay = c->scroll_count - CAPTIONS_SCROLLBACK;
            const char *s = c->scroll[k->replay % CAPTIONS_SCROLLBACK];
            k->replay++;
            if (s && util_strlcpy(k->buf, s, sizeof k->buf) == 0) {
                k->len = strlen(k->buf);
                break;
            }
            continue;
        }
        if (k->next <= c->newest) {
            if (c->newest - k->next >= CAPTIONS_LOG) {
                /* fell out of the ring: a stalled page is closed, never waited for */
                atomic_fetch_add(&c->dropped_clients, 1);
                rc = MHD_CONTENT_READER_END_WITH_ERROR;
                break;
            }
            const logent_t *e = &c->log[k->next % CAPTIONS_LOG];
            int n = snprintf(k->buf, sizeof k->buf, "id: %llu\n", (unsigned long long)k->next);
            k->next++;
            if (n > 0 && (size_t)n + e->len < sizeof k->buf) {
                memcpy(k->buf + n, e->body, e->len);
                k->len = (size_t)n + e->len;
                break;
            }
            continue;
        }
        struct timespec ts;
        deadline(&ts, KEEPALIVE_S * 1000L);
        if (cap_wait(c, &ts) == ETIMEDOUT) {
            k->len = util_strlcpy(k->buf, ": keep-alive\n\n", sizeof k->buf) == 0 ? strlen(k->buf) : 0;
            break;
        }
    }
out:
    cap_unlock(c);
    return rc;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    client_t *k = cls;
    while (k->off == k->len) {
        ssize_t rc = fill(k);
        if (rc != 0)
            return rc;
    }
    size_t n = k->len - k->off;
    if (n > max)
        n = max;
    memcpy(out, k->buf + k->off, n);
    k->off += n;
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    client_t *k = cls;
    atomic_fetch_sub(&k->c->clients, 1);
    free(k);
}

/* ---- HTTP ------------------------------------------------------------------------------- */

/* Nothing but this origin, no inline code, no framing. */
static const char csp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

static enum MHD_Result send_response(struct MHD_Connection *conn, unsigned status,
                                     struct MHD_Response *r, const char *type)
{
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, "Allow", "GET, HEAD");
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *conn, unsigned status, const char *msg)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(msg), (void *)msg,
                                                             MHD_RESPMEM_PERSISTENT);
    return send_response(conn, status, r, "text/plain; charset=utf-8");
}

static enum MHD_Result send_asset(struct MHD_Connection *conn, const unsigned char *data,
                                  size_t len, const char *type)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)data,
                                                             MHD_RESPMEM_PERSISTENT);
    return send_response(conn, MHD_HTTP_OK, r, type);
}

static enum MHD_Result send_events(captions_t *c, struct MHD_Connection *conn)
{
    if (atomic_fetch_add(&c->clients, 1) >= CAPTIONS_CLIENTS_MAX) {
        atomic_fetch_sub(&c->clients, 1);
        return send_text(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "too many caption pages open\n");
    }
    client_t *k = calloc(1, sizeof *k);
    if (!k) {
        atomic_fetch_sub(&c->clients, 1);
        return MHD_NO;
    }
    k->c = c;
    uint64_t id = 0;
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Last-Event-ID");
    int resume = h && captions_parse_event_id(h, &id) == 0;
    cap_lock(c);
    if (resume && id <= c->newest && c->newest - id < CAPTIONS_LOG) {
        k->next = id + 1;              /* a reconnect: pick up where it was */
        k->replay = c->scroll_count;
    } else {
        /* a new page: the finished lines, then the line being heard (with
         * its words so far), then live */
        k->replay = c->scroll_count > CAPTIONS_SCROLLBACK ? c->scroll_count - CAPTIONS_SCROLLBACK : 0;
        k->next = c->speaking_lid && c->newest - c->speaking_lid < CAPTIONS_LOG ? c->speaking_lid
                                                                                 : c->newest + 1;
    }
    cap_unlock(c);
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read,
                                                               k, sse_free);
    if (!r) {
        sse_free(k);
        return MHD_NO;
    }
    return send_response(conn, MHD_HTTP_OK, r, "text/event-stream; charset=utf-8");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    (void)version; (void)upload;
    captions_t *c = cls;
    if (*req_cls == NULL) { /* headers only so far */
        *req_cls = c;
        return MHD_YES;
    }
    if (*upload_size != 0) { /* read-only: nobody sends us anything */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return send_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "read-only: GET or HEAD\n");
    if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0)
        return send_asset(conn, captions_html, sizeof captions_html, "text/html; charset=utf-8");
    if (strcmp(url, "/captions.js") == 0)
        return send_asset(conn, captions_js, sizeof captions_js, "text/javascript; charset=utf-8");
    if (strcmp(url, "/captions.css") == 0)
        return send_asset(conn, captions_css, sizeof captions_css, "text/css; charset=utf-8");
    if (strcmp(url, "/events") == 0)
        return send_events(c, conn);
    if (strcmp(url, "/favicon.ico") == 0) /* browsers ask; nothing to show */
        return send_response(conn, MHD_HTTP_NO_CONTENT,
                             MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT),
                             "image/x-icon");
    return send_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls; (void)fmt; (void)ap; /* the server's own complaints are about clients: not ours to print */
}

/* ---- life cycle ------------------------------------------------------------------------------ */

static int is_loopback(const char *host)
{
    return strncmp(host, "127.", 4) == 0 || strcmp(host, "::1") == 0;
}

/* Our own listening socket, so that a refused bind says why. */
static int listen_on(const char *host, int port, char *err, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof *s4;
    } else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof *s6;
    } else {
        util_snprintf(err, errlen, "'%s' is not an IP address", host);
        return PURG_EINVAL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        util_snprintf(err, errlen, "cannot make a socket: %s", strerror(errno));
        return PURG_EIO;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 32) != 0) {
        int e = errno;
        close(fd);
        util_snprintf(err, errlen, "cannot serve captions on %s port %d: %s%s", host, port,
                      strerror(e), e == EADDRINUSE ? " (choose another port)" : "");
        return PURG_EIO;
    }
    return fd;
}

int captions_start(captions_t **out, const char *spec, stage_t *st, audio_t *a,
                   const char *cmd, char *err, size_t errlen)
{
    char host[64];
    int port, rc;
    if ((rc = captions_parse_addr(spec, host, sizeof host, &port, err, errlen)) != 0)
        return rc;
    captions_t *c = calloc(1, sizeof *c);
    if (!c) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    c->audio = a;
    c->volume = audio_volume(a);
    c->fd = -1;
    atomic_init(&c->clients, 0);
    atomic_init(&c->dropped_clients, 0);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_mutex_init(&c->lock, NULL) != 0 || pthread_cond_init(&c->more, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        free(c);
        util_snprintf(err, errlen, "cannot create a mutex");
        return PURG_ENOMEM;
    }
    pthread_condattr_destroy(&ca);
    c->lock_up = 1;
    if ((rc = stage_subscribe(st, on_stage, c)) != 0) {
        util_snprintf(err, errlen, "too many stage subscribers");
        goto fail;
    }
    if ((rc = c->fd = listen_on(host, port, err, errlen)) < 0)
        goto fail;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0)
        c->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                                : ((struct sockaddr_in6 *)&ss)->sin6_port);
    if (pthread_create(&c->pump, NULL, pump_main, c) != 0) {
        util_snprintf(err, errlen, "cannot start the captions thread");
        rc = PURG_EIO;
        goto fail;
    }
    c->pump_running = 1;
    c->mhd = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                              (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
                              0, NULL, NULL, on_request, c,
                              MHD_OPTION_LISTEN_SOCKET, (MHD_socket)c->fd,
                              MHD_OPTION_CONNECTION_LIMIT, (unsigned)(CAPTIONS_CLIENTS_MAX + 16),
                              MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(2 * KEEPALIVE_S),
                              MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
                              MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
                              MHD_OPTION_EXTERNAL_LOGGER, mhd_log, (void *)NULL,
                              MHD_OPTION_END);
    if (!c->mhd) {
        util_snprintf(err, errlen, "cannot start the captions server on %s port %d", host, port);
        rc = PURG_EIO;
        goto fail;
    }
    c->fd = -1; /* the daemon's now */
    char hv[UTIL_VIS_MAX];
    util_visible(hv, sizeof hv, host);
    int v6 = strchr(host, ':') != NULL;
    fprintf(stderr, "purgatory %s: captions at http://%s%s%s:%d/\n", cmd, v6 ? "[" : "", hv,
            v6 ? "]" : "", c->port);
    if (!is_loopback(host))
        fprintf(stderr, "purgatory %s: warning: captions on %s are visible to the network: anyone "
                "who can reach port %d can read the channel\n", cmd, hv, c->port);
    *out = c;
    return 0;
fail:
    captions_stop(c);
    return rc;
}

int captions_port(const captions_t *c)
{
    return c->port;
}

void captions_stats(captions_t *c, captions_stats_t *st)
{
    st->clients = atomic_load(&c->clients);
    st->dropped_clients = atomic_load(&c->dropped_clients);
    cap_lock(c);
    st->released = c->released;
    cap_unlock(c);
}

void captions_stop(captions_t *c)
{
    if (!c)
        return;
    if (c->lock_up) {
        cap_lock(c);
        c->stopping = 1;
        pthread_cond_broadcast(&c->more);
        cap_unlock(c);
    }
    if (c->mhd)
        MHD_stop_daemon(c->mhd); /* joins the connection threads: their reads see stopping */
    if (c->fd >= 0)
        close(c->fd);
    if (c->pump_running)
        pthread_join(c->pump, NULL);
    for (size_t i = 0; i < CAPTIONS_PENDING; i++)
        free(c->pend[i].body);
    for (size_t i = 0; i < CAPTIONS_LOG; i++)
        free(c->log[i].body);
    for (size_t i = 0; i < CAPTIONS_SCROLLBACK; i++)
        free(c->scroll[i]);
    free(c->speaking_json);
    if (c->lock_up) {
        pthread_cond_destroy(&c->more);
        pthread_mutex_destroy(&c->lock);
    }
    free(c);
}
