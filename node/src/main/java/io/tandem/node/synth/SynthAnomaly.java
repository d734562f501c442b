package io.tandem.node.synth;

/**
 * What a synthesized flow carries beyond a plain exchange, one bit each in {@link SynthManifest.Flow#anomalies()}.
 */
public enum SynthAnomaly
{
    /** Two adjacent data segments of one direction captured in swapped order. */
    REORDER("reorder"),
    /** One data segment missing from the capture; the receiver ACKs past it (a capture gap). */
    LOSS("loss"),
    /** One data segment captured twice with the same data. */
    RETRANSMISSION("retrans"),
    /** One data segment captured twice, the second copy with different data at the same sequence numbers. */
    OVERLAP("overlap"),
    /** The handshake is not in the capture. */
    MIDSTREAM("midstream"),
    /** Only one direction is in the capture. */
    ONE_SIDED("oneside"),
    /** Torn down by a RST instead of a FIN exchange. */
    RST("rst"),
    /** Over IPv6. */
    IPV6("ipv6"),
    /** VLAN tagged. */
    VLAN("vlan"),
    /** Double tagged: 802.1ad outer, 802.1Q inner. */
    QINQ("qinq"),
    /** Some captured packets are IP fragments. */
    FRAGMENTED("frag"),
    /** A direction's sequence numbers wrap past 2^32. */
    SEQ_WRAP("seq_wrap");

    private final String jsonName;

    SynthAnomaly(final String jsonName)
    {
        this.jsonName = jsonName;
    }

    /**
     * Name in the manifest's JSON and on the command line.
     *
     * @return the name.
     */
    public String jsonName()
    {
        return jsonName;
    }

    /**
     * Bit of this anomaly in a mask.
     *
     * @return {@code 1 << ordinal()}.
     */
    public int bit()
    {
        return 1 << ordinal();
    }

    /**
     * Whether a mask holds this anomaly.
     *
     * @param mask anomaly bits.
     * @return true when set.
     */
    public boolean in(final int mask)
    {
        return (mask & bit()) != 0;
    }
}
