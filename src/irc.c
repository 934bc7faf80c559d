/* irc.c - libircclient sessions in one select() loop; net thread only.
 *
 * DESIGN: every connection owns one irc_session_t, recreated on each
 * (re)connect so no state leaks across links. The loop adds every live
 * session's sockets plus a wake pipe to one select() call, so the listener
 * and all personas share the thread and never block each other.
 *  - Outgoing lines wait in a bounded per-connection queue and leave through
 *    a token bucket (send_rate lines/s, burst 3): libircclient's ~1 KB send
 *    buffer is never the queue, so a line is never lost to LIBIRC_ERR_NOMEM.
 *  - A connection that registered once and then drops is reconnected with
 *    capped exponential backoff (1 s doubling to 60 s, +-25% jitter) and
 *    rejoins its channels; one that never registered fails the run, so a
 *    wrong --server gets a clear error instead of silent retries.
 *  - A link silent for 90 s gets a PING; silent 60 s more (or a connect that
 *    does not register within 150 s), it is treated as dead and reconnected.
 *    PURG_IRC_TIMING overrides these timers (tests).
 *  - Lines for a channel leave only once the link has (re)joined it, and a
 *    sent line stays queued until the server confirms it (see flush_out), so
 *    a reconnect loses no line a persona meant to say.
 *  - CTCP requests other than ACTION get no answer, INVITEs are reported to
 *    the owner and never acted on here, and only configured channels are joined. */
#include "irc.h"
#include "nick.h"
#include "ircbridge.h"
#include "purg.h"
#include "roster.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <libircclient.h>
#include <libirc_rfcnumeric.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <poll.h>
#include <sys/select.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#define NICK_MAX 64
#define CHAN_MAX 64
#define LINE_MAX_OUT 400     /* text bytes per PRIVMSG, leaves room for the prefix */
#define BURST 3.0
#define ACK_EVERY_MS 5000     /* one delivery-confirming PING for all lines of 5 s: a line
                                 must not cost two commands of the server's flood budget */
#define PROBE_MS 1000         /* bot-mode questions (WHO / WHOIS) at most one a second */
#define PROBE_QUEUE 64        /* nicks waiting to be asked about; more are asked lazily */
#define REASON_MAX 200        /* bytes of a server's reason kept for messages */

/* Timers; the defaults suit real networks, PURG_IRC_TIMING shortens them for tests. */
typedef struct irc_timing {
    int backoff_min_ms;  /* first reconnect delay; doubles per failure */
    int backoff_max_ms;  /* cap of the reconnect delay (and of nick and join retries) */
    int ping_idle_ms;    /* silence before we PING */
    int ping_dead_ms;    /* no answer this long after a PING (or no registration): dead */
    int reclaim_ms;      /* how often to try to get the wanted nick back */
    int connect_ms;      /* connect + TLS + registration must finish within this */
    int nick_ms;         /* second delay between nick alternatives; doubles */
    int stable_ms;       /* a link up this long resets the reconnect backoff */
    int rejoin_ms;       /* first rejoin delay after a kick or a refused JOIN; doubles */
    int kick_reset_ms;   /* kicks further apart than this are not "in a row" */
    int pace_ms;         /* every line to the server, once the burst is spent (ircbridge.h) */
} irc_timing_t;

static const irc_timing_t timing_default = { 1000, 60000, 90000, 60000, 30000, 30000,
                                             5000, 60000, 1000, 600000, IRCBRIDGE_PACE_MS };

typedef enum conn_state { CONN_DOWN, CONN_CONNECTING, CONN_READY } conn_state_t;

typedef struct outline {
    int chan;                      /* index into ch */
    uint64_t seq;                  /* set when handed to libircclient */
    char text[LINE_MAX_OUT + 1];
} outline_t;

/* One configured channel of a connection. */
typedef struct chan_state {
    char name[CHAN_MAX];
    int joined;                    /* we are in it on this link */
    int kicks;                     /* kicks in a row */
    int64_t last_kick;
    int64_t rejoin_at;             /* a JOIN is due then; 0: none */
    int join_delay_ms;             /* next delay after a refused JOIN; 0: none refused */
    int off;                       /* kicked max_kicks times in a row: out until restart */
} chan_state_t;

struct irc_conn {
    irc_net_t *net;
    irc_conn_t *next;
    irc_session_t *session;
    const char *mask;              /* origin of the event being emitted, or NULL */
    int history;                   /* the event being emitted is replayed history */
    irc_handler_fn fn;
    void *owner;
    irc_check_fn check;            /* the owner's last word on a line about to leave */
    void *check_ctx;
    /* configuration (owned copies) */
    char *server;
    unsigned short port;
    char *password;
    char *nickserv_pass;
    ircbridge_conf_t bconf;        /* TLS and SASL settings (owned strings) */
    ircbridge_t *bridge;           /* this link's bridge, NULL while down */
    int fail_hint;                 /* fail_msg is about reaching the server at all */
    int bot_mode;                  /* IRC_BOT_MODE_* */
    int max_kicks;
    int retry_banned;
    char wanted[NICK_MAX];
    char nick[NICK_MAX];           /* current nick (or the one being tried) */
    chan_state_t *ch;
    size_t nchannels;
    int hold;                      /* the owner asked us not to send for now */
    int fd;                        /* the session's socket, -1 unknown */
    double rate;
    /* state */
    conn_state_t state;
    int ever_ready;
    int failed;                    /* never registered and the link broke, or gave up */
    char fail_msg[512];
    int64_t next_attempt;          /* CONN_DOWN: when to reconnect */
    int backoff_ms;
    int64_t ready_t;               /* when this link registered */
    int stable;                    /* it stayed up stable_ms: the backoff was reset */
    int64_t last_rx, ping_sent;
    int64_t last_reclaim;
    int reclaim_off;               /* the server refused the wanted nick (432) */
    int64_t t_start;               /* when the current connect began */
    /* nick trouble during registration */
    int nick_tries;                /* alternatives tried on this link */
    int64_t nick_next;             /* when to send NICK for c->nick; 0: nothing pending */
    char nick_why[REASON_MAX];     /* the server's text of the last 433 */
    /* what the server said (reasons for the next message) and told us */
    char said[REASON_MAX];         /* last ERROR or refusal, made visible */
    int banned;                    /* 465 on this link */
    char bot_letter;               /* ISUPPORT BOT=, 0 unknown */
    int ngircd;                    /* 004: ngircd, whose +B is not advertised */
    int bot_set;                   /* MODE +B sent on this link */
    char prefixes[16];             /* member prefixes of NAMES (ISUPPORT PREFIX) */
    int nicklen;                   /* ISUPPORT NICKLEN (kept across links), 0 unknown */
    int chantypes_said;            /* the CHANTYPES warning was given */
    roster_t *bots;                /* nicks the server flags as bots */
    roster_t *probed;              /* nicks asked about on this link */
    roster_t *forced;              /* channels the server put us in unasked (reported) */
    char probe_q[PROBE_QUEUE][NICK_MAX];
    size_t probe_head, probe_len;
    int64_t probe_t;               /* when the last question went out */
    /* outgoing queue: ring of cap entries. The first out_sent of them went to
     * the server but are not yet confirmed (see flush_out); they stay queued
     * and are sent again if the link drops first. */
    outline_t *out;
    size_t out_cap, out_head, out_len, out_sent;
    uint64_t seq;                  /* lines handed to libircclient, ever */
    uint64_t ack_wait;             /* seq named by the PING in flight, 0: none */
    int64_t ack_t;                 /* when that PING went out */
    double tokens;
    int64_t tokens_t;
};

struct irc_net {
    irc_conn_t *conns;
    irc_timing_t timing;
    irc_log_fn log;
    void *log_ctx;
    int wake[2];
    int64_t t_batch;               /* when the current select() returned */
    unsigned rng;                  /* jitter state */
};

