/* stage.c - the stage events' publish/subscribe: any publishing thread (the
 * synth thread, the control thread); subscribers run on the publisher's
 * thread under the stage's mutex (see stage.h for the rules). */
#include "stage.h"
#include "lockcheck.h"
#include "purg.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct stage {
    pthread_mutex_t lock;        /* serializes publications; held while subscribers run */
    uint64_t seq;                /* under lock */
    struct { stage_fn fn; void *ctx; } sub[STAGE_SUBSCRIBERS_MAX];
    size_t nsub;                 /* fixed once sealed */
    atomic_int sealed;
    atomic_ulong refused;
};

/* The stage this thread is publishing on now (nested publish detection). */
static _Thread_local const stage_t *publishing;

int stage_create(stage_t **out)
{
    stage_t *s = calloc(1, sizeof *s);
    if (!s)
        return PURG_ENOMEM;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return PURG_ENOMEM;
    }
    atomic_init(&s->sealed, 0);
    atomic_init(&s->refused, 0);
    *out = s;
    return 0;
}

void stage_free(stage_t *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int stage_subscribe(stage_t *s, stage_fn fn, void *ctx)
{
    if (atomic_load(&s->sealed))
        return PURG_EINVAL;
    if (s->nsub >= STAGE_SUBSCRIBERS_MAX)
        return PURG_ETOOBIG;
    s->sub[s->nsub].fn = fn;
    s->sub[s->nsub].ctx = ctx;
    s->nsub++;
    return 0;
}

void stage_seal(stage_t *s)
{
    atomic_store(&s->sealed, 1);
}

uint64_t stage_publish(stage_t *s, stage_event_t *ev)
{
    if (!s)
        return 0;
    /* the list is read without the lock: it is fixed once sealed */
    LOCK_ASSERT(atomic_load(&s->sealed)); /* publishing reads the list unlocked */
    if (publishing == s) { /* a subscriber published: it would deadlock */
        atomic_fetch_add(&s->refused, 1);
        return 0;
    }
    pthread_mutex_lock(&s->lock);
    publishing = s;
    ev->seq = ++s->seq;
    ev->t_ns = util_now_ns();
    for (size_t i = 0; i < s->nsub; i++)
        s->sub[i].fn(s->sub[i].ctx, ev);
    publishing = NULL;
    uint64_t seq = ev->seq;
    pthread_mutex_unlock(&s->lock);
    return seq;
}

unsigned long stage_refused(const stage_t *s)
{
    return atomic_load(&((stage_t *)s)->refused);
}

const char *stage_kind_name(stage_kind_t k)
{
    switch (k) {
    case STAGE_START: return "start";
    case STAGE_WORD: return "word";
    case STAGE_END: return "end";
    case STAGE_QUEUE: return "queue";
    case STAGE_CLEAR: return "clear";
    case STAGE_PAUSE: return "pause";
    case STAGE_VOLUME: return "volume";
    case STAGE_MUTE: return "mute";
    }
    return "?";
}
