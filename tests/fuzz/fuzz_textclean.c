/* fuzz_textclean.c - libFuzzer target for textclean_clean: any bytes in,
 * and the output must be valid UTF-8, NUL-terminated, within the cap and
 * the buffer. The first input byte picks the cap and the buffer size so
 * that tiny caps and tiny buffers get fuzzed too; the input's length picks
 * the language of the URL words (phrases.h), multi-byte ones included. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textclean.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t caps[] = {0, 1, 2, 3, 4, 5, 11, 12, 13, 16, 40, 100, 300, 512, 4096};
    static const size_t outs[] = {1, 2, 3, 5, 8, 13, 64, 301, 1024, 4097};
    size_t cap = 300, outlen = 4097;
    if (size > 0) {
        cap = caps[data[0] % (sizeof caps / sizeof caps[0])];
        outlen = outs[(data[0] >> 4) % (sizeof outs / sizeof outs[0])];
        data++;
        size--;
    }
    /* copy so that a read past 'size' is caught by ASan */
    char *in = calloc(1, size ? size : 1);
    char *out = malloc(outlen + 1);
    if (!in || !out)
        abort();
    if (size)
        memcpy(in, data, size);
    out[outlen] = 0x5A; /* canary just past the buffer the callee was given */
    static const char *langs[] = {NULL, "fr", "ru", "he", "ja", "zz"};
    textclean_opts_t o = {.max_chars = cap, .lang = langs[size % (sizeof langs / sizeof langs[0])]};
    int n = textclean_clean(&o, in, size, out, outlen);
    if (n < 0)
        abort();                                  /* valid arguments: never an error */
    size_t eff = cap ? cap : 300;
    if (eff > outlen - 1)
        eff = outlen - 1;
    if ((size_t)n > eff || strlen(out) != (size_t)n)
        abort();                                  /* over the cap, or not terminated */
    if (!util_utf8_valid(out, (size_t)n))
        abort();
    if (out[outlen] != 0x5A)
        abort();
    if (n > 0 && (out[0] == ' ' || out[n - 1] == ' '))
        abort();                                  /* trimmed */
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7F)
            abort();                              /* no control characters */
        if (i > 0 && c == ' ' && out[i - 1] == ' ')
            abort();                              /* collapsed whitespace */
    }
    free(in);
    free(out);
    return 0;
}
