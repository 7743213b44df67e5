/* contrast.c: what separates the offers a server refused from the ones it
 * answered. An expert with a capture of several clients compares the
 * refused ClientHellos with the successful ones feature by feature; a
 * feature every refused offer has and no answered offer has is the likely
 * cause, and the answered offers show the fix. */
#include "util/registry.h"
#include "rules/rules.h"

static bool offers_rsa_pss(const struct client_hello *ch)
{
    for (uint16_t i = 0; i < ch->sigalgs.n; i++) {
        uint16_t v = ch->sigalgs.v[i];
        /* rsa_pss_rsae_* 0x0804-0x0806, rsa_pss_pss_* 0x0809-0x080b (RFC 8446 4.2.3) */
        if ((v >= 0x0804 && v <= 0x0806) || (v >= 0x0809 && v <= 0x080b))
            return true;
    }
    return false;
}

uint32_t hello_features(const struct client_hello *ch)
{
    uint32_t f = 0;
    if (!ch->present)
        return 0;
    uint16_t max = ch_max_version(ch);
    bool tls13 = ch_offers_version(ch, 0x0304);
    bool below13 = false;
    for (uint16_t v = 0x0300; v <= 0x0303; v++)
        below13 = below13 || ch_offers_version(ch, v);
    if (!ch->has_sni)
        f |= 1u << FEAT_NO_SNI;
    /* a TLS record's size: QUIC pads every client Initial to 1200 bytes */
    if (!ch->quic && ch->length >= 256 && ch->length <= 511)
        f |= 1u << FEAT_SIZE_256_511;
    /* a TCP segment and a QUIC datagram are not the same limit: an offer is
     * compared only with offers split (or not) the same way */
    if (ch->segments > 1)
        f |= 1u << (ch->quic ? FEAT_SPLIT_QUIC : FEAT_SPLIT);
    if (max < 0x0303)
        f |= 1u << FEAT_BELOW_TLS12;
    if (!tls13)
        f |= 1u << FEAT_NO_TLS13;
    if (tls13 && !below13)
        f |= 1u << FEAT_ONLY_TLS13;
    if (ch_only_forward_secret(ch))
        f |= 1u << FEAT_ONLY_FORWARD_SECRET;
    if (tls13 && ch->sigalgs.total > 0 && !offers_rsa_pss(ch))
        f |= 1u << FEAT_NO_RSA_PSS;
    if (ch->fallback_scsv)
        f |= 1u << FEAT_FALLBACK_SCSV;
    if (ch->sslv2_format || ch->record_version <= 0x0300)
        f |= 1u << FEAT_SSL3_RECORD;
    if (ch->n_alpn == 0)
        f |= 1u << FEAT_NO_ALPN;
    if (ch->key_share_bytes >= 1000)
        f |= 1u << FEAT_LARGE_KEY_SHARE;
    return f;
}

static const struct {
    const char *cause;
    const char *with, *without;
} feature_table[HELLO_FEATURES] = {
    [FEAT_NO_SNI] = {"sni_required", "without SNI", "with SNI"},
    [FEAT_SIZE_256_511] = {"client_hello_size_intolerance", "of 256 to 511 bytes",
                           "of other sizes"},
    [FEAT_SPLIT] = {"client_hello_size_intolerance", "split over several TCP segments",
                    "in one segment"},
    [FEAT_BELOW_TLS12] = {"protocol_version_mismatch", "offering no version above TLS 1.1",
                          "offering TLS 1.2 or higher"},
    [FEAT_NO_TLS13] = {"protocol_version_mismatch", "without TLS 1.3", "offering TLS 1.3"},
    [FEAT_ONLY_TLS13] = {"protocol_version_mismatch", "offering only TLS 1.3",
                         "offering TLS 1.2 as well"},
    [FEAT_ONLY_FORWARD_SECRET] = {"no_forward_secret_suite", "offering only forward-secret suites",
                                  "offering RSA key exchange as well"},
    [FEAT_NO_RSA_PSS] = {"no_shared_signature_algorithm", "offering TLS 1.3 without RSA-PSS",
                         "offering RSA-PSS or no TLS 1.3"},
    [FEAT_FALLBACK_SCSV] = {"inappropriate_fallback", "marked as a fallback (TLS_FALLBACK_SCSV)",
                            "not marked as a fallback"},
    [FEAT_SSL3_RECORD] = {"protocol_version_mismatch", "in an SSL 3.0 or SSLv2 record",
                          "in a TLS record"},
    [FEAT_NO_ALPN] = {"alpn_mismatch", "without ALPN", "offering ALPN"},
    [FEAT_LARGE_KEY_SHARE] = {"client_hello_size_intolerance",
                              "with 1000 or more bytes of key shares (post-quantum)",
                              "with small key shares"},
    [FEAT_SPLIT_QUIC] = {"client_hello_size_intolerance",
                         "split over several QUIC Initial datagrams", "in one Initial datagram"},
};

const char *feature_cause(enum hello_feature ft)
{
    return ft < HELLO_FEATURES ? feature_table[ft].cause : NULL;
}

const char *feature_words(enum hello_feature ft, bool present)
{
    if (ft >= HELLO_FEATURES)
        return "";
    return present ? feature_table[ft].with : feature_table[ft].without;
}

uint32_t feature_ok_count(const struct server_stats *s, enum hello_feature ft)
{
    return ft == FEAT_SPLIT_QUIC ? s->ok_quic : s->ok;
}

uint32_t contrast_separating(const struct case_facts *in)
{
    const struct server_stats *s = in->server;
    const struct conn *c = in->c;
    if (s == NULL || s->ok == 0 || s->refused == 0 || !c->ch->present || c->sh.present)
        return 0;
    uint32_t mine = hello_features(c->ch), out = 0;
    for (int ft = 0; ft < HELLO_FEATURES; ft++) {
        if (!(mine & (1u << ft)))
            continue;
        /* every refused offer has it, no answered offer has it */
        if (s->refused_with[ft] == s->refused && s->ok_with[ft] == 0 &&
            feature_ok_count(s, (enum hello_feature)ft) > 0)
            out |= 1u << ft;
    }
    return out;
}
