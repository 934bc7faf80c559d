/* fuzz_ircmsg.c - libFuzzer target: server bytes -> utterances, through the
 * code that runs in `listen`, on one thread.
 *
 * The target is the IRC server. At start-up it listens on 127.0.0.1 and adds
 * one connection to an irc_net_t (src/irc.c) pointing at itself, so every
 * input travels the real path: a loopback socket -> the bridge's line
 * splitter and cleaner (ircbridge.c) -> libircclient's parser -> irc.c's
 * callbacks (origin split, NAMES replies, CTCP ACTION, numerics) -> the
 * listener's handling of each event, hear_event (textclean -> voice map ->
 * utterance -> speech queue, rosters kept current; no presenter). Each input is written as server
 * lines after a canned welcome, followed by "PING :<token>"; irc_net_run
 * turns the loop until the PONG for that token comes back, so every line
 * of the input has been parsed and handled when the call returns. The
 * session is kept across inputs; when the link dies, irc.c reconnects (the
 * backoff is shortened through PURG_IRC_TIMING) and the target accepts and
 * welcomes it again.
 *
 * Beyond ASan/UBSan, it aborts when an event breaks irc.h's contract (no
 * nick, a SAY outside a channel, CR/LF in text, a nick longer than irc.c's
 * bound), when a queued utterance's text is not valid UTF-8, or when the link stops
 * answering (no PONG within 10 s: the listener would have gone deaf).
 *
 * libFuzzer calls LLVMFuzzerTestOneInput with no context, so the state lives
 * in one static struct; the replay driver and libFuzzer both run it on one
 * thread. */
#include "hear.h"
#include "irc.h"
#include "purg.h"
#include "speechq.h"
#include "textclean.h"
#include "util.h"
#include "voicemap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define FZ_NICK "fuzzme"
#define FZ_CHAN "#fz"
#define FZ_INPUT_MAX 65536
#define FZ_STALL_NS (10 * NS_PER_S)

typedef struct fz {
    int ready;
    irc_net_t *net;
    irc_conn_t *conn;
    int lsn;                  /* the "server" listening socket */
    int srv;                  /* the accepted link, -1 while none */
    voicemap_t *voices;
    speechq_t *queue;
    hear_t hear;              /* the listener's event handling */
    atomic_int stop;
    char tok[40];             /* the sentinel of this input */
    int got_tok;
    char *out;                /* bytes still to write to the link */
    size_t outlen, outoff, outcap;
    char rx[1024];            /* the client's line being read */
    size_t rxlen;
    int64_t deadline;
    unsigned long runs, reconnects, heard;
} fz_t;

static fz_t F = { .lsn = -1, .srv = -1 };

static void die(const char *what)
{
    fprintf(stderr, "fuzz_ircmsg: %s\n", what);
    abort();
}

static void out_put(fz_t *f, const void *d, size_t n)
{
    if (f->outlen + n > f->outcap) {
        size_t cap = (f->outlen + n) * 2;
        char *nb = realloc(f->out, cap);
        if (!nb)
            die("out of memory");
        f->out = nb;
        f->outcap = cap;
    }
    memcpy(f->out + f->outlen, d, n);
    f->outlen += n;
}

static void out_str(fz_t *f, const char *s) { out_put(f, s, strlen(s)); }

/* What a fresh link hears first: registration, our JOIN, a NAMES reply. */
static void out_welcome(fz_t *f)
{
    out_str(f, ":fz.test 001 " FZ_NICK " :welcome\r\n"
               ":" FZ_NICK "!u@h JOIN " FZ_CHAN "\r\n"
               ":fz.test 353 " FZ_NICK " = " FZ_CHAN " :" FZ_NICK " @alice +bob\r\n"
               ":fz.test 366 " FZ_NICK " " FZ_CHAN " :End of NAMES list\r\n");
}

static void out_sentinel(fz_t *f)
{
    out_str(f, "\r\nPING :");
    out_str(f, f->tok);
    out_str(f, "\r\n");
}

/* ---- the listener's handling of one event (as in `listen`) -------------- */

static void check_event(const irc_event_t *ev)
{
    if (!ev->nick || !ev->text || !ev->mask)
        die("an event without nick, text or mask");
    if (strpbrk(ev->text, "\r\n") || strpbrk(ev->nick, "\r\n"))
        die("CR or LF inside an event");
    if (!ev->nick[0])
        die("an event that names nobody");
    switch (ev->kind) {
    case IRC_EV_SAY:
    case IRC_EV_ACTION:
        if (!ev->channel || !strchr("#&+!", ev->channel[0]) || !ev->nick[0])
            die("a channel line outside a channel or without a speaker");
        /* fall through */
    case IRC_EV_JOIN:
    case IRC_EV_NAMES:
    case IRC_EV_PART:
    case IRC_EV_SELF_JOIN:
        if (!ev->channel)
            die("a channel event without a channel");
        if (strlen(ev->nick) >= 64)
            die("a nick longer than irc.c's bound");
        break;
    default:
        break;
    }
}

static void on_event(void *owner, irc_conn_t *c, const irc_event_t *ev)
{
    fz_t *f = owner;
    check_event(ev);
    f->heard += (unsigned long)hear_event(&f->hear, ev, irc_conn_nick(c));
}

