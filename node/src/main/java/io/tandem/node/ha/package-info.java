/**
 * The HA manager's wire and file side: the session key codec between a flow and the protobuf
 * {@code tandem.ha.v1.SessionKey}, the crash-tolerant HA file writer and reader,
 * and the {@code ha:} configuration ({@link io.tandem.node.ha.HaContext}). Envelopes are built and validated
 * by {@code io.tandem.transport.EnvelopeFactory} and {@code EnvelopeValidator} in the ha-transport module.
 */
package io.tandem.node.ha;
