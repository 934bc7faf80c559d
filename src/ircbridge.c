/* ircbridge.c - byte bridge between libircclient and the IRC server (plain
 * or TLS via OpenSSL, optional SASL PLAIN); net thread only.
 *
 * DESIGN: three sockets per bridge. `lsn` is a loopback listener on
 * 127.0.0.1:0 that accepts exactly one connection (libircclient's) and is
 * then closed; `loc` is that accepted connection; `srv` is the link to the
 * real server. Two bounded buffers: `up` (libircclient -> server) and `down`
 * (server -> libircclient, whole cleaned lines only). When a buffer is full,
 * its source is simply not read (back-pressure instead of growth).
 * Nothing blocks except name resolution at open. */
#include "ircbridge.h"
#include "ircv3.h"
#include "sasl.h"
#include "purg.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BUF_CAP 65536
#define LINE_MAX_IN 510

typedef enum { B_CONNECTING, B_HANDSHAKE, B_UP } bstate_t;

typedef struct buf {
    char d[BUF_CAP];
    size_t len;
    size_t ok;               /* up only: bytes at the front paid for by the pacing bucket */
} buf_t;

struct ircbridge {
    int lsn, loc, srv;
    bstate_t state;
    SSL_CTX *ctx;
    SSL *ssl;
    int tls_insecure;
    char host[256];
    unsigned short port;
    sasl_t sasl;             /* .user, .pass: sasl_user, sasl_pass */
    ircv3_cap_t cap;         /* CAP LS 302 negotiation (ircv3.h) */
    char hist_batch[4][24];  /* open chathistory batches ("" = free slot) */
    int64_t skew_ms;         /* least (local - server-time) of a live line; INT64_MAX unknown */
    char *sasl_user, *sasl_pass;
    buf_t up, down;
    double rate;             /* lines a second once the burst is spent */
    double tokens;           /* the pacing bucket for every line to the server */
    int64_t tokens_t;
    char line[BUF_CAP];      /* partial server line being assembled */
    size_t line_len;
    int line_skip;           /* the current line overflowed: discard to its end */
};

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0;
}

/* Whole lines only ever leave here, so Nagle's algorithm can only delay
 * them: a line written while the previous one is unacknowledged would wait
 * for the peer's delayed ACK (up to 40 ms on Linux). */
static void set_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* ---- the line cleaner (pure; fuzzed) -------------------------------------- */

static size_t drop_bytes(char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0' || s[i] == '\n')
            continue;
        s[w++] = s[i] == '\r' ? ' ' : s[i];
    }
    return w;
}

size_t ircbridge_clean_line(char *s, size_t len)
{
    while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
        len--;
    len = drop_bytes(s, len);
    if (len > LINE_MAX_IN)
        len = LINE_MAX_IN;
    s[len] = '\0';
    /* parse the way libircclient does: [:prefix SP] command {SP param} [SP :trailing] */
    const char *p = s, *prefix = NULL;
    if (*p == ':') {
        prefix = p + 1;
        p = strchr(p, ' ');
        if (!p || p == prefix)
            return 0;           /* a prefix and nothing else: its parser runs off the end */
        p++;
    }
    size_t clen = strcspn(p, " ");
    if (clen == 0)
        return 0;
    int numeric = clen >= 3 && p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' &&
                  p[2] >= '0' && p[2] <= '9';
    if (numeric && p[3] != ' ')
        return 0;               /* "001" alone (or "0012"): it skips 4 bytes blindly */
    if (numeric && p[0] == '0' && p[1] == '0' && p[2] == '0')
        return 0;               /* "000": its code is 0, which it takes for "not a numeric",
                                   and it then compares a command name it never set (NULL) */
    char cmd[16];
    if (clen >= sizeof cmd)
        return len;             /* no command we guard is that long */
    memcpy(cmd, p, clen);
    cmd[clen] = '\0';
    const char *q = p + clen;
    int nparams = 0;
    const char *trailing = NULL;
    while (*q == ' ' && nparams < 10) {
        q++;
        if (*q == ':') {
            trailing = q + 1;
            nparams++;
            break;
        }
        if (!*q)
            break;
        q += strcspn(q, " ");
        nparams++;
    }
    if (!prefix && nparams == 0)
        return 0;               /* "NI", "NOT" ... alone: it reads the absent prefix
                                   (irc_target_get_nick(NULL)); such a line says nothing */
    if (strcasecmp(cmd, "NICK") == 0 && (!prefix || nparams < 1))
        return 0;
    if (strcasecmp(cmd, "PRIVMSG") == 0 || strcasecmp(cmd, "NOTICE") == 0) {
        if (nparams < 2)
            return 0;
        const char *text = trailing ? trailing : q; /* last param */
        if (!trailing) {
            /* last middle param: find its start */
            const char *e = s + len;
            while (e > s && e[-1] != ' ')
                e--;
            text = e;
        }
        if (text[0] == '\001' && strlen(text) < 2)
            return 0;           /* a lone CTCP marker: its length arithmetic wraps */
    }
    return len;
}

