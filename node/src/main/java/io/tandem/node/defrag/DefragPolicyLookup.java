package io.tandem.node.defrag;

/**
 * Chooses the overlap policy for a datagram from its destination address (Suricata's host-os-policy table).
 */
@FunctionalInterface
public interface DefragPolicyLookup
{
    /**
     * Policy for a destination.
     *
     * @param ipVersion 4 or 6.
     * @param dstHi     destination address, high 64 bits (0 for IPv4).
     * @param dstLo     destination address, low 64 bits (IPv4 address in the low 32 bits).
     * @return the policy, never null.
     */
    DefragPolicy policyFor(int ipVersion, long dstHi, long dstLo);
}
