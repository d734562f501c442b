package io.tandem.node.defrag;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link Defragmenter}, named as Suricata's {@code defrag:} section, with Suricata's defaults.
 * <p>
 * The limits apply to one defragmenter (one worker): {@code memcap} bounds the bytes held for stored fragments,
 * {@code trackers} the datagrams under reassembly, {@code max-frags} the fragment slots (in total and in one
 * datagram).
 */
public final class DefragContext
{
    /** Default {@code defrag.memcap}: 32 MiB. */
    public static final long MEMCAP_BYTES_DEFAULT = 32L * 1024 * 1024;
    /** Default {@code defrag.hash-size}. */
    public static final int HASH_SIZE_DEFAULT = 65536;
    /** Default {@code defrag.trackers}. */
    public static final int TRACKERS_DEFAULT = 65535;
    /** Default {@code defrag.max-frags}. */
    public static final int MAX_FRAGS_DEFAULT = 65535;
    /** Default {@code defrag.prealloc}. */
    public static final boolean PREALLOC_DEFAULT = true;
    /** Default {@code defrag.timeout}: 60 seconds. */
    public static final long TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(60);
    /** Smallest timeout Suricata accepts: 1 second. */
    public static final long TIMEOUT_NS_MIN = TimeUnit.SECONDS.toNanos(1);
    /** Largest timeout Suricata accepts: 24 hours. */
    public static final long TIMEOUT_NS_MAX = TimeUnit.HOURS.toNanos(24);
    /** The policy used when no host-os-policy entry matches (Suricata's default). */
    public static final DefragPolicyLookup DEFAULT_POLICY_LOOKUP = (ipVersion, dstHi, dstLo) -> DefragPolicy.BSD;

    private long memcapBytes = MEMCAP_BYTES_DEFAULT;
    private int hashSize = HASH_SIZE_DEFAULT;
    private int trackers = TRACKERS_DEFAULT;
    private int maxFrags = MAX_FRAGS_DEFAULT;
    private boolean prealloc = PREALLOC_DEFAULT;
    private long timeoutNs = TIMEOUT_NS_DEFAULT;
    private boolean vlanInKey = true;
    private DefragPolicyLookup policyLookup = DEFAULT_POLICY_LOOKUP;

    /**
     * Check the settings.
     *
     * @return this.
     * @throws IllegalArgumentException when a setting is out of range.
     */
    public DefragContext conclude()
    {
        if (memcapBytes < Defragmenter.BLOCK_SIZE)
        {
            throw new IllegalArgumentException("defrag.memcap too small: " + memcapBytes);
        }
        if (hashSize < 1)
        {
            throw new IllegalArgumentException("defrag.hash-size must be positive: " + hashSize);
        }
        if (trackers < 1)
        {
            throw new IllegalArgumentException("defrag.trackers must be positive: " + trackers);
        }
        if (maxFrags < 1)
        {
            throw new IllegalArgumentException("defrag.max-frags must be positive: " + maxFrags);
        }
        if (timeoutNs < TIMEOUT_NS_MIN || timeoutNs > TIMEOUT_NS_MAX)
        {
            throw new IllegalArgumentException("defrag.timeout must be within 1 s .. 24 h: " + timeoutNs + " ns");
        }
        if (policyLookup == null)
        {
            throw new IllegalArgumentException("defrag policy lookup must not be null");
        }
        return this;
    }

    /**
     * Most bytes held for stored fragments ({@code defrag.memcap}).
     *
     * @return bytes.
     */
    public long memcapBytes()
    {
        return memcapBytes;
    }

    /**
     * Set {@code defrag.memcap}.
     *
     * @param memcapBytes bytes.
     * @return this.
     */
    public DefragContext memcapBytes(final long memcapBytes)
    {
        this.memcapBytes = memcapBytes;
        return this;
    }

    /**
     * Buckets of the tracker hash ({@code defrag.hash-size}).
     *
     * @return bucket count.
     */
    public int hashSize()
    {
        return hashSize;
    }

    /**
     * Set {@code defrag.hash-size}.
     *
     * @param hashSize bucket count.
     * @return this.
     */
    public DefragContext hashSize(final int hashSize)
    {
        this.hashSize = hashSize;
        return this;
    }

    /**
     * Most datagrams under reassembly at once ({@code defrag.trackers}).
     *
     * @return tracker count.
     */
    public int trackers()
    {
        return trackers;
    }

    /**
     * Set {@code defrag.trackers}.
     *
     * @param trackers tracker count.
     * @return this.
     */
    public DefragContext trackers(final int trackers)
    {
        this.trackers = trackers;
        return this;
    }

    /**
     * Most fragments held at once, in total and in one datagram ({@code defrag.max-frags}).
     *
     * @return fragment count.
     */
    public int maxFrags()
    {
        return maxFrags;
    }

    /**
     * Set {@code defrag.max-frags}.
     *
     * @param maxFrags fragment count.
     * @return this.
     */
    public DefragContext maxFrags(final int maxFrags)
    {
        this.maxFrags = maxFrags;
        return this;
    }

    /**
     * Whether the fragment byte arena is allocated up front ({@code defrag.prealloc}); otherwise it grows in
     * chunks up to the memcap.
     *
     * @return true to preallocate.
     */
    public boolean prealloc()
    {
        return prealloc;
    }

    /**
     * Set {@code defrag.prealloc}.
     *
     * @param prealloc true to preallocate.
     * @return this.
     */
    public DefragContext prealloc(final boolean prealloc)
    {
        this.prealloc = prealloc;
        return this;
    }

    /**
     * Idle time after which an incomplete datagram is dropped ({@code defrag.timeout}).
     *
     * @return nanoseconds.
     */
    public long timeoutNs()
    {
        return timeoutNs;
    }

    /**
     * Set {@code defrag.timeout}.
     *
     * @param timeoutNs nanoseconds.
     * @return this.
     */
    public DefragContext timeoutNs(final long timeoutNs)
    {
        this.timeoutNs = timeoutNs;
        return this;
    }

    /**
     * Whether VLAN ids are part of the tracker key (Suricata's {@code vlan.use-for-tracking}).
     *
     * @return true when fragments on different VLANs belong to different datagrams.
     */
    public boolean vlanInKey()
    {
        return vlanInKey;
    }

    /**
     * Set whether VLAN ids are part of the tracker key.
     *
     * @param vlanInKey true to key on VLAN ids.
     * @return this.
     */
    public DefragContext vlanInKey(final boolean vlanInKey)
    {
        this.vlanInKey = vlanInKey;
        return this;
    }

    /**
     * The per-destination policy lookup; by default every destination gets {@link DefragPolicy#BSD}.
     *
     * @return the lookup.
     */
    public DefragPolicyLookup policyLookup()
    {
        return policyLookup;
    }

    /**
     * Set the per-destination policy lookup (the host-os-policy table).
     *
     * @param policyLookup the lookup.
     * @return this.
     */
    public DefragContext policyLookup(final DefragPolicyLookup policyLookup)
    {
        this.policyLookup = policyLookup;
        return this;
    }
}
