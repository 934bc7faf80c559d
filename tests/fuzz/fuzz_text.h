/* fuzz_text.h - checks the INI fuzz targets (config, persona, voicemap,
 * inifile) share on text that a parser hands back or prints. */
#ifndef PURG_FUZZ_TEXT_H
#define PURG_FUZZ_TEXT_H

/* True when s holds a C0 control byte, DEL or a C1 code point in UTF-8 form
 * (0xC2 0x80..0x9F); tab: a TAB is allowed (a value from a file may hold one;
 * an error message may not). */
static inline int fuzz_has_ctl(const char *s, int tab)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p < 0x20 && !(tab && *p == '\t')) || *p == 0x7f ||
            (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
            return 1;
    return 0;
}

#endif
