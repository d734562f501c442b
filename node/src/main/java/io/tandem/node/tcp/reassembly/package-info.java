/**
 * TCP stream reassembly: a preallocated {@link io.tandem.node.tcp.reassembly.SegmentPool}, per-direction
 * {@link io.tandem.node.tcp.reassembly.SegmentList}s, the per-OS
 * {@link io.tandem.node.tcp.reassembly.OverlapResolver} and the {@link io.tandem.node.tcp.reassembly.Reassembler}
 * (IDS: deliver ACKed data; inline: deliver accepted data and normalise overlaps; depth, gaps, chunking, urgent data).
 */
package io.tandem.node.tcp.reassembly;
