package io.tandem.node.synth;

/**
 * Settings of the {@link TrafficSynthesizer}, with the defaults (a realistic mix: 1000 sessions, 100 concurrent, a
 * few percent of each anomaly) in one place. Accessors read ({@code sessions()}) and write ({@code sessions(int)},
 * returning this); {@link #conclude()} validates.
 * <p>
 * Rates are percentages (0..100) drawn independently per session. An anomaly that a session cannot carry (for
 * example reordering when no direction has two adjacent data segments) is skipped, and the manifest says which
 * anomalies each flow really got.
 */
public final class SynthOptions
{
    /** Largest request or response size accepted. */
    public static final int MAX_MESSAGE_BYTES = 64 << 20;

    private long seed = 1L;
    private int sessions = 1000;
    private int concurrency = 100;
    private long startTimeNs = 1_700_000_000_000_000_000L;
    private int clientNetworkV4 = 0x0A01_0000;
    private int serverNetworkV4 = 0x0A02_0000;
    private long clientNetworkV6 = 0xFD00_0000_0000_0001L;
    private long serverNetworkV6 = 0xFD00_0000_0000_0002L;
    private int clientHosts = 4096;
    private int serverHosts = 64;
    private int requestMinBytes = 64;
    private int requestMaxBytes = 2000;
    private int responseMinBytes = 64;
    private int responseMaxBytes = 16000;
    private int mss = 1460;
    private int maxExchanges = 3;
    private int maxThinkTimeMs;
    private double reorderPct = 2.0;
    private double lossPct = 1.0;
    private double retransPct = 2.0;
    private double overlapPct = 1.0;
    private double midstreamPct = 2.0;
    private double onesidePct = 1.0;
    private double rstPct = 5.0;
    private double ipv6Pct = 10.0;
    private double vlanPct = 10.0;
    private double fragPct = 2.0;
    private double udpPct = 10.0;
    private double wrapPct = 10.0;
    private double appPct = 0.0;

    /**
     * Seed of every random choice: the same seed and options give byte-identical output.
     *
     * @return the value.
     */
    public long seed()
    {
        return seed;
    }

    /**
     * Seed of every random choice: the same seed and options give byte-identical output.
     *
     * @param seed the value.
     * @return this.
     */
    public SynthOptions seed(final long seed)
    {
        this.seed = seed;
        return this;
    }

    /**
     * Number of sessions (flows) to generate.
     *
     * @return the value.
     */
    public int sessions()
    {
        return sessions;
    }

    /**
     * Number of sessions (flows) to generate.
     *
     * @param sessions the value.
     * @return this.
     */
    public SynthOptions sessions(final int sessions)
    {
        this.sessions = sessions;
        return this;
    }

    /**
     * Sessions live at the same time, interleaved packet by packet.
     *
     * @return the value.
     */
    public int concurrency()
    {
        return concurrency;
    }

    /**
     * Sessions live at the same time, interleaved packet by packet.
     *
     * @param concurrency the value.
     * @return this.
     */
    public SynthOptions concurrency(final int concurrency)
    {
        this.concurrency = concurrency;
        return this;
    }

    /**
     * Timestamp of the first packet, nanoseconds since the epoch.
     *
     * @return the value.
     */
    public long startTimeNs()
    {
        return startTimeNs;
    }

    /**
     * Timestamp of the first packet, nanoseconds since the epoch.
     *
     * @param startTimeNs the value.
     * @return this.
     */
    public SynthOptions startTimeNs(final long startTimeNs)
    {
        this.startTimeNs = startTimeNs;
        return this;
    }

    /**
     * First IPv4 client address (10.1.0.0); clients are this plus 0..clientHosts-1.
     *
     * @return the value.
     */
    public int clientNetworkV4()
    {
        return clientNetworkV4;
    }

