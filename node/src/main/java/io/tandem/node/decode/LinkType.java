package io.tandem.node.decode;

/**
 * pcap link types ({@code LINKTYPE_*} values from the pcap file header or a live handle) that {@link PacketDecoder}
 * understands.
 */
public final class LinkType
{
    /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
    public static final int NULL = 0;
    /** Ethernet II (and 802.3). */
    public static final int ETHERNET = 1;
    /** PPP, with or without the HDLC-like address/control bytes. */
    public static final int PPP = 9;
    /** Raw IP as written by some systems as DLT_RAW (12). */
    public static final int RAW_DLT_12 = 12;
    /** Raw IP as written by OpenBSD as DLT_RAW (14). */
    public static final int RAW_DLT_14 = 14;
    /** Raw IP, version taken from the first nibble. */
    public static final int RAW = 101;
    /** OpenBSD loopback: a 4-byte address family in network byte order. */
    public static final int LOOP = 108;
    /** Linux cooked capture v1 (16-byte header). */
    public static final int LINUX_SLL = 113;
    /** IPv4 without link layer. */
    public static final int IPV4 = 228;
    /** IPv6 without link layer. */
    public static final int IPV6 = 229;
    /** Linux netfilter NFLOG. */
    public static final int NFLOG = 239;
    /** Linux cooked capture v2 (20-byte header). */
    public static final int LINUX_SLL2 = 276;

    private LinkType()
    {
    }
}