size_t ircbridge_take_line(char *line, size_t len, ircv3_tags_t *tags)
{
    len = ircv3_strip_tags(line, len, tags);
    len = len ? ircbridge_clean_line(line, len) : 0;
    /* tags hidden behind bytes the cleaner dropped (NULs first): a line no
     * server sends, and one libircclient would read as a command "@..." */
    return len && line[0] == '@' ? 0 : len;
}

/* ---- TLS ------------------------------------------------------------------- */

static int tls_setup(ircbridge_t *b, const ircbridge_conf_t *conf, char *err, size_t errlen)
{
    b->ctx = SSL_CTX_new(TLS_client_method());
    if (!b->ctx) {
        util_snprintf(err, errlen, "cannot set up TLS (OpenSSL)");
        return PURG_ENET;
    }
    SSL_CTX_set_min_proto_version(b->ctx, TLS1_2_VERSION);
    if (conf->tls_insecure) {
        SSL_CTX_set_verify(b->ctx, SSL_VERIFY_NONE, NULL);
    } else {
        SSL_CTX_set_verify(b->ctx, SSL_VERIFY_PEER, NULL);
        int ok = conf->tls_ca ? SSL_CTX_load_verify_locations(b->ctx, conf->tls_ca, NULL)
                              : SSL_CTX_set_default_verify_paths(b->ctx);
        if (ok != 1) {
            util_snprintf(err, errlen, "cannot load the TLS CA certificates from %s",
                          conf->tls_ca ? conf->tls_ca : "the system store");
            return PURG_ENET;
        }
    }
    b->ssl = SSL_new(b->ctx);
    if (!b->ssl || SSL_set_fd(b->ssl, b->srv) != 1) {
        util_snprintf(err, errlen, "cannot set up TLS (OpenSSL)");
        return PURG_ENET;
    }
    struct in6_addr a6;
    struct in_addr a4;
    int is_ip = inet_pton(AF_INET, conf->host, &a4) == 1 || inet_pton(AF_INET6, conf->host, &a6) == 1;
    if (!is_ip)
        SSL_set_tlsext_host_name(b->ssl, conf->host);
    if (!conf->tls_insecure) {
        X509_VERIFY_PARAM *vp = SSL_get0_param(b->ssl);
        X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, conf->host)
                       : X509_VERIFY_PARAM_set1_host(vp, conf->host, 0);
        if (ok != 1) {
            util_snprintf(err, errlen, "cannot set up the TLS host name check for %s", conf->host);
            return PURG_ENET;
        }
    }
    SSL_set_connect_state(b->ssl);
    return 0;
}

