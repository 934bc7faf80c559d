/* irc.h - IRC sessions (libircclient) driven by one select() loop on the net
 * thread. Every function here is for the net thread only, except
 * irc_net_wake(), which any thread may call. libircclient is built without
 * thread support, so a session is touched only by the thread running the loop.
 *
 * A connection reports what it hears as irc_event_t values to its owner's
 * handler (the listener, or a persona). Outgoing lines go through a bounded
 * per-connection queue with a rate limit, because libircclient's own send
 * buffer holds only ~1 KB. */
#ifndef PURG_IRC_H
#define PURG_IRC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

typedef enum irc_event_kind {
    IRC_EV_READY,   /* registered with the server (channels are being joined) */
    IRC_EV_SAY,     /* PRIVMSG to a channel */
    IRC_EV_ACTION,  /* CTCP ACTION (/me) to a channel */
    IRC_EV_JOIN,    /* nick joined channel (a JOIN seen while we are there) */
    IRC_EV_PART,    /* nick left channel (also KICK: nick is the one kicked) */
    IRC_EV_QUIT,    /* nick left the network (channel is NULL) */
    IRC_EV_NICK,    /* nick is now text (channel is NULL) */
    IRC_EV_SELF_JOIN, /* we joined channel */
    IRC_EV_INVITE,  /* someone invited us to channel (owners decide; personas ignore) */
    IRC_EV_BOT,     /* the server says nick is a bot (bot mode: WHO flag, RPL_WHOISBOT);
                       channel is NULL */
    IRC_EV_NAMES    /* nick was in channel when we came: one per nick of the
                       server's NAMES reply (or the offline room's roll call) */
} irc_event_kind_t;

typedef struct irc_event {
    irc_event_kind_t kind;
    const char *channel;  /* NULL where not applicable */
    const char *nick;     /* who: the speaker, joiner, leaver... */
    const char *text;     /* message text, or the new nick for IRC_EV_NICK */
    int64_t t_recv;       /* when the bytes were taken off the socket (util_now_ns) */
    const char *mask;     /* the sender as "nick!user@host" when the server said so, else nick */
    int bot;              /* the server flags nick as a bot (see IRC_EV_BOT) */
    int history;          /* SAY/ACTION the server replayed from before we joined
                             (IRCv3 server-time / chathistory batch): not live */
} irc_event_t;

/* Does a connection set the server's bot user mode (+B) on itself? */
enum { IRC_BOT_MODE_OFF = 0, /* never (the listener) */
       IRC_BOT_MODE_AUTO,    /* when the server advertises BOT= or is ngircd (+B unadvertised) */
       IRC_BOT_MODE_ON };    /* always: the letter from BOT=, else B */

typedef struct irc_conn irc_conn_t;
/* Called on the net thread; pointers inside ev live only during the call. */
typedef void (*irc_handler_fn)(void *owner, irc_conn_t *c, const irc_event_t *ev);

typedef struct irc_conf {
    const char *server;       /* host name or address */
    unsigned short port;
    const char *nick;         /* wanted nick; "_" is appended while it is in use */
    const char *password;     /* server password or NULL */
    const char *const *channels; /* channels to join (and the only ones allowed) */
    size_t nchannels;
    double send_rate;         /* outgoing lines per second (token bucket), e.g. 2 */
    size_t send_queue;        /* bounded outgoing queue length, e.g. 64 */
    int tls;                  /* TLS to the server (OpenSSL, through the bridge) */
    const char *tls_ca;       /* CA file instead of the system store, or NULL */
    int tls_insecure;         /* skip certificate verification (loudly named option) */
    const char *sasl_user;    /* SASL PLAIN account, with sasl_password; or NULL */
    const char *sasl_password;
    const char *nickserv_password; /* "IDENTIFY" to NickServ after registration, or NULL */
    int bot_mode;             /* IRC_BOT_MODE_* */
    int max_kicks;            /* kicked this many times in a row from a channel: stay out
                                 of it until restart; 0 = IRC_MAX_KICKS */
    int retry_banned;         /* keep reconnecting after 465 (banned); default: stop */
} irc_conf_t;

#define IRC_MAX_KICKS 5

typedef struct irc_net irc_net_t;

