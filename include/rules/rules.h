/* rules.h: the rule engine. Rules are data: a table of entries, each a small
 * predicate over one connection's facts and the capture-wide context, that
 * fills in a finding (explanation, evidence, fix). The most specific rule
 * that matches gives the diagnosis; the others that match are alternatives. */
#ifndef TLSX_RULES_H
#define TLSX_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "facts/conn.h"
#include "rules/diagnosis.h"

struct cert_store;
struct cert_cache;

struct rule_opts {
    const uint16_t *tls_ports;
    size_t n_tls_ports;
    const struct cert_store *store;
    /* decoded certificates and chain checks by their bytes: a capture repeats
     * the same chain in every handshake with a server (NULL: no caching) */
    struct cert_cache *certs;
    /* no reporter reads a finding's words (-s counts causes by id): the
     * rules decide and weigh as always, but write no explanation, fix,
     * evidence text or reason (rules_util.c). A million attempts nobody
     * answered spent 15% of their judgement writing sentences nobody read. */
    bool no_words;
};

/* Features of a ClientHello that decide whether a server takes it; the
 * contrast between refused and answered offers reads them (contrast.c). */
enum hello_feature {
    FEAT_NO_SNI,              /* no server_name */
    FEAT_SIZE_256_511,        /* the size F5 BIG-IP and others choke on */
    FEAT_SPLIT,               /* the ClientHello spans several TCP segments */
    FEAT_BELOW_TLS12,         /* highest version offered below TLS 1.2 */
    FEAT_NO_TLS13,            /* TLS 1.3 not offered */
    FEAT_ONLY_TLS13,          /* nothing below TLS 1.3 offered */
    FEAT_ONLY_FORWARD_SECRET, /* every TLS 1.2 suite offered is forward-secret */
    FEAT_NO_RSA_PSS,          /* a TLS 1.3 offer without any rsa_pss_* scheme */
    FEAT_FALLBACK_SCSV,       /* a downgraded retry */
    FEAT_SSL3_RECORD,         /* the hello in an SSL 3.0 record (or SSLv2 format) */
    FEAT_NO_ALPN,             /* no application_layer_protocol_negotiation */
    FEAT_LARGE_KEY_SHARE,     /* 1000+ bytes of key shares (post-quantum hybrids) */
    FEAT_SPLIT_QUIC,          /* the ClientHello spans several QUIC Initial datagrams */
    HELLO_FEATURES
};

/* What the other connections of the capture say about a server. Next to
 * each frame, the capture it is in (*_file): 0 for the capture judged; in a
 * context that spans a batch (--context batch), the capture's number in
 * rule_ctx.files, from 1. */
struct server_stats {
    struct addr addr;
    uint16_t port;
    uint32_t ok, failed;
    uint32_t ok_forward_secret, ok_not_forward_secret;
    uint32_t dhe_ok, dhe_failed_bad_record_mac, ecdhe_ok;
    /* DHE handshakes whose public value was shorter than p (a leading zero
     * stripped), and the full-length ones, by outcome */
    uint32_t dhe_short_ok, dhe_short_failed, dhe_full_ok, dhe_full_failed;
    /* What it chose in handshakes that succeeded: suites, versions and
     * groups, each value once with how often (suites and versions), the
     * first frame choosing it and that frame's capture. n_* entries of each
     * array; the arrays of one list share a block of cap_* entries, grown
     * by server_list_note (server_lists.c) up to SERVER_MAX_*: a server
     * seen once costs a few bytes, not room for every value it might use. */
    uint16_t *suites;
    uint32_t *suite_count;
    uint64_t *suite_frame;
    uint32_t *suite_file;
    uint8_t n_suites, cap_suites;
    uint16_t *versions;
    uint32_t *version_count;
    uint64_t *version_frame;
    uint32_t *version_file;
    uint8_t n_versions, cap_versions;
    uint16_t *groups;
    uint64_t *group_frame;
    uint32_t *group_file;
    uint8_t n_groups, cap_groups;
    bool saw_sni, saw_no_sni_ok;
    uint32_t tls_seen;         /* connections with TLS bytes */
    /* The offers it answered and the ones it refused before any ServerHello,
     * feature by feature (enum hello_feature bits, contrast.c): what
     * separates every refusal from every success is the likely cause. */
    uint32_t refused;                  /* ClientHellos refused before a ServerHello */
    uint32_t ok_quic;                  /* of the answered offers, those over QUIC */
    uint32_t ok_with[HELLO_FEATURES], refused_with[HELLO_FEATURES];
    uint64_t refused_frame;            /* one of them, for the evidence */
    uint64_t ok_frame;                 /* a ServerHello of an answered one */
    uint32_t refused_file, ok_file;
    /* the key type of its certificate (what signature schemes it needs),
     * from a handshake whose Certificate was readable */
    char cert_key[8];                  /* "RSA", "EC", ... as x509 names it; "" unseen */
    uint64_t cert_frame;
    uint32_t cert_file;
    uint16_t ske_sigalgs[8];           /* TLS 1.2 ServerKeyExchange signature schemes */
    uint8_t n_ske_sigalgs;
    /* a client answered its certificate with unknown_ca (the frame) */
    uint64_t unknown_ca_frame;
    uint32_t unknown_ca_file;
    /* versions clients refused with protocol_version after its ServerHello */
    uint16_t refused_by_client[4];
    uint8_t n_refused_by_client;
};

