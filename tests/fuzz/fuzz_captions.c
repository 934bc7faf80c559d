/* fuzz_captions.c - libFuzzer target for what the captions server takes from
 * outside or puts on the page: the Last-Event-ID header, the --captions
 * [ADDR:]PORT value, and the JSON string encoder that carries chat text.
 * The first byte picks which (and the encoder's buffer size). Checked:
 * an accepted event id prints back to the same digits; an accepted address
 * has a port <= 65535 and a NUL-terminated host; the encoder's output is
 * NUL-terminated inside its buffer, holds no raw control character, quote,
 * backslash or angle bracket, and is valid UTF-8. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "captions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s;
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0)
            abort();
        for (size_t i = 1; i < n; i++)
            if ((s[i] & 0xC0) != 0x80)
                abort();
        s += n;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192)
        return 0;
    unsigned mode = data[0] % 3, outsel = data[0] / 3;
    char *in = malloc(size); /* size-1 bytes and a NUL: ASan sees a read past it */
    if (!in)
        abort();
    memcpy(in, data + 1, size - 1);
    in[size - 1] = '\0';
    if (mode == 0) {
        uint64_t v;
        if (captions_parse_event_id(in, &v) == 0) {
            char back[32];
            snprintf(back, sizeof back, "%" PRIu64, v);
            if (strcmp(back, in) != 0 || v == 0)
                abort();
        }
    } else if (mode == 1) {
        char host[64], err[256];
        int port = -1;
        if (captions_parse_addr(in, host, sizeof host, &port, err, sizeof err) == 0) {
            if (port < 0 || port > 65535 || !memchr(host, '\0', sizeof host))
                abort();
        } else if (!memchr(err, '\0', sizeof err)) {
            abort();
        }
    } else {
        static const size_t outs[] = { 1, 2, 3, 6, 7, 8, 64, 4096 };
        size_t n = outs[outsel % (sizeof outs / sizeof outs[0])];
        char *out = malloc(n);
        if (!out)
            abort();
        size_t len = captions_json_str(in, out, n);
        if (len >= n || out[len] != '\0' || strlen(out) != len)
            abort();
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c < 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '&')
                abort();
            if (c == '\\' && (i + 1 >= len || !strchr("\"\\u", out[i + 1])))
                abort(); /* a backslash only starts an escape */
            if (c == '\\')
                i++;
        }
        check_utf8((const unsigned char *)out);
        (void)captions_utf16_len(in, size - 1);
        free(out);
    }
    free(in);
    return 0;
}
