/* table.h: the QUIC connections of one capture, found by content on any
 * UDP port: a datagram that opens as a client Initial starts one, and the
 * datagrams of the same two endpoints (either way) follow it. */
#ifndef TLSX_QUIC_TABLE_H
#define TLSX_QUIC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capture/packet.h"
#include "facts/conn.h"
#include "quic/session.h"

/* about 200 bytes of state a connection (buffers come with data) */
#define QUIC_TABLE_MAX 65536
/* CRYPTO reassembly buffers (QUIC_CRYPTO_MAX each) held at once by all the
 * connections of a capture: 1024 of them, 64 MiB; a finished message frees
 * its buffer, so only handshakes caught mid-message hold one */
#define QUIC_TABLE_CRYPTO_BUDGET (1024u * QUIC_CRYPTO_MAX)

struct quic_flow;

/* Connections that got Version Negotiation lately: the client's next
 * attempt comes from a new port (RFC 9000 6.2) and is linked to them. */
#define QUIC_TABLE_RECENT_VN 8
#define QUIC_VN_RETRY_SECONDS 10
/* Connections whose server has not answered yet: a TCP connection of the same
 * client to the same server and port after them is the fallback. */
#define QUIC_TABLE_RECENT_SILENT 16
#define QUIC_FALLBACK_SECONDS 60

struct quic_table {
    struct quic_flow **buckets;
    size_t n_buckets, n_flows;
    uint64_t dropped;          /* connections not tracked: a cap was reached */
    size_t crypto_budget;      /* bytes of CRYPTO buffers still allowed */
    uint8_t *scratch;          /* one packet's plaintext, lent to every session */
    const struct keylog *keylog; /* opens Handshake packets, or NULL: borrowed */
    struct quic_flow *recent_vn[QUIC_TABLE_RECENT_VN];
    unsigned next_vn;
    struct quic_flow *recent_silent[QUIC_TABLE_RECENT_SILENT];
    unsigned next_silent;
    /* Makes the connection record (numbered with the TCP ones); NULL when
     * the owner's cap is reached or memory is out. */
    struct conn *(*new_conn)(void *owner);
    void *owner;
};

MUST_USE enum status quic_table_init(struct quic_table *t);
/* One UDP datagram (p->udp), or an ICMP unreachable about one
 * (p->icmp_unreachable). Datagrams that belong to no QUIC connection are
 * ignored. Only out of memory is an error. */
MUST_USE enum status quic_table_packet(struct quic_table *t, const struct packet *p);
/* A TCP connection whose verdict is decided (tls_ok: its handshake
 * succeeded): when it follows unanswered Initials of the same client to the
 * same server and port, it is their fallback (a fact on the QUIC connection). */
void quic_table_note_tcp(struct quic_table *t, const struct conn *tcp, bool tls_ok);
/* Could quic_table_note_tcp still find a fallback? When not, notes change
 * nothing, and the final pass may take verdicts and context in one walk. */
bool quic_table_wants_tcp(const struct quic_table *t);
/* Frees the per-connection state; the connections stay with their owner. */
void quic_table_free(struct quic_table *t);

#endif
