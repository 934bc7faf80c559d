/* control.c - keyboard and FIFO controls; the control thread.
 *
 * DESIGN: one thread waits in poll() on stdin (raw mode), the FIFO and a
 * wake-up pipe (control_stop writes to it: no timer, no polling) and turns
 * what it reads into control_cmd_t values handed to the owner's callback,
 * which acts through atomics and queues (see present.c).
 * The FIFO is opened read-write so that a writer closing it is not an end
 * of file: `echo skip > FIFO` may be repeated forever. */
#include "control.h"
#include "purg.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define VOLUME_STEP 10

const char control_key_help[] =
    "space/p/b pause-resume  s/n/Right/PgDn skip  c clear  +/Up -/Down volume  "
    "m mute  u unmute  q quit";

struct control {
    pthread_t thread;
    atomic_int stop;
    control_fn fn;
    control_prompt_fn prompt_fn;
    void *ctx;
    int fifo_fd;                 /* -1 when none */
    int wake[2];                 /* control_stop -> thread: leave poll() */
    int keyboard;
    int raw;                     /* the terminal is in raw mode: restore it */
    struct termios saved;
    /* control thread only */
    char line[CONTROL_LINE_MAX];
    size_t line_len;
    int line_overflow;
    int prompting;               /* 0, CTL_MUTE or CTL_UNMUTE + 1 */
    char typed[CONTROL_NICK_MAX];
    size_t typed_len;
};

int control_parse(const char *line, control_cmd_t *out)
{
    char buf[CONTROL_LINE_MAX];
    util_strlcpy(buf, line, sizeof buf);
    char *save = NULL;
    char *word = strtok_r(buf, " \t\r\n", &save);
    char *arg = word ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    char *extra = arg ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    memset(out, 0, sizeof *out);
    out->set = -1;
    if (!word || extra)
        return PURG_EINVAL;
    static const struct { const char *name; control_kind_t kind; int takes; } words[] = {
        { "skip", CTL_SKIP, 0 }, { "clear", CTL_CLEAR, 0 }, { "pause", CTL_PAUSE, 0 },
        { "resume", CTL_RESUME, 0 }, { "toggle", CTL_TOGGLE, 0 },
        { "toggle-pause", CTL_TOGGLE, 0 }, { "volume", CTL_VOLUME, 1 },
        { "mute", CTL_MUTE, 1 }, { "unmute", CTL_UNMUTE, 1 }, { "quit", CTL_QUIT, 0 },
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strcasecmp(word, words[i].name) != 0)
            continue;
        if (!!arg != words[i].takes)
            return PURG_EINVAL;
        out->kind = words[i].kind;
        if (out->kind == CTL_VOLUME) {
            char *end;
            long v = strtol(arg, &end, 10);
            if (*end || end == arg || v < -1000 || v > 1000)
                return PURG_EINVAL;
            if (arg[0] == '+' || arg[0] == '-')
                out->delta = (int)v;
            else
                out->set = (int)v;
        } else if (arg && util_strlcpy(out->nick, arg, sizeof out->nick) != 0) {
            return PURG_EINVAL;
        }
        return 0;
    }
    return PURG_EINVAL;
}

static void emit(control_t *c, control_kind_t kind, int delta)
{
    control_cmd_t cmd = { .kind = kind, .delta = delta, .set = -1 };
    c->fn(c->ctx, &cmd);
}

static void show_prompt(control_t *c)
{
    if (!c->prompt_fn)
        return;
    char p[CONTROL_NICK_MAX + 16] = "";
    if (c->prompting)
        util_snprintf(p, sizeof p, "%s nick: %s", c->prompting == CTL_MUTE + 1 ? "mute" : "unmute",
                      c->typed);
    c->prompt_fn(c->ctx, p);
}

/* A key while the mute/unmute prompt is open. */
static void prompt_key(control_t *c, unsigned char k)
{
    if (k == '\r' || k == '\n') {
        if (c->typed_len > 0) {
            control_cmd_t cmd = { .kind = c->prompting - 1, .set = -1 };
            util_strlcpy(cmd.nick, c->typed, sizeof cmd.nick);
            c->fn(c->ctx, &cmd);
        }
        c->prompting = 0;
    } else if (k == 0x1b || k == 0x03 || k == 0x07) {
        c->prompting = 0;
    } else if (k == 0x7f || k == 0x08) {
        if (c->typed_len > 0)
            c->typed[--c->typed_len] = '\0';
    } else if (k > 0x20 && k < 0x7f && c->typed_len + 1 < sizeof c->typed) {
        c->typed[c->typed_len++] = (char)k;
        c->typed[c->typed_len] = '\0';
    }
    show_prompt(c);
}