static int64_t ms_to_ns(int64_t ms) { return ms * 1000000; }
static int min_timeout(int a, int b) { return a < 0 ? b : b < 0 ? a : a < b ? a : b; }
static void conn_down(irc_conn_t *c, const char *why);

/* ---- helpers ---------------------------------------------------------- */

static int is_channel(const char *s)
{
    return s && (s[0] == '#' || s[0] == '&' || s[0] == '+' || s[0] == '!');
}

int irc_nick_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 30 || (s[0] >= '0' && s[0] <= '9') || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr("[]\\`_^{|}-", ch)))
            return 0;
    }
    return 1;
}

int irc_channel_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2 || n >= CHAN_MAX || !is_channel(s))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= ' ' || ch == ',' || ch == ':' || ch == 0x7f)
            return 0;
    }
    return 1;
}

static int chan_index(const irc_conn_t *c, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < c->nchannels; i++)
        if (nick_eq(c->ch[i].name, name))
            return (int)i;
    return -1;
}

static int is_me(const irc_conn_t *c, const char *nick)
{
    return nick && nick_eq(nick, c->nick);
}

static void emit(irc_conn_t *c, irc_event_kind_t kind, const char *chan, const char *nick,
                 const char *text)
{
    irc_event_t ev = { .kind = kind, .channel = chan, .nick = nick ? nick : "",
                       .text = text ? text : "", .t_recv = c->net->t_batch,
                       .mask = c->mask ? c->mask : (nick ? nick : ""),
                       .bot = nick && roster_get_s(c->bots, nick) != 0,
                       .history = c->history };
    c->fn(c->owner, c, &ev);
}

/* libircclient hands us the full "nick!user@host" origin (we do not set
 * LIBIRC_OPTION_STRIPNICKS, so ignore lists can match hostmasks): keep it as
 * the event's mask and return the bare nick, copied into buf. Every callback
 * that emits sets c->mask first (here, or to NULL), so emit() never sees a
 * mask left over from an earlier line. */
static const char *split_origin(irc_conn_t *c, const char *origin, char *buf, size_t n)
{
    c->mask = origin;
    if (!origin)
        return NULL;
    size_t len = strcspn(origin, "!@");
    if (len == 0)
        return NULL;    /* ":@host" or ":!x": nobody to name, so no event */
    if (len >= n)
        len = n - 1;
    memcpy(buf, origin, len);
    buf[len] = '\0';
    return buf;
}

static irc_conn_t *conn_of(irc_session_t *s) { return irc_get_ctx(s); }

/* Network text for a message: control characters made visible. */
#define VIS(buf, s) util_visible((buf), sizeof (buf), (s) ? (s) : "")

static void netlog(irc_net_t *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void netlog(irc_net_t *n, const char *fmt, ...)
{
    if (!n->log)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap); /* a cut log line is still useful */
    va_end(ap);
    n->log(n->log_ctx, buf);
}

/* Keeps what the server said (its last parameter), made visible, for the
 * message about what happens next. Added to what it said before on this
 * link: the ERROR that follows a 465 must not hide the ban's reason. */
static void keep_said(irc_conn_t *c, const char *prefix, const char *text)
{
    char v[REASON_MAX], was[sizeof c->said];
    VIS(v, text);
    util_strlcpy(was, c->said, sizeof was);
    util_snprintf(c->said, sizeof c->said, "%s%s%s%s", was, was[0] ? "; " : "", prefix,
                  v); /* cut is fine */
}

static void touch(irc_conn_t *c)
{
    c->last_rx = util_now_ns();
    c->ping_sent = 0;
}

/* The common start of a callback with an origin: the connection, the bare
 * nick in buf (NICK_MAX bytes) through *origin, and a sign of life. */
static irc_conn_t *heard(irc_session_t *s, const char **origin, char *buf)
{
    irc_conn_t *c = conn_of(s);
    *origin = split_origin(c, *origin, buf, NICK_MAX);
    touch(c);
    return c;
}

/* Doubling delay: base * 2^(k-1) for k >= 1, capped at backoff_max. */
static int doubling(const irc_conn_t *c, int base_ms, int k)
{
    int64_t d = base_ms;
    for (int i = 1; i < k && d < c->net->timing.backoff_max_ms; i++)
        d *= 2;
    return d > c->net->timing.backoff_max_ms ? c->net->timing.backoff_max_ms : (int)d;
}

/* ---- who is a bot ----------------------------------------------------------
 * Servers with IRCv3 bot mode advertise BOT=<letter> and show the letter in
 * WHO flags; ngircd supports +B without advertising it and shows it only in
 * WHOIS (335). Questions go out paced (PROBE_MS) from a bounded queue: on
 * joining a channel (WHO #chan where flags tell, else each member while the
 * queue has room), for everyone who joins later, and for anyone who speaks
 * unasked. */

static int can_probe(const irc_conn_t *c)
{
    return c->bot_letter || c->ngircd;
}

/* Queues a question about what (a nick, or a channel for WHO); urgent ones
 * (someone who just joined or spoke) go first, a NAMES reply's members last. */
static void probe_q(irc_conn_t *c, const char *what, int urgent)
{
    if (!can_probe(c) || c->probe_len == PROBE_QUEUE || !what || !*what || is_me(c, what))
        return;
    if (is_channel(what)) {
        if (!c->bot_letter)
            return; /* ngircd's WHO shows no bot flag */
    } else {
        if (roster_get_s(c->probed, what) || roster_add(c->probed, what, 1) != 0)
            return;
    }
    if (urgent) {
        c->probe_head = (c->probe_head + PROBE_QUEUE - 1) % PROBE_QUEUE;
        util_strlcpy(c->probe_q[c->probe_head], what, NICK_MAX);
    } else {
        util_strlcpy(c->probe_q[(c->probe_head + c->probe_len) % PROBE_QUEUE], what, NICK_MAX);
    }
    c->probe_len++;
}

static void probe(irc_conn_t *c, const char *what) { probe_q(c, what, 1); }

/* Sends the next question when due; ms until the next one, or -1. */
static int probe_tick(irc_conn_t *c, int64_t now)
{
    if (c->state != CONN_READY || c->probe_len == 0)
        return -1;
    if (ircbridge_credit(c->bridge) < 2)
        return PROBE_MS; /* questions give way to what the owner says */
    int64_t due = c->probe_t + ms_to_ns(PROBE_MS);
    if (now < due)
        return (int)((due - now) / 1000000) + 1;
    const char *what = c->probe_q[c->probe_head];
    if (c->bot_letter || is_channel(what))
        irc_send_raw(c->session, "WHO %s", what);
    else
        irc_send_raw(c->session, "WHOIS %s", what);
    c->probe_head = (c->probe_head + 1) % PROBE_QUEUE;
    c->probe_len--;
    c->probe_t = now;
    return c->probe_len ? PROBE_MS : -1;
}

static void mark_bot(irc_conn_t *c, const char *nick)
{
    if (!nick || !*nick || roster_get_s(c->bots, nick))
        return;
    if (roster_add(c->bots, nick, 1) == 0) {
        c->mask = NULL;
        emit(c, IRC_EV_BOT, NULL, nick, NULL);
    }
}

/* Our own bot mode, once per link: when BOT= names the letter, or at the end
 * of the MOTD (final) on ngircd or when asked to set it anyway. */
static void bot_mode_set(irc_conn_t *c, int final)
{
    if (c->bot_set || c->bot_mode == IRC_BOT_MODE_OFF || c->state != CONN_READY)
        return;
    char letter = c->bot_letter;
    if (!letter && final && (c->ngircd || c->bot_mode == IRC_BOT_MODE_ON))
        letter = 'B';
    if (!letter)
        return;
    irc_send_raw(c->session, "MODE %s +%c", c->nick, letter);
    c->bot_set = 1;
}