    /**
     * First IPv4 client address (10.1.0.0); clients are this plus 0..clientHosts-1.
     *
     * @param clientNetworkV4 the value.
     * @return this.
     */
    public SynthOptions clientNetworkV4(final int clientNetworkV4)
    {
        this.clientNetworkV4 = clientNetworkV4;
        return this;
    }

    /**
     * First IPv4 server address (10.2.0.0); servers are this plus 0..serverHosts-1.
     *
     * @return the value.
     */
    public int serverNetworkV4()
    {
        return serverNetworkV4;
    }

    /**
     * First IPv4 server address (10.2.0.0); servers are this plus 0..serverHosts-1.
     *
     * @param serverNetworkV4 the value.
     * @return this.
     */
    public SynthOptions serverNetworkV4(final int serverNetworkV4)
    {
        this.serverNetworkV4 = serverNetworkV4;
        return this;
    }

    /**
     * High 64 bits of IPv6 client addresses (fd00:0:0:1::/64).
     *
     * @return the value.
     */
    public long clientNetworkV6()
    {
        return clientNetworkV6;
    }

    /**
     * High 64 bits of IPv6 client addresses (fd00:0:0:1::/64).
     *
     * @param clientNetworkV6 the value.
     * @return this.
     */
    public SynthOptions clientNetworkV6(final long clientNetworkV6)
    {
        this.clientNetworkV6 = clientNetworkV6;
        return this;
    }

    /**
     * High 64 bits of IPv6 server addresses (fd00:0:0:2::/64).
     *
     * @return the value.
     */
    public long serverNetworkV6()
    {
        return serverNetworkV6;
    }

    /**
     * High 64 bits of IPv6 server addresses (fd00:0:0:2::/64).
     *
     * @param serverNetworkV6 the value.
     * @return this.
     */
    public SynthOptions serverNetworkV6(final long serverNetworkV6)
    {
        this.serverNetworkV6 = serverNetworkV6;
        return this;
    }

    /**
     * Size of the client address pool.
     *
     * @return the value.
     */
    public int clientHosts()
    {
        return clientHosts;
    }

    /**
     * Size of the client address pool.
     *
     * @param clientHosts the value.
     * @return this.
     */
    public SynthOptions clientHosts(final int clientHosts)
    {
        this.clientHosts = clientHosts;
        return this;
    }

    /**
     * Size of the server address pool.
     *
     * @return the value.
     */
    public int serverHosts()
    {
        return serverHosts;
    }

    /**
     * Size of the server address pool.
     *
     * @param serverHosts the value.
     * @return this.
     */
    public SynthOptions serverHosts(final int serverHosts)
    {
        this.serverHosts = serverHosts;
        return this;
    }

    /**
     * Smallest request (client to server bytes per exchange).
     *
     * @return the value.
     */
    public int requestMinBytes()
    {
        return requestMinBytes;
    }

    /**
     * Smallest request (client to server bytes per exchange).
     *
     * @param requestMinBytes the value.
     * @return this.
     */
    public SynthOptions requestMinBytes(final int requestMinBytes)
    {
        this.requestMinBytes = requestMinBytes;
        return this;
    }

    /**
     * Largest request.
     *
     * @return the value.
     */
    public int requestMaxBytes()
    {
        return requestMaxBytes;
    }

    /**
     * Largest request.
     *
     * @param requestMaxBytes the value.
     * @return this.
     */
    public SynthOptions requestMaxBytes(final int requestMaxBytes)
    {
        this.requestMaxBytes = requestMaxBytes;
        return this;
    }

    /**
     * Smallest response (server to client bytes per exchange), may be 0.
     *
     * @return the value.
     */
    public int responseMinBytes()
    {
        return responseMinBytes;
    }

    /**
     * Smallest response (server to client bytes per exchange), may be 0.
     *
     * @param responseMinBytes the value.
     * @return this.
     */
    public SynthOptions responseMinBytes(final int responseMinBytes)
    {
        this.responseMinBytes = responseMinBytes;
        return this;
    }

