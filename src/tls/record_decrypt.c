/* record_decrypt.c: records opened with a key log, per direction: TLS 1.3
 * from its traffic secrets, TLS 1.0-1.2 from the master secret. */
#include <stdlib.h>
#include <string.h>
#include "tls/handshake.h"
#include "tls/handshake_buffer.h"
#include "tls/keylog.h"
#include "tls/record_decrypt.h"
#include "tls/ssl3.h"
#include "tls/tls12_decrypt.h"
#include "tls/tls13_decrypt.h"
#include "tls/transcript.h"
#include <openssl/crypto.h>

/* TLS 1.3 decryption with a key log, per direction (RFC 8446 5.2, 7.3).
 * Handshake phase: every type 23 record is buffered (at most 2^14 + 256
 * bytes) and opened with the sender's handshake traffic keys, until its
 * Finished. Application phase, only when the key log has the sender's
 * traffic secret 0: the sequence number counts every record, but only the
 * first application data and short records are opened (alerts, KeyUpdate,
 * most tickets), so the cost still does not grow with the payload. */
#define DEC_SHORT_RECORD 512
#define DEC_MAX_EARLY_RECORDS 64

struct tls_decrypt {
    struct tls13_keys keys;
    uint8_t secret[TLS13_MAX_HASH]; /* application traffic secret, for KeyUpdate */
    uint8_t secret_len;
    bool buffering;                 /* the current record is kept for opening */
    bool finished;                  /* the sender's Finished was in this record */
    bool key_update;                /* ... a KeyUpdate */
    bool app_resync;                /* an application record went unread: its
                                     * handshake bytes cannot be assembled */
    bool opened_one;
    uint16_t early_records;         /* client records taken for 0-RTT data */
    struct capbuf rec;              /* the record body */
    /* TLS <= 1.2 (DEC_TLS12): every record after the ChangeCipherSpec is
     * protected; handshake and alert records and short or first
     * application records are opened, the rest only counted */
    struct tls12_keys keys12;
    uint8_t master[TLS12_MASTER_LEN]; /* to check the sender's Finished */
    bool in_record;                 /* the current record is under these keys */
    bool app_opened;                /* an application record was opened */
    uint8_t tail[TLS12_MAX_IV + TLS12_MAX_MAC]; /* TLS 1.0 CBC: the chained IV */
    uint8_t tail_len;
};

void tls_dec_free(struct tls_stream *s)
{
    if (s->dec == NULL)
        return;
    capbuf_free(&s->dec->rec);
    tls13_wipe(s->dec, sizeof *s->dec);
    free(s->dec);
    s->dec = NULL;
}

void tls_dec_stop(struct tls_stream *s, struct conn *c, enum side from,
                  enum decrypt_status why, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    if (why != DECRYPT_OK)
        sf->decrypt = (uint8_t)why;
    if (why == DECRYPT_FAILED || why == DECRYPT_INTERRUPTED)
        sf->decrypt_stop_frame = frame;
    s->dec_phase = DEC_OFF;
    tls_dec_free(s);
}

/* Decryption state for a direction about to be decrypted, its records
 * buffered up to max; NULL without memory (decryption is then not tried). */
static struct tls_decrypt *dec_open(struct tls_stream *s, struct side_facts *sf,
                                    enum dec_phase phase, size_t max)
{
    struct tls_decrypt *d = calloc(1, sizeof *d);
    if (d == NULL) {
        s->dec_phase = DEC_OFF;
        return NULL;
    }
    capbuf_init(&d->rec, max);
    s->dec = d;
    s->dec_phase = phase;
    sf->decrypt = DECRYPT_OK;
    return d;
}

static const struct keylog_entry *dec_secrets(const struct tls_conn_state *t,
                                              const struct conn *c)
{
    return c->ch->present ? keylog_find(t->keylog, c->ch->random) : NULL;
}

