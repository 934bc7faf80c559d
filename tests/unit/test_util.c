/* test_util.c - unit tests for util.c: the printable form of untrusted text
 * (util_visible), with a property test over random bytes; syncing a
 * directory and replacing a file whole. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "purg.h"
#include "util.h"

static char buf[UTIL_VIS_MAX];

static const char *vis(const char *s) { return util_visible(buf, sizeof buf, s); }
static const char *vis_n(const char *s, size_t n) { return util_visible_n(buf, sizeof buf, s, n); }

/* True when out is safe to print: valid UTF-8 with no C0, DEL or C1 control
 * and none of the invisible formatting characters. */
static int printable(const char *out)
{
    size_t len = strlen(out);
    if (!util_utf8_valid(out, len))
        return 0;
    const unsigned char *p = (const unsigned char *)out;
    for (size_t i = 0; i < len;) {
        size_t n = util_utf8_seq(p + i, len - i);
        uint32_t cp = util_utf8_decode(p + i, n);
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
            (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
            (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x061C)
            return 0;
        i += n;
    }
    return 1;
}

/* purg_strerror: every code of PURG_ERRORS has its own message, in the
 * enum's order; anything else is "unknown error". */
static void test_errors(void)
{
    CHECK_STREQ(purg_strerror(PURG_OK), "success");
    CHECK_STREQ(purg_strerror(PURG_ENOMEM), "out of memory");
    CHECK_STREQ(purg_strerror(PURG_EFORMAT), "bad file format, version or checksum");
    CHECK_STREQ(purg_strerror(PURG_ETIMEOUT), "timed out");
    CHECK_EQ(PURG_ECOUNT_, PURG_ETIMEOUT - 1);
    for (int a = 0; a > PURG_ECOUNT_; a--) {
        CHECK(strcmp(purg_strerror(a), "unknown error") != 0);
        for (int b = a - 1; b > PURG_ECOUNT_; b--)
            CHECK(strcmp(purg_strerror(a), purg_strerror(b)) != 0);
    }
    CHECK_STREQ(purg_strerror(PURG_ECOUNT_), "unknown error");
    CHECK_STREQ(purg_strerror(1), "unknown error");
    CHECK_STREQ(purg_strerror(-1000), "unknown error");
}

static void test_controls(void)
{
    CHECK_STREQ(vis("plain text, é ü 日本 🙂"), "plain text, é ü 日本 🙂");
    CHECK_STREQ(vis("\x1b[31mred\x07"), "^[[31mred^G");
    CHECK_STREQ(vis("a\tb\r\nc"), "a^Ib^M^Jc");
    CHECK_STREQ(vis("del\x7f"), "del^?");
    CHECK_STREQ(vis_n("a\0b", 3), "a^@b");
    CHECK_STREQ(vis_n("\x1f", 1), "^_");
    CHECK_STREQ(vis(NULL), "(null)");
    CHECK_STREQ(vis(""), "");
}

static void test_unicode(void)
{
    CHECK_STREQ(vis("\xc2\x80x\xc2\x9b"), "<U+0080>x<U+009B>");           /* C1, CSI */
    CHECK_STREQ(vis("\xc2\xa0nbsp"), "\xc2\xa0nbsp");                     /* U+00A0 is text */
    CHECK_STREQ(vis("abc\xe2\x80\xae" "cba"), "abc<U+202E>cba");          /* RLO */
    CHECK_STREQ(vis("\xe2\x81\xa6x\xe2\x81\xa9"), "<U+2066>x<U+2069>");   /* LRI, PDI */
    CHECK_STREQ(vis("z\xe2\x80\x8bw"), "z<U+200B>w");                     /* zero width */
    CHECK_STREQ(vis("\xef\xbb\xbf" "bom"), "<U+FEFF>bom");
    CHECK_STREQ(vis("\xd8\x9c"), "<U+061C>");
    CHECK_STREQ(vis("\xe2\x80\x90"), "\xe2\x80\x90");                     /* U+2010 hyphen kept */
}

static void test_bad_utf8(void)
{
    CHECK_STREQ(vis("\xff\xfe"), "\\xFF\\xFE");
    CHECK_STREQ(vis("\xc0\xaf"), "\\xC0\\xAF");                           /* overlong */
    CHECK_STREQ(vis("\xed\xa0\x80"), "\\xED\\xA0\\x80");                 /* surrogate */
    CHECK_STREQ(vis("ab\xe2\x82"), "ab\\xE2\\x82");                       /* cut short */
    CHECK_STREQ(vis("\x80" "a"), "\\x80a");                               /* lone continuation */
}

static void test_truncation(void)
{
    char small[8];
    CHECK_STREQ(util_visible(small, sizeof small, "1234567"), "1234567");  /* fits exactly */
    CHECK_STREQ(util_visible(small, sizeof small, "12345678"), "1234...");
    CHECK_STREQ(util_visible(small, sizeof small, "123456\x1b"), "1234...");  /* ^[ would not fit */
    CHECK_STREQ(util_visible(small, sizeof small, "12\x1b" "4"), "12^[4");
    CHECK_STREQ(util_visible(small, sizeof small, "ab\xe6\x97\xa5\xe6\x9c\xac"), "ab...");
    CHECK_STREQ(util_visible(small, sizeof small, "a\xe6\x97\xa5\xe6\x9c\xacx"), "a\xe6\x97\xa5...");
    CHECK_STREQ(util_visible(small, sizeof small, "\xe2\x80\xae" "abc"), "...");  /* <U+202E> is 8 */
    CHECK_STREQ(util_visible(small, 4, "abcd"), "...");
    CHECK_STREQ(util_visible(small, 3, "abcd"), "..");
    CHECK_STREQ(util_visible(small, 1, "abcd"), "");
    CHECK_STREQ(util_visible(small, 5, "abcd"), "abcd");
    CHECK_STREQ(util_visible(small, 5, "abcde"), "a...");
    /* a cut never leaves half a character: every output stays valid UTF-8 */
    const char *s = "é日🙂\x1b\xff\xe2\x80\xaeé日🙂";
    for (size_t n = 1; n <= 40; n++) {
        char out[40];
        util_visible(out, n, s);
        CHECK_LT(strlen(out), n);
        CHECK(printable(out));
    }
}

static void test_idempotent(void)
{
    static const char *const samples[] = {
        "hello, world", "é ü 日本 🙂", "#chan <nick> text", "already ^[ and \\xFF and <U+202E>",
        "\x1b]0;title\x07", "\xff\xc2\x85\xe2\x80\xae\x7f",
    };
    char once[UTIL_VIS_MAX], twice[UTIL_VIS_MAX];
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        util_visible(once, sizeof once, samples[i]);
        util_visible(twice, sizeof twice, once);
        CHECK_STREQ(twice, once);
    }
    CHECK_STREQ(util_visible(once, sizeof once, samples[0]), samples[0]);
    CHECK_STREQ(util_visible(once, sizeof once, samples[1]), samples[1]);
}

