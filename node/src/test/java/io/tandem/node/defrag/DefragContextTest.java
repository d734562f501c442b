package io.tandem.node.defrag;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefragContextTest
{
    @Test
    void shouldDefaultToSuricataDefragSettings()
    {
        final DefragContext context = new DefragContext().conclude();
        assertThat(context.memcapBytes()).isEqualTo(32L * 1024 * 1024);
        assertThat(context.hashSize()).isEqualTo(65536);
        assertThat(context.trackers()).isEqualTo(65535);
        assertThat(context.maxFrags()).isEqualTo(65535);
        assertThat(context.prealloc()).isTrue();
        assertThat(context.timeoutNs()).isEqualTo(TimeUnit.SECONDS.toNanos(60));
        assertThat(context.vlanInKey()).isTrue();
        assertThat(context.policyLookup().policyFor(4, 0, 0x0a000001L)).isEqualTo(DefragPolicy.BSD);
        assertThat(context.policyLookup().policyFor(6, 1, 2)).isEqualTo(DefragPolicy.BSD);
    }

    @Test
    void shouldRejectOutOfRangeSettings()
    {
        assertThatThrownBy(() -> new DefragContext().timeoutNs(0).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().timeoutNs(TimeUnit.HOURS.toNanos(25)).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().trackers(0).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().maxFrags(0).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().hashSize(0).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().memcapBytes(10).conclude())
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DefragContext().policyLookup(null).conclude())
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldBuildWithDefaultSettings()
    {
        final Defragmenter defrag = new Defragmenter(new DefragContext());
        assertThat(defrag.memuseBytes()).isZero();
        assertThat(defrag.trackersInUse()).isZero();
    }
}
