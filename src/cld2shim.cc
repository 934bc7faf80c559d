// cld2shim.cc - the C door into CLD2 (see cld2shim.h). Compiled as C++ only
// because CLD2's header is C++; nothing here allocates or throws.
#include "cld2shim.h"

#include <cstdio> // compact_lang_det.h uses FILE without including it
#include <cld2/public/compact_lang_det.h>
#include <climits>
#include <cstring>

extern "C" int cld2shim_detect(const char *text, size_t len, char *code, size_t codelen,
                               int *percent, int *reliable)
{
    if (!text || !code || codelen == 0 || !percent || !reliable)
        return -1;
    if (len > INT_MAX / 2)
        len = INT_MAX / 2;
    CLD2::Language lang3[3];
    int pct3[3] = {0, 0, 0};
    int text_bytes = 0;
    bool rel = false;
    CLD2::Language l = CLD2::DetectLanguageSummary(text, (int)len, true, lang3, pct3,
                                                   &text_bytes, &rel);
    const char *c = CLD2::LanguageCode(l);
    if (!c)
        c = "un";
    std::strncpy(code, c, codelen - 1);
    code[codelen - 1] = '\0';
    *percent = pct3[0];
    *reliable = rel ? 1 : 0;
    return 0;
}
