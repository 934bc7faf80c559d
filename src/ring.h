/* ring.h - lock-free single-producer single-consumer ring of fixed-size
 * elements. The synth thread writes samples, the audio callback reads them;
 * the same structure carries small records (utterance marks). Exactly one
 * producer thread and one consumer thread; neither side locks or allocates. */
#ifndef PURG_RING_H
#define PURG_RING_H

#include <stddef.h>

typedef struct ring ring_t;

/* A ring of at least min_elems elements of elem_size bytes (capacity is
 * rounded up to a power of two). */
int ring_create(ring_t **out, size_t elem_size, size_t min_elems);
void ring_free(ring_t *r);

size_t ring_capacity(const ring_t *r);
/* Producer side: free space; write up to n elements, returns how many. */
size_t ring_writable(const ring_t *r);
size_t ring_write(ring_t *r, const void *elems, size_t n);
/* Consumer side: filled space; read up to n elements, returns how many. */
size_t ring_readable(const ring_t *r);
size_t ring_read(ring_t *r, void *elems, size_t n);
/* Consumer side: look at the next element without taking it (0 if empty). */
size_t ring_peek(const ring_t *r, void *elem);
/* Consumer side: discard everything readable; returns how many. */
size_t ring_discard(ring_t *r);

#endif
