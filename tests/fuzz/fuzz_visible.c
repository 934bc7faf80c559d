/* fuzz_visible.c - libFuzzer target for util_visible_n: any bytes in, and the
 * output must be NUL-terminated inside the buffer, valid UTF-8, free of C0,
 * DEL and C1 controls, and unchanged when made visible again (if it was not
 * cut). The first input byte picks the buffer size so that tiny buffers and
 * cuts get fuzzed too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t outs[] = {1, 2, 3, 4, 5, 6, 8, 9, 12, 13, 64, 301, UTIL_VIS_MAX, 4097};
    size_t outlen = UTIL_VIS_MAX;
    if (size > 0) {
        outlen = outs[data[0] % (sizeof outs / sizeof outs[0])];
        data++;
        size--;
    }
    /* copy so that a read past 'size' is caught by ASan */
    char *in = malloc(size ? size : 1);
    char *out = malloc(outlen + 1);
    char *again = malloc(outlen + 1);
    if (!in || !out || !again)
        abort();
    if (size)
        memcpy(in, data, size);
    out[outlen] = 0x5A; /* canary just past the buffer the callee was given */
    if (util_visible_n(out, outlen, in, size) != out)
        abort();
    if (out[outlen] != 0x5A)
        abort();
    size_t n = strnlen(out, outlen);
    if (n >= outlen)
        abort();                                  /* not terminated */
    if (!util_utf8_valid(out, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7F)
            abort();                              /* C0 or DEL */
        if (c == 0xC2 && i + 1 < n && (unsigned char)out[i + 1] <= 0x9F)
            abort();                              /* C1 in UTF-8 form */
    }
    int cut = n >= 3 && memcmp(out + n - 3, "...", 3) == 0;
    util_visible_n(again, outlen, out, n);
    if (!cut && strcmp(again, out) != 0)
        abort();                                  /* not idempotent */
    free(in);
    free(out);
    free(again);
    return 0;
}