/* Random bytes (biased towards the dangerous ones) never yield a control
 * byte, a C1 in UTF-8 form or invalid UTF-8, and never overrun the buffer. */
static void test_random(void)
{
    static const unsigned char hot[] = { 0x00, 0x07, 0x1b, 0x7f, 0x9b, 0xc2, 0x80, 0x85,
                                         0x9f, 0xe2, 0x80, 0xae, 0xff, 0xf4, 0x90, '[' };
    uint32_t seed = 12345;
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        unsigned char in[64];
        size_t len = (size_t)(iter % 64);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            unsigned r = seed >> 16;
            in[i] = (r & 1) ? hot[(r >> 1) % sizeof hot] : (unsigned char)(r >> 4);
        }
        size_t outlen = 1 + (size_t)(iter % 97);
        char out[128];
        memset(out, 0x5A, sizeof out);
        util_visible_n(out, outlen, (const char *)in, len);
        size_t olen = strnlen(out, outlen);
        if (olen >= outlen || out[outlen] != 0x5A || !printable(out))
            bad++;
        for (size_t i = 0; i < olen; i++) {
            unsigned char c = (unsigned char)out[i];
            if (c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)out[i + 1] >= 0x80 &&
                                          (unsigned char)out[i + 1] <= 0x9f))
                bad++;
        }
    }
    CHECK_EQ(bad, 0);
}

/* util_fsync_dir: the directory of a path, "." for a bare name, "/" for a
 * name at the root; a missing directory is PURG_EIO, a path longer than its
 * buffer PURG_ETOOBIG. */
static void test_fsync_dir(void)
{
    CHECK_EQ(util_fsync_dir("/tmp/some-file-that-need-not-exist"), 0);
    CHECK_EQ(util_fsync_dir("bare-name"), 0);
    CHECK_EQ(util_fsync_dir("/etc"), 0);
    CHECK_EQ(util_fsync_dir("/no/such/dir/file"), PURG_EIO);
    char *longp = malloc(5000);
    CHECK(longp != NULL);
    if (!longp)
        return;
    memset(longp, 'a', 4999);
    longp[0] = '/';
    longp[4999] = '\0';
    CHECK_EQ(util_fsync_dir(longp), PURG_ETOOBIG);
    free(longp);
}

