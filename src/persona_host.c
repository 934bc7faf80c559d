/* persona_host.c - personas as IRC participants of `listen`; main thread to
 * set up, then the net thread (see persona_host.h). */
#include "persona_host.h"
#include "nick.h"

#include "markov.h"
#include "persona.h"
#include "purg.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PHOST_SEND_RATE 1.0   /* lines a second per connection; the link's own budget
                                 (ircbridge.h: 5, then 0.8 a second, every command
                                 counted) is what keeps it below flood limits */
#define PHOST_SEND_QUEUE 16
/* What a persona may say on its link, leaving room in that budget for the
 * delivery PINGs, PONGs and bot-mode questions: 30 lines a minute, 4 at once. */
#define PHOST_BACKLOG_MAX 2   /* lines waiting to leave; a persona says nothing more meanwhile */
#define PHOST_RATE_MAX 30.0
#define PHOST_BURST_MAX 4

typedef struct phost_member {
    persona_def_t *def;
    markov_t *model;
    persona_t *p;
    irc_conn_t *conn;
} phost_member_t;

struct phost {
    phost_member_t m[PHOST_MAX];
    size_t n;
};

/* Net thread: what the persona's own connection hears. */
static void on_irc(void *owner, irc_conn_t *c, const irc_event_t *ev)
{
    phost_member_t *m = owner;
    if (ev->kind == IRC_EV_READY)
        persona_set_nick(m->p, irc_conn_nick(c));
    else if (ev->kind == IRC_EV_INVITE) {
        char vc[UTIL_VIS_MAX], vn[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory listen: %s ignored an invitation to %s from %s\n",
                persona_nick(m->p), util_visible(vc, sizeof vc, ev->channel ? ev->channel : "?"),
                util_visible(vn, sizeof vn, ev->nick ? ev->nick : "?"));
    }
    persona_event(m->p, ev, util_now_ns());
}

/* The transport: a PRIVMSG to one of the persona's own channels, nothing else. */
static int say(void *ctx, const char *channel, const char *text)
{
    phost_member_t *m = ctx;
    /* a line that would wait behind others would be stale when it left (an
     * answer seconds late): better not said */
    if (irc_conn_backlog(m->conn) >= PHOST_BACKLOG_MAX)
        return PURG_EFULL;
    return irc_conn_say(m->conn, channel, text);
}

/* A queued line about to leave: the guard, with the room as it is now. */
static int recheck(void *ctx, const char *channel, const char *text)
{
    phost_member_t *m = ctx;
    return persona_recheck(m->p, channel, text);
}

static int add_one(phost_t *h, size_t i, irc_net_t *net, voicemap_t *voices,
                   const phost_conf_t *conf, char *err, size_t errlen)
{
    phost_member_t *m = &h->m[i];
    const persona_def_t *taken[PHOST_MAX];
    for (size_t j = 0; j < i; j++)
        taken[j] = h->m[j].def;
    h->n = i + 1;
    int rc = persona_seat("listen", conf->files[i], taken, i, voices, &m->def, &m->model, err,
                          errlen);
    if (rc != 0)
        return rc;
    if (m->def->rate > PHOST_RATE_MAX || m->def->burst > PHOST_BURST_MAX) {
        fprintf(stderr, "purgatory listen: %s: rate %g / burst %d is more than an IRC link may send "
                "without flooding; using rate %g, burst %d\n", m->def->file, m->def->rate,
                m->def->burst, fmin(m->def->rate, PHOST_RATE_MAX),
                m->def->burst < PHOST_BURST_MAX ? m->def->burst : PHOST_BURST_MAX);
        m->def->rate = fmin(m->def->rate, PHOST_RATE_MAX);
        if (m->def->burst > PHOST_BURST_MAX)
            m->def->burst = PHOST_BURST_MAX;
    }
    if ((rc = persona_create(&m->p, m->def, m->model, conf->seed * 1000003u + i + 1,
                             util_now_ns())) != 0) {
        util_snprintf(err, errlen, "%s: %s", m->def->file, purg_strerror(rc));
        return rc;
    }
    if (m->def->learn) {
        /* nicks and hostmasks the listener does not speak are not learned from either */
        persona_set_ignore(m->p, conf->ignore, conf->nignore);
        size_t bad = 0;
        char path[PERSONA_PATH_MAX + 16];
        if ((rc = persona_learn_start(m->p, m->model, &bad, err, errlen)) != 0)
            return rc;
        persona_learned_path(m->def, path, sizeof path);
        char vp[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory listen: %s learns from its channels (learn = yes), keeping what it "
                "learns in %s%s\n", m->def->nick, util_visible(vp, sizeof vp, path),
                bad ? " (lines there it could not read were skipped)" : "");
    }
    persona_set_transport(m->p, say, m);
    if (conf->listener_nick)
        persona_add_peer(m->p, conf->listener_nick);
    const char *chans[PERSONA_MAX_CHANNELS];
    for (size_t c = 0; c < m->def->nchannels; c++)
        chans[c] = m->def->channels[c];
    const irc_conf_t *lk = conf->link;
    irc_conf_t ic = { .server = lk->server, .port = lk->port, .nick = m->def->nick,
                      .password = lk->password, .channels = chans,
                      .nchannels = m->def->nchannels, .send_rate = PHOST_SEND_RATE,
                      .send_queue = PHOST_SEND_QUEUE, .tls = lk->tls, .tls_ca = lk->tls_ca,
                      .tls_insecure = lk->tls_insecure, .bot_mode = m->def->bot_mode,
                      .max_kicks = m->def->max_kicks, .retry_banned = lk->retry_banned };
    /* no .sasl_user / .nickserv_password: they belong to the listener's account */
    if ((rc = irc_net_add(net, &ic, on_irc, m, &m->conn)) != 0) {
        util_snprintf(err, errlen, "%s: cannot set up the IRC connection: %s", m->def->file,
                      purg_strerror(rc));
        return rc;
    }
    irc_conn_set_check(m->conn, recheck, m);
    fprintf(stderr, "purgatory listen: persona %s (%s) joins %s\n", m->def->nick, m->def->file,
            m->def->channels[0]);
    return 0;
}