struct rule_ctx {
    struct server_stats *servers;
    size_t n_servers, cap_servers;
    const struct rule_opts *opts;
    /* no connection in the capture carried a byte: a capture of TCP attempts
     * only, which the user brings because they were meant for TLS */
    bool only_tcp_attempts;
    bool saw_payload;          /* some connection carried a byte */
    /* open-addressing index over servers (position + 1, 0 for empty), at
     * least twice as long as servers: a capture of a scan, one connection to
     * each of 100k servers, must not cost 100k^2 comparisons */
    uint32_t *server_index;
    size_t index_len;
    /* --context batch: the context was built from every input before any is
     * judged (context.c), so judging adds nothing to it; files names the
     * captures it was built from, here the one being judged (0: none);
     * file_payload says which carried a byte (only_tcp_attempts stays a
     * property of the capture judged) */
    bool frozen;
    char **files;
    bool *file_payload;
    size_t n_files, cap_files;
    uint32_t here;
};

/* How far the handshake got before it stopped. */
enum stage {
    STAGE_NO_HELLO,          /* no ClientHello seen */
    STAGE_HELLO_SENT,        /* ClientHello, nothing back from the server */
    STAGE_SERVER_ANSWERED,   /* server bytes, but no ServerHello */
    STAGE_SERVER_FLIGHT,     /* ServerHello seen, the client's second flight not */
    STAGE_CLIENT_FINISHED,   /* the client sent its Finished; the server did not */
    STAGE_DONE               /* both Finished */
};

/* How a failed connection ended, read once for all rules. */
struct ending {
    enum stage stage;
    const struct alert *alert;      /* first fatal alert in clear */
    const struct alert *enc_alert;  /* first encrypted alert record */
    bool closed, rst;
    enum side close_by;
    uint64_t close_frame;
    struct tstamp close_ts;
};

void conn_ending(const struct conn *c, struct ending *e);

/* Where a piece of evidence comes from. */
enum evidence_source {
    SRC_CONNECTION,   /* this connection's own packets */
    SRC_SERVER,       /* the same server's other handshakes in the capture */
    SRC_PROTOCOL,     /* what the RFCs require of every implementation */
    SRC_STACK         /* how deployed stacks and devices are known to behave */
};

/* What every rule predicate reads about one failed connection, computed once
 * by the engine before the table runs. */
struct case_facts {
    const struct conn *c;
    const struct rule_ctx *ctx;
    const struct server_stats *server; /* this server's other handshakes, or NULL */
    struct ending ending;
};

/* A finding while a rule builds it: fixed-size buffers, filled with the
 * finding_* helpers below; the engine stores it as a struct finding.
 * Besides the text, a draft carries the weighed evidence for and against
 * its cause (finding_weigh) and whether a fact refutes it (finding_refute):
 * a refuted cause is never the diagnosis nor an alternative. */
struct finding_draft {
    bool no_words;             /* rule_opts.no_words: kept by finding_init */
    const char *id;
    const char *title;
    enum confidence confidence;
    bool refuted;
    struct reason reasons[FINDING_MAX_REASONS];
    size_t n_reasons;
    char explanation[1400];
    char fix[900];
    const char *refs;
    struct {
        uint64_t frame;
        char text[200];
    } evidence[FINDING_MAX_EVIDENCE];
    size_t n_evidence;
};

/* One entry of the rule table. */
struct rule {
    const char *id;            /* stable, documented in the man page */
    const char *title;
    /* a generic explanation: used when nothing specific matches, never
     * offered as an alternative to a specific one */
    bool fallback;
    /* true when the rule explains this failed connection; fills *out */
    bool (*match)(const struct rule *self, const struct case_facts *in, struct finding_draft *out);
};

/* Defines the table entry for a predicate written just above it. */
#define RULE(name, title_text, is_fallback)                                      \
    const struct rule rule_##name = {                                            \
        .id = #name, .title = title_text, .fallback = is_fallback, .match = match_##name}