/* ISUPPORT (005): BOT=, PREFIX=(modes)prefixes, NICKLEN, CHANTYPES, CASEMAPPING. */
static void isupport(irc_conn_t *c, const char **p, unsigned n)
{
    for (unsigned i = 1; i + 1 < n; i++) {
        const char *t = p[i];
        if (!t)
            continue;
        if (strncmp(t, "BOT=", 4) == 0 && t[4] && t[4] != ' ') {
            c->bot_letter = t[4];
            bot_mode_set(c, 0);
        } else if (strncmp(t, "PREFIX=", 7) == 0) {
            const char *close = strchr(t, ')');
            if (t[7] == '(' && close)
                util_strlcpy(c->prefixes, close + 1, sizeof c->prefixes);
        } else if (strncmp(t, "CASEMAPPING=", 12) == 0 && t[12]) {
            nick_set_casemapping(t + 12); /* nicks compare as the server compares them */
        } else if (strncmp(t, "NICKLEN=", 8) == 0) {
            int v = atoi(t + 8);
            c->nicklen = v >= 1 && v <= 30 ? v : 0;
        } else if (strncmp(t, "CHANTYPES=", 10) == 0 && !c->chantypes_said) {
            /* a channel the server cannot have would be refused (403) forever */
            for (size_t k = 0; k < c->nchannels; k++)
                if (!strchr(t + 10, c->ch[k].name[0])) {
                    char vc[CHAN_MAX * 2], vt[64];
                    netlog(c->net, "%s: this server has no channels starting with '%c' "
                           "(CHANTYPES=%s)", VIS(vc, c->ch[k].name), c->ch[k].name[0],
                           VIS(vt, t + 10));
                    c->chantypes_said = 1;
                }
        }
    }
}

/* ---- libircclient callbacks ------------------------------------------- */

static void on_connect(irc_session_t *s, const char *ev, const char *origin,
                       const char **p, unsigned n)
{
    (void)ev; (void)origin;
    irc_conn_t *c = conn_of(s);
    c->mask = NULL; /* events below carry bare nicks */
    touch(c);
    if (n >= 1 && p[0])
        util_strlcpy(c->nick, p[0], sizeof c->nick);
    c->state = CONN_READY;
    c->ready_t = c->last_rx;
    c->nick_next = 0;
    if (c->ever_ready) {
        char v[NICK_MAX * 2];
        netlog(c->net, "reconnected to %s:%u as %s", c->server, c->port, VIS(v, c->nick));
    }
    c->ever_ready = 1;
    /* the backoff is not reset here: a link that drops soon after
     * registering (a K-line, a flood kill) must not reconnect every second */
    if (c->nickserv_pass) {
        /* before joining, so a channel that wants identified users lets us in
         * (a services reply may still come after the JOIN: then KICK -> rejoin) */
        if (nick_eq(c->nick, c->wanted))
            irc_send_raw(s, "PRIVMSG NickServ :IDENTIFY %s", c->nickserv_pass);
        else
            irc_send_raw(s, "PRIVMSG NickServ :IDENTIFY %s %s", c->wanted, c->nickserv_pass);
    }
    for (size_t i = 0; i < c->nchannels; i++)
        if (!c->ch[i].off)
            irc_cmd_join(s, c->ch[i].name, NULL);
    emit(c, IRC_EV_READY, NULL, c->nick, NULL);
}

/* A channel line or /me: the same shape, another kind. Only configured
 * channels are heard (a server may force us into others). */
static void channel_text(irc_session_t *s, irc_event_kind_t kind, const char *origin,
                         const char **p, unsigned n)
{
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (n >= 1 && is_channel(p[0]) && origin && chan_index(c, p[0]) >= 0) {
        probe(c, origin);
        emit(c, kind, p[0], origin, n >= 2 ? p[1] : "");
    }
}

static void on_channel(irc_session_t *s, const char *ev, const char *origin,
                       const char **p, unsigned n)
{
    (void)ev;
    channel_text(s, IRC_EV_SAY, origin, p, n);
}

static void on_action(irc_session_t *s, const char *ev, const char *origin,
                      const char **p, unsigned n)
{
    (void)ev;
    channel_text(s, IRC_EV_ACTION, origin, p, n);
}

/* The server put us in a channel we did not ask for: say so once, leave. */
static void forced_join(irc_conn_t *c, const char *chan)
{
    if (roster_get_s(c->forced, chan))
        return;
    roster_add(c->forced, chan, 1);
    char v1[NICK_MAX * 2], v2[CHAN_MAX * 2];
    netlog(c->net, "the server put %s in %s, which it was not asked to join; leaving it "
           "(only configured channels are heard)", VIS(v1, c->nick), VIS(v2, chan));
    irc_cmd_part(c->session, chan);
}

static void on_join(irc_session_t *s, const char *ev, const char *origin,
                    const char **p, unsigned n)
{
    (void)ev;
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (n < 1 || !origin || !p[0])
        return;
    int i = chan_index(c, p[0]);
    if (is_me(c, origin)) {
        if (i < 0) {
            forced_join(c, p[0]);
            return;
        }
        c->ch[i].joined = 1;
        c->ch[i].join_delay_ms = 0;
        c->ch[i].rejoin_at = 0;
        probe(c, p[0]);
        emit(c, IRC_EV_SELF_JOIN, p[0], origin, NULL);
    } else if (i >= 0) {
        probe(c, origin);
    }
    if (i >= 0)
        emit(c, IRC_EV_JOIN, p[0], origin, NULL);
}

static void on_part(irc_session_t *s, const char *ev, const char *origin,
                    const char **p, unsigned n)
{
    (void)ev;
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (n < 1 || !origin)
        return;
    int i = chan_index(c, p[0]);
    if (i < 0)
        return;
    if (is_me(c, origin))
        c->ch[i].joined = 0;
    emit(c, IRC_EV_PART, p[0], origin, NULL);
}

/* Lines still queued for channel i are dropped (we will not be back). */
static void drop_unsent(irc_conn_t *c, int i)
{
    size_t keep = c->out_sent;
    for (size_t k = c->out_sent; k < c->out_len; k++) {
        outline_t *o = &c->out[(c->out_head + k) % c->out_cap];
        if (o->chan != i)
            c->out[(c->out_head + keep++) % c->out_cap] = *o;
    }
    c->out_len = keep;
}

/* We were kicked from channel i: rejoin after a doubling delay, or stay out
 * once max_kicks kicks came in a row. */
static void kicked(irc_conn_t *c, int i, const char *by, const char *reason)
{
    chan_state_t *ch = &c->ch[i];
    int64_t now = util_now_ns();
    if (ch->kicks > 0 && now - ch->last_kick > ms_to_ns(c->net->timing.kick_reset_ms))
        ch->kicks = 0;
    ch->kicks++;
    ch->last_kick = now;
    ch->joined = 0;
    char vn[NICK_MAX * 2], vc[CHAN_MAX * 2], vb[NICK_MAX * 2], vr[REASON_MAX];
    VIS(vn, c->nick);
    VIS(vc, ch->name);
    VIS(vb, by ? by : "the server");
    VIS(vr, reason && *reason ? reason : "no reason given");
    if (ch->kicks >= c->max_kicks) {
        ch->off = 1;
        ch->rejoin_at = 0;
        drop_unsent(c, i);
        netlog(c->net, "%s was kicked from %s by %s (%s), %d times in a row; staying out of "
               "%s until restart", vn, vc, vb, vr, ch->kicks, vc);
        return;
    }
    int delay = doubling(c, c->net->timing.rejoin_ms, ch->kicks);
    ch->rejoin_at = now + ms_to_ns(delay);
    netlog(c->net, "%s was kicked from %s by %s (%s); rejoining in %.1f s", vn, vc, vb, vr,
           delay / 1000.0);
}

