/* ring.c - SPSC ring: one producer thread writes, one consumer reads, no locks.
 *
 * DESIGN: head and tail are free-running counters (never wrapped), so
 * head - tail is the fill level even when they overflow. The producer owns
 * head, the consumer owns tail; each publishes its counter with a release
 * store after touching the data and reads the other's with an acquire load,
 * which orders the element copies against the counter updates. */
#include "ring.h"
#include "purg.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct ring {
    _Alignas(64) atomic_size_t head; /* written by the producer */
    _Alignas(64) atomic_size_t tail; /* written by the consumer */
    _Alignas(64) size_t mask;        /* capacity - 1, capacity a power of two */
    size_t elem;                     /* bytes per element */
    unsigned char *buf;
};

int ring_create(ring_t **out, size_t elem_size, size_t min_elems)
{
    if (elem_size == 0 || min_elems == 0 || min_elems > ((size_t)1 << 30))
        return PURG_EINVAL;
    size_t cap = 1;
    while (cap < min_elems)
        cap <<= 1;
    ring_t *r = calloc(1, sizeof *r);
    if (!r)
        return PURG_ENOMEM;
    r->buf = calloc(cap, elem_size);
    if (!r->buf) {
        free(r);
        return PURG_ENOMEM;
    }
    r->mask = cap - 1;
    r->elem = elem_size;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    *out = r;
    return 0;
}

void ring_free(ring_t *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

size_t ring_capacity(const ring_t *r) { return r->mask + 1; }

size_t ring_writable(const ring_t *r)
{
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    return r->mask + 1 - (head - tail);
}

size_t ring_readable(const ring_t *r)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    return head - tail;
}

/* Copy n elements between the ring at counter position pos and flat memory,
 * in at most two pieces around the wrap point. */
static void copy_out(const ring_t *r, size_t pos, void *dst, size_t n)
{
    size_t i = pos & r->mask, cap = r->mask + 1;
    size_t first = n < cap - i ? n : cap - i;
    memcpy(dst, r->buf + i * r->elem, first * r->elem);
    memcpy((unsigned char *)dst + first * r->elem, r->buf, (n - first) * r->elem);
}

static void copy_in(ring_t *r, size_t pos, const void *src, size_t n)
{
    size_t i = pos & r->mask, cap = r->mask + 1;
    size_t first = n < cap - i ? n : cap - i;
    memcpy(r->buf + i * r->elem, src, first * r->elem);
    memcpy(r->buf, (const unsigned char *)src + first * r->elem, (n - first) * r->elem);
}

size_t ring_write(ring_t *r, const void *elems, size_t n)
{
    size_t room = ring_writable(r);
    if (n > room)
        n = room;
    if (n == 0)
        return 0;
    size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    copy_in(r, head, elems, n);
    atomic_store_explicit(&r->head, head + n, memory_order_release);
    return n;
}

size_t ring_read(ring_t *r, void *elems, size_t n)
{
    size_t avail = ring_readable(r);
    if (n > avail)
        n = avail;
    if (n == 0)
        return 0;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    copy_out(r, tail, elems, n);
    atomic_store_explicit(&r->tail, tail + n, memory_order_release);
    return n;
}

size_t ring_peek(const ring_t *r, void *elem)
{
    if (ring_readable(r) == 0)
        return 0;
    copy_out(r, atomic_load_explicit(&r->tail, memory_order_relaxed), elem, 1);
    return 1;
}

size_t ring_discard(ring_t *r)
{
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    atomic_store_explicit(&r->tail, head, memory_order_release);
    return head - tail;
}