    /**
     * Largest response.
     *
     * @return the value.
     */
    public int responseMaxBytes()
    {
        return responseMaxBytes;
    }

    /**
     * Largest response.
     *
     * @param responseMaxBytes the value.
     * @return this.
     */
    public SynthOptions responseMaxBytes(final int responseMaxBytes)
    {
        this.responseMaxBytes = responseMaxBytes;
        return this;
    }

    /**
     * Largest payload per TCP segment or UDP datagram, announced in the MSS option.
     *
     * @return the value.
     */
    public int mss()
    {
        return mss;
    }

    /**
     * Largest payload per TCP segment or UDP datagram, announced in the MSS option.
     *
     * @param mss the value.
     * @return this.
     */
    public SynthOptions mss(final int mss)
    {
        this.mss = mss;
        return this;
    }

    /**
     * Most request/response exchanges per session (each session draws 1..this).
     *
     * @return the value.
     */
    public int maxExchanges()
    {
        return maxExchanges;
    }

    /**
     * Most request/response exchanges per session (each session draws 1..this).
     *
     * @param maxExchanges the value.
     * @return this.
     */
    public SynthOptions maxExchanges(final int maxExchanges)
    {
        this.maxExchanges = maxExchanges;
        return this;
    }

    /**
     * Longest idle time before each exchange after a session's first (a client thinking between requests on a
     * kept-alive connection); each exchange draws 0..this. 0, the default, makes sessions last a few round trips.
     *
     * @return milliseconds.
     */
    public int maxThinkTimeMs()
    {
        return maxThinkTimeMs;
    }

    /**
     * Longest idle time before each exchange after a session's first; each exchange draws 0..this.
     *
     * @param maxThinkTimeMs milliseconds, 0..60000.
     * @return this.
     */
    public SynthOptions maxThinkTimeMs(final int maxThinkTimeMs)
    {
        this.maxThinkTimeMs = maxThinkTimeMs;
        return this;
    }

    /**
     * Percent of TCP sessions where two adjacent data segments are captured swapped.
     *
     * @return the value.
     */
    public double reorderPct()
    {
        return reorderPct;
    }

    /**
     * Percent of TCP sessions where two adjacent data segments are captured swapped.
     *
     * @param reorderPct the value.
     * @return this.
     */
    public SynthOptions reorderPct(final double reorderPct)
    {
        this.reorderPct = reorderPct;
        return this;
    }

    /**
     * Percent of TCP sessions missing one data segment from the capture (the receiver still ACKs past it).
     *
     * @return the value.
     */
    public double lossPct()
    {
        return lossPct;
    }

    /**
     * Percent of TCP sessions missing one data segment from the capture (the receiver still ACKs past it).
     *
     * @param lossPct the value.
     * @return this.
     */
    public SynthOptions lossPct(final double lossPct)
    {
        this.lossPct = lossPct;
        return this;
    }

    /**
     * Percent of TCP sessions with one data segment retransmitted with the same data.
     *
     * @return the value.
     */
    public double retransPct()
    {
        return retransPct;
    }

    /**
     * Percent of TCP sessions with one data segment retransmitted with the same data.
     *
     * @param retransPct the value.
     * @return this.
     */
    public SynthOptions retransPct(final double retransPct)
    {
        this.retransPct = retransPct;
        return this;
    }

    /**
     * Percent of TCP sessions with one data segment retransmitted with different data.
     *
     * @return the value.
     */
    public double overlapPct()
    {
        return overlapPct;
    }

    /**
     * Percent of TCP sessions with one data segment retransmitted with different data.
     *
     * @param overlapPct the value.
     * @return this.
     */
    public SynthOptions overlapPct(final double overlapPct)
    {
        this.overlapPct = overlapPct;
        return this;
    }

    /**
     * Percent of TCP sessions captured only after the handshake.
     *
     * @return the value.
     */
    public double midstreamPct()
    {
        return midstreamPct;
    }

