package io.tandem.node.ha.spi;

/**
 * A plain session handle for tests: what the HA manager's session will implement.
 */
public final class TestSessionHandle implements HaSessionHandle
{
    private final int ipProtocol;
    private final boolean standby;
    private final Object[] attachments = new Object[HaRecordRegistry.MAX_RECORDS];
    private int pendingMask;

    /**
     * A handle.
     *
     * @param ipProtocol protocol of the session.
     * @param standby    whether it is held in standby.
     */
    public TestSessionHandle(final int ipProtocol, final boolean standby)
    {
        this.ipProtocol = ipProtocol;
        this.standby = standby;
    }

    @Override
    public int ipProtocol()
    {
        return ipProtocol;
    }

    @Override
    public boolean isStandby()
    {
        return standby;
    }

    @Override
    public int pendingMask()
    {
        return pendingMask;
    }

    @Override
    public HaSessionHandle pendingMask(final int mask)
    {
        pendingMask = mask;
        return this;
    }

    @Override
    public Object attachment(final int index)
    {
        return attachments[index];
    }

    @Override
    public HaSessionHandle attachment(final int index, final Object value)
    {
        attachments[index] = value;
        return this;
    }
}
