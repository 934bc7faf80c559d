/* test_ring.c - SPSC ring: capacity, wrap-around, partial writes, and a
 * two-thread stress run whose sequence numbers must arrive in order. */
#include "check.h"
#include "purg.h"
#include "ring.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define STRESS_N 200000u

static void test_basics(void)
{
    ring_t *r;
    CHECK_EQ(ring_create(&r, 0, 8), PURG_EINVAL);
    CHECK_EQ(ring_create(&r, sizeof(int), 0), PURG_EINVAL);
    CHECK_EQ(ring_create(&r, sizeof(int), 5), 0);
    CHECK_EQ(ring_capacity(r), 8);
    CHECK_EQ(ring_readable(r), 0);
    CHECK_EQ(ring_writable(r), 8);

    int in[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, out[10] = { 0 };
    CHECK_EQ(ring_write(r, in, 10), 8);      /* only what fits */
    CHECK_EQ(ring_writable(r), 0);
    CHECK_EQ(ring_read(r, out, 3), 3);
    CHECK(out[0] == 0 && out[2] == 2);
    int peeked = -1;
    CHECK(ring_peek(r, &peeked) == 1 && peeked == 3);
    CHECK_EQ(ring_write(r, in + 8, 2), 2);   /* wraps around the end */
    CHECK_EQ(ring_read(r, out, 10), 7);
    CHECK(out[0] == 3 && out[4] == 7 && out[5] == 8 && out[6] == 9);
    CHECK_EQ(ring_read(r, out, 1), 0);
    CHECK_EQ(ring_peek(r, &peeked), 0);
    CHECK_EQ(ring_write(r, in, 4), 4);
    CHECK_EQ(ring_discard(r), 4);
    CHECK_EQ(ring_readable(r), 0);
    ring_free(r);
    ring_free(NULL);
}

static void *producer(void *arg)
{
    ring_t *r = arg;
    uint32_t next = 0, chunk[37];
    while (next < STRESS_N) {
        uint32_t n = 0;
        while (n < 37 && next + n < STRESS_N) {
            chunk[n] = next + n;
            n++;
        }
        size_t w = ring_write(r, chunk, n);
        next += (uint32_t)w;
    }
    return NULL;
}

static void test_threads(void)
{
    ring_t *r;
    CHECK_EQ(ring_create(&r, sizeof(uint32_t), 1024), 0);
    pthread_t t;
    pthread_create(&t, NULL, producer, r);
    uint32_t expect = 0, buf[64];
    int bad = 0;
    while (expect < STRESS_N) {
        size_t n = ring_read(r, buf, 64);
        for (size_t i = 0; i < n; i++)
            if (buf[i] != expect++)
                bad++;
    }
    pthread_join(t, NULL);
    CHECK_EQ(bad, 0);
    CHECK_EQ(ring_readable(r), 0);
    ring_free(r);
}

static const check_case_t cases[] = {
    CHECK_CASE(basics),
    CHECK_CASE(threads),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