/* The first type 23 record of a direction: are there keys for it? */
static void dec_begin(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                      enum side from, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    /* TLS <= 1.2 starts at the sender's ChangeCipherSpec (tls_dec_ccs) */
    if (!keylog_in_use(t->keylog) || (c->sh.present && !conn_is_tls13(c))) {
        s->dec_phase = DEC_OFF;
        return;
    }
    /* before the ServerHello: 0-RTT data under the early secret; decide later */
    if (!c->sh.present)
        return;
    if (!tls13_suite_supported(c->sh.suite)) {
        tls_dec_stop(s, c, from, DECRYPT_UNSUPPORTED, frame);
        return;
    }
    const struct keylog_entry *e = dec_secrets(t, c);
    int which = from == SIDE_CLIENT ? KEYLOG_CLIENT_HANDSHAKE : KEYLOG_SERVER_HANDSHAKE;
    if (e == NULL || e->secret_len[which] == 0) {
        tls_dec_stop(s, c, from, DECRYPT_NO_KEYS, frame);
        return;
    }
    struct tls_decrypt *d = dec_open(s, sf, DEC_HANDSHAKE, TLS13_MAX_CIPHERTEXT);
    if (d == NULL)
        return;
    /* a secret of the wrong length for the suite's hash: wrong keys */
    if (tls13_traffic_keys(c->sh.suite, e->secret[which], e->secret_len[which], &d->keys) !=
        ST_OK)
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
}

/* RFC 7366 3: encrypt_then_mac applies when the ServerHello echoes it. */
static bool server_echoed(const struct conn *c, uint16_t ext)
{
    for (uint16_t i = 0; i < c->sh.n_exts; i++)
        if (c->sh.exts[i] == ext)
            return true;
    return false;
}

#define EXT_ENCRYPT_THEN_MAC 22
#define EXT_EXTENDED_MASTER_SECRET 23

/* --key: the master secret of an RSA key exchange from the server's private
 * key (RFC 5246 7.4.7.1, 8.1; RFC 7627 4 with the extended master secret;
 * RFC 6101 6.1 in SSL 3.0).
 * An (EC)DHE exchange says why the key cannot help (RFC 5246 F.1.1.3). */
static enum decrypt_status rsa_master(const struct tls_conn_state *t, const struct tls_stream *s,
                                      const struct conn *c, uint8_t master[TLS12_MASTER_LEN])
{
    if (!keylog_has_server_keys(t->keylog))
        return DECRYPT_NO_KEYS;
    if (!c->kx.rsa_kx)
        return c->kx.dhe || c->kx.ecdhe ? DECRYPT_FORWARD_SECRET : DECRYPT_NO_KEYS;
    if (!c->server_certs.present || c->server_certs.kept == 0 || c->cert_bytes == NULL)
        return DECRYPT_NO_KEYS;
    const struct cert_der *leaf = &c->server_certs.der[0];
    uint8_t pms[48], hash[TRANSCRIPT_MAX_HASH];
    size_t hash_len = 0;
    enum keylog_rsa_result r =
        keylog_rsa_premaster(t->keylog, c->cert_bytes + leaf->off, leaf->len,
                             c->kx.rsa_premaster, c->kx.cke_len, pms);
    if (r != KEYLOG_RSA_OK)
        return r == KEYLOG_RSA_FAILED ? DECRYPT_FAILED : DECRYPT_NO_KEYS;
    enum tls12_prf_hash h = tls12_suite_prf(c->sh.suite, c->sh.version);
    enum status st;
    if (c->sh.version == SSL3_RECORD_VERSION)
        st = ssl3_master_secret(pms, sizeof pms, c->ch->random, c->sh.random, master);
    else if (server_echoed(c, EXT_EXTENDED_MASTER_SECRET))
        st = transcript_session_hash(s->transcript, h, hash, &hash_len)
                 ? tls12_master_secret(h, pms, sizeof pms, "extended master secret", hash,
                                       hash_len, NULL, 0, master)
                 : ST_UNSUPPORTED;
    else
        st = tls12_master_secret(h, pms, sizeof pms, "master secret", c->ch->random, 32,
                                 c->sh.random, 32, master);
    tls13_wipe(pms, sizeof pms);
    return st == ST_OK ? DECRYPT_OK : DECRYPT_FAILED;
}