/* util_atomic_*: a file replaced whole, with its mode; an abort or a failed
 * commit leaves the old file and no temporary file; errors name the path,
 * made visible. */
static size_t count_tmp_files(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    size_t n = 0, len = strlen(prefix);
    for (struct dirent *e; d && (e = readdir(d));)
        n += strncmp(e->d_name, prefix, len) == 0 && strstr(e->d_name, ".tmp.") != NULL;
    if (d)
        closedir(d);
    return n;
}

static void test_atomic(void)
{
    char path[512], err[256], line[64];
    snprintf(path, sizeof path, "%s/test_util_atomic.%d", check_tmp_dir(), (int)getpid());
    check_write_file(path, "old\n");
    util_atomic_t a;
    CHECK_EQ(util_atomic_begin(&a, path, 0600, err, sizeof err), 0);
    CHECK_EQ(write(a.fd, "new\n", 4), 4);
    CHECK_EQ(count_tmp_files(check_tmp_dir(), "test_util_atomic."), 1);
    CHECK_EQ(util_atomic_commit(&a, err, sizeof err), 0);
    CHECK(a.renamed);
    FILE *f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f));
    CHECK_STREQ(line, "new\n");
    if (f)
        fclose(f);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_mode & 0777, 0600);
    CHECK_EQ(count_tmp_files(check_tmp_dir(), "test_util_atomic."), 0);
    /* an abort: the file as it was, no temporary file left */
    CHECK_EQ(util_atomic_begin(&a, path, 0644, err, sizeof err), 0);
    CHECK_EQ(write(a.fd, "partial", 7), 7);
    util_atomic_abort(&a);
    f = fopen(path, "r");
    CHECK(f && fgets(line, sizeof line, f));
    CHECK_STREQ(line, "new\n");
    if (f)
        fclose(f);
    CHECK_EQ(count_tmp_files(check_tmp_dir(), "test_util_atomic."), 0);
    unlink(path);
    /* no such directory; a control byte in the path is shown, not sent */
    CHECK_EQ(util_atomic_begin(&a, "/no/such/dir/m\033[2Jx", 0644, err, sizeof err), PURG_EIO);
    CHECK(strstr(err, "cannot create a temporary file beside /no/such/dir/m") != NULL);
    CHECK(strchr(err, '\033') == NULL);
    CHECK(strstr(err, "No such file or directory") != NULL);
    CHECK_EQ(util_atomic_begin(&a, "/no/such/dir/x", 0644, NULL, 0), PURG_EIO);
    /* a rename that fails (the target is a directory that is not empty): the
     * temporary file is removed and the directory stays */
    char dir[512], inner[600];
    snprintf(dir, sizeof dir, "%s/test_util_atomic_dir.%d", check_tmp_dir(), (int)getpid());
    CHECK_EQ(mkdir(dir, 0700), 0);
    snprintf(inner, sizeof inner, "%s/keep", dir);
    check_write_file(inner, "x");
    CHECK_EQ(util_atomic_begin(&a, dir, 0644, err, sizeof err), 0);
    CHECK_EQ(util_atomic_commit(&a, err, sizeof err), PURG_EIO);
    CHECK(!a.renamed);
    CHECK(strstr(err, "cannot write ") != NULL);
    CHECK_EQ(count_tmp_files(check_tmp_dir(), "test_util_atomic_dir."), 0);
    CHECK_EQ(stat(inner, &st), 0);
    unlink(inner);
    rmdir(dir);
    /* a path too long for the temporary name */
    char *longp = malloc(5000);
    CHECK(longp != NULL);
    if (!longp)
        return;
    memset(longp, 'a', 4999);
    longp[4999] = '\0';
    CHECK_EQ(util_atomic_begin(&a, longp, 0644, err, sizeof err), PURG_ETOOBIG);
    CHECK(strncmp(err, "path too long: aaa", 18) == 0);
    free(longp);
}

static const check_case_t cases[] = {
    CHECK_CASE(errors),
    CHECK_CASE(controls),
    CHECK_CASE(unicode),
    CHECK_CASE(bad_utf8),
    CHECK_CASE(truncation),
    CHECK_CASE(idempotent),
    CHECK_CASE(random),
    CHECK_CASE(fsync_dir),
    CHECK_CASE(atomic),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