static void on_kick(irc_session_t *s, const char *ev, const char *origin,
                    const char **p, unsigned n)
{
    (void)ev;
    char bybuf[NICK_MAX];
    irc_conn_t *c = conn_of(s);
    const char *by = split_origin(c, origin, bybuf, sizeof bybuf);
    c->mask = NULL; /* events below carry bare nicks */
    touch(c);
    if (n < 2 || !p[1] || !p[1][0])
        return;
    int i = chan_index(c, p[0]);
    if (i < 0)
        return;
    char kicked_nick[NICK_MAX]; /* cut like an origin's nick, so the roster entry matches */
    size_t len = strnlen(p[1], sizeof kicked_nick - 1);
    memcpy(kicked_nick, p[1], len);
    kicked_nick[len] = '\0';
    emit(c, IRC_EV_PART, p[0], kicked_nick, NULL);
    if (is_me(c, p[1]))
        kicked(c, i, by, n >= 3 ? p[2] : NULL);
}

static void on_quit(irc_session_t *s, const char *ev, const char *origin,
                    const char **p, unsigned n)
{
    (void)ev; (void)p; (void)n;
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (origin)
        emit(c, IRC_EV_QUIT, NULL, origin, NULL);
}

static void on_nick(irc_session_t *s, const char *ev, const char *origin,
                    const char **p, unsigned n)
{
    (void)ev;
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (n < 1 || !origin || !p[0])
        return;
    if (is_me(c, origin))
        util_strlcpy(c->nick, p[0], sizeof c->nick);
    if (roster_get_s(c->bots, origin))
        roster_rename(c->bots, origin, p[0]);
    emit(c, IRC_EV_NICK, NULL, origin, p[0]);
}

static void on_invite(irc_session_t *s, const char *ev, const char *origin,
                      const char **p, unsigned n)
{
    (void)ev;
    char nickbuf[NICK_MAX];
    irc_conn_t *c = heard(s, &origin, nickbuf);
    if (n >= 2 && origin)
        emit(c, IRC_EV_INVITE, p[1], origin, NULL);
}

/* The server confirmed every line up to seq: it has processed (relayed) them. */
static void ack(irc_conn_t *c, uint64_t seq)
{
    while (c->out_sent > 0 && c->out[c->out_head].seq <= seq) {
        c->out_head = (c->out_head + 1) % c->out_cap;
        c->out_len--;
        c->out_sent--;
    }
    if (c->ack_wait && c->ack_wait <= seq)
        c->ack_wait = 0;
}

/* Commands libircclient does not dispatch: PONG carries our delivery acks,
 * ERROR the server's reason for closing the link. */
static void on_unknown(irc_session_t *s, const char *ev, const char *origin,
                       const char **p, unsigned n)
{
    (void)origin;
    irc_conn_t *c = conn_of(s);
    touch(c);
    if (strcmp(ev, "PONG") == 0 && n >= 1 && p[n - 1] &&
        strncmp(p[n - 1], "purg-ack-", 9) == 0) {
        char *end;
        unsigned long long v = strtoull(p[n - 1] + 9, &end, 10);
        if (*end == '\0' && v <= c->seq)
            ack(c, (uint64_t)v);
    } else if (strcmp(ev, "ERROR") == 0 && n >= 1 && p[n - 1]) {
        keep_said(c, "ERROR ", p[n - 1]);
    } else if (strcmp(ev, "HISTORY") == 0 && n >= 2 && p[1]) {
        /* a PRIVMSG the server replayed (the bridge renamed it, ircbridge.c) */
        char nickbuf[NICK_MAX];
        const char *nick = split_origin(c, origin, nickbuf, sizeof nickbuf);
        const char *text = p[1];
        irc_event_kind_t kind = IRC_EV_SAY;
        char action[512];
        if (text[0] == '\001') {
            if (strncmp(text + 1, "ACTION ", 7) != 0)
                return; /* other CTCP: never heard */
            util_strlcpy(action, text + 8, sizeof action);
            action[strcspn(action, "\001")] = '\0';
            text = action;
            kind = IRC_EV_ACTION;
        }
        if (nick && is_channel(p[0]) && chan_index(c, p[0]) >= 0) {
            c->history = 1;
            emit(c, kind, p[0], nick, text);
            c->history = 0;
        }
    }
}

/* Everything else (notices, modes, topics, CTCP requests): heard, not acted on. */
static void on_other(irc_session_t *s, const char *ev, const char *origin,
                     const char **p, unsigned n)
{
    (void)ev; (void)origin; (void)p; (void)n;
    touch(conn_of(s));
}

/* "nick1 @nick2 +nick3" from RPL_NAMREPLY: one IRC_EV_NAMES each. The prefixes are
 * the server's (ISUPPORT PREFIX), several per nick with multi-prefix. */
static void names_reply(irc_conn_t *c, const char *chan, const char *list)
{
    if (chan_index(c, chan) < 0)
        return;
    char nick[NICK_MAX];
    const char *q = list;
    while (*q) {
        while (*q == ' ')
            q++;
        while (*q && strchr(c->prefixes, *q))
            q++;
        size_t len = strcspn(q, " !");   /* userhost-in-names: nick!user@host */
        if (len > 0 && len < sizeof nick) {
            memcpy(nick, q, len);
            nick[len] = '\0';
            if (!is_me(c, nick) && !c->bot_letter)
                probe_q(c, nick, 0); /* ngircd: one WHOIS each, while the queue has room */
            emit(c, IRC_EV_NAMES, chan, nick, NULL);
        }
        q += strcspn(q, " ");
    }
}

/* 433/436/437: the nick is taken. Try the next alternative: wanted + "_",
 * "__", "___", then wanted + 1, 2, ... (cut to fit), the first at once and
 * each later one after a delay that doubles from nick_ms up to backoff_max,
 * so a server that refuses every nick gets a handful of NICKs a minute. */
static void nick_taken(irc_conn_t *c, const char *tried, const char *why)
{
    char vt[NICK_MAX * 2], vw[REASON_MAX], vn[NICK_MAX * 2];
    VIS(vt, tried && *tried ? tried : c->nick);
    util_strlcpy(c->nick_why, why && *why ? VIS(vw, why) : "nick in use", sizeof c->nick_why);
    c->nick_tries++;
    char suffix[16];
    if (c->nick_tries <= 3) {
        memset(suffix, '_', (size_t)c->nick_tries);
        suffix[c->nick_tries] = '\0';
    } else {
        util_snprintf(suffix, sizeof suffix, "%d", c->nick_tries - 3);
    }
    /* within the server's NICKLEN when an earlier link told it, else 30
     * (RFC 2812 allows 9; networks 15-32) */
    size_t keep = strlen(c->wanted), sl = strlen(suffix), max = c->nicklen ? (size_t)c->nicklen : 30;
    if (keep + sl > max)
        keep = max > sl ? max - sl : 1;
    util_snprintf(c->nick, sizeof c->nick, "%.*s%s", (int)keep, c->wanted, suffix);
    int delay = c->nick_tries == 1 ? 0 : doubling(c, c->net->timing.nick_ms, c->nick_tries - 1);
    int64_t now = util_now_ns();
    c->nick_next = now + ms_to_ns(delay);
    c->t_start = now; /* the server answers: registration is under way, not stuck */
    char when[32];
    if (delay)
        util_snprintf(when, sizeof when, "in %.1f s", delay / 1000.0);
    else
        util_strlcpy(when, "now", sizeof when);
    netlog(c->net, "nick %s is in use on %s (the server said: %s); trying %s %s",
           vt, c->server, c->nick_why, VIS(vn, c->nick), when);
}

/* A JOIN was refused (full, invite only, banned, bad key, registered users
 * only, ...): say why, try again after a doubling delay. */
static void join_refused(irc_conn_t *c, unsigned code, const char *chan, const char *why)
{
    int i = chan_index(c, chan);
    if (i < 0)
        return;
    chan_state_t *ch = &c->ch[i];
    ch->join_delay_ms = ch->join_delay_ms ? doubling(c, ch->join_delay_ms, 2)
                                          : doubling(c, c->net->timing.rejoin_ms, 2);
    ch->rejoin_at = util_now_ns() + ms_to_ns(ch->join_delay_ms);
    char vn[NICK_MAX * 2], vc[CHAN_MAX * 2], vw[REASON_MAX];
    netlog(c->net, "%s cannot join %s: %s (%03u); trying again in %.1f s", VIS(vn, c->nick),
           VIS(vc, chan), VIS(vw, why && *why ? why : "refused"), code,
           ch->join_delay_ms / 1000.0);
}

