/* fuzz_sasl.c - libFuzzer target: server bytes, cut into lines and cleaned
 * as the bridge does (ircbridge_clean_line), -> sasl_step. Checks: a reply
 * is one IRC line (at most 512 bytes, CR LF only at its end), the state
 * only moves forward, an error is a terminated sentence that never holds
 * the password, and nothing is answered after an error. */
#include "ircbridge.h"
#include "sasl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "fuzz-secret-pw"

static void check_reply(const char *r, size_t n)
{
    if (n == 0)
        return;
    if (n > SASL_REPLY_MAX || n < 3 || r[n - 2] != '\r' || r[n - 1] != '\n')
        abort();
    for (size_t i = 0; i + 2 < n; i++)
        if (r[i] == '\r' || r[i] == '\n' || r[i] == '\0')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    sasl_t s = { SASL_REQ, "fuzzuser", SECRET };
    char line[1024], reply[SASL_REPLY_MAX], err[256];
    size_t start = 0;
    while (start < size) {
        const uint8_t *nl = memchr(data + start, '\n', size - start);
        size_t end = nl ? (size_t)(nl - data) : size, len = end - start;
        if (len >= sizeof line)
            len = sizeof line - 1;
        memcpy(line, data + start, len);
        line[len] = '\0';
        start = end + 1;
        len = ircbridge_clean_line(line, len);
        if (len == 0)
            continue;
        sasl_state_t before = s.state;
        size_t rn = 0;
        memset(err, 'E', sizeof err);
        int rc = sasl_step(&s, "irc.example", line, reply, &rn, err, sizeof err);
        check_reply(reply, rn);
        if (s.state < before)
            abort();
        if (rc != 0) {
            if (!memchr(err, '\0', sizeof err) || strstr(err, SECRET) || rn != 0)
                abort();
            break; /* the bridge drops the link */
        }
    }
    return 0;
}
