/* pcap_floor.c: the floor of the benchmark. Reads every packet of a capture
 * with libpcap, as tlsexplain does (pcap_next_ex, nanosecond timestamps),
 * and touches each packet's bytes so that no work is skipped; nothing else.
 * Built by bench/run.sh into bench/out/; prints the packets and a checksum.
 *   bench/out/pcap_floor CAPTURE */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE] = "";
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_floor CAPTURE\n");
        return 2;
    }
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, err);
    if (pc == NULL) {
        fprintf(stderr, "pcap_floor: %s\n", err);
        return 2;
    }
    struct pcap_pkthdr *h;
    const unsigned char *data;
    unsigned long long packets = 0;
    uint32_t sum = 0;
    int r;
    while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
        packets++;
        for (uint32_t i = 0; i < h->caplen; i += 64)
            sum += data[i];
    }
    pcap_close(pc);
    printf("%llu packets, sum %u\n", packets, sum);
    return r == PCAP_ERROR ? 2 : 0;
}