/* The table, most specific first (table.c). */
extern const struct rule *const rules_table[];
extern const size_t rules_count;

/* Builds the context from every connection, then diagnoses each failed one
 * (and attaches warnings to successful ones). */
/* The context lives with the analysis of one file (analyze.c makes it). */
struct rule_ctx *rules_ctx_new(const struct rule_opts *o);
void rules_ctx_free(struct rule_ctx *ctx);
/* A connection that succeeded, let go before the end: checked once more
 * (it may still have failed right after the handshake), its warnings found
 * and its facts folded into the context. */
MUST_USE enum status rules_finish_ok(struct rule_ctx *ctx, struct conn *c);
/* The final pass over the connections still held (a NULL slot was let go). */
MUST_USE enum status rules_diagnose(struct rule_ctx *ctx, struct conn_slots slots);
/* The same, folding every connection into the context without judging any:
 * the first pass of --context batch. */
MUST_USE enum status rules_fold(struct rule_ctx *ctx, struct conn_slots slots);
/* rules_diagnose one connection at a time, for a driver that reads them
 * back from disk (held_store.h). Every connection held, in id order,
 * through rules_fold_one; then rules_payload_seen once (did any carry a
 * byte?); then each through rules_fold_attempt; then each through
 * rules_judge_one. */
MUST_USE enum status rules_fold_one(struct rule_ctx *ctx, struct conn *c);
void rules_payload_seen(struct rule_ctx *ctx, bool payload);
MUST_USE enum status rules_fold_attempt(struct rule_ctx *ctx, struct conn *c);
MUST_USE enum status rules_judge_one(struct rule_ctx *ctx, struct conn *c);

/* The lists of struct server_stats (server_lists.c). */
#define SERVER_MAX_SUITES 32
#define SERVER_MAX_VERSIONS 8
#define SERVER_MAX_GROUPS 8
enum server_list { SERVER_SUITES, SERVER_VERSIONS, SERVER_GROUPS };
/* Notes value v: count more times, and frame and file when it is new. A
 * full list keeps the values it has (ST_OK); ST_NOMEM. */
MUST_USE enum status server_list_note(struct server_stats *s, enum server_list which, uint16_t v,
                                      uint32_t count, uint64_t frame, uint32_t file);
/* Frees the lists' blocks; the entry keeps its counters. */
void server_lists_free(struct server_stats *s);

/* A context spanning inputs (context.c). */
/* The server's entry, made when new (NULL: out of memory). */
struct server_stats *ctx_server_add(struct rule_ctx *ctx, const struct addr *a, uint16_t port);
/* Folds the context of one capture, named file, into a batch context. */
MUST_USE enum status rules_ctx_merge(struct rule_ctx *into, const struct rule_ctx *from,
                                     const char *file);
/* A context handed from a --jobs child to its parent through a temporary
 * file of this run (the same program on both sides). */
MUST_USE enum status rules_ctx_write(FILE *f, const struct rule_ctx *ctx);
MUST_USE enum status rules_ctx_read(FILE *f, struct rule_ctx *ctx);
/* The batch context is complete: judging now reads it and adds nothing. */
void rules_ctx_freeze(struct rule_ctx *ctx);
/* The capture about to be judged against a frozen batch context. */
void rules_ctx_judging(struct rule_ctx *ctx, const char *file);
/* Where a piece of a server's evidence is: "frame 12", or "frame 12 of
 * b.pcap" when it is in another capture of the batch. */
void ctx_frame_words(const struct rule_ctx *ctx, uint32_t file, uint64_t frame, char *buf,
                     size_t len);
/* "this capture" (this) or "the capture", or "these captures" / "the
 * captures" when the context spans a batch of them. */
const char *ctx_captures(const struct rule_ctx *ctx, bool this_one);
/* The frame to cite as this capture's: 0 when it is in another capture. */
uint64_t ctx_frame_here(const struct rule_ctx *ctx, uint32_t file, uint64_t frame);

/* Turns an ok verdict into failed when the connection failed right after
 * its handshake (late.c); from the facts alone. */
void rules_rejudge_ok(struct conn *c);
/* TLS <= 1.2: the client's first protected record after both Finished is
 * an alert, and nothing else flows (late.c); NULL when not so. */
const struct alert *tls12_alert_instead_of_data(const struct conn *c);
/* A STARTTLS-style upgrade the server refused or does not offer, the client
 * leaving (wrong_protocol.c). */
bool upgrade_refused(const struct conn *c);
/* Turns a not_tls or tcp_only verdict into failed where TLS was expected:
 * a TLS port, or one the capture shows speaking TLS (late.c). */
