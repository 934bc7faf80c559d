/* test_captions.c - the captions server's parsers ([ADDR:]PORT, the
 * Last-Event-ID header), its JSON string encoder, and, against the real
 * server on a loopback port: the page and its headers, the scrollback and
 * a resumed stream, the bound on clients, and a stalled page that is closed
 * (not waited for, its memory bounded) while events keep coming. */
#include "audio.h"
#include "captions.h"
#include "check.h"
#include "purg.h"
#include "stage.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void test_parse_addr(void)
{
    char host[64], err[256];
    int port = -1;
    CHECK_EQ(captions_parse_addr("8080", host, sizeof host, &port, err, sizeof err), 0);
    CHECK_STREQ(host, "127.0.0.1");
    CHECK_EQ(port, 8080);
    CHECK_EQ(captions_parse_addr("0.0.0.0:80", host, sizeof host, &port, err, sizeof err), 0);
    CHECK_STREQ(host, "0.0.0.0");
    CHECK_EQ(captions_parse_addr("[::1]:0", host, sizeof host, &port, err, sizeof err), 0);
    CHECK_STREQ(host, "::1");
    CHECK_EQ(port, 0);
    CHECK_EQ(captions_parse_addr("localhost:65535", host, sizeof host, &port, err, sizeof err), 0);
    CHECK_STREQ(host, "127.0.0.1");
    static const char *bad[] = { "", ":", "65536", "-1", "+80", "80a", "a:80", "::1:80", "[]:80",
                                 "1.2.3.4:", "1.2.3.4:123456", "example.org:80", "[::1:80",
                                 "999.1.1.1:80", " 80" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        CHECK_EQ(captions_parse_addr(bad[i], host, sizeof host, &port, err, sizeof err), PURG_EINVAL);
        CHECK(err[0] != '\0');
    }
}

static void test_parse_event_id(void)
{
    uint64_t v = 0;
    CHECK_EQ(captions_parse_event_id("1", &v), 0);
    CHECK_EQ(v, 1);
    CHECK_EQ(captions_parse_event_id("9223372036854775807", &v), 0);
    CHECK_EQ(v, 9223372036854775807ULL);
    static const char *bad[] = { "", "0", "01", "-1", "+1", " 1", "1 ", "1a", "9223372036854775808",
                                 "99999999999999999999", "18446744073709551616", "0x10" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_EQ(captions_parse_event_id(bad[i], &v), PURG_EINVAL);
    CHECK_EQ(captions_parse_event_id(NULL, &v), PURG_EINVAL);
}

static void test_json(void)
{
    char out[64];
    captions_json_str("a\"b\\c<d>&\n\x01", out, sizeof out);
    CHECK_STREQ(out, "a\\\"b\\\\c\\u003cd\\u003e\\u0026\\u000a\\u0001");
    captions_json_str("caf\xc3\xa9 \xe2\x80\xa8 \xff\xc3", out, sizeof out); /* é, U+2028, bad bytes */
    CHECK_STREQ(out, "caf\xc3\xa9 \\u2028 \xef\xbf\xbd\xef\xbf\xbd");
    captions_json_str("\xed\xa0\x80", out, sizeof out); /* a UTF-16 surrogate is not UTF-8 */
    CHECK_STREQ(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* cut at a whole character, never in the middle of an escape */
    CHECK_EQ(captions_json_str("<<<", out, 7), 6);
    CHECK_STREQ(out, "\\u003c");
    CHECK_EQ(captions_json_str("x", out, 1), 0);
    CHECK_EQ(captions_utf16_len("a\xc3\xa9\xf0\x9f\x98\x80z", 8), 5); /* a é 😀(2) z */
    CHECK_EQ(captions_utf16_len("a\xc3\xa9", 2), 2);
}

/* ---- against the real server ---- */

static int connect_to(int port, int rcvbuf)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (rcvbuf)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_str(int fd, const char *s)
{
    size_t n = strlen(s);
    return send(fd, s, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/* Read into buf until it holds want (or the peer closes, or ms pass).
 * Returns the bytes read; *closed is set when the peer closed. */
static size_t read_until(int fd, char *buf, size_t n, const char *want, int ms, int *closed)
{
    size_t got = 0, kept = 0;
    *closed = 0;
    buf[0] = '\0';
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        if (want && strstr(buf, want))
            break;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long el = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
        if (el >= ms)
            break;
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, (int)(ms - el)) <= 0)
            break;
        char tmp[4096];
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0) {
            *closed = 1;
            break;
        }
        size_t k = (size_t)r < n - 1 - kept ? (size_t)r : n - 1 - kept;
        memcpy(buf + kept, tmp, k); /* keeps the start; later bytes are counted only */
        kept += k;
        buf[kept] = '\0';
        got += (size_t)r;
    }
    return got;
}

