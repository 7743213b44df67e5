/* fuzz_tls_stream.c: a client and a server byte stream through the TLS record
 * layer and the handshake decoders (tls_feed), cut into chunks so records and
 * handshake messages straddle feeds, with an optional hole (tls_gap) in each
 * direction; then the verdict, the rule engine (certificate checks included)
 * and the reporters over the facts, as for a capture of this one connection.
 *
 * Input: clen(2, big-endian) ctl(1) seed(1) client[clen] server[rest]
 *   ctl bit 0     the server speaks first
 *   ctl bits 1-2  chunk sizes: 1 byte, up to 8, up to 300, whole streams
 *   ctl bit 3     a hole in the client stream, after its second chunk
 *   ctl bit 4     a hole in the server stream, after its second chunk
 *   seed          drives the chunk sizes and the interleaving */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "analyze.h"
#include "file_report.h"
#include "facts/conn.h"
#include "report/report.h"
#include "rules/rules.h"
#include "tls/tls_stream.h"
#include "rules/verdict.h"

static FILE *devnull;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    devnull = fopen("/dev/null", "w");
    return 0;
}

struct feeder {
    const uint8_t *p;
    size_t left;
    unsigned chunks;    /* fed so far */
    bool gap;           /* declare a hole after the second chunk */
};

static uint32_t next_rand(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 16;
}

static size_t chunk_size(unsigned mode, uint32_t *rnd, size_t left)
{
    static const size_t max_chunk[4] = {1, 8, 300, SIZE_MAX};
    size_t n = max_chunk[mode] == SIZE_MAX ? left : 1 + next_rand(rnd) % max_chunk[mode];
    return n < left ? n : left;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    size_t clen = (size_t)((data[0] << 8) | data[1]);
    uint8_t ctl = data[2];
    uint32_t rnd = data[3];
    data += 4;
    size -= 4;
    if (clen > size)
        clen = size;
    struct feeder fd[2] = {
        {data, clen, 0, (ctl & 0x08) != 0},
        {data + clen, size - clen, 0, (ctl & 0x10) != 0},
    };
    unsigned mode = (ctl >> 1) & 3;

    struct conn *c = conn_new(1);
    if (c == NULL)
        return 0;
    c->client.family = 4;
    c->server.family = 4;
    c->client_port = 50000;
    c->server_port = 443;
    struct tls_conn_state t;
    tls_init(&t);
    uint64_t frame = 1;
    struct tstamp ts = {1700000000, 0};
    enum side turn = (ctl & 1) ? SIDE_SERVER : SIDE_CLIENT;
    while (fd[0].left > 0 || fd[1].left > 0) {
        if (fd[turn].left == 0)
            turn = (enum side)(1 - turn);
        struct feeder *f = &fd[turn];
        size_t n = chunk_size(mode, &rnd, f->left);
        tls_feed(&t, c, turn, f->p, n, frame, ts);
        f->p += n;
        f->left -= n;
        if (++f->chunks == 2 && f->gap)
            tls_gap(&t, c, turn, 1 + next_rand(&rnd) % 70000, frame);
        frame++;
        ts.nsec += 1000000;
        if (ts.nsec >= 1000000000u) {
            ts.sec++;
            ts.nsec = 0;
        }
        if (next_rand(&rnd) & 1)
            turn = (enum side)(1 - turn);
    }
    tls_free(&t);
    c->last_frame = frame;
    c->end = ts;
    verdict_decide(c);
    /* a capture holding just this connection: the rules read only the table */
    struct analysis a;
    struct conn *conns[1] = {c};
    memset(&a, 0, sizeof a);
    a.path = "fuzz";
    a.flows.conns = conns;
    a.flows.n_conns = 1;
    a.frames = frame;
    static const uint16_t ports[] = {443};
    struct rule_opts ro = {.tls_ports = ports, .n_tls_ports = 1};
    a.ctx = rules_ctx_new(&ro);
    if (a.ctx != NULL && rules_diagnose(a.ctx, analysis_connections(&a)) == ST_OK && devnull != NULL) {
        struct report_opts o = {.all = true, .verbose = true, .width = 100};
        report_json_connection(devnull, "fuzz", c, NULL);
        file_report_json_summary(devnull, &a);
        file_report_text(devnull, &a, &o);
    }
    rules_ctx_free(a.ctx);
    conn_free(c);
    return 0;
}
