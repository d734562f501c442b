package io.tandem.node.ha;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.tandem.node.config.ConfigException;
import io.tandem.node.config.TandemConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HaContextTest
{
    @Test
    void shouldTakeSnortDefaults()
    {
        final HaContext ctx = HaContext.fromConfig(TandemConfig.defaults()).conclude();
        assertThat(ctx.enabled()).isFalse();
        assertThat(ctx.nodeId()).isEqualTo(1);
        assertThat(ctx.clusterId()).isZero();
        assertThat(ctx.minSessionLifetimeMs()).isEqualTo(1000);
        assertThat(ctx.minSyncIntervalMs()).isEqualTo(1000);
        assertThat(ctx.startupInputFile()).isNull();
        assertThat(ctx.runtimeOutputFile()).isNull();
        assertThat(ctx.runtimeOutputMaxBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(ctx.useSideChannel()).isFalse();
    }

    @Test
    void shouldReadEveryKeyFromTheConfiguration()
    {
        final TandemConfig config = TandemConfig.fromYaml(
            "ha:\n  enabled: yes\n  node-id: 2\n  startup-input-file: /var/lib/tandem/ha-1.bin\n", "test",
            List.of("ha.cluster-id=77", "ha.min-session-lifetime=0", "ha.min-sync-interval=65535",
                "ha.runtime-output-file=out.ha", "ha.runtime-output-max-size=2mb", "ha.use-side-channel=true"));
        final HaContext ctx = HaContext.fromConfig(config).conclude();
        assertThat(ctx.enabled()).isTrue();
        assertThat(ctx.nodeId()).isEqualTo(2);
        assertThat(ctx.clusterId()).isEqualTo(77);
        assertThat(ctx.minSessionLifetimeMs()).isZero();
        assertThat(ctx.minSyncIntervalMs()).isEqualTo(65535);
        assertThat(ctx.startupInputFile()).isEqualTo(Path.of("/var/lib/tandem/ha-1.bin"));
        assertThat(ctx.runtimeOutputFile()).isEqualTo(Path.of("out.ha"));
        assertThat(ctx.runtimeOutputMaxBytes()).isEqualTo(2L * 1024 * 1024);
        assertThat(ctx.useSideChannel()).isTrue();
        assertThat(TandemConfig.fromYaml(config.dump(), "dump", List.of())).isEqualTo(config);
    }

    @Test
    void shouldRejectAThrottleOutOfRangeNamingKeyAndRange()
    {
        assertThatThrownBy(() -> TandemConfig.fromYaml("", "test", List.of("ha.min-sync-interval=65536")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("ha.min-sync-interval: '65536' is out of range (a whole number from 0 to 65535)");
        assertThatThrownBy(() -> TandemConfig.fromYaml("", "test", List.of("ha.min-session-lifetime=-1")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("ha.min-session-lifetime: '-1' is not a whole number from 0 to 65535");
        assertThatThrownBy(() -> TandemConfig.fromYaml("", "test", List.of("ha.node-id=0")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("ha.node-id: '0' is out of range (a whole number from 1 to 65535)");
        assertThatThrownBy(() -> new HaContext().minSyncIntervalMs(70_000).conclude())
            .hasMessage("ha.min-sync-interval: 70000 is out of range (0 to 65535 ms)");
    }

    @Test
    void shouldTreatAnEmptyPathAsNone()
    {
        final TandemConfig config = TandemConfig.fromYaml("ha:\n  runtime-output-file:\n", "test", List.of());
        assertThat(HaContext.fromConfig(config).runtimeOutputFile()).isNull();
        assertThat(config.path("ha.runtime-output-file")).isEmpty();
    }
}