/* The speech thread's side, drained inline: what was queued is whole. */
static void drain_queue(fz_t *f)
{
    utterance_t *u;
    char skipped[256];
    while (speechq_pop(f->queue, 0, &u, skipped, sizeof skipped) == 0) {
        if (!util_utf8_valid(u->text, strlen(u->text)) || !u->nick[0])
            die("a queued utterance is not whole");
        free(u);
    }
}

/* ---- the server side, run from the loop's timer ---------------------------- */

/* Read what the client sent; notice the PONG for this input's token. */
static void server_read(fz_t *f)
{
    char buf[4096];
    for (;;) {
        ssize_t r = recv(f->srv, buf, sizeof buf, MSG_DONTWAIT);
        if (r < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (r <= 0) { /* the client hung up: irc.c will reconnect */
            close(f->srv);
            f->srv = -1;
            return;
        }
        for (ssize_t i = 0; i < r; i++) {
            if (buf[i] != '\n') {
                if (f->rxlen < sizeof f->rx - 1)
                    f->rx[f->rxlen++] = buf[i];
                continue;
            }
            f->rx[f->rxlen] = '\0';
            if (strncmp(f->rx, "PONG", 4) == 0 && strstr(f->rx, f->tok))
                f->got_tok = 1;
            f->rxlen = 0;
        }
    }
}

static void server_write(fz_t *f)
{
    while (f->srv >= 0 && f->outoff < f->outlen) {
        ssize_t w = send(f->srv, f->out + f->outoff, f->outlen - f->outoff,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (w <= 0) {
            close(f->srv);
            f->srv = -1;
            return;
        }
        f->outoff += (size_t)w;
    }
}

static void on_timer(void *arg)
{
    fz_t *f = arg;
    int fd = accept(f->lsn, NULL, NULL);
    if (fd >= 0) {
        /* a (re)connect: what was not yet written to the old link is lost
         * with it; the new one gets the welcome and this input's sentinel */
        if (f->srv >= 0)
            close(f->srv);
        f->srv = fd;
        f->rxlen = 0;
        f->outlen = f->outoff = 0;
        out_welcome(f);
        out_sentinel(f);
        f->reconnects++;
    }
    if (f->srv >= 0) {
        server_write(f);
        if (f->srv >= 0)
            server_read(f);
    }
    if (f->got_tok)
        atomic_store(&f->stop, 1);
    else if (util_now_ns() > f->deadline)
        die("no answer to the sentinel PING within 10 s: the link stopped reading");
}

/* Write out[] (already filled) and turn the loop until the sentinel's PONG. */
static void run_loop(fz_t *f)
{
    char err[512];
    f->got_tok = 0;
    f->deadline = util_now_ns() + FZ_STALL_NS;
    atomic_store(&f->stop, 0);
    int rc = irc_net_run(f->net, &f->stop, on_timer, f, 1, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "fuzz_ircmsg: %s\n", err);
        abort();
    }
    drain_queue(f);
}

static void setup(fz_t *f)
{
    char err[512];
    /* fast reconnects, and no PING of ours in the way */
    setenv("PURG_IRC_TIMING", "backoff_min=10,backoff_max=20,ping_idle=3600000,reclaim=3600000,pace=10", 1);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    f->lsn = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (f->lsn < 0 || bind(f->lsn, (struct sockaddr *)&a, sizeof a) != 0 || listen(f->lsn, 4) != 0 ||
        getsockname(f->lsn, (struct sockaddr *)&a, &al) != 0)
        die("cannot listen on 127.0.0.1");
    if (voicemap_load_opts(&f->voices, NULL, NULL, 0, err, sizeof err) != 0)
        die(err);
    if (speechq_create(&f->queue, 8) != 0 || irc_net_create(&f->net) != 0)
        die("cannot set up the queue or the loop");
    hear_init(&f->hear, f->voices, f->queue, NULL, 300);
    static const char *const chans[] = { FZ_CHAN, "#other" };
    irc_conf_t ic = { .server = "127.0.0.1", .port = ntohs(a.sin_port), .nick = FZ_NICK,
                      .channels = chans, .nchannels = 2, .send_rate = 1000, .send_queue = 8 };
    if (irc_net_add(f->net, &ic, on_event, f, &f->conn) != 0)
        die("irc_net_add failed");
    util_snprintf(f->tok, sizeof f->tok, "fz-start");
    run_loop(f); /* connect and register: the accept sends the welcome */
    if (!irc_conn_ready(f->conn))
        die("the connection did not register");
    f->ready = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_t *f = &F;
    if (size > FZ_INPUT_MAX)
        return 0;
    if (!f->ready)
        setup(f);
    f->runs++;
    if (util_snprintf(f->tok, sizeof f->tok, "fz-%lu-end", f->runs) != 0)
        die("token");
    f->outlen = f->outoff = 0;
    out_put(f, data, size);
    out_sentinel(f);
    if (f->srv < 0) /* between a drop and the reconnect: the accept will send */
        f->outlen = 0;
    run_loop(f);
    return 0;
}
