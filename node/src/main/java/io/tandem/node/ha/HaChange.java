package io.tandem.node.ha;

/**
 * Change classes: what changed in a session since its last update. A session collects them in its change mask until
 * an update carries them. Which of them are critical (sent at once, ignoring both throttles) is listed on
 * {@link HaManager}.
 */
public final class HaChange
{
    /** TCP or flow state changed. */
    public static final int STATE = 0x01;
    /** Counters or TCP sequence numbers advanced. */
    public static final int COUNTERS = 0x02;
    /** Application protocol identified or changed. */
    public static final int APP_PROTO = 0x04;
    /** A drop or reset verdict. */
    public static final int VERDICT = 0x08;
    /** Ignore direction changed. */
    public static final int IGNORE_DIRECTION = 0x10;
    /** The session ended (a delete). */
    public static final int DELETION = 0x20;
    /** This node took the session over from standby. */
    public static final int OWNER = 0x40;
    /** An extension record was marked pending. */
    public static final int RECORD = 0x80;
    /** An update that could not be sent (back pressure, no peer) is to be sent again. */
    public static final int RESEND = 0x100;

    private HaChange()
    {
    }
}
