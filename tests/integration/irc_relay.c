/* irc_relay.c - delivery check for the IRC layer across server restarts (a
 * test program; one thread, the net loop's).
 *
 * Two connections in one irc_net: "sayer" queues numbered lines with
 * irc_conn_say (the way personas talk), "hearer" records what the channel
 * says. The test script kills and restarts the server underneath; in the end
 * every line must have been heard at least once.
 *
 * The IRC server keeps no history, so a line relayed while the hearer is away
 * is gone for it. The sayer is therefore held (irc_conn_hold) until the hearer
 * is registered, in the channel, and sees the sayer there too: what is then
 * tested is the sayer's side, that no queued or unconfirmed line is lost.
 *
 * usage: irc_relay PORT LINES LINES_PER_SECOND TIMEOUT_S
 * prints "heard U of N (D duplicates, R reconnects)"; exit 0 when U == N. */
#include "irc.h"
#include "nick.h"
#include "purg.h"
#include "util.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct relay {
    irc_conn_t *sayer, *hearer;
    int h_joined;          /* hearer is in the channel on its current link */
    int s_seen;            /* hearer sees the sayer in the channel */
    unsigned char *heard;
    long n, queued, unique, dups, reconnects;
    double per_s;
    int64_t t0, deadline;
    atomic_int stop;
} relay_t;

static void on_sayer(void *owner, irc_conn_t *c, const irc_event_t *ev)
{
    relay_t *r = owner;
    (void)c;
    if (ev->kind == IRC_EV_READY)
        r->reconnects++;
}

static void on_hearer(void *owner, irc_conn_t *c, const irc_event_t *ev)
{
    relay_t *r = owner;
    const char *sn = irc_conn_nick(r->sayer);
    switch (ev->kind) {
    case IRC_EV_READY:
        r->h_joined = r->s_seen = 0;
        break;
    case IRC_EV_SELF_JOIN:
        r->h_joined = 1;
        break;
    case IRC_EV_JOIN:
    case IRC_EV_NAMES:
        if (nick_eq(ev->nick, sn))
            r->s_seen = 1;
        break;
    case IRC_EV_PART:
    case IRC_EV_QUIT:
        if (nick_eq(ev->nick, sn))
            r->s_seen = 0;
        if (nick_eq(ev->nick, irc_conn_nick(c)))
            r->h_joined = 0;
        break;
    case IRC_EV_SAY: {
        long i;
        if (sscanf(ev->text, "relay line %ld", &i) == 1 && i >= 0 && i < r->n) {
            if (r->heard[i])
                r->dups++;
            else
                r->unique++;
            r->heard[i] = 1;
        }
        break;
    }
    default:
        break;
    }
}

static void on_tick(void *arg)
{
    relay_t *r = arg;
    int64_t now = util_now_ns();
    if (!irc_conn_ready(r->hearer))
        r->h_joined = r->s_seen = 0;
    irc_conn_hold(r->sayer, !(r->h_joined && r->s_seen));
    long due = (long)((double)(now - r->t0) / (double)NS_PER_S * r->per_s);
    while (r->queued < r->n && r->queued < due) {
        char text[64];
        util_snprintf(text, sizeof text, "relay line %ld", r->queued);
        if (irc_conn_say(r->sayer, "#relay", text) != 0)
            break; /* full: try again next tick */
        r->queued++;
    }
    if (r->unique == r->n || now > r->deadline)
        atomic_store(&r->stop, 1);
}

static void on_log(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "irc_relay: %s\n", msg);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: irc_relay PORT LINES LINES_PER_SECOND TIMEOUT_S\n");
        return 2;
    }
    relay_t r = { .n = atol(argv[2]), .per_s = atof(argv[3]) };
    if (r.n <= 0 || r.per_s <= 0)
        return 2;
    r.heard = calloc((size_t)r.n, 1);
    irc_net_t *net;
    if (!r.heard || irc_net_create(&net) != 0)
        return 1;
    irc_net_set_log(net, on_log, NULL);
    const char *chans[] = { "#relay" };
    irc_conf_t hc = { .server = "127.0.0.1", .port = (unsigned short)atoi(argv[1]),
                      .nick = "hearer", .channels = chans, .nchannels = 1 };
    irc_conf_t sc = hc;
    sc.nick = "sayer";
    sc.send_rate = 100;
    sc.send_queue = 64;
    if (irc_net_add(net, &hc, on_hearer, &r, &r.hearer) != 0 ||
        irc_net_add(net, &sc, on_sayer, &r, &r.sayer) != 0)
        return 1;
    irc_conn_hold(r.sayer, 1);
    r.t0 = util_now_ns();
    r.deadline = r.t0 + (int64_t)atoi(argv[4]) * NS_PER_S;
    char err[256] = "";
    int rc = irc_net_run(net, &r.stop, on_tick, &r, 20, err, sizeof err);
    printf("heard %ld of %ld (%ld duplicates, %ld reconnects, %ld queued)\n", r.unique, r.n,
           r.dups, r.reconnects > 0 ? r.reconnects - 1 : 0, r.queued);
    if (rc != 0)
        fprintf(stderr, "irc_relay: %s\n", err);
    for (long i = 0; i < r.n && r.unique < r.n; i++)
        if (!r.heard[i]) {
            printf("first missing: relay line %ld\n", i);
            break;
        }
    irc_net_free(net);
    free(r.heard);
    return rc == 0 && r.unique == r.n ? 0 : 1;
}
