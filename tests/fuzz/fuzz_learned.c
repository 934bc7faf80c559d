/* fuzz_learned.c - libFuzzer target: the learned-lines file parser
 * (learn_parse), then what a store must still do with whatever it kept:
 * every line valid, forget, add past the cap. Input: the file's bytes. */
#include "learn.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    learn_t l;
    learn_init(&l);
    if (learn_parse(&l, (const char *)data, size) == 0) {
        for (size_t i = 0; i < l.n; i++) {
            const learn_entry_t *e = learn_get(&l, i);
            if (!learn_text_ok(e->text) || e->t < 0 || !e->nick[0])
                abort(); /* the parser kept a line it should have skipped */
        }
        if (l.n)
            learn_forget(&l, learn_get(&l, 0)->nick);
        learn_add(&l, "fuzz", 1, "one more line");
    }
    learn_clear(&l);
    return 0;
}