typedef struct server {
    audio_t *audio;
    stage_t *stage;
    captions_t *cap;
    int port;
} server_t;

static int server_up(server_t *s)
{
    char err[256];
    memset(s, 0, sizeof *s);
    if (audio_open(&s->audio, AUDIO_NULL, NULL, err, sizeof err) != 0 || stage_create(&s->stage) != 0)
        return -1;
    if (captions_start(&s->cap, "127.0.0.1:0", s->stage, s->audio, "test", err, sizeof err) != 0) {
        fprintf(stderr, "captions_start: %s\n", err);
        return -1;
    }
    stage_seal(s->stage);
    s->port = captions_port(s->cap);
    /* one frame "heard": the test's lines all start at frame 0 */
    static const int16_t frame[AUDIO_CHANNELS];
    audio_write(s->audio, frame, 1);
    return 0;
}

static void server_down(server_t *s)
{
    captions_stop(s->cap);
    stage_free(s->stage);
    audio_close(s->audio);
}

static void say_line(server_t *s, uint64_t id, const char *nick, const char *text)
{
    stage_event_t ev = { .kind = STAGE_START, .id = id, .channel = "#room", .nick = nick,
                         .voice = "en", .color = 33, .text = text, .line = text };
    stage_publish(s->stage, &ev);
    ev = (stage_event_t){ .kind = STAGE_WORD, .id = id, .off = 0, .len = 3 };
    stage_publish(s->stage, &ev);
    ev = (stage_event_t){ .kind = STAGE_END, .id = id };
    stage_publish(s->stage, &ev);
}

static char big[1 << 20];

