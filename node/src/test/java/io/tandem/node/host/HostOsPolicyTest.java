package io.tandem.node.host;

import io.tandem.node.config.ConfigSchema;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostOsPolicyTest
{
    @Test
    void shouldFindPoliciesByConfigName()
    {
        assertThat(HostOsPolicy.fromName("bsd-right")).isEqualTo(HostOsPolicy.BSD_RIGHT);
        assertThat(HostOsPolicy.fromName("LINUX")).isEqualTo(HostOsPolicy.LINUX);
        assertThat(HostOsPolicy.fromName("windows2k3")).isEqualTo(HostOsPolicy.WINDOWS2K3);
        assertThat(HostOsPolicy.fromName("first")).isEqualTo(HostOsPolicy.FIRST);
        assertThatThrownBy(() -> HostOsPolicy.fromName("beos"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'beos' is not an OS policy (one of windows, bsd, bsd-right,")
            .hasMessageEndingWith("first, last)");
    }

    @Test
    void shouldHaveOneConfigKeyPerConfigurablePolicyAndNoOther()
    {
        final long configurable = Arrays.stream(HostOsPolicy.values()).filter(HostOsPolicy::configurable).count();
        assertThat(configurable).isEqualTo(13);
        assertThat(ConfigSchema.section("host-os-policy").children()).hasSize(13);
        for (final HostOsPolicy policy : HostOsPolicy.values())
        {
            final ConfigSchema.Key key = ConfigSchema.key("host-os-policy." + policy.configName());
            assertThat(key != null).as(policy.name()).isEqualTo(policy.configurable());
        }
    }
}
