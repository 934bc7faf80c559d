/* speechq.c - bounded utterance queue: net thread pushes, synth thread pops.
 *
 * DESIGN: a mutex + condition variable around a singly linked FIFO (the Redis
 * bio.c shape). The lock is held only for pointer moves and counters, never
 * while allocating, logging or speaking, so the net thread never waits on the
 * synth thread for longer than a few instructions. */
#include "speechq.h"
#include "nick.h"
#include "purg.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SKIP_NAMES 3

struct speechq {
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
    utterance_t *head, *tail;
    size_t len, capacity;
    uint64_t next_id;
    int closed;
    /* overflow accounting since the last pop (guarded by lock) */
    size_t skipped;
    size_t skip_names_n;
    int skip_others;
    char skip_names[SKIP_NAMES][SPEECHQ_NAME_MAX];
};

utterance_t *utterance_new(utterance_kind_t kind, const char *channel, const char *nick,
                           const voice_t *v, const char *text)
{
    size_t tlen = strlen(text);
    utterance_t *u = calloc(1, sizeof *u + tlen + 1);
    if (!u)
        return NULL;
    u->kind = kind;
    util_strlcpy(u->channel, channel ? channel : "", sizeof u->channel);
    util_strlcpy(u->nick, nick ? nick : "", sizeof u->nick);
    if (v)
        u->voice = *v;
    memcpy(u->text, text, tlen + 1);
    return u;
}

int speechq_create(speechq_t **out, size_t capacity)
{
    if (capacity == 0)
        return PURG_EINVAL;
    speechq_t *q = calloc(1, sizeof *q);
    if (!q)
        return PURG_ENOMEM;
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto fail_mutex;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int rc = pthread_cond_init(&q->nonempty, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0)
        goto fail_cond;
    q->capacity = capacity;
    q->next_id = 1;
    *out = q;
    return 0;
fail_cond:
    pthread_mutex_destroy(&q->lock);
fail_mutex:
    free(q);
    return PURG_ENOMEM;
}

static void free_list(utterance_t *u)
{
    while (u) {
        utterance_t *next = u->next;
        free(u);
        u = next;
    }
}

void speechq_free(speechq_t *q)
{
    if (!q)
        return;
    free_list(q->head);
    pthread_cond_destroy(&q->nonempty);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

/* Remember that a line of nick was dropped. Caller holds q->lock. */
static void note_skip(speechq_t *q, const char *nick)
{
    q->skipped++;
    for (size_t i = 0; i < q->skip_names_n; i++)
        if (nick_eq(q->skip_names[i], nick))
            return;
    if (q->skip_names_n < SKIP_NAMES)
        util_strlcpy(q->skip_names[q->skip_names_n++], nick, SPEECHQ_NAME_MAX);
    else
        q->skip_others = 1;
}

int speechq_push(speechq_t *q, utterance_t *u)
{
    utterance_t *dropped = NULL;
    u->next = NULL;
    u->t_queued = util_now_ns();
    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        pthread_mutex_unlock(&q->lock);
        free(u);
        return PURG_ECLOSED;
    }
    if (q->len >= q->capacity) {
        dropped = q->head;
        q->head = dropped->next;
        if (!q->head)
            q->tail = NULL;
        q->len--;
        note_skip(q, dropped->nick);
    }
    u->id = q->next_id++;
    if (q->tail)
        q->tail->next = u;
    else
        q->head = u;
    q->tail = u;
    q->len++;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    free(dropped);
    return dropped ? 1 : 0;
}

/* "skipped N lines from a, b and others". Caller holds q->lock. */
static void format_skipped(speechq_t *q, char *msg, size_t len)
{
    if (!msg || len == 0)
        return;
    msg[0] = '\0';
    if (q->skipped == 0)
        return;
    size_t off = 0;
    int n = snprintf(msg, len, "skipped %zu line%s from ", q->skipped, q->skipped == 1 ? "" : "s");
    if (n < 0 || (size_t)n >= len)
        return;
    off = (size_t)n;
    for (size_t i = 0; i < q->skip_names_n && off < len; i++) {
        const char *sep = i == 0 ? "" :
                          (i + 1 == q->skip_names_n && !q->skip_others) ? " and " : ", ";
        n = snprintf(msg + off, len - off, "%s%s", sep, q->skip_names[i]);
        if (n < 0)
            return;
        off += (size_t)n;
    }
    if (q->skip_others && off < len)
        snprintf(msg + off, len - off, " and others");
}

int speechq_pop(speechq_t *q, int timeout_ms, utterance_t **out,
                char *skipped_msg, size_t skipped_len)
{
    struct timespec deadline;
    if (timeout_ms >= 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= NS_PER_S) {
            deadline.tv_sec++;
            deadline.tv_nsec -= NS_PER_S;
        }
    }
    pthread_mutex_lock(&q->lock);
    while (!q->head && !q->closed) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&q->nonempty, &q->lock);
        } else if (pthread_cond_timedwait(&q->nonempty, &q->lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    if (!q->head) {
        int rc = q->closed ? PURG_ECLOSED : PURG_ETIMEOUT;
        pthread_mutex_unlock(&q->lock);
        return rc;
    }
    utterance_t *u = q->head;
    q->head = u->next;
    if (!q->head)
        q->tail = NULL;
    q->len--;
    format_skipped(q, skipped_msg, skipped_len);
    q->skipped = 0;
    q->skip_names_n = 0;
    q->skip_others = 0;
    pthread_mutex_unlock(&q->lock);
    u->next = NULL;
    *out = u;
    return 0;
}

size_t speechq_clear(speechq_t *q)
{
    pthread_mutex_lock(&q->lock);
    utterance_t *list = q->head;
    size_t n = q->len;
    q->head = q->tail = NULL;
    q->len = 0;
    pthread_mutex_unlock(&q->lock);
    free_list(list);
    return n;
}

size_t speechq_backlog(speechq_t *q)
{
    pthread_mutex_lock(&q->lock);
    size_t n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

void speechq_close(speechq_t *q, int discard)
{
    utterance_t *list = NULL;
    pthread_mutex_lock(&q->lock);
    q->closed = 1;
    if (discard) {
        list = q->head;
        q->head = q->tail = NULL;
        q->len = 0;
    }
    pthread_cond_broadcast(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
    free_list(list);
}

int speechq_closed(speechq_t *q)
{
    pthread_mutex_lock(&q->lock);
    int c = q->closed;
    pthread_mutex_unlock(&q->lock);
    return c;
}

size_t speechq_snapshot(speechq_t *q, speechq_item_t *items, size_t max, size_t *nitems,
                        double *secs)
{
    size_t k = 0;
    double total = 0;
    pthread_mutex_lock(&q->lock);
    size_t len = q->len;
    for (utterance_t *u = q->head; u; u = u->next) {
        int rate = u->voice.rate > 0 ? u->voice.rate : 175;
        total += (double)strlen(u->text) * 10.0 / rate; /* ~6 bytes a word */
        if (k < max) {
            items[k].kind = u->kind;
            util_strlcpy(items[k].nick, u->nick, sizeof items[k].nick);
            util_strlcpy(items[k].text, u->text, sizeof items[k].text);
            k++;
        }
    }
    pthread_mutex_unlock(&q->lock);
    if (nitems)
        *nitems = k;
    if (secs)
        *secs = total;
    return len;
}