static void tls_error(ircbridge_t *b, char *err, size_t errlen)
{
    long vr = SSL_get_verify_result(b->ssl);
    if (vr != X509_V_OK && !b->tls_insecure) {
        util_snprintf(err, errlen, "TLS certificate of %s:%u not accepted: %s "
                      "(give the server's CA with --tls-ca FILE; --tls-insecure turns "
                      "the check off and lets anyone in the middle read along)",
                      b->host, b->port, X509_verify_cert_error_string(vr));
        return;
    }
    unsigned long e = ERR_get_error();
    char es[200];
    ERR_error_string_n(e, es, sizeof es);
    util_snprintf(err, errlen, "TLS handshake with %s:%u failed: %s (is it a TLS port?)",
                  b->host, b->port, e ? es : "connection closed");
}

/* ---- open / free ----------------------------------------------------------- */

int ircbridge_open(ircbridge_t **out, const ircbridge_conf_t *conf, unsigned short *local_port,
                   char *err, size_t errlen)
{
    ircbridge_t *b = calloc(1, sizeof *b);
    if (!b) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    b->lsn = b->loc = b->srv = -1;
    b->tokens = IRCBRIDGE_BURST;
    b->tokens_t = util_now_ns();
    b->skew_ms = INT64_MAX;
    b->rate = 1000.0 / (conf->pace_ms > 0 ? conf->pace_ms : IRCBRIDGE_PACE_MS);
    b->port = conf->port;
    b->tls_insecure = conf->tls_insecure;
    if (util_strlcpy(b->host, conf->host, sizeof b->host) != 0) {
        util_snprintf(err, errlen, "server name too long");
        goto fail;
    }
    if (conf->sasl_user && conf->sasl_pass) {
        b->sasl_user = strdup(conf->sasl_user);
        b->sasl_pass = strdup(conf->sasl_pass);
        if (!b->sasl_user || !b->sasl_pass) {
            util_snprintf(err, errlen, "out of memory");
            goto fail;
        }
        b->sasl = (sasl_t){ SASL_REQ, b->sasl_user, b->sasl_pass };
    }
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
    char port[8];
    util_snprintf(port, sizeof port, "%u", conf->port);
    int gai = getaddrinfo(conf->host, port, &hints, &res);
    if (gai != 0) {
        util_snprintf(err, errlen, "cannot resolve %s: %s", conf->host, gai_strerror(gai));
        goto fail;
    }
    b->srv = socket(res->ai_family, SOCK_STREAM, 0);
    if (b->srv < 0 || set_nonblock(b->srv) ||
        (connect(b->srv, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS)) {
        util_snprintf(err, errlen, "cannot connect (%s)", strerror(errno));
        freeaddrinfo(res);
        goto fail;
    }
    freeaddrinfo(res);
    int sz = 1 << 20; /* a burst waits in the kernel rather than in the server's send queue */
    setsockopt(b->srv, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
    set_nodelay(b->srv);
    struct sockaddr_in la = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t ll = sizeof la;
    b->lsn = socket(AF_INET, SOCK_STREAM, 0);
    if (b->lsn < 0 || set_nonblock(b->lsn) || bind(b->lsn, (struct sockaddr *)&la, sizeof la) != 0 ||
        listen(b->lsn, 1) != 0 || getsockname(b->lsn, (struct sockaddr *)&la, &ll) != 0) {
        util_snprintf(err, errlen, "cannot open a loopback socket: %s", strerror(errno));
        goto fail;
    }
    if (conf->tls && tls_setup(b, conf, err, errlen) != 0)
        goto fail;
    *local_port = ntohs(la.sin_port);
    *out = b;
    return 0;
fail:
    ircbridge_free(b);
    return PURG_ENET;
}

const char *ircbridge_waiting(const ircbridge_t *b)
{
    if (!b)
        return NULL;
    if (b->state == B_CONNECTING)
        return "the TCP connection was not accepted in time";
    if (b->state == B_HANDSHAKE)
        return "no TLS handshake from the server (is it a TLS port? TLS ports are often 6697)";
    if (sasl_pending(&b->sasl))
        return "SASL negotiation did not finish";
    return NULL;
}

void ircbridge_free(ircbridge_t *b)
{
    if (!b)
        return;
    if (b->ssl)
        SSL_free(b->ssl);
    if (b->ctx)
        SSL_CTX_free(b->ctx);
    if (b->lsn >= 0)
        close(b->lsn);
    if (b->loc >= 0)
        close(b->loc);
    if (b->srv >= 0)
        close(b->srv);
    if (b->sasl_pass) {
        explicit_bzero(b->sasl_pass, strlen(b->sasl_pass));
        free(b->sasl_pass);
    }
    free(b->sasl_user);
    explicit_bzero(b->up.d, sizeof b->up.d); /* may hold PASS */
    free(b);
}

/* ---- the shuttle ----------------------------------------------------------- */

static void add(int fd, fd_set *s, int *maxfd)
{
    FD_SET(fd, s);
    if (fd > *maxfd)
        *maxfd = fd;
}

void ircbridge_fds(ircbridge_t *b, fd_set *rd, fd_set *wr, int *maxfd)
{
    if (b->lsn >= 0)
        add(b->lsn, rd, maxfd);
    if (b->loc >= 0) {
        if (b->up.len < BUF_CAP - 1024)
            add(b->loc, rd, maxfd);
        if (b->down.len > 0)
            add(b->loc, wr, maxfd);
    }
    if (b->state == B_CONNECTING) {
        add(b->srv, wr, maxfd);
    } else {
        /* TLS may need either direction at any time; reading is always welcome
         * while there is room for at least one more line */
        if (b->down.len + LINE_MAX_IN + 2 < BUF_CAP)
            add(b->srv, rd, maxfd);
        if (b->up.ok > 0 || (b->up.len > 0 && b->tokens >= 1.0) || b->state == B_HANDSHAKE)
            add(b->srv, wr, maxfd);
    }
}

static int buf_put(buf_t *bf, const char *d, size_t n)
{
    if (bf->len + n > BUF_CAP)
        return -1;
    memcpy(bf->d + bf->len, d, n);
    bf->len += n;
    return 0;
}

/* Insert a whole line of ours at the last line boundary, so it never lands
 * inside a partial line of libircclient's, or at the front of what is not
 * yet paid for (at_front). */
static void buf_put_line(buf_t *bf, const char *d, size_t n, int at_front)
{
    if (bf->len + n > BUF_CAP)
        return; /* only when the server stopped reading: the link is dying anyway */
    size_t pos = bf->ok;
    if (!at_front)
        for (size_t i = bf->len; i > bf->ok; i--)
            if (bf->d[i - 1] == '\n') {
                pos = i;
                break;
            }
    memmove(bf->d + pos + n, bf->d + pos, bf->len - pos);
    memcpy(bf->d + pos, d, n);
    bf->len += n;
}

static void buf_eat(buf_t *bf, size_t n)
{
    memmove(bf->d, bf->d + n, bf->len - n);
    bf->len -= n;
    bf->ok = bf->ok > n ? bf->ok - n : 0;
}

/* ---- pacing ------------------------------------------------------------------
 * Every line to the server - PRIVMSG, PING, PONG, JOIN, WHO, NICK, MODE,
 * registration - is paid for from one token bucket per link (IRCBRIDGE_BURST
 * lines, refilled at one every pace_ms), so no link ever sends faster
 * than strict servers allow (see ircbridge.h). */

static void pace_refill(ircbridge_t *b, int64_t now)
{
    b->tokens += (double)(now - b->tokens_t) / (double)NS_PER_S * b->rate;
    if (b->tokens > IRCBRIDGE_BURST)
        b->tokens = IRCBRIDGE_BURST;
    b->tokens_t = now;
}

/* Complete lines in up past the paid region. */
static size_t unpaid_lines(const ircbridge_t *b)
{
    size_t k = 0;
    for (size_t i = b->up.ok; i < b->up.len; i++)
        k += b->up.d[i] == '\n';
    return k;
}

/* Pays for as many whole lines as the bucket allows. */
static void pace_pay(ircbridge_t *b)
{
    pace_refill(b, util_now_ns());
    while (b->tokens >= 1.0) {
        char *nl = memchr(b->up.d + b->up.ok, '\n', b->up.len - b->up.ok);
        if (!nl)
            break;
        b->up.ok = (size_t)(nl - b->up.d) + 1;
        b->tokens -= 1.0;
    }
}

int ircbridge_credit(ircbridge_t *b)
{
    if (!b)
        return 0;
    pace_refill(b, util_now_ns());
    return (int)b->tokens - (int)unpaid_lines(b);
}

int ircbridge_next_ms(const ircbridge_t *b)
{
    if (!b || b->up.ok > 0 || !memchr(b->up.d + b->up.ok, '\n', b->up.len - b->up.ok))
        return -1;
    double need = 1.0 - b->tokens;
    return need <= 0 ? 0 : (int)(need / b->rate * 1000.0) + 1;
}

int ircbridge_credit_ms(ircbridge_t *b)
{
    int credit = ircbridge_credit(b);
    if (!b || credit >= 1)
        return 0;
    double need = 1.0 - credit - (b->tokens - (int)b->tokens);
    return (int)(need / b->rate * 1000.0) + 1;
}

/* ---- replayed history --------------------------------------------------------
 * A server may replay a channel's recent lines when we join (InspIRCd's
 * chanhistory, bouncers, IRCv3 chathistory). With server-time (and batch)
 * negotiated they can be told from live lines: they come in a chathistory
 * batch, or their server-time is more than HISTORY_LAG_MS older than the
 * moment they arrive, measured against the server's clock as live lines show
 * it (the least difference seen on a line that is always live: numerics,
 * JOIN, PONG), so a server clock that runs behind does not make live lines
 * look old. A replayed PRIVMSG is passed on as "HISTORY" (irc.c hears it as
 * history); other replayed lines and the BATCH lines themselves are dropped. */
#define HISTORY_LAG_MS 5000

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True when the line is replayed history to be dropped; a replayed PRIVMSG
 * is rewritten to HISTORY in place (same length) and passed on (false). */
static int history(ircbridge_t *b, const ircv3_tags_t *t, char *line, size_t len)
{
    line[len] = '\0';
    const char *c0 = ircv3_command(line);
    if (!c0)
        return 0;
    char *cmd = line + (c0 - line); /* ours to rewrite in place */
    if (strncmp(cmd, "BATCH ", 6) == 0) {
        const char *ref = cmd + 6;
        size_t rn = strcspn(ref + 1, " ");
        if (rn == 0 || rn >= sizeof b->hist_batch[0])
            return 1;
        const char *type = ref + 1 + rn;
        while (*type == ' ')
            type++;
        for (size_t i = 0; i < 4; i++) {
            if (ref[0] == '-' && strncmp(b->hist_batch[i], ref + 1, rn) == 0 &&
                b->hist_batch[i][rn] == '\0')
                b->hist_batch[i][0] = '\0';
            else if (ref[0] == '+' && !b->hist_batch[i][0] &&
                     (strncmp(type, "chathistory", 11) == 0 ||
                      strncmp(type, "draft/chathistory", 17) == 0)) {
                memcpy(b->hist_batch[i], ref + 1, rn);
                b->hist_batch[i][rn] = '\0';
                break;
            }
        }
        return 1; /* libircclient has no use for BATCH */
    }
    int msg = strncmp(cmd, "PRIVMSG ", 8) == 0 || strncmp(cmd, "NOTICE ", 7) == 0;
    int old = 0;
    for (size_t i = 0; i < 4 && t->batch[0]; i++)
        old |= b->hist_batch[i][0] && strcmp(b->hist_batch[i], t->batch) == 0;
    if (t->time_ms > 0) {
        int64_t d = wall_ms() - t->time_ms;
        if (!msg && d < b->skew_ms)
            b->skew_ms = d;   /* a live line: how far the server's clock is behind */
        if (msg && d - (b->skew_ms == INT64_MAX ? 0 : b->skew_ms) > HISTORY_LAG_MS)
            old = 1;
    }
    if (!old)
        return 0;
    if (strncmp(cmd, "PRIVMSG ", 8) != 0)
        return 1;
    memcpy(cmd, "HISTORY", 7);
    return 0;
}

/* Bytes from the server: cut into lines, clean, pass on. */
static int take_server_bytes(ircbridge_t *b, const char *d, size_t n, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        char ch = d[i];
        if (ch != '\n') {
            if (b->line_len < LINE_MAX_IN + 1)
                b->line[b->line_len++] = ch;
            continue;   /* longer lines are cut by the cleaner */
        }
        ircv3_tags_t tags;
        size_t len = ircbridge_take_line(b->line, b->line_len, &tags);
        b->line_len = 0;
        if (len == 0 || history(b, &tags, b->line, len))
            continue;
        if (b->cap.state != CAP_DONE || !b->cap.end_sent) {
            char reply[IRCV3_REPLY_MAX];
            size_t rn;
            b->line[len] = '\0';
            ircv3_cap_step(&b->cap, b->line, sasl_pending(&b->sasl), reply, &rn);
            if (rn > 0)
                buf_put_line(&b->up, reply, rn, 0);
        }
        if ((tags.flags & IRCV3_TAG_BOT) && b->line[0] == ':') {
            /* libircclient knows no tags: the bot tag travels as the numeric
             * that says the same (RPL_WHOISBOT), just before the line */
            size_t nl = strcspn(b->line + 1, "!@ ");
            char note[128];
            int k = snprintf(note, sizeof note, ":purgatory.bridge 335 * %.*s :is a bot (tag)\r\n",
                             (int)(nl < 64 ? nl : 64), b->line + 1);
            if (nl > 0 && k > 0 && (size_t)k < sizeof note && buf_put(&b->down, note, (size_t)k) != 0)
                return PURG_ENET;
        }
        if (sasl_pending(&b->sasl)) { /* else no reply buffer to clear per line */
            char reply[SASL_REPLY_MAX];
            size_t rn;
            b->line[len] = '\0';
            int rc = sasl_step(&b->sasl, b->host, b->line, reply, &rn, err, errlen);
            if (rn > 0)
                buf_put_line(&b->up, reply, rn, 0);
            explicit_bzero(reply, sizeof reply);
            if (rc != 0)
                return PURG_ENET;
        }
        b->line[len] = '\r';
        b->line[len + 1] = '\n';
        if (buf_put(&b->down, b->line, len + 2) != 0)
            return PURG_ENET; /* cannot happen: reading stops before the buffer fills */
    }
    return 0;
}

static int srv_io(ircbridge_t *b, char *err, size_t errlen)
{
    char tmp[16384];
    /* write */
    pace_pay(b);
    while (b->up.ok > 0) {
        ssize_t w;
        if (b->ssl) {
            int r = SSL_write(b->ssl, b->up.d, (int)b->up.ok);
            if (r <= 0) {
                int e = SSL_get_error(b->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                    break;
                util_snprintf(err, errlen, "TLS write to %s failed", b->host);
                return PURG_ENET;
            }
            w = r;
        } else {
            w = send(b->srv, b->up.d, b->up.ok, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    break;
                util_snprintf(err, errlen, "write to %s failed: %s", b->host, strerror(errno));
                return PURG_ENET;
            }
        }
        buf_eat(&b->up, (size_t)w);
    }
    /* read while there is room for what a read may bring */
    while (b->down.len + sizeof tmp * 2 < BUF_CAP) {
        ssize_t r;
        if (b->ssl) {
            int k = SSL_read(b->ssl, tmp, (int)sizeof tmp);
            if (k <= 0) {
                int e = SSL_get_error(b->ssl, k);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                    break;
                if (b->down.len > 0)
                    break; /* see below: its last lines reach libircclient first */
                util_snprintf(err, errlen, "the server closed the connection");
                return PURG_ENET;
            }
            r = k;
        } else {
            r = recv(b->srv, tmp, sizeof tmp, 0);
            if (r < 0 && (errno == EAGAIN || errno == EINTR))
                break;
            /* A server closes right after its last words (ERROR, 465...): they
             * go to libircclient first, and the next call, reading the end
             * again, reports it, so the message can say what the server said. */
            if (r == 0 && b->down.len > 0)
                break;
            if (r <= 0) {
                util_snprintf(err, errlen, r == 0 ? "the server closed the connection" : "%s",
                              strerror(errno));
                return PURG_ENET;
            }
        }
        if (take_server_bytes(b, tmp, (size_t)r, err, errlen) != 0)
            return PURG_ENET;
    }
    return 0;
}

/* Before libircclient's NICK/USER: "CAP LS 302" (and "CAP REQ :sasl"), so
 * a server with CAP holds registration until CAP END. */
static void cap_start(ircbridge_t *b)
{
    if (b->sasl.state == SASL_REQ)
        buf_put_line(&b->up, "CAP REQ :sasl\r\n", 15, 1);
    size_t n;
    const char *ls = ircv3_cap_start(&b->cap, &n);
    buf_put_line(&b->up, ls, n, 1);
}

int ircbridge_process(ircbridge_t *b, const fd_set *rd, const fd_set *wr, char *err, size_t errlen)
{
    if (b->lsn >= 0 && FD_ISSET(b->lsn, rd)) {
        int fd = accept(b->lsn, NULL, NULL);
        if (fd >= 0) {
            close(b->lsn); /* one client only: nobody else on this host gets in */
            b->lsn = -1;
            set_nonblock(fd);
            set_nodelay(fd);
            b->loc = fd;
        }
    }
    if (b->state == B_CONNECTING && FD_ISSET(b->srv, wr)) {
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        getsockopt(b->srv, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr != 0) {
            util_snprintf(err, errlen, "cannot connect (%s)", strerror(soerr));
            return PURG_ENET;
        }
        b->state = b->ssl ? B_HANDSHAKE : B_UP;
        /* CAP REQ before libircclient's NICK/USER: registration then waits for CAP END */
        if (b->state == B_UP)
            cap_start(b);
    }
    if (b->state == B_HANDSHAKE) {
        int r = SSL_do_handshake(b->ssl);
        if (r == 1) {
            b->state = B_UP;
            cap_start(b);
        } else {
            int e = SSL_get_error(b->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                tls_error(b, err, errlen);
                return PURG_ENET;
            }
        }
    }
    if (b->loc >= 0 && FD_ISSET(b->loc, rd) && b->up.len < BUF_CAP - 1024) {
        /* libircclient's lines (ours go in at line boundaries: buf_put_line) */
        ssize_t r = recv(b->loc, b->up.d + b->up.len, BUF_CAP - b->up.len, 0);
        if (r == 0) {
            util_snprintf(err, errlen, "connection closed");
            return PURG_ENET;
        }
        if (r > 0)
            b->up.len += (size_t)r;
    }
    if (b->state == B_UP && srv_io(b, err, errlen) != 0)
        return PURG_ENET;
    if (b->loc >= 0 && b->down.len > 0) {
        ssize_t w = send(b->loc, b->down.d, b->down.len, MSG_NOSIGNAL);
        if (w > 0)
            buf_eat(&b->down, (size_t)w);
        else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            util_snprintf(err, errlen, "connection closed");
            return PURG_ENET;
        }
    }
    return 0;
}