    /**
     * Percent of TCP sessions captured only after the handshake.
     *
     * @param midstreamPct the value.
     * @return this.
     */
    public SynthOptions midstreamPct(final double midstreamPct)
    {
        this.midstreamPct = midstreamPct;
        return this;
    }

    /**
     * Percent of sessions with only one direction captured.
     *
     * @return the value.
     */
    public double onesidePct()
    {
        return onesidePct;
    }

    /**
     * Percent of sessions with only one direction captured.
     *
     * @param onesidePct the value.
     * @return this.
     */
    public SynthOptions onesidePct(final double onesidePct)
    {
        this.onesidePct = onesidePct;
        return this;
    }

    /**
     * Percent of TCP sessions torn down by a RST instead of a FIN exchange.
     *
     * @return the value.
     */
    public double rstPct()
    {
        return rstPct;
    }

    /**
     * Percent of TCP sessions torn down by a RST instead of a FIN exchange.
     *
     * @param rstPct the value.
     * @return this.
     */
    public SynthOptions rstPct(final double rstPct)
    {
        this.rstPct = rstPct;
        return this;
    }

    /**
     * Percent of sessions over IPv6.
     *
     * @return the value.
     */
    public double ipv6Pct()
    {
        return ipv6Pct;
    }

    /**
     * Percent of sessions over IPv6.
     *
     * @param ipv6Pct the value.
     * @return this.
     */
    public SynthOptions ipv6Pct(final double ipv6Pct)
    {
        this.ipv6Pct = ipv6Pct;
        return this;
    }

    /**
     * Percent of sessions VLAN-tagged (a quarter of them 802.1ad + 802.1Q).
     *
     * @return the value.
     */
    public double vlanPct()
    {
        return vlanPct;
    }

    /**
     * Percent of sessions VLAN-tagged (a quarter of them 802.1ad + 802.1Q).
     *
     * @param vlanPct the value.
     * @return this.
     */
    public SynthOptions vlanPct(final double vlanPct)
    {
        this.vlanPct = vlanPct;
        return this;
    }

    /**
     * Percent of sessions whose data packets are IP-fragmented (IPv4, or IPv6 fragment headers).
     *
     * @return the value.
     */
    public double fragPct()
    {
        return fragPct;
    }

    /**
     * Percent of sessions whose data packets are IP-fragmented (IPv4, or IPv6 fragment headers).
     *
     * @param fragPct the value.
     * @return this.
     */
    public SynthOptions fragPct(final double fragPct)
    {
        this.fragPct = fragPct;
        return this;
    }

    /**
     * Percent of sessions that are UDP request/response datagrams rather than TCP.
     *
     * @return the value.
     */
    public double udpPct()
    {
        return udpPct;
    }

    /**
     * Percent of sessions that are UDP request/response datagrams rather than TCP.
     *
     * @param udpPct the value.
     * @return this.
     */
    public SynthOptions udpPct(final double udpPct)
    {
        this.udpPct = udpPct;
        return this;
    }

    /**
     * Percent of TCP sessions whose initial sequence numbers sit just below 2^32, so they wrap.
     *
     * @return the value.
     */
    public double wrapPct()
    {
        return wrapPct;
    }

    /**
     * Percent of TCP sessions whose initial sequence numbers sit just below 2^32, so they wrap.
     *
     * @param wrapPct the value.
     * @return this.
     */
    public SynthOptions wrapPct(final double wrapPct)
    {
        this.wrapPct = wrapPct;
        return this;
    }

    /**
     * Percent of TCP sessions that speak an application protocol: each direction's stream starts with the opening of
     * HTTP, TLS, SSH or SMTP (drawn evenly) and the server port is the protocol's own (80, 443, 22, 25), so app-layer
     * detection has something to find. 0 (the default) leaves every stream the plain letter pattern.
     *
     * @return the value.
     */
    public double appPct()
    {
        return appPct;
    }

