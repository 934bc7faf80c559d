/* test_persona_host.c - personas hosted by listen (persona_host.c), driven
 * without a server: the connections are set up but the loop never runs, so
 * what a persona says stays queued on its link. The rate clamp (30 a minute,
 * burst 4), the backlog limit (at most 2 lines waiting, nothing more said
 * meanwhile), the persona lookup under the IRC case mapping, and the
 * personas being each other's peers. One case (recheck) runs the real IRC
 * loop against the scripted server tests/integration/fakeircd.py (python3):
 * a queued line is asked about again just before it leaves. */
#include "check.h"
#include "irc.h"
#include "persona.h"
#include "persona_host.h"
#include "purg.h"
#include "util.h"
#include "voicemap.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
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
    static const char *const names[] = { "corpus.txt", "alpha.ini", "beta.ini", "gamma.ini",
                                         "port", "fakeircd.log" };
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

static int host_up_port(host_t *t, unsigned short port);

static int host_up(host_t *t) { return host_up_port(t, 9); }

static int host_up_port(host_t *t, unsigned short port)
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
    /* port 9: nothing listens there, and the loop never runs: nothing is sent */
    irc_conf_t link = { .server = "127.0.0.1", .port = port, .nick = "ear" };
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

/* ---- the real loop -------------------------------------------------------- */

typedef struct loop {
    phost_t *h;
    atomic_int stop;
    int64_t deadline, done_at;
} loop_t;

/* Stops the loop 0.5 s after both links (beta's, gamma's) registered and
 * have nothing left to send, or at the deadline. */
static void on_timer(void *ctx)
{
    loop_t *l = ctx;
    int64_t now = util_now_ns();
    int done = 1;
    for (size_t i = 1; i <= 2; i++)
        done &= irc_conn_ready(phost_conn(l->h, i)) && irc_conn_backlog(phost_conn(l->h, i)) == 0;
    if (done && !l->done_at)
        l->done_at = now;
    if ((l->done_at && now - l->done_at > S / 2) || now > l->deadline)
        atomic_store(&l->stop, 1);
}

/* Starts fakeircd.py --many; its port into *port, its stderr (every client
 * line, "C: ...") into logpath. The child's pid, or -1. */
static pid_t start_fakeircd(const char *logpath, unsigned short *port)
{
    const char *src = getenv("PURG_SOURCE_DIR");
    char script[1200], portfile[1200];
    snprintf(script, sizeof script, "%s/tests/integration/fakeircd.py", src ? src : ".");
    snprintf(portfile, sizeof portfile, "%s/port", dir);
    unlink(portfile);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *e = freopen(logpath, "w", stderr), *o = freopen("/dev/null", "w", stdout);
        (void)e;
        (void)o;
        execlp("python3", "python3", script, portfile, "--many", (char *)NULL);
        _exit(127);
    }
    struct timespec ms20 = { 0, 20000000L };
    for (int i = 0; pid > 0 && i < 250; i++) { /* 5 s */
        FILE *f = fopen(portfile, "r");
        unsigned p = 0;
        if (f && fscanf(f, "%u", &p) == 1 && p > 0) {
            fclose(f);
            *port = (unsigned short)p;
            return pid;
        }
        if (f)
            fclose(f);
        nanosleep(&ms20, NULL);
    }
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    return -1;
}

/* Two replies queued before the links are up: gamma's names alice, whom
 * the server then reports as a bot; beta's names carol. When the lines
 * are about to leave, the hook asks each persona again: gamma's is refused
 * (counted as guarded, never sent), beta's goes out. */
static void test_recheck(void)
{
    host_t t = { 0 };
    make_files();
    char logpath[1200];
    snprintf(logpath, sizeof logpath, "%s/fakeircd.log", dir);
    unsigned short port = 0;
    pid_t srv = start_fakeircd(logpath, &port);
    CHECK(srv > 0);
    if (srv <= 0) {
        cleanup();
        return;
    }
    setenv("PURG_IRC_TIMING", "pace=20,backoff_min=100", 1); /* no flood pacing to wait for */
    if (host_up_port(&t, port) == 0) {
        persona_t *b = phost_persona(t.h, 1), *g = phost_persona(t.h, 2);
        int64_t now = util_now_ns();
        mention(g, "alice", "gamma, what about the printer?", now);
        mention(b, "carol", "beta, what about the printer?", now);
        persona_tick(g, now);
        persona_tick(b, now);
        CHECK_EQ(irc_conn_backlog(phost_conn(t.h, 2)), 1);
        CHECK_EQ(irc_conn_backlog(phost_conn(t.h, 1)), 1);
        irc_event_t bot = { .kind = IRC_EV_BOT, .nick = "ALICE" };
        persona_event(g, &bot, now);
        persona_stats_t g0, b0;
        persona_get_stats(g, &g0);
        persona_get_stats(b, &b0);
        loop_t l = { .h = t.h, .deadline = util_now_ns() + 10 * S };
        atomic_init(&l.stop, 0);
        char err[512] = "";
        int rc = irc_net_run(t.net, &l.stop, on_timer, &l, 50, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "irc_net_run: %s\n", err);
        CHECK_EQ(rc, 0);
        CHECK_LT(util_now_ns(), l.deadline); /* it got there */
        persona_stats_t g1, b1;
        persona_get_stats(g, &g1);
        persona_get_stats(b, &b1);
        CHECK_EQ(g1.guarded - g0.guarded, 1);
        CHECK_EQ(b1.guarded - b0.guarded, 0);
        irc_net_quit(t.net, 1000);
    }
    kill(srv, SIGTERM);
    waitpid(srv, NULL, 0);
    /* what the server received: beta's line only */
    FILE *f = fopen(logpath, "r");
    CHECK(f != NULL);
    int privmsg = 0, to_alice = 0, to_carol = 0;
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        if (!strstr(line, "C: PRIVMSG #c :"))
            continue;
        privmsg++;
        to_alice += strstr(line, "alice") != NULL;
        to_carol += strstr(line, "carol") != NULL;
    }
    if (f)
        fclose(f);
    CHECK_EQ(privmsg, 1);
    CHECK_EQ(to_carol, 1);
    CHECK_EQ(to_alice, 0);
    unlink(logpath);
    host_down(&t);
    unsetenv("PURG_IRC_TIMING");
}

static const check_case_t cases[] = {
    CHECK_CASE(clamp),
    CHECK_CASE(backlog),
    CHECK_CASE(peers_lookup),
    CHECK_CASE(recheck),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
