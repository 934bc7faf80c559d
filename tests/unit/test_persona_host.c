/* test_persona_host.c - personas hosted by listen (persona_host.c), driven
 * without a server: the connections are set up but the loop never runs, so
 * what a persona says stays queued on its link. The rate clamp (30 a minute,
 * burst 4), the backlog limit (at most 2 lines waiting, nothing more said
 * meanwhile), the persona lookup under the IRC case mapping, and the
 * personas being each other's peers. */
#include "check.h"
#include "irc.h"
#include "persona.h"
#include "persona_host.h"
#include "purg.h"
#include "util.h"
#include "voicemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S ((int64_t)1000000000)

static char dir[1024];

static void write_file(const char *name, const char *text)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

/* Three personas from files: alpha asks for far more than a link may send,
 * beta for a rate above the limit with a small burst, gamma for little. */
static void make_files(void)
{
    const char *tmp = getenv("PURG_TEST_TMP");
    snprintf(dir, sizeof dir, "%s/persona_host.%ld", tmp ? tmp : "/tmp", (long)getpid());
    mkdir(dir, 0700);
    write_file("corpus.txt", "the printer is on fire again\n"
                             "the coffee machine has a kernel panic\n"
                             "nobody reads the manual before the server room floods\n"
                             "the backup tapes were eaten by the printer\n"
                             "the network is slow because of solar flares\n");
    const char *common = "corpus = corpus.txt\norder = 1\nchannels = #c\nchattiness = 0\n"
                         "reply_mention = 1\nreply_persona = 0\nthink_min = 0\nthink_max = 0\n"
                         "take_turns = no\nquiet_after = 0\nreplies_per_nick = 60\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "[persona]\nnick = Alpha[x]\nrate = 600\nburst = 50\n%s", common);
    write_file("alpha.ini", buf);
    snprintf(buf, sizeof buf, "[persona]\nnick = beta\nrate = 60\nburst = 2\n%s", common);
    write_file("beta.ini", buf);
    snprintf(buf, sizeof buf, "[persona]\nnick = gamma\nrate = 6\nburst = 4\n%s", common);
    write_file("gamma.ini", buf);
}

