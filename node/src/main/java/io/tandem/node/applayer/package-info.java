/**
 * Application layer: the {@link io.tandem.node.applayer.StreamConsumer} SPI through which parsers and detection
 * engines receive reassembled TCP streams, and the built-in {@link io.tandem.node.applayer.ReassemblyDigest}.
 */
package io.tandem.node.applayer;
