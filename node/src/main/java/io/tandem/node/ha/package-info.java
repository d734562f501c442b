/**
 * The HA manager's wire and file side: the session key codec between a flow and the protobuf
 * {@code tandem.ha.v1.SessionKey}, the envelope builder and validator, the crash-tolerant HA file writer and reader,
 * and the {@code ha:} configuration ({@link io.tandem.node.ha.HaContext}).
 */
package io.tandem.node.ha;
