package io.tandem.node.applayer;

/**
 * Application protocols the detector recognises, with Suricata's EVE names.
 */
public enum AppProto
{
    /** Nothing decided yet. */
    UNKNOWN("unknown"),
    /** Detection ran on enough data and recognised nothing. */
    FAILED("failed"),
    /** HTTP/1.x. */
    HTTP("http"),
    /** TLS (and SSL 3). */
    TLS("tls"),
    /** SSH. */
    SSH("ssh"),
    /** SMTP. */
    SMTP("smtp"),
    /** FTP control. */
    FTP("ftp"),
    /** IMAP. */
    IMAP("imap"),
    /** POP3. */
    POP3("pop3"),
    /** SMB 1/2/3 over NetBIOS session service or direct TCP. */
    SMB("smb"),
    /** DNS over UDP or TCP. */
    DNS("dns");

    private final String eveName;

    AppProto(final String eveName)
    {
        this.eveName = eveName;
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
