/* cld2shim.h - a C door into CLD2 (Compact Language Detector 2, C++): the
 * one call lang.c needs. Pure; any thread (CLD2 keeps no state between calls). */
#ifndef PURG_CLD2SHIM_H
#define PURG_CLD2SHIM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Detect the language of text[0..len) (valid UTF-8, plain text). Writes the
 * ISO 639-1 code (or CLD2's code, e.g. "zh", "zh-Hant", "un" for unknown)
 * into code (codelen bytes, truncated), the percentage of the text in that
 * language into *percent and whether CLD2 calls its answer reliable into
 * *reliable. Never throws; returns 0, or -1 when the arguments are bad. */
int cld2shim_detect(const char *text, size_t len, char *code, size_t codelen,
                    int *percent, int *reliable);

#ifdef __cplusplus
}
#endif

#endif
