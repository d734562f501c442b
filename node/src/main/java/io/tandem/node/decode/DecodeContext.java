package io.tandem.node.decode;

/**
 * Settings of a {@link PacketDecoder}, with their defaults in one place.
 */
public final class DecodeContext
{
    /** Default for {@link #checksumValidation()}: Suricata's {@code stream.checksum-validation: yes}. */
    public static final boolean CHECKSUM_VALIDATION_DEFAULT = true;
    /** Default for {@link #maxLayers()}: Suricata's {@code decoder.max-layers}. */
    public static final int MAX_LAYERS_DEFAULT = 16;
    /** Largest accepted {@link #maxLayers()} (bounds the decoders' recursion). */
    public static final int MAX_LAYERS_LIMIT = 255;

    private boolean checksumValidation = CHECKSUM_VALIDATION_DEFAULT;
    private int maxLayers = MAX_LAYERS_DEFAULT;

    /**
     * Whether IP, TCP, UDP and ICMP checksums are validated.
     *
     * @return true when checksums are validated.
     */
    public boolean checksumValidation()
    {
        return checksumValidation;
    }

    /**
     * Set whether checksums are validated.
     *
     * @param checksumValidation true to validate.
     * @return this for a fluent API.
     */
    public DecodeContext checksumValidation(final boolean checksumValidation)
    {
        this.checksumValidation = checksumValidation;
        return this;
    }

    /**
     * Most decoder layers (link, VLAN, MPLS, PPP, GRE, IP, ...) crossed on one packet before
     * {@code too_many_layers} is raised.
     *
     * @return the layer limit.
     */
    public int maxLayers()
    {
        return maxLayers;
    }

    /**
     * Set the layer limit.
     *
     * @param maxLayers 1 to {@link #MAX_LAYERS_LIMIT}.
     * @return this for a fluent API.
     */
    public DecodeContext maxLayers(final int maxLayers)
    {
        this.maxLayers = maxLayers;
        return this;
    }

    /**
     * Validate the settings.
     *
     * @return this once valid.
     * @throws IllegalArgumentException when a setting is out of range.
     */
    public DecodeContext conclude()
    {
        if (maxLayers < 1 || maxLayers > MAX_LAYERS_LIMIT)
        {
            throw new IllegalArgumentException("maxLayers must be 1.." + MAX_LAYERS_LIMIT + ": " + maxLayers);
        }
        return this;
    }
}