static void test_server(void)
{
    server_t s;
    CHECK_EQ(server_up(&s), 0);
    if (!s.cap)
        return;
    int closed;
    /* the page, with its headers */
    int fd = connect_to(s.port, 0);
    CHECK(fd >= 0);
    send_str(fd, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    read_until(fd, big, sizeof big, "</html>", 3000, &closed);
    CHECK(strstr(big, "HTTP/1.1 200") == big);
    CHECK(strstr(big, "Content-Security-Policy: default-src 'none'; script-src 'self'"));
    CHECK(strstr(big, "X-Content-Type-Options: nosniff"));
    CHECK(strstr(big, "<script src=\"captions.js\""));
    close(fd);
    /* read-only */
    fd = connect_to(s.port, 0);
    send_str(fd, "POST /events HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    read_until(fd, big, sizeof big, "\r\n\r\n", 3000, &closed);
    CHECK(strstr(big, "HTTP/1.1 405") == big);
    close(fd);
    fd = connect_to(s.port, 0);
    send_str(fd, "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    read_until(fd, big, sizeof big, "\r\n\r\n", 3000, &closed);
    CHECK(strstr(big, "HTTP/1.1 404") == big);
    close(fd);

    /* two finished lines, then a page: it gets them as scrollback */
    say_line(&s, 1, "alice", "one <b>two</b>");
    say_line(&s, 2, "bob", "three");
    struct timespec ts = { 0, 100 * 1000000L };
    nanosleep(&ts, NULL); /* the pump releases them */
    fd = connect_to(s.port, 0);
    send_str(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    read_until(fd, big, sizeof big, "\"nick\":\"bob\"", 3000, &closed);
    CHECK(strstr(big, "text/event-stream"));
    CHECK(strstr(big, "event: line\ndata: {\"id\":1,\"kind\":\"say\",\"ch\":\"#room\",\"nick\":\"alice\""));
    CHECK(strstr(big, "\"text\":\"one \\u003cb\\u003etwo\\u003c/b\\u003e\""));
    /* then live, with ids */
    say_line(&s, 3, "carol", "four five");
    read_until(fd, big, sizeof big, "event: end", 3000, &closed);
    CHECK(strstr(big, "event: start\ndata: {\"id\":3"));
    CHECK(strstr(big, "event: word\ndata: {\"id\":3,\"upto\":3}"));
    const char *idl = strstr(big, "id: ");
    CHECK(idl != NULL);
    unsigned long first = idl ? strtoul(idl + 4, NULL, 10) : 0;
    close(fd);
    /* a reconnect with Last-Event-ID resumes after it: no scrollback again */
    fd = connect_to(s.port, 0);
    char req[160];
    snprintf(req, sizeof req, "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: %lu\r\n\r\n", first);
    send_str(fd, req);
    read_until(fd, big, sizeof big, "event: end", 3000, &closed);
    CHECK(strstr(big, "event: line") == NULL);
    CHECK(strstr(big, "event: word"));
    CHECK(strstr(big, "event: start") == NULL); /* that was the id given */
    close(fd);
    /* a bad Last-Event-ID: a new page (scrollback) */
    fd = connect_to(s.port, 0);
    send_str(fd, "GET /events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 1; DROP\r\n\r\n");
    read_until(fd, big, sizeof big, "\"nick\":\"carol\"", 3000, &closed);
    CHECK(strstr(big, "event: line"));
    close(fd);
    server_down(&s);
}

/* RSS in KiB (Linux). */
static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void test_stalled(void)
{
    server_t s;
    CHECK_EQ(server_up(&s), 0);
    if (!s.cap)
        return;
    int closed;
    /* a page that reads its first bytes and then stops reading, with a
     * small receive window */
    int fd = connect_to(s.port, 4096);
    CHECK(fd >= 0);
    send_str(fd, "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
    read_until(fd, big, sizeof big, "event: state", 3000, &closed);
    CHECK(strstr(big, "event: state"));
    /* a healthy page alongside, reading everything */
    long rss0 = rss_kib();
    static char text[3000];
    memset(text, 'w', sizeof text - 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t i = 1; i <= 4 * CAPTIONS_LOG; i++) { /* ~36 MB of events for the stalled page */
        stage_event_t ev = { .kind = STAGE_START, .id = i, .channel = "#room", .nick = "n",
                             .voice = "en", .text = text, .line = text };
        stage_publish(s.stage, &ev);
        ev = (stage_event_t){ .kind = STAGE_END, .id = i };
        stage_publish(s.stage, &ev);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    long grown = rss_kib() - rss0;
    fprintf(stderr, "stalled page: %d events published in %.3f s, RSS grew %ld KiB\n",
            8 * CAPTIONS_LOG, secs, grown);
    CHECK_LT(secs, 5.0);      /* the publisher never waited for the page */
    /* held at most: CAPTIONS_LOG released events, CAPTIONS_PENDING waiting
     * ones and CAPTIONS_SCROLLBACK lines, ~3 KB each here (~6.5 MB),
     * whatever the page does */
#ifndef PURG_SANITIZED
    CHECK_LT(grown, 10 * 1024);
#else
    (void)grown; /* ASan keeps freed memory in quarantine: RSS says nothing here */
#endif
    /* the page wakes up: it reads what its connection had buffered, then
     * finds itself out of the log and is closed */
    size_t total = 0;
    for (int i = 0; i < 400 && !closed; i++)
        total += read_until(fd, big, sizeof big, NULL, 50, &closed);
    CHECK(closed);
    close(fd);
    captions_stats_t st;
    captions_stats(s.cap, &st);
    CHECK_EQ(st.dropped_clients, 1);
    fprintf(stderr, "stalled page read %zu bytes before it was closed\n", total);
    server_down(&s);
}

static void test_client_limit(void)
{
    server_t s;
    CHECK_EQ(server_up(&s), 0);
    if (!s.cap)
        return;
    int fds[CAPTIONS_CLIENTS_MAX + 1], closed;
    for (int i = 0; i < CAPTIONS_CLIENTS_MAX; i++) {
        fds[i] = connect_to(s.port, 0);
        send_str(fds[i], "GET /events HTTP/1.1\r\nHost: x\r\n\r\n");
        read_until(fds[i], big, sizeof big, "event: state", 3000, &closed);
        CHECK(strstr(big, "event: state"));
    }
    int extra = connect_to(s.port, 0);
    send_str(extra, "GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    read_until(extra, big, sizeof big, "\r\n\r\n", 3000, &closed);
    CHECK(strstr(big, "HTTP/1.1 503") == big);
    close(extra);
    for (int i = 0; i < CAPTIONS_CLIENTS_MAX; i++)
        close(fds[i]);
    server_down(&s); /* stops with the pages' threads waiting: none is left behind */
}

int main(int argc, char **argv)
{
    static const check_case_t cases[] = {
        CHECK_CASE(parse_addr), CHECK_CASE(parse_event_id), CHECK_CASE(json),
        CHECK_CASE(server), CHECK_CASE(stalled), CHECK_CASE(client_limit),
    };
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
