/* fuzz_config.c - libFuzzer target for the configuration file parser (INI
 * via inih -> long options checked against a getopt table). */
#include "config.h"
#include "fuzz_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct option opts[] = {
        { "server", required_argument, NULL, 's' },
        { "channel", required_argument, NULL, 'c' },
        { "plain", no_argument, NULL, 256 },
        { "level", optional_argument, NULL, 257 },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    if (size > 256 * 1024)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *out[CONFIG_MAX_ARGS];
    int lines[CONFIG_MAX_ARGS], n = 0;
    char err[512];
    if (config_parse_string("fuzz.ini", text, size, "listen", opts, out, lines,
                            CONFIG_MAX_ARGS, &n, err, sizeof err) == 0) {
        for (int i = 0; i < n; i++) {
            if (strncmp(out[i], "--", 2) != 0 || lines[i] < 1 || fuzz_has_ctl(out[i], 1))
                abort(); /* every result is a long option from a real line, no control byte */
            free(out[i]);
        }
    } else if (strncmp(err, "fuzz.ini:", 9) != 0 || fuzz_has_ctl(err, 0)) {
        abort(); /* every error names the file and line, and is safe to print */
    }
    free(text);
    return 0;
}