void control_keys(control_t *c, const char *bytes, size_t n)
{
    const unsigned char *b = (const unsigned char *)bytes;
    for (size_t i = 0; i < n; i++) {
        unsigned char k = b[i];
        if (c->prompting) {
            prompt_key(c, k);
            if (k == 0x1b) /* an escape sequence cancels the prompt; skip its tail */
                while (i + 1 < n && b[i + 1] != 0x1b && !isalpha(b[i]) && b[i] != '~')
                    i++;
            continue;
        }
        if (k == 0x1b && i + 2 < n && (b[i + 1] == '[' || b[i + 1] == 'O')) {
            unsigned char f = b[i + 2];
            i += 2;
            if (f >= '0' && f <= '9' && i + 1 < n && b[i + 1] == '~')
                i++;
            switch (f) {
            case 'C': case '6': emit(c, CTL_SKIP, 0); break;    /* Right, PageDown */
            case '5': emit(c, CTL_TOGGLE, 0); break;            /* PageUp */
            case 'A': emit(c, CTL_VOLUME, VOLUME_STEP); break;  /* Up */
            case 'B': emit(c, CTL_VOLUME, -VOLUME_STEP); break; /* Down */
            default: break;
            }
            continue;
        }
        switch (k) {
        case ' ': case 'p': case 'b': case '.': emit(c, CTL_TOGGLE, 0); break;
        case 's': case 'n': emit(c, CTL_SKIP, 0); break;
        case 'c': emit(c, CTL_CLEAR, 0); break;
        case '+': case '=': emit(c, CTL_VOLUME, VOLUME_STEP); break;
        case '-': case '_': emit(c, CTL_VOLUME, -VOLUME_STEP); break;
        case 'q': emit(c, CTL_QUIT, 0); break;
        case 'm': case 'u':
            c->prompting = (k == 'm' ? CTL_MUTE : CTL_UNMUTE) + 1;
            c->typed[0] = '\0';
            c->typed_len = 0;
            show_prompt(c);
            break;
        default: break;
        }
    }
}

/* Bytes from the FIFO: whole lines become commands; bad lines are ignored
 * (the writer is the local user, who sees nothing happen). */
static void fifo_bytes(control_t *c, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i] != '\n') {
            if (c->line_len + 1 < sizeof c->line)
                c->line[c->line_len++] = b[i];
            else
                c->line_overflow = 1;
            continue;
        }
        c->line[c->line_len] = '\0';
        control_cmd_t cmd;
        if (!c->line_overflow && control_parse(c->line, &cmd) == 0)
            c->fn(c->ctx, &cmd);
        c->line_len = 0;
        c->line_overflow = 0;
    }
}

static void *control_main(void *arg)
{
    control_t *c = arg;
    util_thread_name("purg-control");
    char buf[512];
    while (!atomic_load(&c->stop)) {
        struct pollfd p[3];
        nfds_t np = 0;
        int kb = -1, ff = -1;
        p[np++] = (struct pollfd){ .fd = c->wake[0], .events = POLLIN };
        if (c->keyboard) {
            p[np] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
            kb = (int)np++;
        }
        if (c->fifo_fd >= 0) {
            p[np] = (struct pollfd){ .fd = c->fifo_fd, .events = POLLIN };
            ff = (int)np++;
        }
        if (poll(p, np, -1) <= 0)
            continue;
        if (kb >= 0 && (p[kb].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
            if (n > 0) {
                control_keys(c, buf, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                /* a terminal in raw mode gives no end of file (Ctrl-D is a
                 * byte): 0 or EIO is the hangup, the window closed */
                c->keyboard = 0;
                emit(c, CTL_HANGUP, 0);
            }
        }
        if (ff >= 0 && (p[ff].revents & POLLIN)) {
            ssize_t n = read(c->fifo_fd, buf, sizeof buf);
            if (n > 0)
                fifo_bytes(c, buf, (size_t)n);
        }
    }
    return NULL;
}

static void close_wake(control_t *c)
{
    for (int i = 0; i < 2; i++)
        if (c->wake[i] >= 0)
            close(c->wake[i]);
}

static int open_fifo(const char *path, char *err, size_t errlen)
{
    if (mkfifo(path, 0600) != 0 && errno != EEXIST) {
        util_snprintf(err, errlen, "cannot create the control FIFO %s: %s", path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
        util_snprintf(err, errlen, "%s is not a named pipe (remove it, or name another "
                      "path: purgatory creates the FIFO)", path);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int control_start(control_t **out, const char *fifo, int keyboard, control_fn fn,
                  control_prompt_fn prompt_fn, void *ctx, char *err, size_t errlen)
{
    control_t *c = calloc(1, sizeof *c);
    if (!c) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    c->fn = fn;
    c->prompt_fn = prompt_fn;
    c->ctx = ctx;
    c->fifo_fd = -1;
    c->wake[0] = c->wake[1] = -1;
    atomic_init(&c->stop, 0);
    if (pipe(c->wake) != 0) {
        util_snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
        goto fail;
    }
    if (fifo && (c->fifo_fd = open_fifo(fifo, err, errlen)) < 0)
        goto fail;
    if (keyboard && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &c->saved) == 0) {
        struct termios raw = c->saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO); /* ISIG stays: Ctrl-C still stops */
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0)
            c->raw = 1;
        c->keyboard = 1;
    }
    if (pthread_create(&c->thread, NULL, control_main, c) != 0) {
        util_snprintf(err, errlen, "cannot start the control thread");
        goto fail;
    }
    *out = c;
    return 0;
fail:
    if (c->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
    if (c->fifo_fd >= 0)
        close(c->fifo_fd);
    close_wake(c);
    free(c);
    return PURG_EIO;
}

void control_stop(control_t *c)
{
    if (!c)
        return;
    atomic_store(&c->stop, 1);
    while (write(c->wake[1], "x", 1) < 0 && errno == EINTR)
        ;
    pthread_join(c->thread, NULL);
    close_wake(c);
    if (c->raw)
        tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
    if (c->fifo_fd >= 0)
        close(c->fifo_fd);
    free(c);
}