static int is_join_refusal(unsigned ev)
{
    return ev == 403 || ev == 405 || ev == 471 || ev == 473 || ev == 474 || ev == 475 ||
           ev == 477 || ev == 489;
}

static void on_numeric(irc_session_t *s, unsigned ev, const char *origin,
                       const char **p, unsigned n)
{
    (void)origin;
    irc_conn_t *c = conn_of(s);
    c->mask = NULL; /* events below carry bare nicks */
    touch(c);
    const char *last = n >= 1 && p[n - 1] ? p[n - 1] : "";
    if ((ev == LIBIRC_RFC_ERR_NICKNAMEINUSE || ev == LIBIRC_RFC_ERR_NICKCOLLISION ||
         ev == 437) && !(ev == 437 && n >= 2 && is_channel(p[1]))) {
        if (c->state == CONN_READY)
            return; /* a reclaim attempt failed: keep the fallback */
        nick_taken(c, n >= 2 ? p[1] : NULL, last);
    } else if (ev == LIBIRC_RFC_ERR_ERRONEUSNICKNAME) {
        char vt[NICK_MAX * 2], vw[REASON_MAX];
        VIS(vt, n >= 2 ? p[1] : c->nick);
        VIS(vw, last);
        if (c->state == CONN_READY) {
            if (!c->reclaim_off)
                netlog(c->net, "the server refuses the nick %s (%s); staying %s", vt, vw,
                       c->nick);
            c->reclaim_off = 1;
            return;
        }
        util_snprintf(c->fail_msg, sizeof c->fail_msg,
                      "the server refuses the nick %s (432: %s); choose another nick", vt, vw);
        c->fail_hint = 0;
        c->failed = 1;  /* conn_process closes the link once libircclient has returned */
    } else if (ev == 437 || is_join_refusal(ev)) {
        if (n >= 2)
            join_refused(c, ev, p[1], last);
    } else if (ev == 465) {
        c->banned = 1;
        keep_said(c, "banned (465): ", last);
    } else if (ev == 464) {
        keep_said(c, "the server refused the password (464): ", last);
    } else if (ev == LIBIRC_RFC_RPL_MYINFO && n >= 3 && p[2]) {
        char low[64];
        size_t k = 0;
        for (; p[2][k] && k + 1 < sizeof low; k++)
            low[k] = nick_fold_char(p[2][k]);
        low[k] = '\0';
        c->ngircd = strstr(low, "ngircd") != NULL;
    } else if (ev == 5) {
        isupport(c, p, n);
    } else if (ev == LIBIRC_RFC_RPL_ENDOFMOTD || ev == LIBIRC_RFC_ERR_NOMOTD) {
        bot_mode_set(c, 1);
    } else if (ev == LIBIRC_RFC_RPL_WHOREPLY && n >= 7 && c->bot_letter && p[5] && p[6]) {
        if (strchr(p[6], c->bot_letter))
            mark_bot(c, p[5]);
    } else if (ev == 335 && n >= 2) {
        mark_bot(c, p[1]);
    } else if (ev == LIBIRC_RFC_RPL_NAMREPLY && n >= 3) {
        names_reply(c, p[n - 2], p[n - 1] ? p[n - 1] : "");
    }
}

static const irc_callbacks_t callbacks = {
    .event_connect = on_connect,
    .event_nick = on_nick,
    .event_quit = on_quit,
    .event_join = on_join,
    .event_part = on_part,
    .event_mode = on_other,
    .event_umode = on_other,
    .event_topic = on_other,
    .event_kick = on_kick,
    .event_channel = on_channel,
    .event_privmsg = on_other,
    .event_notice = on_other,
    .event_channel_notice = on_other,
    .event_invite = on_invite,
    .event_ctcp_req = on_other,   /* set: libircclient would otherwise answer VERSION etc. */
    .event_ctcp_rep = on_other,
    .event_ctcp_action = on_action,
    .event_unknown = on_unknown,
    .event_numeric = on_numeric,
};

/* ---- connections ------------------------------------------------------ */

static int conn_start(irc_conn_t *c)
{
    irc_callbacks_t cb = callbacks;
    if (c->session)
        irc_destroy_session(c->session);
    c->session = irc_create_session(&cb);
    if (!c->session)
        return PURG_ENOMEM;
    irc_set_ctx(c->session, c);
    util_strlcpy(c->nick, c->wanted, sizeof c->nick);
    c->state = CONN_CONNECTING;
    touch(c);
    c->t_start = c->last_rx;
    ircbridge_free(c->bridge);
    c->bridge = NULL;
    c->fd = -1;
    /* what a server told us holds for one link */
    c->nick_tries = 0;
    c->nick_next = 0;
    c->said[0] = '\0';
    c->banned = 0;
    c->bot_letter = 0;
    c->ngircd = 0;
    c->bot_set = 0;
    c->stable = 0;
    util_strlcpy(c->prefixes, "~&@%+!", sizeof c->prefixes);
    roster_clear(c->bots);
    roster_clear(c->probed);
    c->probe_len = 0;
    unsigned short lport;
    c->fail_hint = 1;
    if (ircbridge_open(&c->bridge, &c->bconf, &lport, c->fail_msg, sizeof c->fail_msg) != 0)
        return PURG_ENET;
    if (irc_connect(c->session, "127.0.0.1", lport, c->password, c->nick, "purgatory",
                    "purgatory IRC listener") != 0) {
        util_snprintf(c->fail_msg, sizeof c->fail_msg, "%s",
                      irc_strerror(irc_errno(c->session)));
        return PURG_ENET;
    }
    return 0;
}

/* why, with what the server said last (its ERROR or refusal) when it said
 * anything, into out. */
static void reason(const irc_conn_t *c, const char *why, char *out, size_t n)
{
    if (!why)
        why = "connection closed";
    if (c->said[0])
        util_snprintf(out, n, "%s; the server said: %s", why, c->said); /* cut is fine */
    else
        util_strlcpy(out, why, n);
}

/* The link is gone: schedule a reconnect, or fail if it never worked (or the
 * server banned us). */
static void conn_down(irc_conn_t *c, const char *why)
{
    if (c->session)
        irc_disconnect(c->session);
    ircbridge_free(c->bridge);
    c->bridge = NULL;
    c->out_sent = 0; /* unconfirmed lines go out again on the next link */
    for (size_t i = 0; i < c->nchannels; i++) {
        c->ch[i].joined = 0;
        c->ch[i].rejoin_at = 0;
    }
    c->ack_wait = 0;
    c->ping_sent = 0;
    if (c->failed) {               /* gave up already (e.g. 432): keep its message */
        c->state = CONN_DOWN;
        return;
    }
    char msg[sizeof c->fail_msg];
    reason(c, why, msg, sizeof msg);
    if (!c->ever_ready || (c->banned && !c->retry_banned)) {
        c->failed = 1;
        if (c->banned && c->ever_ready)
            util_snprintf(c->fail_msg, sizeof c->fail_msg, "%s; not reconnecting to a server "
                          "that bans us (--retry-banned keeps trying)", msg);
        else
            util_strlcpy(c->fail_msg, msg, sizeof c->fail_msg);
        if (c->nick_tries)
            c->fail_hint = 0;
        c->state = CONN_DOWN;
        return;
    }
    int64_t now = util_now_ns();
    irc_net_t *n = c->net;
    n->rng = n->rng * 1103515245u + 12345u;
    int jitter = (int)((n->rng >> 16) % 501) - 250;      /* -250..250 per mille */
    int delay = c->backoff_ms + (int)((long)c->backoff_ms * jitter / 1000);
    c->next_attempt = now + ms_to_ns(delay);
    c->backoff_ms = c->backoff_ms > n->timing.backoff_max_ms / 2 ? n->timing.backoff_max_ms
                                                                : c->backoff_ms * 2;
    if (c->state != CONN_DOWN) {
        char vn[NICK_MAX * 2];
        netlog(n, "%s lost the connection to %s:%u (%s); reconnecting in %.1f s",
               VIS(vn, c->nick), c->server, c->port, msg, delay / 1000.0);
    }
    c->state = CONN_DOWN;
}

