/* left_out.c: open addressing with linear probing, kept at most half full. */
#include <stdlib.h>
#include "tcp/left_out.h"

static size_t slot_of(uint64_t endpoints, size_t n_slots)
{
    /* the key is a hash already; the multiply spreads its low bits */
    return (size_t)((endpoints * 0x9e3779b97f4a7c15ull) >> 17) & (n_slots - 1);
}

static struct left_out_entry *find(struct left_out_entry *slots, size_t n_slots,
                                   uint64_t endpoints)
{
    size_t i = slot_of(endpoints, n_slots);
    while (slots[i].used && slots[i].endpoints != endpoints)
        i = (i + 1) & (n_slots - 1);
    return &slots[i];
}

static enum status grow(struct left_out *l)
{
    size_t n = l->n_slots ? l->n_slots * 2 : 1024;
    ENSURE(n > l->n_slots && n <= SIZE_MAX / sizeof *l->slots, ST_NOMEM);
    struct left_out_entry *slots = calloc(n, sizeof *slots);
    ENSURE(slots != NULL, ST_NOMEM);
    for (size_t i = 0; i < l->n_slots; i++)
        if (l->slots[i].used)
            *find(slots, n, l->slots[i].endpoints) = l->slots[i];
    free(l->slots);
    l->slots = slots;
    l->n_slots = n;
    return ST_OK;
}

void left_out_packet(struct left_out *l, uint64_t endpoints, bool syn, uint32_t seq)
{
    struct left_out_entry *e = l->n_slots ? find(l->slots, l->n_slots, endpoints) : NULL;
    if (e == NULL || !e->used) {
        if ((l->n_entries + 1) * 2 > l->n_slots &&
            (l->n_slots >= LEFT_OUT_MAX_SLOTS || grow(l) != ST_OK)) {
            /* full: a client's SYN on endpoints not kept counts, retransmitted or not */
            if (syn)
                l->connections++;
            return;
        }
        e = find(l->slots, l->n_slots, endpoints);
        *e = (struct left_out_entry){.endpoints = endpoints, .used = true};
        l->n_entries++;
        l->connections++;
    } else if (syn && (!e->has_syn || e->syn_seq != seq)) {
        l->connections++; /* the pair reused: a new connection starts */
    }
    if (syn) {
        e->has_syn = true;
        e->syn_seq = seq;
    }
}

void left_out_free(struct left_out *l)
{
    free(l->slots);
    *l = (struct left_out){0};
}
