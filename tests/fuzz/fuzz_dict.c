/* fuzz_dict.c - libFuzzer target for the pronunciation dictionary's parser
 * (dict_parse_string) and, when the file parses, dict_apply over a fixed set
 * of lines: an error always has a message naming the file, never a control
 * character; the output is NUL-terminated valid UTF-8 within its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dict.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *lines[] = {
        "lol brb k8s", "LOL, c++ tl;dr v2.10 =>", "", "é ü 😀 ok okk", "aaaa bbbb abab",
    };
    static const char *langs[] = { "en", "fr", NULL, "*" };
    char *text = malloc(size ? size : 1);
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    char err[512] = "";
    dict_t *d = NULL;
    int rc = dict_parse_string(&d, "f.dict", text, size, err, sizeof err);
    if (rc != 0) {
        if (d || strncmp(err, "f.dict", 6) != 0)
            abort();
        for (const char *p = err; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                abort();
    } else {
        static const size_t outs[] = { 1, 2, 7, 64, 512 };
        for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
            for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) {
                char out[513];
                out[outs[k]] = 0x5A;
                size_t n = dict_apply(d, langs[(i + k) % 4], lines[i], out, outs[k]);
                if (n >= outs[k] || strlen(out) != n || out[outs[k]] != 0x5A)
                    abort();
            }
        dict_free(d);
    }
    free(text);
    return 0;
}
