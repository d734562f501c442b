package io.tandem.node.stats;

/**
 * Receives counter values by their dotted Suricata-style name ({@code decoder.pkts}, {@code flow.memcap}, ...).
 * Components report into a sink; the stats output, the admin API and tests read through one.
 */
@FunctionalInterface
public interface StatsSink
{
    /**
     * One counter value.
     *
     * @param name  dotted counter name.
     * @param value current value.
     */
    void counter(String name, long value);
}
