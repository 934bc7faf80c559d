/* check.h - a minimal assertion kit for unit tests: CHECK prints the failing
 * expression with file and line and counts it; check_done() gives the exit code.
 *
 * Comparisons print both sides when they fail:
 *   CHECK_EQ(a, b)  CHECK_NE(a, b)  CHECK_LT  CHECK_LE  CHECK_GT  CHECK_GE
 * for integers of any type (and floating point); each side is evaluated once
 * and compared by value, so a negative signed side is less than any unsigned
 * one (no surprise from C's usual conversions).
 *   CHECK_STREQ(a, b)      two strings (NULL fails)
 *   CHECK_MEMEQ(a, b, n)   n bytes; prints the first byte that differs
 * CHECK(expr) stays for everything else (pointers, && and ||, predicates).
 *
 * Named cases: a test program lists its cases in a table and hands main's
 * arguments to check_run():
 *   static const check_case_t cases[] = { CHECK_CASE(hash), CHECK_CASE(reload) };
 *   int main(int argc, char **argv) { return check_run(argc, argv, cases, CHECK_NCASES(cases)); }
 * CHECK_CASE(x) names the function test_x "x". With no argument every case
 * runs in table order; with names, only those (build/tests/test_voicemap
 * hash); --list prints the names; an unknown name is an error that lists them.
 *
 * Files: check_tmp_dir() is where a test may write ($PURG_TEST_TMP, which
 * ctest sets, else /tmp); check_write_file(path, text) writes a text file. */
#ifndef PURG_CHECK_H
#define PURG_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr) do { \
    check_count++; \
    if (!(expr)) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
    } \
} while (0)

#define CHECK_STREQ(a, b) do { \
    const char *check_a_ = (a), *check_b_ = (b); \
    check_count++; \
    if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: CHECK_STREQ failed: %s == \"%s\", expected \"%s\"\n", \
                __FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", \
                check_b_ ? check_b_ : "(null)"); \
    } \
} while (0)

/* --- comparisons that print both sides ------------------------------------ */

/* One side of a comparison, by value: signed, unsigned or floating. */
typedef struct {
    int kind; /* 's', 'u' or 'd' */
    long long s;
    unsigned long long u;
    long double d;
} check_val_t;

static inline check_val_t check_s_(long long v) { return (check_val_t){ 's', v, 0, 0 }; }
static inline check_val_t check_u_(unsigned long long v) { return (check_val_t){ 'u', 0, v, 0 }; }
static inline check_val_t check_d_(long double v) { return (check_val_t){ 'd', 0, 0, v }; }

/* Pointers and structs are not accepted (a compile error): use CHECK. */
#define CHECK_VAL_(x) _Generic((x), \
    _Bool: check_u_, unsigned char: check_u_, unsigned short: check_u_, \
    unsigned int: check_u_, unsigned long: check_u_, unsigned long long: check_u_, \
    float: check_d_, double: check_d_, long double: check_d_, \
    default: check_s_)(x)

/* -1, 0 or 1 as a is below, equal to or above b, by mathematical value. */
static inline int check_cmp_vals_(check_val_t a, check_val_t b)
{
    if (a.kind == 'd' || b.kind == 'd') {
        long double x = a.kind == 'd' ? a.d : a.kind == 's' ? (long double)a.s : (long double)a.u;
        long double y = b.kind == 'd' ? b.d : b.kind == 's' ? (long double)b.s : (long double)b.u;
        return x < y ? -1 : x > y ? 1 : x == y ? 0 : 2; /* 2: a NaN, unordered */
    }
    if (a.kind == 's' && b.kind == 's')
        return a.s < b.s ? -1 : a.s > b.s;
    if (a.kind == 'u' && b.kind == 'u')
        return a.u < b.u ? -1 : a.u > b.u;
    if (a.kind == 's') /* signed against unsigned */
        return a.s < 0 ? -1 : (unsigned long long)a.s < b.u ? -1 : (unsigned long long)a.s > b.u;
    return b.s < 0 ? 1 : a.u < (unsigned long long)b.s ? -1 : a.u > (unsigned long long)b.s;
}

static inline void check_print_val_(check_val_t v)
{
    if (v.kind == 's')
        fprintf(stderr, "%lld", v.s);
    else if (v.kind == 'u')
        fprintf(stderr, "%llu", v.u);
    else
        fprintf(stderr, "%.17Lg", v.d);
}