void tls_dec_ccs(struct tls_conn_state *t, struct tls_stream *s, struct conn *c, enum side from,
                 uint64_t frame)
{
    if (!keylog_in_use(t->keylog) || s->dec_phase == DEC_OFF)
        return;
    /* a second one ends a renegotiation (RFC 5246 7.4.1.2): its keys come
     * from the hellos decrypted under the first keys, the master secret
     * from the key log (the handshake hashes of --key's extended master
     * secret are the first handshake's); without them decryption ends */
    const uint8_t *client_random = c->ch->random;
    const struct tls_stream *cl = &t->dir[SIDE_CLIENT];
    if (s->dec_phase == DEC_TLS12) {
        const struct keylog_entry *e =
            cl->reneg_frame != 0 ? keylog_find(t->keylog, cl->reneg_random) : NULL;
        if (e == NULL || !c->sh.present || c->sh.frame < cl->reneg_frame ||
            e->secret_len[KEYLOG_MASTER_SECRET] != TLS12_MASTER_LEN ||
            !tls12_suite_supported(c->sh.suite) || c->sh.version < 0x0301 ||
            c->sh.version > 0x0303) {
            tls_dec_stop(s, c, from, DECRYPT_OK, frame);
            return;
        }
        client_random = cl->reneg_random;
    }
    tls_dec_free(s);
    /* RFC 5246 7.1: a ChangeCipherSpec switches the sender to the pending
     * keys; without a ServerHello there is no suite or server random */
    if (!c->sh.present || !c->ch->present || c->sh.sslv2 || conn_is_tls13(c)) {
        s->dec_phase = DEC_OFF;
        return;
    }
    if (!tls12_suite_supported(c->sh.suite) || c->sh.version < SSL3_RECORD_VERSION ||
        c->sh.version > 0x0303) {
        tls_dec_stop(s, c, from, DECRYPT_UNSUPPORTED, frame);
        return;
    }
    const struct keylog_entry *e = keylog_find(t->keylog, client_random);
    uint8_t master[TLS12_MASTER_LEN];
    if (e != NULL && e->secret_len[KEYLOG_MASTER_SECRET] == TLS12_MASTER_LEN) {
        memcpy(master, e->secret[KEYLOG_MASTER_SECRET], TLS12_MASTER_LEN);
    } else {
        enum decrypt_status why = rsa_master(t, s, c, master);
        if (why != DECRYPT_OK) {
            tls_dec_stop(s, c, from, why, frame);
            return;
        }
    }
    struct tls_decrypt *d = dec_open(s, &c->side[from], DEC_TLS12, TLS12_MAX_CIPHERTEXT);
    if (d == NULL) {
        tls13_wipe(master, sizeof master);
        return;
    }
    memcpy(d->master, master, TLS12_MASTER_LEN);
    tls13_wipe(master, sizeof master);
    if (tls12_keys_from_master(c->sh.version, c->sh.suite,
                               server_echoed(c, EXT_ENCRYPT_THEN_MAC), d->master,
                               client_random, c->sh.random, from == SIDE_CLIENT,
                               &d->keys12) != ST_OK)
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
}

/* TLS <= 1.2: which records are opened. */
static void dec12_record_start(struct tls_stream *s, struct conn *c, enum side from,
                               uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    capbuf_consume(&d->rec, d->rec.len);
    d->tail_len = 0;
    d->in_record = true;
    if (s->rlen > TLS12_MAX_CIPHERTEXT) {
        tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
        return;
    }
    /* the first application record shows what the connection carries (an
     * HTTP status line, an HTTP/2 preface); later long ones are only counted */
    d->buffering = s->rtype != CT_APPLICATION_DATA || !d->app_opened ||
                   s->rlen <= DEC_SHORT_RECORD;
}

void tls_dec_record_start(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                          enum side from, uint64_t frame)
{
    if (s->dec_phase == DEC_TLS12) {
        dec12_record_start(s, c, from, frame);
        return;
    }
    if (s->dec_phase == DEC_UNTRIED)
        dec_begin(t, s, c, from, frame);
    if (s->dec == NULL)
        return;
    struct tls_decrypt *d = s->dec;
    capbuf_consume(&d->rec, d->rec.len);
    d->buffering = false;
    d->in_record = false;
    /* RFC 8446 5.2: longer is a record_overflow for the peer, and no longer
     * a record we can count on */
    if (s->rlen > TLS13_MAX_CIPHERTEXT) {
        tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
        return;
    }
    /* the first application data is opened whatever its length, as in TLS
     * 1.2: it shows what the connection carries */
    if (s->dec_phase == DEC_APPLICATION && s->rlen > DEC_SHORT_RECORD && d->app_opened) {
        /* not opened, but it used a sequence number (RFC 8446 5.3) */
        d->keys.seq++;
        if (s->hs.len > 0 || s->hs_skip > 0)
            capbuf_consume(&s->hs, s->hs.len);
        s->hs_skip = 0;
        d->app_resync = true;
        return;
    }
    d->buffering = true;
    d->in_record = true;
}