void rules_rejudge(struct conn *c, const struct rule_ctx *ctx);
/* Risks on a connection that succeeded, for --all (rules_warn.c). */
void rules_warnings(const struct conn *c, const struct rule_ctx *ctx, struct diagnosis *d);


/* DH public values shorter than the prime p (a leading zero byte left out):
 * the server's Ys, the client's Yc (rules_util.c). */
bool dh_ys_short(const struct conn *c);
bool dh_yc_short(const struct conn *c);

/* The server's SYN-ACKs are in the capture but the client kept sending its
 * SYN, never answered them, and reset one that came after it had given up
 * (rules_util.c): they never reached it in time. */
bool synack_unanswered(const struct conn *c);

/* Helpers for rule predicates (rules_util.c). */
const struct server_stats *ctx_server(const struct rule_ctx *ctx, const struct conn *c);
/* The index slot of that server: where it is, or the empty slot where it goes
 * (ctx->index_len must not be 0). */
size_t ctx_server_slot(const struct rule_ctx *ctx, const struct addr *a, uint16_t port);
/* Starts a finding for rule r (its id and title). */
void finding_init(struct finding_draft *f, const struct rule *r, enum confidence conf);
/* The same, for a rule named as an alternative (by its entry). */
#define RULE_REF(name) (&rule_##name)
void finding_evidence(struct finding_draft *f, uint64_t frame, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void finding_explain(struct finding_draft *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void finding_fix(struct finding_draft *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Evidence for (weight > 0) or against (weight < 0) the draft's cause: the
 * frame it rests on (0: the capture as a whole), where the knowledge comes
 * from, and its source text for protocol and stack knowledge (RFC section,
 * vendor note), or NULL. */
void finding_weigh(struct finding_draft *f, uint64_t frame, enum evidence_source src, int weight,
                   const char *ref, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* A fact that rules the draft's cause out. */
void finding_refute(struct finding_draft *f, uint64_t frame, enum evidence_source src,
                    const char *ref, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The sum of the weights: how well the evidence supports the cause. */
int finding_weight(const struct finding_draft *f);

/* Weighing (weigh.c): the protocol knowledge and the contrast with the
 * server's other handshakes, applied to a draft a rule has made. */
void weigh_draft(const struct case_facts *in, struct finding_draft *f);
/* The features of a ClientHello (enum hello_feature bits). */
uint32_t hello_features(const struct client_hello *ch);
/* The features that separate this server's refused offers from its answered
 * ones, among those this connection's offer has (bits), with the counts. */
uint32_t contrast_separating(const struct case_facts *in);
/* The cause a separating feature points to, and its words ("without SNI"). */
const char *feature_cause(enum hello_feature ft);
const char *feature_words(enum hello_feature ft, bool present);
/* The answered offers a feature is compared with: a QUIC-only feature only
 * with the offers made over QUIC. */
uint32_t feature_ok_count(const struct server_stats *s, enum hello_feature ft);
/* Offer helpers for the knowledge table. */
bool ch_offers_version(const struct client_hello *ch, uint16_t v);
bool ch_offers_group(const struct client_hello *ch, uint16_t g);
/* A key-exchange group with a post-quantum KEM (ML-KEM or a Kyber draft). */
bool post_quantum_group(uint16_t g);
/* The HelloRetryRequest came because every key share the client sent was a
 * post-quantum group the server does not take (RFC 8446 4.1.4). */
bool retry_for_post_quantum_share(const struct conn *c);
bool ch_offers_sigalg(const struct client_hello *ch, uint16_t s);
/* The offer allows this suite: it lists it, at a version that can use it. */
bool ch_could_use_suite(const struct client_hello *ch, uint16_t suite);
/* Real cipher suites offered: GREASE and signalling values aside. */
size_t ch_real_suites(const struct client_hello *ch);
bool conn_is_tls_port(const struct conn *c, const struct rule_ctx *ctx);
/* The offer's TLS 1.2 suites (there is one at least) are all forward-secret;
 * SCSVs, GREASE and TLS 1.3 suites aside. */
bool ch_only_forward_secret(const struct client_hello *ch);
/* The highest version the ClientHello offers. */
uint16_t ch_max_version(const struct client_hello *ch);
bool ch_offers_suite(const struct client_hello *ch, uint16_t suite);
/* Frame and time of the server's reaction (first byte, FIN or RST) after the
 * ClientHello; false when the server did nothing. */
/* Writes "10.1.1.5:443" style text for the server into a static-free buffer. */
void server_str(const struct conn *c, char *buf, size_t len);
double ms_after_hello(const struct conn *c, struct tstamp t);

#endif