    /**
     * Percent of TCP sessions that speak an application protocol (see {@link #appPct()}).
     *
     * @param appPct the value.
     * @return this.
     */
    public SynthOptions appPct(final double appPct)
    {
        this.appPct = appPct;
        return this;
    }

    /**
     * Validate the settings.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid setting.
     */
    public SynthOptions conclude()
    {
        positive("sessions", sessions);
        positive("concurrency", concurrency);
        positive("clientHosts", clientHosts);
        positive("serverHosts", serverHosts);
        positive("maxExchanges", maxExchanges);
        if (maxThinkTimeMs < 0 || maxThinkTimeMs > 60_000)
        {
            throw new IllegalArgumentException("maxThinkTimeMs must be in 0..60000: " + maxThinkTimeMs);
        }
        if (mss < 16 || mss > 9000)
        {
            throw new IllegalArgumentException("mss must be in 16..9000: " + mss);
        }
        range("requestMinBytes/requestMaxBytes", requestMinBytes, requestMaxBytes, 1);
        range("responseMinBytes/responseMaxBytes", responseMinBytes, responseMaxBytes, 0);
        if ((long)sessions > (long)clientHosts * 64_000L)
        {
            throw new IllegalArgumentException("sessions exceed clientHosts * 64000 unique client ports: " + sessions);
        }
        percent("reorderPct", reorderPct);
        percent("lossPct", lossPct);
        percent("retransPct", retransPct);
        percent("overlapPct", overlapPct);
        percent("midstreamPct", midstreamPct);
        percent("onesidePct", onesidePct);
        percent("rstPct", rstPct);
        percent("ipv6Pct", ipv6Pct);
        percent("vlanPct", vlanPct);
        percent("fragPct", fragPct);
        percent("udpPct", udpPct);
        percent("wrapPct", wrapPct);
        percent("appPct", appPct);
        return this;
    }

    /**
     * Copy of these settings.
     *
     * @return a new instance with the same values.
     */
    public SynthOptions copy()
    {
        final SynthOptions copy = new SynthOptions();
        copy.seed = seed;
        copy.sessions = sessions;
        copy.concurrency = concurrency;
        copy.startTimeNs = startTimeNs;
        copy.clientNetworkV4 = clientNetworkV4;
        copy.serverNetworkV4 = serverNetworkV4;
        copy.clientNetworkV6 = clientNetworkV6;
        copy.serverNetworkV6 = serverNetworkV6;
        copy.clientHosts = clientHosts;
        copy.serverHosts = serverHosts;
        copy.requestMinBytes = requestMinBytes;
        copy.requestMaxBytes = requestMaxBytes;
        copy.responseMinBytes = responseMinBytes;
        copy.responseMaxBytes = responseMaxBytes;
        copy.mss = mss;
        copy.maxExchanges = maxExchanges;
        copy.maxThinkTimeMs = maxThinkTimeMs;
        copy.reorderPct = reorderPct;
        copy.lossPct = lossPct;
        copy.retransPct = retransPct;
        copy.overlapPct = overlapPct;
        copy.midstreamPct = midstreamPct;
        copy.onesidePct = onesidePct;
        copy.rstPct = rstPct;
        copy.ipv6Pct = ipv6Pct;
        copy.vlanPct = vlanPct;
        copy.fragPct = fragPct;
        copy.udpPct = udpPct;
        copy.wrapPct = wrapPct;
        copy.appPct = appPct;
        return copy;
    }

    private static void positive(final String name, final int value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    private static void range(final String name, final int min, final int max, final int lowest)
    {
        if (min < lowest || max < min || max > MAX_MESSAGE_BYTES)
        {
            throw new IllegalArgumentException(
                name + " must satisfy " + lowest + " <= min <= max <= " + MAX_MESSAGE_BYTES + ": " + min + "-" + max);
        }
    }

    private static void percent(final String name, final double value)
    {
        if (!(value >= 0.0 && value <= 100.0))
        {
            throw new IllegalArgumentException(name + " must be in 0..100: " + value);
        }
    }
}
