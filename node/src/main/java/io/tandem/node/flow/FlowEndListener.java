package io.tandem.node.flow;

/**
 * Told about every flow that leaves the table, just before its slot is reused.
 */
@FunctionalInterface
public interface FlowEndListener
{
    /**
     * A flow ended. The flow object is only valid during the call.
     *
     * @param flow   that ended.
     * @param reason why.
     */
    void onFlowEnd(Flow flow, FlowEndReason reason);
}
