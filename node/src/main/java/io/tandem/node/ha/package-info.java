/**
 * The HA manager ({@link io.tandem.node.ha.HaManager}) and its wire and file side: the session key codec between a
 * flow and the protobuf {@code tandem.ha.v1.SessionKey}, the crash-tolerant HA file writer and reader, the
 * {@code ha:} configuration ({@link io.tandem.node.ha.HaContext}) and the Aeron side channel
 * ({@link io.tandem.node.ha.HaSideChannel}, the bridge to the ha-transport module's {@code HaTransport}). Envelopes of
 * HA files are built and validated by {@code io.tandem.transport.EnvelopeFactory} and {@code EnvelopeValidator}
 * through {@link io.tandem.node.ha.HaEnvelopes}; on the side channel the transport makes and checks its own.
 */
package io.tandem.node.ha;
