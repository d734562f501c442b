/**
 * The public HA record SPI: extensions add their own per-session state to HA session updates.
 * <p>
 * A {@link io.tandem.node.ha.spi.HaRecordProvider} declares a preprocessor id, a subcode and a maximum record size,
 * and produces and consumes its record. Providers are found with {@link java.util.ServiceLoader} (a plugin jar lists
 * its class in {@code META-INF/services/io.tandem.node.ha.spi.HaRecordProvider}) and registered in the
 * {@link io.tandem.node.ha.spi.HaRecordRegistry}, which holds at most eight and gives each a bit of the session's
 * 8-bit pending mask. See {@code docs/ha-records.md}.
 */
package io.tandem.node.ha.spi;
