/* fuzz_inifile.c - libFuzzer target for the one INI layer (src/inifile.c)
 * that the voices, persona and config readers share: its line source over
 * inih, the control-byte, long-line and syntax checks, and its error helper.
 *
 * The first input byte drives the handler: bit 0 refuses keys named "bad"
 * (quoting the value), bit 1 refuses without a message, bit 2 records a
 * problem at an earlier line than the current one, bit 3 records one for the
 * whole file after the parse; the rest is the file. Beyond ASan/UBSan the
 * target aborts when: a handler sees a C0 byte other than TAB, DEL or a C1
 * code point (U+0080..U+009F) in a section, name or value; a handler is
 * called after a problem was recorded; a failed parse's message does not
 * start with "fuzz.ini:" and a line in 0..(lines in the file), or holds a
 * control byte; a clean parse has a message; the recorded line is not the
 * earliest one a problem was reported for. */
#include "inifile.h"
#include "fuzz_text.h"
#include "purg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fz {
    unsigned mode;
    int earliest; /* the earliest line (> 0) a problem was reported for; 0: none */
} fz_t;

static void note(fz_t *f, int line)
{
    if (line > 0 && (!f->earliest || line < f->earliest))
        f->earliest = line;
}

static int on_key(inifile_t *ini, void *user, const char *section, const char *name,
                  const char *value)
{
    fz_t *f = user;
    if (ini->rc != 0 || fuzz_has_ctl(section, 1) || fuzz_has_ctl(name, 1) || fuzz_has_ctl(value, 1))
        abort(); /* no key after a problem; no control byte reaches a reader */
    if ((f->mode & 1) && strcmp(name, "bad") == 0) {
        note(f, ini->line);
        return inifile_fail(ini, PURG_ENOTFOUND, "bad key '%s' = '%s' in [%s]", name, value,
                            section);
    }
    if ((f->mode & 2) && strcmp(name, "silent") == 0) {
        note(f, ini->line);
        return PURG_EINVAL;
    }
    if ((f->mode & 4) && ini->line > 1 && strcmp(name, "back") == 0) {
        note(f, ini->line - 1);
        return inifile_fail_at(ini, ini->line - 1, PURG_EFORMAT, "the line before %d", ini->line);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 64 * 1024)
        return 0;
    fz_t f = { .mode = data[0], .earliest = 0 };
    size_t len = size - 1;
    char *text = malloc(len ? len : 1); /* exactly len bytes: no NUL after them */
    if (!text)
        return 0;
    memcpy(text, data + 1, len);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    lines += len > 0 && text[len - 1] != '\n';
    inifile_t ini;
    int rc = inifile_parse(&ini, "fuzz.ini", text, len, on_key, &f);
    if (rc == 0 && (f.mode & 8))
        inifile_fail_at(&ini, 0, PURG_EFORMAT, "whole file, %d lines", lines);
    char err[INIFILE_ERR_MAX + 64];
    rc = inifile_error(&ini, err, sizeof err);
    if (rc != ini.rc || rc > 0)
        abort();
    if (rc == 0) {
        if (ini.err[0] || f.earliest)
            abort(); /* a problem a handler reported was lost */
    } else {
        int line = -1, n = 0;
        if (strncmp(err, "fuzz.ini: ", 10) == 0)
            line = 0;
        else if (sscanf(err, "fuzz.ini:%d:%n", &line, &n) != 1 || n == 0 || err[n] != ' ')
            abort();
        if (line != ini.err_line || line < 0 || line > lines || fuzz_has_ctl(err, 0) || !ini.err[0])
            abort();
        /* the layer's own problems (bytes, length, syntax) may be earlier than
         * the handler's, never later */
        if (f.earliest && (line == 0 || line > f.earliest))
            abort();
    }
    free(text);
    return 0;
}