/* Timers come from the environment variable PURG_IRC_TIMING when set (for
 * tests): "backoff_min=MS,backoff_max=MS,ping_idle=MS,ping_dead=MS,reclaim=MS,
 * connect=MS,nick=MS,stable=MS,rejoin=MS,kick_reset=MS,pace=MS", any subset;
 * defaults 1000, 60000, 90000, 60000, 30000, 30000, 5000, 60000, 1000,
 * 600000, 1250. pace: every line to the server, once a burst of 5 is spent,
 * costs this long (the flood budget, see ircbridge.h).
 * PURG_EINVAL when it is malformed.
 *
 * Manners (see irc.c): a taken nick is retried with alternatives at growing
 * delays (nick, doubling, capped at backoff_max); a refused nick (432) stops
 * the run; a kick is answered by a rejoin after rejoin ms, doubling per kick
 * in a row (kicks closer than kick_reset), until max_kicks; a refused JOIN is
 * retried at doubling delays; a link counts as good, and the reconnect delay
 * starts again from backoff_min, only after it stayed up for `stable` ms; a
 * ban (465) stops reconnecting unless retry_banned. Every server reason is
 * reported through the log function with control characters made visible. */
int irc_net_create(irc_net_t **out);

/* Where the loop reports reconnects and other news for the user (one
 * sentence, no newline), on the net thread. Without it, nothing is said. */
typedef void (*irc_log_fn)(void *ctx, const char *msg);
void irc_net_set_log(irc_net_t *n, irc_log_fn fn, void *ctx);
void irc_net_free(irc_net_t *n); /* quits and frees every connection */

/* A new connection (copied conf); starts connecting at once. The initial
 * connect failing is reported through irc_net_run's result. */
int irc_net_add(irc_net_t *n, const irc_conf_t *conf, irc_handler_fn fn, void *owner,
                irc_conn_t **out);

/* Run the loop until *stop becomes non-zero (then irc_net_quit) or a
 * connection fails before it ever registered. timer_fn, if set, is called at
 * least every tick_ms milliseconds (for persona schedules). Returns 0 when
 * stopped, or PURG_ENET with a sentence for the user in err. */
int irc_net_run(irc_net_t *n, atomic_int *stop,
                void (*timer_fn)(void *), void *timer_ctx, int tick_ms,
                char *err, size_t errlen);

/* After irc_net_run returned: every registered connection sends QUIT, and
 * the loop waits (at most wait_ms) until the server closed each link, so the
 * channel sees the reason. Net thread. */
void irc_net_quit(irc_net_t *n, int wait_ms);

/* Interrupt a sleeping loop (after setting *stop). Any thread; async-signal-safe. */
void irc_net_wake(irc_net_t *n);

/* Queue a PRIVMSG to one of the connection's configured channels. Only
 * configured channels are accepted (PURG_EDENIED otherwise); the text must
 * be one line (PURG_EINVAL on CR/LF). PURG_EFULL when the queue is full. */
int irc_conn_say(irc_conn_t *c, const char *channel, const char *text);

/* The owner's last word on each queued line, asked just before it leaves
 * (it may have waited for the flood budget, or for a reconnect, while the
 * channel changed): non-zero drops the line. Net thread. */
typedef int (*irc_check_fn)(void *ctx, const char *channel, const char *text);
void irc_conn_set_check(irc_conn_t *c, irc_check_fn fn, void *ctx);

/* While hold is set, queued lines wait (they still count against the bound).
 * Lines for a channel also wait until the connection has (re)joined it. */
void irc_conn_hold(irc_conn_t *c, int hold);

/* True when s can be a nick: 1..30 bytes of letters, digits and the RFC 2812
 * specials [ ] \ ` _ ^ { | } -, not starting with a digit or '-'. Any thread. */
int irc_nick_valid(const char *s);
/* True when s can be a channel name: '#', '&', '+' or '!' and 1..62 more bytes,
 * none of them a space, comma, colon or control character. Any thread. */
int irc_channel_valid(const char *s);

/* Lines queued that have not left yet (waiting for the flood budget, the
 * channel or a reconnect). */
size_t irc_conn_backlog(const irc_conn_t *c);

/* The nick the server knows us by now. */
const char *irc_conn_nick(const irc_conn_t *c);
/* True once registered (001 seen). */
int irc_conn_ready(const irc_conn_t *c);

#endif