int phost_create(phost_t **out, irc_net_t *net, voicemap_t *voices, const phost_conf_t *conf,
                 char *err, size_t errlen)
{
    *out = NULL;
    if (conf->nfiles > PHOST_MAX) {
        util_snprintf(err, errlen, "at most %d personas", PHOST_MAX);
        return PURG_ETOOBIG;
    }
    phost_t *h = calloc(1, sizeof *h);
    if (!h) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    for (size_t i = 0; i < conf->nfiles; i++) {
        int rc = add_one(h, i, net, voices, conf, err, errlen);
        if (rc != 0) {
            /* connections already added stay with net, which frees them; their
             * owners must outlive them, so the host is handed out anyway */
            *out = h;
            return rc;
        }
    }
    for (size_t i = 0; i < h->n; i++)
        for (size_t j = 0; j < h->n; j++)
            if (i != j)
                persona_add_peer(h->m[i].p, h->m[j].def->nick);
    *out = h;
    return 0;
}

int phost_is_persona(const phost_t *h, const char *nick)
{
    if (!h || !nick)
        return 0;
    for (size_t i = 0; i < h->n; i++)
        if (h->m[i].def && (nick_eq(h->m[i].def->nick, nick) ||
                            (h->m[i].p && nick_eq(persona_nick(h->m[i].p), nick))))
            return 1;
    return 0;
}

size_t phost_count(const phost_t *h) { return h ? h->n : 0; }

const persona_def_t *phost_def(const phost_t *h, size_t i)
{
    return h && i < h->n ? h->m[i].def : NULL;
}

persona_t *phost_persona(const phost_t *h, size_t i)
{
    return h && i < h->n ? h->m[i].p : NULL;
}

irc_conn_t *phost_conn(const phost_t *h, size_t i)
{
    return h && i < h->n ? h->m[i].conn : NULL;
}

void phost_tick(phost_t *h)
{
    if (!h)
        return;
    int64_t now = util_now_ns();
    for (size_t i = 0; i < h->n; i++)
        if (h->m[i].p && irc_conn_ready(h->m[i].conn))
            persona_tick(h->m[i].p, now);
}

void phost_free(phost_t *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++) {
        phost_member_t *m = &h->m[i];
        if (m->p) {
            char err[700];
            if (persona_learn_save(m->p, err, sizeof err) != 0)
                fprintf(stderr, "purgatory listen: %s: what it learned was not saved: %s\n",
                        persona_nick(m->p), err);
            persona_stats_t st;
            persona_get_stats(m->p, &st);
            fprintf(stderr, "purgatory listen: %s said %lu (%lu unprompted, %lu replies), guard refused "
                    "%lu, invites ignored %lu, bot lines ignored %lu, replies capped %lu",
                    persona_nick(m->p), st.said, st.unprompted, st.replies, st.guarded,
                    st.invites, st.bot_lines, st.capped);
            if (m->def->learn)
                fprintf(stderr, ", learned %lu (%lu not)", st.learned, st.not_learned);
            fprintf(stderr, "\n");
        }
        persona_free(m->p);
        markov_free(m->model);
        persona_def_free(m->def);
    }
    free(h);
}
