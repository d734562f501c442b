package io.tandem.node.applayer;

/**
 * Application protocols the detector recognises, with Suricata's EVE names and a stable wire id (the HA update's
 * {@code application_protocol} and Tandem's app-layer HA record carry it; 0 is unknown).
 */
public enum AppProto
{
    /** Nothing decided yet. */
    UNKNOWN(0, "unknown"),
    /** Detection ran on enough data and recognised nothing. */
    FAILED(1, "failed"),
    /** HTTP/1.x. */
    HTTP(2, "http"),
    /** TLS (and SSL 3). */
    TLS(3, "tls"),
    /** SSH. */
    SSH(4, "ssh"),
    /** SMTP. */
    SMTP(5, "smtp"),
    /** FTP control. */
    FTP(6, "ftp"),
    /** IMAP. */
    IMAP(7, "imap"),
    /** POP3. */
    POP3(8, "pop3"),
    /** SMB 1/2/3 over NetBIOS session service or direct TCP. */
    SMB(9, "smb"),
    /** DNS over UDP or TCP. */
    DNS(10, "dns");

    private static final AppProto[] BY_ID = new AppProto[16];

    static
    {
        for (final AppProto p : values())
        {
            BY_ID[p.id] = p;
        }
    }

    private final int id;
    private final String eveName;

    AppProto(final int id, final String eveName)
    {
        this.id = id;
        this.eveName = eveName;
    }

    /**
     * The stable wire id (never reused; 0 is {@link #UNKNOWN}).
     *
     * @return the id.
     */
    public int id()
    {
        return id;
    }

    /**
     * The protocol of a wire id.
     *
     * @param id a wire id.
     * @return the protocol, {@link #UNKNOWN} for an id this node does not know.
     */
    public static AppProto fromId(final int id)
    {
        final AppProto p = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        return p == null ? UNKNOWN : p;
    }

    /**
     * The name in EVE ({@code app_proto}).
     *
     * @return the name.
     */
    public String eveName()
    {
        return eveName;
    }

    /**
     * Whether a protocol was recognised.
     *
     * @return true for a real protocol.
     */
    public boolean known()
    {
        return this != UNKNOWN && this != FAILED;
    }
}
