/* capture_secrets.c: a capture's embedded secrets through the read (see
 * capture_secrets.h). */
#include <stdio.h>
#include "capture/input_stream.h"
#include "capture/pcapng_secrets.h"
#include "tls/keylog.h"
#include "util/cursor.h"
#include "capture_secrets.h"

/* connections let go whose randoms are kept to be checked at the end */
#define GONE_MAX 65536u

static void secrets_tap(void *ud, const uint8_t *p, size_t n)
{
    pcapng_secrets_feed(ud, p, n);
}

static enum status secrets_to_log(void *ud, const uint8_t *p, size_t n)
{
    return keylog_feed(ud, p, n);
}

/* analyze_opts.before_frame: the blocks before this frame go into the log. */
static enum status secrets_before_frame(void *ud, uint64_t frame)
{
    struct capture_secrets *cs = ud;
    if (!pcapng_secrets_waiting(cs->walk))
        return ST_OK;
    return pcapng_secrets_release(cs->walk, frame - 1, secrets_to_log, cs->log);
}

void capture_secrets_begin(struct capture_secrets *cs, struct input_source *src,
                           const struct keylog *global, struct analyze_opts *ao)
{
    *cs = (struct capture_secrets){.src = src, .walk = pcapng_secrets_new(), .log = keylog_new()};
    capbuf_init(&cs->gone, (size_t)GONE_MAX * KEYLOG_RANDOM_LEN);
    if (cs->walk == NULL || cs->log == NULL) {
        pcapng_secrets_free(cs->walk);
        keylog_free(cs->log);
        cs->walk = NULL;
        cs->log = NULL;
        return;
    }
    keylog_set_fallback(cs->log, global);
    input_source_tap(src, secrets_tap, cs->walk);
    ao->keylog = cs->log;
    ao->before_frame = secrets_before_frame;
    ao->frame_ud = cs;
}

/* TLS records under keys went by while no key log was in use: decryption
 * was not tried (RFC 5246 7.1, RFC 8446 5.2: after the ChangeCipherSpec,
 * or any type 23 record). */
static bool untried(const struct conn *c)
{
    const struct side_facts *cl = &c->side[SIDE_CLIENT], *sv = &c->side[SIDE_SERVER];
    if (!c->ch->present || cl->decrypt != DECRYPT_NONE || sv->decrypt != DECRYPT_NONE)
        return false;
    for (int s = SIDE_CLIENT; s <= SIDE_SERVER; s++) {
        const struct side_facts *sf = &c->side[s];
        if (sf->ccs_frame != 0 || sf->encrypted_hs_frame != 0 || sf->appdata_records > 0)
            return true;
    }
    return false;
}

void capture_secrets_conn_gone(struct capture_secrets *cs, const struct conn *c)
{
    struct pcapng_secrets_counts n;
    if (cs->walk == NULL || !untried(c))
        return;
    pcapng_secrets_get_counts(cs->walk, &n);
    /* only a pcapng capture can still bring secrets */
    if (n.pcapng && capbuf_append(&cs->gone, c->ch->random, KEYLOG_RANDOM_LEN) != ST_OK)
        cs->gone_full = true;
}

void capture_secrets_end(struct capture_secrets *cs, const struct analysis *a, char *msg,
                         size_t len)
{
    msg[0] = '\0';
    if (cs->walk == NULL)
        return;
    input_source_tap(cs->src, NULL, NULL);
    struct pcapng_secrets_counts n;
    enum status st = pcapng_secrets_release(cs->walk, UINT64_MAX, secrets_to_log, cs->log);
    if (st == ST_OK)
        st = keylog_finish(cs->log);
    pcapng_secrets_get_counts(cs->walk, &n);
    if (st != ST_OK || n.nomem)
        snprintf(msg, len, "out of memory: secrets embedded in the capture were not all read");
    else if (n.over_cap > 0)
        snprintf(msg, len, "%u of %u Decryption Secrets Blocks not read (over the cap of %u "
                 "MiB or %u blocks of secrets in one capture)", n.over_cap, n.blocks,
                 PCAPNG_MAX_SECRETS >> 20, PCAPNG_MAX_SECRET_BLOCKS);
    if (n.late == 0)
        return;
    for (size_t i = 0; i < analysis_slots(a); i++) {
        const struct conn *c = analysis_conn(a, i);
        if (c != NULL && untried(c) && keylog_find(cs->log, c->ch->random) != NULL)
            cs->late++;
    }
    struct cursor g = cur_make(cs->gone.p, cs->gone.len);
    struct slice random;
    while (cur_take(&g, KEYLOG_RANDOM_LEN, &random) == ST_OK)
        if (keylog_find(cs->log, random.ptr) != NULL)
            cs->late++;
    if (cs->gone_full && msg[0] == '\0')
        snprintf(msg, len, "secrets that came after their connections were looked for in "
                 "the first %u connections let go only", GONE_MAX);
}

void capture_secrets_free(struct capture_secrets *cs)
{
    pcapng_secrets_free(cs->walk);
    keylog_free(cs->log);
    capbuf_free(&cs->gone);
}
