/**
 * The HA wire's bytes read and written by hand, without message objects: what the replication hot path uses. The
 * bytes are the protobuf encoding the {@code tandem/ha/v1} schema defines, so the generated classes (files, tools,
 * tests) read what these write and the other way round; unknown fields are skipped as protobuf skips them.
 */
package io.tandem.proto.wire;