/* Counts one check of 'a op b'; prints both values when it fails. */
static inline void check_cmp_(const char *file, int line, const char *macro, const char *as,
                              const char *op, const char *bs, check_val_t a, check_val_t b)
{
    int c = check_cmp_vals_(a, b), ok;
    check_count++;
    switch (op[0]) {
    case '=': ok = c == 0; break;
    case '!': ok = c != 0; break;
    case '<': ok = op[1] == '=' ? c == -1 || c == 0 : c == -1; break;
    default:  ok = op[1] == '=' ? c == 1 || c == 0 : c == 1; break;
    }
    if (ok)
        return;
    check_failures++;
    fprintf(stderr, "%s:%d: %s failed: %s %s %s: ", file, line, macro, as, op, bs);
    check_print_val_(a);
    fprintf(stderr, " %s ", op);
    check_print_val_(b);
    fprintf(stderr, " is false\n");
}

#define CHECK_OP_(macro, a, op, b) \
    check_cmp_(__FILE__, __LINE__, macro, #a, #op, #b, CHECK_VAL_(a), CHECK_VAL_(b))
#define CHECK_EQ(a, b) CHECK_OP_("CHECK_EQ", a, ==, b)
#define CHECK_NE(a, b) CHECK_OP_("CHECK_NE", a, !=, b)
#define CHECK_LT(a, b) CHECK_OP_("CHECK_LT", a, <, b)
#define CHECK_LE(a, b) CHECK_OP_("CHECK_LE", a, <=, b)
#define CHECK_GT(a, b) CHECK_OP_("CHECK_GT", a, >, b)
#define CHECK_GE(a, b) CHECK_OP_("CHECK_GE", a, >=, b)

/* Counts one check that n bytes at a and b are equal; prints the first
 * difference (offset and both bytes) when they are not. */
static inline void check_memeq_(const char *file, int line, const char *as, const char *bs,
                                const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    check_count++;
    for (size_t i = 0; i < n; i++) {
        if (x[i] != y[i]) {
            check_failures++;
            fprintf(stderr, "%s:%d: CHECK_MEMEQ failed: %s and %s differ at byte %zu of %zu: "
                    "0x%02x vs 0x%02x\n", file, line, as, bs, i, n, x[i], y[i]);
            return;
        }
    }
}
#define CHECK_MEMEQ(a, b, n) check_memeq_(__FILE__, __LINE__, #a, #b, (a), (b), (n))

/* --- files ------------------------------------------------------------------ */

static inline const char *check_tmp_dir(void)
{
    const char *t = getenv("PURG_TEST_TMP");
    return t && t[0] ? t : "/tmp";
}

/* Writes text to path, replacing the file; counts one check that it worked. */
#define check_write_file(path, text) check_write_file_(__FILE__, __LINE__, (path), (text))
static inline void check_write_file_(const char *file, int line, const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    check_count++;
    if (!ok) {
        check_failures++;
        fprintf(stderr, "%s:%d: cannot write %s\n", file, line, path);
    }
}

/* --- named cases ------------------------------------------------------------ */

typedef struct {
    const char *name;
    void (*fn)(void);
} check_case_t;

#define CHECK_CASE(x) { #x, test_##x }
#define CHECK_NCASES(t) (sizeof (t) / sizeof (t)[0])

static inline int check_done(void)
{
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Runs one case; names it on stderr if any of its checks failed. */
static inline void check_run_case_(const check_case_t *c)
{
    int count = check_count, failed = check_failures;
    c->fn();
    if (check_failures > failed)
        fprintf(stderr, "case %s: %d of %d checks failed\n", c->name, check_failures - failed,
                check_count - count);
}

/* The whole of a test's main(): runs the cases named in argv[1..], or all of
 * them; --list prints the names. Returns main's exit status (2 for a usage
 * error, else check_done()'s). */
static inline int check_run(int argc, char **argv, const check_case_t *cases, size_t n)
{
    const char *prog = argc > 0 ? argv[0] : "test";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; k < n; k++)
                printf("%s\n", cases[k].name);
            return 0;
        }
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--list] [CASE...]  (no CASE: all of them)\n", prog);
            return 0;
        }
        size_t k = 0;
        while (k < n && strcmp(argv[i], cases[k].name) != 0)
            k++;
        if (k == n) {
            fprintf(stderr, "%s: no case named '%s'; the cases are:", prog, argv[i]);
            for (k = 0; k < n; k++)
                fprintf(stderr, " %s", cases[k].name);
            fprintf(stderr, "\n");
            return 2;
        }
    }
    if (argc <= 1) {
        for (size_t k = 0; k < n; k++)
            check_run_case_(&cases[k]);
    } else {
        for (int i = 1; i < argc; i++)
            for (size_t k = 0; k < n; k++)
                if (strcmp(argv[i], cases[k].name) == 0)
                    check_run_case_(&cases[k]);
    }
    return check_done();
}

#endif