/* PURG_IRC_TIMING="backoff_min=50,backoff_max=400,ping_idle=500,ping_dead=1000,reclaim=1000"
 * (milliseconds; any subset). For tests that restart servers many times. */
static int timing_parse(const char *spec, irc_timing_t *t)
{
    static const struct { const char *key; size_t off; } keys[] = {
        { "backoff_min", offsetof(irc_timing_t, backoff_min_ms) },
        { "backoff_max", offsetof(irc_timing_t, backoff_max_ms) },
        { "ping_idle", offsetof(irc_timing_t, ping_idle_ms) },
        { "ping_dead", offsetof(irc_timing_t, ping_dead_ms) },
        { "reclaim", offsetof(irc_timing_t, reclaim_ms) },
        { "connect", offsetof(irc_timing_t, connect_ms) },
        { "nick", offsetof(irc_timing_t, nick_ms) },
        { "stable", offsetof(irc_timing_t, stable_ms) },
        { "rejoin", offsetof(irc_timing_t, rejoin_ms) },
        { "kick_reset", offsetof(irc_timing_t, kick_reset_ms) },
        { "pace", offsetof(irc_timing_t, pace_ms) },
    };
    const char *p = spec;
    while (*p) {
        size_t klen = strcspn(p, "=,");
        if (p[klen] != '=')
            return PURG_EINVAL;
        char *end;
        long v = strtol(p + klen + 1, &end, 10);
        if (end == p + klen + 1 || (*end && *end != ',') || v < 10 || v > 3600000)
            return PURG_EINVAL;
        size_t i;
        for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
            if (strlen(keys[i].key) == klen && strncmp(keys[i].key, p, klen) == 0)
                break;
        if (i == sizeof keys / sizeof keys[0])
            return PURG_EINVAL;
        *(int *)((char *)t + keys[i].off) = (int)v;
        p = *end ? end + 1 : end;
    }
    if (t->backoff_max_ms < t->backoff_min_ms)
        t->backoff_max_ms = t->backoff_min_ms;
    return 0;
}

void irc_net_set_log(irc_net_t *n, irc_log_fn fn, void *ctx)
{
    n->log = fn;
    n->log_ctx = ctx;
}

int irc_net_create(irc_net_t **out)
{
    irc_net_t *n = calloc(1, sizeof *n);
    if (!n)
        return PURG_ENOMEM;
    if (pipe(n->wake) != 0) {
        free(n);
        return PURG_EIO;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(n->wake[i], F_SETFL, fcntl(n->wake[i], F_GETFL) | O_NONBLOCK);
        fcntl(n->wake[i], F_SETFD, FD_CLOEXEC);
    }
    n->rng = (unsigned)util_now_ns();
    n->timing = timing_default;
    const char *spec = getenv("PURG_IRC_TIMING");
    if (spec && timing_parse(spec, &n->timing) != 0) {
        close(n->wake[0]);
        close(n->wake[1]);
        free(n);
        return PURG_EINVAL;
    }
    *out = n;
    return 0;
}

static void conn_free(irc_conn_t *c)
{
    if (!c)
        return;
    if (c->session) {
        if (irc_is_connected(c->session))
            irc_cmd_quit(c->session, "purgatory signing off");
        irc_destroy_session(c->session);
    }
    ircbridge_free(c->bridge);
    free(c->server);
    free(c->password);
    free(c->nickserv_pass);
    free((char *)c->bconf.host);
    free((char *)c->bconf.tls_ca);
    free((char *)c->bconf.sasl_user);
    free((char *)c->bconf.sasl_pass);
    free(c->ch);
    free(c->out);
    roster_free(c->bots);
    roster_free(c->probed);
    roster_free(c->forced);
    free(c);
}

void irc_net_free(irc_net_t *n)
{
    if (!n)
        return;
    irc_conn_t *c = n->conns;
    while (c) {
        irc_conn_t *next = c->next;
        conn_free(c);
        c = next;
    }
    close(n->wake[0]);
    close(n->wake[1]);
    free(n);
}

int irc_net_add(irc_net_t *n, const irc_conf_t *conf, irc_handler_fn fn, void *owner,
                irc_conn_t **out)
{
    if (!conf->server || !conf->nick || !*conf->nick || conf->nchannels == 0)
        return PURG_EINVAL;
    irc_conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return PURG_ENOMEM;
    c->net = n;
    c->fd = -1;
    c->fn = fn;
    c->owner = owner;
    c->port = conf->port;
    c->rate = conf->send_rate > 0 ? conf->send_rate : 2.0;
    c->bot_mode = conf->bot_mode;
    c->max_kicks = conf->max_kicks > 0 ? conf->max_kicks : IRC_MAX_KICKS;
    c->retry_banned = conf->retry_banned;
    c->out_cap = conf->send_queue ? conf->send_queue : 64;
    c->server = strdup(conf->server);
    c->password = conf->password ? strdup(conf->password) : NULL;
    c->nickserv_pass = conf->nickserv_password ? strdup(conf->nickserv_password) : NULL;
    c->bconf = (ircbridge_conf_t){
        .host = strdup(conf->server), .port = conf->port, .tls = conf->tls,
        .tls_ca = conf->tls_ca ? strdup(conf->tls_ca) : NULL,
        .tls_insecure = conf->tls_insecure,
        .sasl_user = conf->sasl_user ? strdup(conf->sasl_user) : NULL,
        .sasl_pass = conf->sasl_password ? strdup(conf->sasl_password) : NULL,
        .pace_ms = n->timing.pace_ms };
    if (!c->bconf.host || (conf->tls_ca && !c->bconf.tls_ca) ||
        (conf->sasl_user && !c->bconf.sasl_user) || (conf->sasl_password && !c->bconf.sasl_pass) ||
        (conf->nickserv_password && !c->nickserv_pass))
        goto fail;
    c->ch = calloc(conf->nchannels, sizeof *c->ch);
    c->out = calloc(c->out_cap, sizeof *c->out);
    if (!c->server || (conf->password && !c->password) || !c->ch || !c->out ||
        roster_create(&c->bots) != 0 || roster_create(&c->probed) != 0 ||
        roster_create(&c->forced) != 0)
        goto fail;
    if (!irc_nick_valid(conf->nick) || util_strlcpy(c->wanted, conf->nick, sizeof c->wanted) != 0)
        goto fail_inval;
    for (size_t i = 0; i < conf->nchannels; i++) {
        if (!irc_channel_valid(conf->channels[i]) ||
            util_strlcpy(c->ch[i].name, conf->channels[i], CHAN_MAX) != 0)
            goto fail_inval;
    }
    c->nchannels = conf->nchannels;
    c->backoff_ms = n->timing.backoff_min_ms;
    c->tokens = BURST;
    c->tokens_t = util_now_ns();
    if (conn_start(c) != 0)
        conn_down(c, NULL);
    c->next = n->conns;
    n->conns = c;
    *out = c;
    return 0;
fail_inval:
    conn_free(c);
    return PURG_EINVAL;
fail:
    conn_free(c);
    return PURG_ENOMEM;
}

/* ---- outgoing queue --------------------------------------------------- */