/* RFC 8446 7.2: after a KeyUpdate the sender uses the next secret. */
static void dec_key_update(struct tls_stream *s, struct conn *c, enum side from, uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    uint8_t next[TLS13_MAX_HASH];
    d->key_update = false;
    if (tls13_next_secret(d->keys.suite, d->secret, d->secret_len, next) != ST_OK ||
        tls13_traffic_keys(d->keys.suite, next, d->secret_len, &d->keys) != ST_OK) {
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return;
    }
    memcpy(d->secret, next, d->secret_len);
    tls13_wipe(next, sizeof next);
}

/* After the sender's Finished: its application traffic secret 0 (RFC 8446
 * 7.1), when the key log has it; otherwise decryption ends here. */
static void dec_application_keys(struct tls_conn_state *t, struct tls_stream *s,
                                 struct conn *c, enum side from, uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    const struct keylog_entry *e = dec_secrets(t, c);
    int which = from == SIDE_CLIENT ? KEYLOG_CLIENT_TRAFFIC_0 : KEYLOG_SERVER_TRAFFIC_0;
    d->finished = false;
    d->key_update = false;
    /* RFC 8446 5.1: no handshake message spans a key change */
    capbuf_consume(&s->hs, s->hs.len);
    s->hs_skip = 0;
    if (e == NULL || e->secret_len[which] == 0) {
        tls_dec_stop(s, c, from, DECRYPT_OK, frame);
        return;
    }
    memcpy(d->secret, e->secret[which], e->secret_len[which]);
    d->secret_len = e->secret_len[which];
    if (tls13_traffic_keys(c->sh.suite, d->secret, d->secret_len, &d->keys) != ST_OK) {
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return;
    }
    s->dec_phase = DEC_APPLICATION;
}

/* A KeyUpdate alone in a record: handshake type 24, length 1 (RFC 8446 4.6.3). */
static bool is_key_update(const uint8_t *p, size_t n)
{
    struct cursor m = cur_make(p, n);
    uint8_t type, request;
    uint32_t len;
    return cur_u8(&m, &type) == ST_OK && type == HS_KEY_UPDATE && cur_u24(&m, &len) == ST_OK &&
           len == 1 && cur_u8(&m, &request) == ST_OK && cur_end(&m) == ST_OK;
}

static void dec_alert(struct tls_stream *s, struct conn *c, enum side from, const uint8_t *p,
                      size_t n, uint64_t frame, struct tstamp ts)
{
    /* RFC 8446 6: one alert per record, never fragmented: level, description
     * (RFC 5246 6.2.1 allows fragments; no stack sends them) */
    struct cursor m = cur_make(p, n);
    struct alert a = {0};
    if (cur_u8(&m, &a.level) != ST_OK || cur_u8(&m, &a.description) != ST_OK ||
        cur_end(&m) != ST_OK) {
        conn_mark_malformed(c, from, "decrypted alert");
        return;
    }
    a.frame = frame;
    a.ts = ts;
    a.from = from;
    a.decrypted = true;
    a.record_len = s->rlen;
    conn_add_alert(c, &a);
}

static void dec_app_plain(struct conn *c, enum side from, const uint8_t *p, size_t n,
                          uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    if (sf->app_plain_frame != 0 || n == 0)
        return;
    size_t k = n < sizeof sf->app_plain ? n : sizeof sf->app_plain;
    memcpy(sf->app_plain, p, k);
    sf->app_plain_len = (uint8_t)k;
    sf->app_plain_frame = frame;
}

/* The Finished this side must send after the messages so far: RFC 5246
 * 7.4.9 verify_data (12 bytes), or SSL 3.0's md5_hash + sha_hash (RFC 6101
 * 5.6.9, 36 bytes). 0 when it cannot be computed. */
