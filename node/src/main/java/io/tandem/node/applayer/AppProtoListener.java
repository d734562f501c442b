package io.tandem.node.applayer;

import io.tandem.node.flow.Flow;

/**
 * Told by an {@link AppProtoDetector} when a flow's detection moves on, on the worker thread, while the packet that
 * moved it is processed (the HA manager replicates the detection state this way).
 */
public interface AppProtoListener
{
    /** A listener that ignores everything. */
    AppProtoListener NONE = new AppProtoListener()
    {
        @Override
        public void onIdentified(final Flow flow, final AppProto proto)
        {
        }

        @Override
        public void onProgress(final Flow flow)
        {
        }
    };

    /**
     * The flow's application protocol was identified (its first direction that is known); called once per flow,
     * after {@link #onProgress(Flow)} for the same change.
     *
     * @param flow  the flow.
     * @param proto the protocol.
     */
    void onIdentified(Flow flow, AppProto proto);

    /**
     * The flow's detection state changed: bytes were added to an undecided direction, or a direction was decided.
     *
     * @param flow the flow.
     */
    void onProgress(Flow flow);
}
