/*
 * The bare capture-reading loop Tandem's engine is measured against: read every packet of a file with libpcap's
 * pcap_next_ex and touch one byte of each, nothing else. Prints packets, bytes and the loop's own time.
 * Build: gcc -O2 -o bench/pcap_loop bench/pcap_loop.c -lpcap   (Debian: apt-get install libpcap-dev)
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
    char err[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const u_char *data;
    struct timespec t0, t1;
    unsigned long long packets = 0, bytes = 0, sum = 0;
    pcap_t *p;

    if (argc != 2 || (p = pcap_open_offline(argv[1], err)) == NULL) {
        fprintf(stderr, "usage: pcap_loop FILE.pcap (%s)\n", argc == 2 ? err : "no file");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (pcap_next_ex(p, &hdr, &data) == 1) {
        packets++;
        bytes += hdr->caplen;
        sum += data[hdr->caplen > 23 ? 23 : 0];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("packets=%llu bytes=%llu ns=%lld check=%llu\n", packets, bytes,
           (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec), sum);
    pcap_close(p);
    return 0;
}
