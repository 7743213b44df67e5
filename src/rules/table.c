/* table.c: the rule table, most specific first. Adding a diagnosis is one
 * line here plus its predicate and RULE() entry in a rules file. The engine
 * takes the best-supported match (confidence, then this order); fallbacks
 * only when nothing else matches. */
#include "rules/rules.h"

#define RULE_LIST(X)                      \
    X(connection_refused)                 \
    X(no_syn_ack)                         \
    X(network_loss)                       \
    X(connections_reset_at_once)          \
    X(quic_version_mismatch)              \
    X(quic_blocked)                       \
    X(quic_retry_loop)                    \
    X(quic_amplification_stall)           \
    X(ech_rejected)                       \
    X(plaintext_to_tls_port)              \
    X(tls_to_plaintext_port)              \
    X(starttls_refused)                   \
    X(http2_blocklisted_suite)            \
    X(record_split_rejected)              \
    X(inappropriate_fallback)             \
    X(alpn_mismatch)                      \
    X(client_certificate_required)        \
    X(client_certificate_rejected)        \
    X(certificate_revoked)                \
    X(certificate_expired)                \
    X(certificate_not_yet_valid)          \
    X(certificate_hostname_mismatch)      \
    X(certificate_chain_incomplete)       \
    X(certificate_untrusted)              \
    X(certificate_weak)                   \
    X(dhe_leading_zero)                   \
    X(dh_parameters_rejected)             \
    X(bad_record_mac)                     \
    X(protocol_version_mismatch)          \
    X(sni_required)                       \
    X(no_forward_secret_suite)            \
    X(no_shared_cipher_suite)             \
    X(no_shared_group)                    \
    X(no_shared_signature_algorithm)      \
    X(client_hello_size_intolerance)      \
    X(server_no_response)                 \
    X(capture_incomplete)                 \
    X(certificate_rejected)               \
    X(server_reset_after_client_hello)    \
    X(handshake_alert)                    \
    X(client_aborted)

#define DECLARE(name) extern const struct rule rule_##name;
RULE_LIST(DECLARE)

#define ENTRY(name) &rule_##name,
const struct rule *const rules_table[] = {RULE_LIST(ENTRY)};
const size_t rules_count = sizeof rules_table / sizeof rules_table[0];