static size_t dec12_expected_finished(const struct tls_stream *s, const struct conn *c,
                                      enum side from, uint8_t want[SSL3_FINISHED_LEN])
{
    uint8_t hash[TRANSCRIPT_MAX_HASH];
    size_t hash_len = 0;
    if (c->sh.version == SSL3_RECORD_VERSION)
        return transcript_ssl3_finished(s->transcript, s->dec->master, from == SIDE_CLIENT,
                                        want)
                   ? SSL3_FINISHED_LEN
                   : 0;
    enum tls12_prf_hash h = tls12_suite_prf(c->sh.suite, c->sh.version);
    if (!transcript_hash(s->transcript, h, hash, &hash_len) ||
        tls12_verify_data(h, s->dec->master, from == SIDE_CLIENT ? "client finished"
                                                                 : "server finished",
                          hash, hash_len, want) != ST_OK)
        return 0;
    return TLS12_VERIFY_DATA_LEN;
}

/* A decrypted Finished alone in its record (as every stack sends it),
 * checked against the handshake messages before it. */
static void dec12_check_finished(struct tls_stream *s, struct conn *c, enum side from,
                                 const uint8_t *plain, size_t len, uint64_t frame)
{
    struct side_facts *sf = &c->side[from];
    struct cursor m = cur_make(plain, len);
    uint8_t type = 0, want[SSL3_FINISHED_LEN];
    uint32_t mlen = 0;
    struct slice got;
    if (sf->finished_frame != 0 || cur_u8(&m, &type) != ST_OK || type != HS_FINISHED ||
        cur_u24(&m, &mlen) != ST_OK || cur_take(&m, mlen, &got) != ST_OK)
        return;
    size_t want_len = dec12_expected_finished(s, c, from, want);
    if (want_len == 0 || mlen != want_len)
        return;
    sf->finished_frame = frame;
    sf->finished_check = CRYPTO_memcmp(want, got.ptr, want_len) == 0 ? FINISHED_VERIFIED
                                                                    : FINISHED_MISMATCH;
}

/* TLS <= 1.2: the record's content type is its header's (RFC 5246 6.2). */
static bool dec12_record_done(struct tls_stream *s, struct conn *c, enum side from,
                              uint64_t frame, struct tstamp ts)
{
    struct tls_decrypt *d = s->dec;
    bool buffered = d->buffering;
    size_t len = 0;
    d->buffering = false;
    d->in_record = false;
    if (!buffered) {
        tls12_skip(&d->keys12, d->tail, d->tail_len);
        return false;
    }
    uint8_t *plain = malloc(d->rec.len > 0 ? d->rec.len : 1);
    if (plain == NULL) {
        tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
        return false;
    }
    if (tls12_open(&d->keys12, s->rtype, s->rversion, d->rec.p, d->rec.len, plain, &len) !=
        ST_OK) {
        free(plain);
        /* the protected Finished is still a message, of unknown content */
        if (s->rtype == CT_HANDSHAKE && c->side[from].encrypted_hs_frame == frame)
            conn_add_message(c, frame, ts, from, HS_FINISHED, true);
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return false;
    }
    c->side[from].decrypted_records++;
    switch (s->rtype) {
    case CT_HANDSHAKE:
        dec12_check_finished(s, c, from, plain, len, frame);
        tls_handshake_bytes(s, c, from, plain, len, frame, ts, true);
        break;
    case CT_ALERT:
        dec_alert(s, c, from, plain, len, frame, ts);
        break;
    case CT_APPLICATION_DATA:
        /* TLS 1.0 CBC stacks send an empty record first (a BEAST countermeasure) */
        if (len > 0)
            d->app_opened = true;
        dec_app_plain(c, from, plain, len, frame);
        break;
    case CT_CHANGE_CIPHER_SPEC:
    case CT_HEARTBEAT:
        break;
    }
    tls13_wipe(plain, len);
    free(plain);
    return true;
}

