/* analyze.c: capture -> decode -> flows -> facts. Judging and reporting
 * are the driver's, through the finished callback (analyze.h). */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include "analyze.h"
#include "tls/tls_sink.h"

static void set_error(struct analysis *a, const char *fmt, const char *detail)
{
    snprintf(a->error, sizeof a->error, fmt, detail);
}

static pcap_t *open_capture(const char *path, FILE *stream, struct analysis *a)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = stream != NULL
                     ? pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_NANO,
                                                                errbuf)
                     : pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
                                                               errbuf);
    if (pc == NULL)
        set_error(a, "cannot read: %.200s", errbuf[0] ? errbuf : "unknown format");
    return pc;
}

/* The filter is applied here, packet by packet, rather than with
 * pcap_setfilter: frames that do not match must still be counted, so that
 * frame numbers stay those Wireshark shows. */
static enum status compile_filter(pcap_t *pc, const char *filter, struct bpf_program *prog,
                                  struct analysis *a)
{
    if (pcap_compile(pc, prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        set_error(a, "bad filter: %s", pcap_geterr(pc));
        return ST_IO;
    }
    return ST_OK;
}

/* flow_table.on_finished: the driver's callback decides. */
static bool connection_over(void *owner, struct conn *c)
{
    struct analysis *a = owner;
    return a->opts->finished != NULL && a->opts->finished(a->opts->finished_ud, a, c);
}

/* flow_table.on_stow: the driver's callback stows it, or not. */
static bool connection_quiet(void *owner, struct conn *c)
{
    struct analysis *a = owner;
    return a->opts->stow(a->opts->finished_ud, a, c);
}

/* quic_table.new_conn: a QUIC connection is numbered and kept with the TCP ones. */
static struct conn *new_quic_conn(void *owner)
{
    struct analysis *a = owner;
    if (a->flows.n_conns >= a->flows.max_conns)
        return NULL;
    struct conn *c = conn_new((uint32_t)a->flows.n_conns + 1);
    if (c != NULL && flow_table_add_conn(&a->flows, c) != ST_OK) {
        conn_free(c);
        return NULL;
    }
    return c;
}

enum status analyze_file(const char *path, const struct analyze_opts *o, struct analysis *a)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->opts = o;
    TRY(flow_table_init(&a->flows, o->max_conns));
    a->flows.on_finished = connection_over;
    if (o->stow != NULL)
        a->flows.on_stow = connection_quiet;
    a->flows.owner = a;
    a->flows.sink = tls_stream_sink(o->keylog);
    TRY(quic_table_init(&a->quic));
    a->quic.new_conn = new_quic_conn;
    a->quic.owner = a;
    a->quic.keylog = o->keylog;
    pcap_t *pc = open_capture(path, o->stream, a);
    if (pc == NULL) {
        a->unreadable = true;
        return ST_IO;
    }
    a->linktype = pcap_datalink(pc);
    a->snaplen = (uint32_t)pcap_snapshot(pc);
    if (!packet_link_supported(a->linktype)) {
        const char *name = pcap_datalink_val_to_name(a->linktype);
        char what[96];
        /* libpcap has no names for the private-use types tcpdump calls USER0..USER15 */
        if (name == NULL && a->linktype >= 147 && a->linktype <= 162)
            snprintf(what, sizeof what, "USER%d (%d, private use)", a->linktype - 147,
                     a->linktype);
        else
            snprintf(what, sizeof what, "%s (%d)", name ? name : "unknown", a->linktype);
        set_error(a,
                  "unsupported link type %s; Ethernet, Linux cooked, raw IP and loopback "
                  "captures can be read",
                  what);
        a->unreadable = true;
        pcap_close(pc);
        return ST_UNSUPPORTED;
    }
    struct bpf_program prog;
    bool filtering = o->filter != NULL;
    enum status st = filtering ? compile_filter(pc, o->filter, &prog, a) : ST_OK;
    if (st != ST_OK) {
        a->unreadable = true;
        pcap_close(pc);
        return st;
    }
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t frame = 0;
    int rc;
    /* Frame numbers count every record read, filtered or not, as Wireshark's do. */
    while ((rc = pcap_next_ex(pc, &hdr, &data)) == 1) {
        struct packet p;
        enum skip_reason skip;
        frame++;
        if (o->before_frame != NULL && (st = o->before_frame(o->frame_ud, frame)) != ST_OK) {
            set_error(a, "stopped: %s", status_name(st));
            a->damaged = true;
            break;
        }
        if (filtering && pcap_offline_filter(&prog, hdr, data) == 0)
            continue;
        if (hdr->caplen < hdr->len)
            a->cut_frames++;
        memset(&p, 0, sizeof p);
        p.frame = frame;
        p.ts.sec = hdr->ts.tv_sec;
        p.ts.nsec = (uint32_t)hdr->ts.tv_usec; /* nanoseconds with PRECISION_NANO */
        st = packet_decode(a->linktype, data, hdr->caplen, hdr->len, &p, &skip);
        if (st != ST_OK || skip != SKIP_NONE) {
            a->skipped[st != ST_OK ? SKIP_MALFORMED : skip]++;
            if (st == ST_OK && (p.udp || p.icmp_unreachable) &&
                quic_table_packet(&a->quic, &p) != ST_OK) {
                set_error(a, "stopped: %s", status_name(ST_NOMEM));
                a->damaged = true;
                break;
            }
            continue;
        }
        a->tcp_packets++;
        st = flow_packet(&a->flows, &p);
        if (st != ST_OK) {
            set_error(a, "stopped: %s", status_name(st));
            a->damaged = true;
            break;
        }
    }
    if (rc == -1) {
        set_error(a, "capture damaged, read stopped early: %s", pcap_geterr(pc));
        a->damaged = true;
    }
    a->frames = frame;
    if (filtering)
        pcap_freecode(&prog);
    pcap_close(pc);
    enum status st_end = flow_table_finish(&a->flows, frame);
    if (st_end != ST_OK) {
        if (a->error[0] == '\0') /* a read stopped earlier keeps its reason */
            set_error(a, "stopped: %s", status_name(st_end));
        a->damaged = true;
    }
    return ST_OK;
}

size_t analysis_slots(const struct analysis *a)
{
    return a->flows.n_conns;
}

struct conn *analysis_conn(const struct analysis *a, size_t slot)
{
    return slot < a->flows.n_conns ? a->flows.conns[slot] : NULL;
}

struct conn_slots analysis_connections(const struct analysis *a)
{
    return (struct conn_slots){.v = a->flows.conns, .n = a->flows.n_conns};
}

void analysis_free(struct analysis *a)
{
    flow_table_free(&a->flows);
    quic_table_free(&a->quic);
}