int irc_conn_say(irc_conn_t *c, const char *channel, const char *text)
{
    int idx = chan_index(c, channel);
    if (idx < 0 || c->ch[idx].off)
        return PURG_EDENIED;
    if (strpbrk(text, "\r\n") || !*text)
        return PURG_EINVAL;
    if (c->out_len == c->out_cap)
        return PURG_EFULL;
    outline_t *o = &c->out[(c->out_head + c->out_len) % c->out_cap];
    o->chan = idx;
    if (util_strlcpy(o->text, text, sizeof o->text) != 0) {
        /* cut at a UTF-8 boundary */
        size_t len = strlen(o->text);
        while (len > 0 && ((unsigned char)o->text[len] & 0xC0) == 0x80)
            o->text[--len] = '\0';
        if (len > 0 && (unsigned char)o->text[len - 1] >= 0xC0)
            o->text[len - 1] = '\0';
    }
    c->out_len++;
    return 0;
}

/* Removes the first unsent line (the one at out_sent). */
static void drop_next_unsent(irc_conn_t *c)
{
    for (size_t k = c->out_sent; k + 1 < c->out_len; k++)
        c->out[(c->out_head + k) % c->out_cap] = c->out[(c->out_head + k + 1) % c->out_cap];
    c->out_len--;
}

void irc_conn_set_check(irc_conn_t *c, irc_check_fn fn, void *ctx)
{
    c->check = fn;
    c->check_ctx = ctx;
}

/* Send what the token bucket allows. Returns ms until the next token is due
 * while lines wait, else -1. */
/*
 * Delivery: a line handed to libircclient may still die in a socket buffer
 * when the link drops. So a sent line stays queued until the server answers
 * a later "PING :purg-ack-SEQ" (servers handle a client's commands in order,
 * so the PONG means every earlier PRIVMSG was relayed); on a drop, the
 * unconfirmed lines are sent again after reconnecting. Delivery is thus at
 * least once: a line relayed just before the drop may be heard twice.
 */
static int flush_out(irc_conn_t *c, int64_t now)
{
    if (c->state != CONN_READY || c->out_len == 0)
        return -1;
    c->tokens += (double)(now - c->tokens_t) / (double)NS_PER_S * c->rate;
    if (c->tokens > BURST)
        c->tokens = BURST;
    c->tokens_t = now;
    while (c->out_sent < c->out_len && c->tokens >= 1.0 && !c->hold &&
           ircbridge_credit(c->bridge) >= 1) {
        outline_t *o = &c->out[(c->out_head + c->out_sent) % c->out_cap];
        if (!c->ch[o->chan].joined)
            break; /* not in that channel (yet): +n would refuse the line; keep the order */
        if (c->check && c->check(c->check_ctx, c->ch[o->chan].name, o->text) != 0) {
            drop_next_unsent(c); /* the room changed while it waited: the owner says no */
            continue;
        }
        if (irc_cmd_msg(c->session, c->ch[o->chan].name, o->text) != 0)
            break; /* libircclient's buffer is full: keep the line, retry later */
        o->seq = ++c->seq;
        c->out_sent++;
        c->tokens -= 1.0;
    }
    int wait_ms = -1;
    if (c->out_sent > 0 && c->ack_wait == 0) {
        int64_t due = c->ack_t + ms_to_ns(ACK_EVERY_MS);
        if (now >= due) {
            char ping[48];
            util_snprintf(ping, sizeof ping, "PING :purg-ack-%llu", (unsigned long long)c->seq);
            if (irc_send_raw(c->session, "%s", ping) == 0) {
                c->ack_wait = c->seq;
                c->ack_t = now;
            } else {
                wait_ms = 10;
            }
        } else {
            wait_ms = (int)((due - now) / 1000000) + 1;
        }
    }
    if (c->out_sent < c->out_len && !c->hold && c->ch[c->out[(c->out_head + c->out_sent) % c->out_cap].chan].joined) {
        double wait = (1.0 - c->tokens) / c->rate * 1000.0;
        /* the link's budget is spent: wait for it, not only for our own bucket */
        wait = fmax(wait, ircbridge_credit_ms(c->bridge));
        wait_ms = min_timeout(wait_ms, wait < 1 ? 1 : (int)wait + 1);
    }
    return wait_ms;
}

void irc_conn_hold(irc_conn_t *c, int hold) { c->hold = hold != 0; }
const char *irc_conn_nick(const irc_conn_t *c) { return c->nick; }
size_t irc_conn_backlog(const irc_conn_t *c) { return c->out_len - c->out_sent; }
int irc_conn_ready(const irc_conn_t *c) { return c->state == CONN_READY; }

/* ---- the loop --------------------------------------------------------- */

void irc_net_wake(irc_net_t *n)
{
    char b = 1;
    ssize_t r = write(n->wake[1], &b, 1);
    (void)r; /* a full pipe already wakes the loop */
}


/* Channel timers: rejoins after a kick or a refused JOIN. ms until the next, or -1. */
static int chan_tick(irc_conn_t *c, int64_t now)
{
    int t = -1;
    for (size_t i = 0; i < c->nchannels; i++) {
        chan_state_t *ch = &c->ch[i];
        if (!ch->rejoin_at || ch->joined || ch->off)
            continue;
        if (now >= ch->rejoin_at) {
            ch->rejoin_at = 0;
            irc_cmd_join(c->session, ch->name, NULL);
        } else {
            t = min_timeout(t, (int)((ch->rejoin_at - now) / 1000000) + 1);
        }
    }
    return t;
}

/* Timers of one connection: reconnect, liveness, nick retries and reclaim,
 * rejoins, bot-mode questions, sending. Returns the ms until it next needs
 * attention (-1: none). */
static int conn_tick(irc_conn_t *c, int64_t now)
{
    if (c->state == CONN_DOWN) {
        if (c->failed)
            return -1;
        if (now >= c->next_attempt) {
            if (conn_start(c) != 0)
                conn_down(c, c->fail_msg);
            return 10;
        }
        return (int)((c->next_attempt - now) / 1000000) + 1;
    }
    const irc_timing_t *tm = &c->net->timing;
    int64_t idle = now - c->last_rx;
    if ((c->ping_sent && now - c->ping_sent > ms_to_ns(tm->ping_dead_ms)) ||
        (c->ack_wait && now - c->ack_t > ms_to_ns(tm->ping_dead_ms) &&
         now - c->last_rx > ms_to_ns(tm->ping_dead_ms))) {
        conn_down(c, "the server stopped answering");
        return 10;
    }
    if (c->state == CONN_CONNECTING && now - c->t_start > ms_to_ns(tm->connect_ms)) {
        const char *w = ircbridge_waiting(c->bridge);
        char why[sizeof c->fail_msg];
        if (w)
            util_strlcpy(why, w, sizeof why);
        else if (c->nick_tries)
            util_snprintf(why, sizeof why, "the server never completed registration: the nick "
                          "%s and %d alternatives were in use (the server said: %s); choose "
                          "another nick", c->wanted, c->nick_tries, c->nick_why);
        else
            util_strlcpy(why, "the server accepted the connection but never completed "
                         "registration", sizeof why);
        c->fail_hint = 0;
        conn_down(c, why);
        return 10;
    }
    int t = -1;
    if (c->state == CONN_CONNECTING && c->nick_next) {
        if (now >= c->nick_next) {
            c->nick_next = 0;
            irc_cmd_nick(c->session, c->nick);
        } else {
            t = (int)((c->nick_next - now) / 1000000) + 1;
        }
    }
    if (c->state == CONN_READY && !c->stable) {
        if (now - c->ready_t >= ms_to_ns(tm->stable_ms)) {
            c->stable = 1;  /* a good link: the next outage starts from the first delay */
            c->backoff_ms = tm->backoff_min_ms;
        } else {
            t = min_timeout(t, (int)((c->ready_t + ms_to_ns(tm->stable_ms) - now) / 1000000) + 1);
        }
    }
    /* a keep-alive question gives way to what the owner says: with credit to
     * spare only, or a PING every ping_idle could starve the link's budget */
    if (!c->ping_sent && idle > ms_to_ns(tm->ping_idle_ms) && c->state == CONN_READY &&
        ircbridge_credit(c->bridge) >= 2) {
        irc_send_raw(c->session, "PING :purgatory");
        c->ping_sent = now;
    }
    int reclaiming = c->state == CONN_READY && !c->reclaim_off &&
                     strcmp(c->nick, c->wanted) != 0;
    if (reclaiming && now - c->last_reclaim > ms_to_ns(tm->reclaim_ms)) {
        c->last_reclaim = now;
        irc_cmd_nick(c->session, c->wanted);
    }
    t = min_timeout(t, c->ping_sent ? tm->ping_dead_ms : tm->ping_idle_ms);
    if (c->state == CONN_CONNECTING)
        t = min_timeout(t, (int)((c->t_start + ms_to_ns(tm->connect_ms) - now) / 1000000) + 1);
    if (reclaiming)
        t = min_timeout(t, tm->reclaim_ms);
    if (c->state == CONN_READY) {
        t = min_timeout(t, chan_tick(c, now));
        t = min_timeout(t, probe_tick(c, now));
    }
    t = min_timeout(t, ircbridge_next_ms(c->bridge));
    return min_timeout(t, flush_out(c, now));
}

