/* roster.c - nick set with flags under rfc1459 case mapping; one thread (see roster.h).
 *
 * Open addressing with linear probing over a power-of-two table of slots;
 * a slot holds the folded nick (owned) and its flags. Deletion uses
 * backward-shift, so there are no tombstones and a lookup stops at the
 * first empty slot. The table doubles when 3/4 full. */
#include "roster.h"

#include "purg.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    char *key;          /* folded nick, NULL: empty */
    unsigned flags;
} slot_t;

struct roster {
    slot_t *s;
    size_t cap;         /* power of two, or 0 */
    size_t n;
};

/* FNV-1a over the folded bytes. */
static uint64_t hash_folded(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)nick_fold_char(s[i]);
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

static size_t cut(size_t n)
{
    return n < ROSTER_NICK_MAX ? n : ROSTER_NICK_MAX - 1;
}

/* Slot index of nick, or the empty slot where it would go. */
static size_t find(const roster_t *r, const char *nick, size_t n)
{
    size_t mask = r->cap - 1;
    size_t i = (size_t)hash_folded(nick, n) & mask;
    while (r->s[i].key) {
        const char *k = r->s[i].key;
        if (strlen(k) == n && nick_eq_n(k, n, nick, n))
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

int roster_create(roster_t **out)
{
    roster_t *r = calloc(1, sizeof *r);
    *out = r;
    return r ? 0 : PURG_ENOMEM;
}

void roster_clear(roster_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->cap; i++) {
        free(r->s[i].key);
        r->s[i].key = NULL;
    }
    r->n = 0;
}

void roster_free(roster_t *r)
{
    if (!r)
        return;
    roster_clear(r);
    free(r->s);
    free(r);
}

size_t roster_size(const roster_t *r)
{
    return r ? r->n : 0;
}

unsigned roster_get(const roster_t *r, const char *nick, size_t n)
{
    n = cut(n);
    if (!r || r->n == 0 || n == 0)
        return 0;
    size_t i = find(r, nick, n);
    return r->s[i].key ? r->s[i].flags : 0;
}

unsigned roster_get_s(const roster_t *r, const char *nick)
{
    return nick ? roster_get(r, nick, strlen(nick)) : 0;
}

static int grow(roster_t *r)
{
    size_t cap = r->cap ? r->cap * 2 : 16;
    slot_t *s = calloc(cap, sizeof *s);
    if (!s)
        return PURG_ENOMEM;
    slot_t *old = r->s;
    size_t oldcap = r->cap;
    r->s = s;
    r->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].key) {
            size_t j = find(r, old[i].key, strlen(old[i].key));
            r->s[j] = old[i];
        }
    free(old);
    return 0;
}

int roster_add(roster_t *r, const char *nick, unsigned flags)
{
    size_t n = nick ? cut(strlen(nick)) : 0;
    if (n == 0 || flags == 0)
        return PURG_EINVAL;
    if ((r->n + 1) * 4 > r->cap * 3 && grow(r) != 0)
        return PURG_ENOMEM;
    size_t i = find(r, nick, n);
    if (r->s[i].key) {
        r->s[i].flags |= flags;
        return 0;
    }
    char *k = malloc(n + 1);
    if (!k)
        return PURG_ENOMEM;
    for (size_t j = 0; j < n; j++)
        k[j] = nick_fold_char(nick[j]);
    k[n] = '\0';
    r->s[i].key = k;
    r->s[i].flags = flags;
    r->n++;
    return 0;
}

/* Empties slot i and shifts later members of its cluster back. */
static void remove_at(roster_t *r, size_t i)
{
    size_t mask = r->cap - 1;
    free(r->s[i].key);
    r->s[i].key = NULL;
    r->n--;
    for (size_t j = (i + 1) & mask; r->s[j].key; j = (j + 1) & mask) {
        size_t home = (size_t)hash_folded(r->s[j].key, strlen(r->s[j].key)) & mask;
        /* j's entry may move to the hole at i when its home is not in (i, j] */
        int stays = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            r->s[i] = r->s[j];
            r->s[j].key = NULL;
            i = j;
        }
    }
}

void roster_del(roster_t *r, const char *nick)
{
    size_t n = nick ? cut(strlen(nick)) : 0;
    if (!r || r->n == 0 || n == 0)
        return;
    size_t i = find(r, nick, n);
    if (r->s[i].key)
        remove_at(r, i);
}

void roster_clear_flags(roster_t *r, const char *nick, unsigned flags)
{
    size_t n = nick ? cut(strlen(nick)) : 0;
    if (!r || r->n == 0 || n == 0)
        return;
    size_t i = find(r, nick, n);
    if (!r->s[i].key)
        return;
    r->s[i].flags &= ~flags;
    if (r->s[i].flags == 0)
        remove_at(r, i);
}

int roster_rename(roster_t *r, const char *oldnick, const char *newnick)
{
    unsigned f = roster_get_s(r, oldnick);
    if (!f)
        return 0;
    roster_del(r, oldnick);
    return roster_add(r, newnick, f);
}