static void cleanup(void)
{
    static const char *const names[] = { "corpus.txt", "alpha.ini", "beta.ini", "gamma.ini" };
    char path[1200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

typedef struct host {
    irc_net_t *net;
    voicemap_t *voices;
    phost_t *h;
} host_t;

static int host_up(host_t *t)
{
    memset(t, 0, sizeof *t);
    make_files();
    char a[1200], b[1200], g[1200], err[512] = "";
    snprintf(a, sizeof a, "%s/alpha.ini", dir);
    snprintf(b, sizeof b, "%s/beta.ini", dir);
    snprintf(g, sizeof g, "%s/gamma.ini", dir);
    const char *files[] = { a, b, g };
    CHECK_EQ(irc_net_create(&t->net), 0);
    CHECK_EQ(voicemap_load_opts(&t->voices, NULL, NULL, 0, err, sizeof err), 0);
    if (!t->net || !t->voices)
        return -1;
    /* a port nothing listens on: the loop never runs, nothing is sent */
    irc_conf_t link = { .server = "127.0.0.1", .port = 9, .nick = "ear" };
    phost_conf_t conf = { .files = files, .nfiles = 3, .link = &link, .listener_nick = "ear",
                          .seed = 7 };
    int rc = phost_create(&t->h, t->net, t->voices, &conf, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "phost_create: %s\n", err);
    CHECK_EQ(rc, 0);
    return rc;
}

static void host_down(host_t *t)
{
    irc_net_free(t->net); /* the connections first: their owners are in h */
    phost_free(t->h);
    voicemap_free(t->voices);
    cleanup();
}

static void test_clamp(void)
{
    host_t t;
    if (host_up(&t) == 0) {
        CHECK_EQ(phost_count(t.h), 3);
        const persona_def_t *a = phost_def(t.h, 0), *b = phost_def(t.h, 1), *g = phost_def(t.h, 2);
        CHECK(a && b && g);
        if (a && b && g) {
            CHECK_STREQ(a->nick, "Alpha[x]");
            CHECK(a->rate == 30.0 && a->burst == 4);   /* 600 / 50: both clamped */
            CHECK(b->rate == 30.0 && b->burst == 2);   /* the rate only */
            CHECK(g->rate == 6.0 && g->burst == 4);    /* within the limits: as written */
        }
        CHECK(phost_def(t.h, 3) == NULL && phost_persona(t.h, 3) == NULL &&
              phost_conn(t.h, 3) == NULL);
    }
    CHECK(phost_count(NULL) == 0 && phost_def(NULL, 0) == NULL);
    host_down(&t);
}

static void mention(persona_t *p, const char *nick, const char *text, int64_t now)
{
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = "#c", .nick = nick, .text = text };
    persona_event(p, &ev, now);
}

/* A persona mentioned over and over by different people: its replies queue
 * on the link (which sends nothing here), and once two wait it says no
 * more, however many it is asked for and however much rate it has. */
static void test_backlog(void)
{
    host_t t;
    if (host_up(&t) != 0) {
        host_down(&t);
        return;
    }
    persona_t *p = phost_persona(t.h, 2); /* gamma: burst 4, so the rate is not what stops it */
    irc_conn_t *c = phost_conn(t.h, 2);
    int64_t now = util_now_ns();
    size_t most = 0;
    persona_stats_t st0;
    persona_get_stats(p, &st0);
    for (int i = 0; i < 40; i++) {
        char nick[16], text[64];
        snprintf(nick, sizeof nick, "human%d", i);
        snprintf(text, sizeof text, "gamma, what about the printer %d?", i);
        mention(p, nick, text, now);
        for (int k = 0; k < 20; k++, now += S / 10) {
            persona_tick(p, now);
            size_t b = irc_conn_backlog(c);
            most = b > most ? b : most;
        }
    }
    CHECK_EQ(most, 2);
    CHECK_EQ(irc_conn_backlog(c), 2);
    persona_stats_t st;
    persona_get_stats(p, &st);
    CHECK_EQ(st.said - st0.said, 2); /* only what reached the link counts as said */
    /* the other personas' links are their own */
    CHECK_EQ(irc_conn_backlog(phost_conn(t.h, 0)), 0);
    host_down(&t);
}

/* Personas are each other's peers, and the listener theirs (matched under
 * the IRC case mapping), and are found by nick under it, also after a
 * rename. */
static void test_peers_lookup(void)
{
    host_t t;
    if (host_up(&t) != 0) {
        host_down(&t);
        return;
    }
    /* a line flagged as a bot's is ignored (counted), unless a peer said it */
    persona_t *b = phost_persona(t.h, 1);
    int64_t now = util_now_ns();
    const char *from[] = { "ALPHA{X}", "Gamma", "ear", "robot" };
    for (size_t i = 0; i < 4; i++) {
        irc_event_t ev = { .kind = IRC_EV_SAY, .channel = "#c", .nick = from[i],
                           .text = "the printer again", .bot = 1 };
        persona_event(b, &ev, now);
    }
    persona_stats_t st;
    persona_get_stats(b, &st);
    CHECK_EQ(st.bot_lines, 1); /* robot's only: the personas and the listener are peers */

    CHECK(phost_is_persona(t.h, "alpha{X}"));
    CHECK(phost_is_persona(t.h, "BETA"));
    CHECK(!phost_is_persona(t.h, "alpha(x)"));
    CHECK(!phost_is_persona(t.h, "ear"));
    persona_set_nick(phost_persona(t.h, 0), "Alpha[x]_"); /* the server's rename */
    CHECK(phost_is_persona(t.h, "ALPHA{X}_"));
    CHECK(phost_is_persona(t.h, "alpha[x]"));              /* its definition's nick still counts */
    CHECK(!phost_is_persona(t.h, NULL) && !phost_is_persona(NULL, "beta"));
    host_down(&t);
}

static const check_case_t cases[] = {
    CHECK_CASE(clamp),
    CHECK_CASE(backlog),
    CHECK_CASE(peers_lookup),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