/* The session's socket goes into the loop's sets; we learn its number so we
 * can enlarge its receive buffer (a burst then waits in the kernel, not in
 * the server's send queue, which servers cap: ngircd drops a client 32 KB
 * behind) and drain it below. */
static void conn_add_fds(irc_conn_t *c, fd_set *rd, fd_set *wr, int *maxfd)
{
    fd_set r1, w1;
    int fd = -1;
    FD_ZERO(&r1);
    FD_ZERO(&w1);
    if (c->bridge)
        ircbridge_fds(c->bridge, rd, wr, maxfd);
    if (irc_add_select_descriptors(c->session, &r1, &w1, &fd) != 0 || fd < 0) {
        c->fd = -1;
        return;
    }
    if (fd != c->fd) {
        int sz = 1 << 20, one = 1;  /* the kernel clamps this to net.core.rmem_max */
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
        /* libircclient writes whole lines: Nagle would only hold one back
         * until the bridge's delayed ACK */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->fd = fd;
    }
    if (FD_ISSET(fd, &r1))
        FD_SET(fd, rd);
    if (FD_ISSET(fd, &w1))
        FD_SET(fd, wr);
    if (fd > *maxfd)
        *maxfd = fd;
}

/* libircclient reads at most ~1 KB per call: while more is waiting, read on
 * (bounded, so one flooded link cannot starve the others). Nonzero: link lost. */
static int conn_process(irc_conn_t *c, fd_set *rd, fd_set *wr)
{
    if (c->bridge) {
        char why[256];
        if (ircbridge_process(c->bridge, rd, wr, why, sizeof why) != 0) {
            c->fail_hint = strncmp(why, "cannot connect", 14) == 0;
            conn_down(c, why);
            return 0;
        }
    }
    if (c->state == CONN_DOWN)
        return 0;
    /* A callback that gives up (432) only sets c->failed: irc_disconnect()
     * inside a callback leaves libircclient testing FD_ISSET(-1) on return,
     * which _FORTIFY_SOURCE aborts. The link is closed here instead. */
    int rc = irc_process_select_descriptors(c->session, rd, wr);
    if (c->failed) {
        conn_down(c, NULL);
        return 0;
    }
    if (rc != 0 || !irc_is_connected(c->session))
        return -1;
    for (int i = 0; i < 256 && c->fd >= 0 && c->state != CONN_DOWN; i++) {
        struct pollfd pfd = { c->fd, POLLIN, 0 };
        if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
            break;
        fd_set r1, w1;
        FD_ZERO(&r1);
        FD_ZERO(&w1);
        FD_SET(c->fd, &r1);
        rc = irc_process_select_descriptors(c->session, &r1, &w1);
        if (c->failed) {
            conn_down(c, NULL);
            return 0;
        }
        if (rc != 0 || !irc_is_connected(c->session))
            return -1;
    }
    return 0;
}

/* Every registered link sends QUIT, and the loop runs on until the server
 * closed each link (it does once it has the QUIT) or wait_ms passed, so the
 * channel sees the reason instead of "Connection closed". */
void irc_net_quit(irc_net_t *n, int wait_ms)
{
    int live = 0;
    for (irc_conn_t *c = n->conns; c; c = c->next) {
        if (c->state == CONN_READY && c->session && irc_is_connected(c->session)) {
            irc_cmd_quit(c->session, "purgatory signing off");
            live++;
        } else {
            c->state = CONN_DOWN;
        }
    }
    int64_t end = util_now_ns() + ms_to_ns(wait_ms);
    while (live > 0 && util_now_ns() < end) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        int maxfd = -1;
        for (irc_conn_t *c = n->conns; c; c = c->next)
            if (c->state != CONN_DOWN)
                conn_add_fds(c, &rd, &wr, &maxfd);
        struct timeval tv = { 0, 50000 };
        if (select(maxfd + 1, &rd, &wr, NULL, &tv) < 0 && errno != EINTR)
            break;
        live = 0;
        for (irc_conn_t *c = n->conns; c; c = c->next) {
            if (c->state == CONN_DOWN)
                continue;
            char why[256];
            if ((c->bridge && ircbridge_process(c->bridge, &rd, &wr, why, sizeof why) != 0) ||
                irc_process_select_descriptors(c->session, &rd, &wr) != 0 ||
                !irc_is_connected(c->session))
                c->state = CONN_DOWN;   /* closed: the server has our QUIT */
            else
                live++;
        }
    }
}

int irc_net_run(irc_net_t *n, atomic_int *stop,
                void (*timer_fn)(void *), void *timer_ctx, int tick_ms,
                char *err, size_t errlen)
{
    int64_t next_tick = util_now_ns() + ms_to_ns(tick_ms);
    while (!atomic_load(stop)) {
        fd_set rd, wr;
        FD_ZERO(&rd);
        FD_ZERO(&wr);
        int maxfd = n->wake[0];
        FD_SET(n->wake[0], &rd);
        int64_t now = util_now_ns();
        int timeout = -1;
        for (irc_conn_t *c = n->conns; c; c = c->next) {
            timeout = min_timeout(timeout, conn_tick(c, now));
            if (c->failed) {
                util_snprintf(err, errlen, "%s IRC server %s:%u (%s)%s",
                              c->ever_ready ? "gave up on" : "cannot connect to",
                              c->server, c->port, c->fail_msg[0] ? c->fail_msg : "connection failed",
                              c->fail_hint ? "; check --server and --port, and that the server is running"
                                           : "");
                return PURG_ENET;
            }
            if (c->state != CONN_DOWN)
                conn_add_fds(c, &rd, &wr, &maxfd);
        }
        if (timer_fn) {
            if (now >= next_tick) {
                timer_fn(timer_ctx);
                next_tick = now + ms_to_ns(tick_ms);
                continue; /* the timer may have queued lines: recompute */
            }
            timeout = min_timeout(timeout, (int)((next_tick - now) / 1000000) + 1);
        }
        struct timeval tv, *tvp = NULL;
        if (timeout >= 0) {
            tv.tv_sec = timeout / 1000;
            tv.tv_usec = (timeout % 1000) * 1000;
            tvp = &tv;
        }
        int r = select(maxfd + 1, &rd, &wr, NULL, tvp);
        n->t_batch = util_now_ns();
        if (r < 0) {
            if (errno == EINTR)
                continue;
            util_snprintf(err, errlen, "select failed: %s", strerror(errno));
            return PURG_ENET;
        }
        if (FD_ISSET(n->wake[0], &rd)) {
            char buf[64];
            while (read(n->wake[0], buf, sizeof buf) > 0)
                ;
            next_tick = n->t_batch; /* a wake-up is news for the timer too */
        }
        for (irc_conn_t *c = n->conns; c; c = c->next) {
            if (c->state == CONN_DOWN)
                continue;
            if (conn_process(c, &rd, &wr) != 0) {
                int e = irc_errno(c->session);
                conn_down(c, e ? irc_strerror(e) : "connection closed");
            }
        }
    }
    return 0;
}
