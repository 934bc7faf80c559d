/* fuzz_guard.c - libFuzzer target for guard_check: any line in; whatever
 * the guard lets through (strict, or rewritten) must hold no control
 * character, start with no sigil, and leave the command-bot model silent.
 * The same line also goes through guard_check_room with a small room
 * (three nicks merely present, one known bot, the speaker): what passes
 * there must leave every present nick's room model (cmdbot_count_room)
 * silent too. The first input byte picks the mode and the output buffer size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdbot.h"
#include "guard.h"
#include "nick.h"
#include "purg.h"
#include "util.h"

static const char lead_sigils[] = "!#$%&*+,-./:;=>?@\\^`|~";

static void check_passed(const char *out)
{
    size_t n = strlen(out);
    if (n == 0 || !util_utf8_valid(out, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)out[i];
        if (c < 0x20 || c == 0x7F)
            abort();                                   /* control character */
        if (c == 0xC2 && i + 1 < n && (unsigned char)out[i + 1] < 0xA0)
            abort();                                   /* C1 control */
    }
    size_t i = 0;
    while (out[i] == ' ' || out[i] == '(' || out[i] == '"' || out[i] == '\'' ||
           out[i] == '[' || out[i] == '{' || out[i] == '<')
        i++;
    if (out[i] && strchr(lead_sigils, out[i]))
        abort();                                       /* leading sigil */
    if (cmdbot_count("cmdbot", out, n) != 0)
        abort();                                       /* a bot would act */
}

/* The room: nicks compared with rfc1459 case mapping. */
static const struct {
    const char *nick;
    unsigned flags;
} room_nicks[] = {
    { "marvin", GUARD_PRESENT }, { "alice", GUARD_PRESENT }, { "Err", GUARD_PRESENT },
    { "hubot", GUARD_PRESENT | GUARD_BOT }, { "self", 0 },
};

static unsigned room_lookup(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof room_nicks / sizeof room_nicks[0]; i++) {
        const char *k = room_nicks[i].nick;
        size_t j = 0;
        while (j < n && k[j] && nick_fold_char(k[j]) == nick_fold_char(s[j]))
            j++;
        if (j == n && k[j] == '\0')
            return room_nicks[i].flags;
    }
    return 0;
}

static void check_room_passed(const char *out)
{
    check_passed(out);
    for (size_t i = 0; i < sizeof room_nicks / sizeof room_nicks[0]; i++)
        if (room_nicks[i].flags && cmdbot_count_room(room_nicks[i].nick, out, strlen(out)) != 0)
            abort();                                   /* a bot in the room would act */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static guard_t *strict, *rw;
    if (!strict) {
        if (guard_create(&strict) || guard_create(&rw) ||
            guard_add_nick(strict, "cmdbot") || guard_add_nick(rw, "cmdbot"))
            abort();
        guard_set_rewrite(rw, true);
    }
    if (size == 0 || size > 4096)
        return 0;
    const guard_t *g = (data[0] & 1) ? rw : strict;
    size_t outlen = (data[0] & 2) ? 16 : 512;
    char *line = malloc(size);            /* the rest, NUL-terminated */
    char *out = malloc(outlen);
    if (!line || !out)
        abort();
    memcpy(line, data + 1, size - 1);
    line[size - 1] = '\0';
    const char *why = NULL;
    int rc = guard_check(g, line, out, outlen, &why);
    if (!why)
        abort();
    if (rc == 0)
        check_passed(out);
    else if (rc != PURG_EDENIED && rc != PURG_ETOOBIG)
        abort();
    const guard_room_t room = { room_lookup, NULL };
    why = NULL;
    int rc2 = guard_check_room(g, &room, line, out, outlen, &why);
    if (!why)
        abort();
    if (rc2 == 0)
        check_room_passed(out);
    else if (rc2 != PURG_EDENIED && rc2 != PURG_ETOOBIG)
        abort();
    if (rc2 == 0 && rc != 0)
        abort();                                       /* the room only ever refuses more */
    free(line);
    free(out);
    return 0;
}