bool tls_dec_record_done(struct tls_conn_state *t, struct tls_stream *s, struct conn *c,
                         enum side from, uint64_t frame, struct tstamp ts)
{
    if (s->dec == NULL || !s->dec->in_record)
        return false;
    if (s->dec_phase == DEC_TLS12)
        return dec12_record_done(s, c, from, frame, ts);
    struct tls_decrypt *d = s->dec;
    size_t len = 0;
    uint8_t type = 0;
    d->buffering = false;
    d->in_record = false;
    if (tls13_open(&d->keys, s->hdr, d->rec.p, d->rec.len, d->rec.p, &len, &type) != ST_OK) {
        /* 0-RTT records precede the client's handshake records and are under
         * another secret (RFC 8446 2.3): pass them until one opens */
        if (from == SIDE_CLIENT && s->dec_phase == DEC_HANDSHAKE && !d->opened_one &&
            c->ch->has_early_data && d->early_records < DEC_MAX_EARLY_RECORDS) {
            d->early_records++;
            return false;
        }
        tls_dec_stop(s, c, from, DECRYPT_FAILED, frame);
        return false;
    }
    d->opened_one = true;
    c->side[from].decrypted_records++;
    const uint8_t *plain = d->rec.p;
    switch (type) {
    case CT_HANDSHAKE:
        if (s->dec_phase == DEC_HANDSHAKE || !d->app_resync)
            tls_handshake_bytes(s, c, from, plain, len, frame, ts, true);
        else if (is_key_update(plain, len))
            d->key_update = true;
        break;
    case CT_ALERT:
        dec_alert(s, c, from, plain, len, frame, ts);
        break;
    case CT_APPLICATION_DATA:
        if (len > 0)
            d->app_opened = true;
        dec_app_plain(c, from, plain, len, frame);
        break;
    default:
        break;
    }
    if (s->dec == NULL)
        return true;
    if (s->dec_phase == DEC_HANDSHAKE && d->finished)
        dec_application_keys(t, s, c, from, frame);
    else if (s->dec_phase == DEC_APPLICATION && d->key_update)
        dec_key_update(s, c, from, frame);
    return true;
}

bool tls_dec_buffering(const struct tls_stream *s)
{
    return s->dec != NULL && s->dec->buffering;
}

/* TLS 1.0 CBC: keep the last bytes of a record not opened (its last
 * ciphertext block is the next record's IV, RFC 2246 6.2.3.2). */
static void keep_tail(struct tls_decrypt *d, const uint8_t *p, size_t n)
{
    size_t want = tls12_tail_len(&d->keys12);
    if (want == 0 || want > sizeof d->tail)
        return;
    if (n >= want) {
        memcpy(d->tail, p + n - want, want);
        d->tail_len = (uint8_t)want;
        return;
    }
    size_t keep = d->tail_len + n > want ? want - n : d->tail_len;
    memmove(d->tail, d->tail + d->tail_len - keep, keep);
    memcpy(d->tail + keep, p, n);
    d->tail_len = (uint8_t)(keep + n);
}

void tls_dec_record_bytes(struct tls_stream *s, struct conn *c, enum side from,
                          const uint8_t *p, size_t n, uint64_t frame)
{
    struct tls_decrypt *d = s->dec;
    if (d == NULL || !d->in_record)
        return;
    if (!d->buffering) {
        if (s->dec_phase == DEC_TLS12)
            keep_tail(d, p, n);
        return;
    }
    if (capbuf_append(&d->rec, p, n) != ST_OK)
        tls_dec_stop(s, c, from, DECRYPT_INTERRUPTED, frame);
}

void tls_dec_saw_message(struct tls_stream *s, uint8_t type, struct cursor body, uint64_t frame)
{
    struct slice random;
    /* RFC 5246 7.4.1.2: client_version, then the random */
    if (s->dec_phase == DEC_TLS12 && type == HS_CLIENT_HELLO && cur_skip(&body, 2) == ST_OK &&
        cur_take(&body, sizeof s->reneg_random, &random) == ST_OK) {
        memcpy(s->reneg_random, random.ptr, sizeof s->reneg_random);
        s->reneg_frame = frame;
    }
    if (s->dec == NULL || s->dec_phase == DEC_TLS12)
        return;
    /* RFC 8446 5.1: a key change follows these at a record boundary */
    if (type == HS_FINISHED)
        s->dec->finished = true;
    if (type == HS_KEY_UPDATE)
        s->dec->key_update = true;
}
