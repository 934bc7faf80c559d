/* reply_eval.h - how the reply benchmark (bench_reply.c) and the reply unit
 * test judge a reply against its prompt; header-only, any thread.
 *
 * A prompt file has one "TOPIC<TAB>PROMPT" a line ('#' starts a comment).
 * A content word of a prompt is a word that is not on the stop list below:
 * function words only (the measurement's own list, kept apart from the
 * engine's wider ban list so the engine is not graded by its own rules). Words are compared folded: ASCII
 * punctuation trimmed at both ends, lower case, and a final "s" dropped on
 * both sides (river = rivers = River's). */
#ifndef PURG_REPLY_EVAL_H
#define PURG_REPLY_EVAL_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RE_MAX_PROMPTS 1024
#define RE_WORD 48
#define RE_WORDS 32

typedef struct re_prompt {
    char topic[RE_WORD];
    char text[400];
    char content[RE_WORDS][RE_WORD]; /* folded content words */
    size_t ncontent;
} re_prompt_t;

static const char *const re_stop[] = { /* function words (a common English list) */
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
    "both", "but", "by", "can", "could", "did", "do", "does", "doing", "don't", "down",
    "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he",
    "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "it's", "its", "itself", "just", "let's", "me", "more", "most",
    "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
    "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she", "should",
    "so", "some", "such", "than", "that", "that's", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "what's", "when", "where",
    "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself", "yourselves", "anyone", "anyway", "ever",
};

/* Folds w into out (see above); 0 if nothing is left. */
static size_t re_fold(const char *w, size_t n, char *out, size_t cap)
{
    size_t a = 0, b = n;
    while (a < b && (unsigned char)w[a] < 0x80 && !isalnum((unsigned char)w[a]))
        a++;
    while (b > a && (unsigned char)w[b - 1] < 0x80 && !isalnum((unsigned char)w[b - 1]))
        b--;
    if (b > a + 2 && (w[b - 1] == 's' || w[b - 1] == 'S') && w[b - 2] == '\'')
        b -= 2;
    else if (b > a + 3 && (w[b - 1] == 's' || w[b - 1] == 'S'))
        b--;
    if (a == b || b - a >= cap)
        return 0;
    for (size_t i = a; i < b; i++)
        out[i - a] = (char)tolower((unsigned char)w[i]);
    out[b - a] = '\0';
    return b - a;
}

/* w is folded; so is each stop word before the comparison. */
static int re_is_stop(const char *w)
{
    for (size_t i = 0; i < sizeof re_stop / sizeof *re_stop; i++) {
        char f[RE_WORD];
        if (re_fold(re_stop[i], strlen(re_stop[i]), f, sizeof f) && !strcmp(w, f))
            return 1;
    }
    return 0;
}

/* Calls fn for each folded word of text. */
static void re_words(const char *text, void (*fn)(void *, const char *), void *ud)
{
    const char *p = text;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *s = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        char w[RE_WORD];
        if (p > s && re_fold(s, (size_t)(p - s), w, sizeof w))
            fn(ud, w);
    }
}

static void re_add_content(void *ud, const char *w)
{
    re_prompt_t *p = ud;
    if (re_is_stop(w) || p->ncontent == RE_WORDS)
        return;
    for (size_t i = 0; i < p->ncontent; i++)
        if (!strcmp(p->content[i], w))
            return;
    snprintf(p->content[p->ncontent++], RE_WORD, "%s", w);
}

/* Reads a prompt file; returns how many (0 on error, with a message). */
static size_t re_load(const char *path, re_prompt_t *out, size_t max)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "reply_eval: cannot read %s\n", path);
        return 0;
    }
    char line[512];
    size_t n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        re_prompt_t *p = &out[n];
        memset(p, 0, sizeof *p);
        re_fold(line, strlen(line), p->topic, sizeof p->topic);
        snprintf(p->text, sizeof p->text, "%s", tab + 1);
        re_words(p->text, re_add_content, p);
        n++;
    }
    fclose(f);
    return n;
}

typedef struct re_hit {
    const re_prompt_t *p;
    int content, topic;
} re_hit_t;

static void re_check(void *ud, const char *w)
{
    re_hit_t *h = ud;
    if (!strcmp(w, h->p->topic))
        h->topic = 1;
    for (size_t i = 0; i < h->p->ncontent; i++)
        if (!strcmp(w, h->p->content[i]))
            h->content = 1;
}

/* Whether reply holds a content word of p (*content) and its topic (*topic). */
static void re_judge(const re_prompt_t *p, const char *reply, int *content, int *topic)
{
    re_hit_t h = { p, 0, 0 };
    re_words(reply, re_check, &h);
    *content = h.content;
    *topic = h.topic;
}

#endif
