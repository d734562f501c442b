package io.tandem.node.defrag;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefragPolicyTest
{
    @Test
    void shouldMapHostOsNamesAsSuricataDefragGetOsPolicy()
    {
        assertThat(DefragPolicy.fromHostOs("bsd")).isEqualTo(DefragPolicy.BSD);
        assertThat(DefragPolicy.fromHostOs("hpux10")).isEqualTo(DefragPolicy.BSD);
        assertThat(DefragPolicy.fromHostOs("irix")).isEqualTo(DefragPolicy.BSD);
        assertThat(DefragPolicy.fromHostOs("bsd-right")).isEqualTo(DefragPolicy.BSD_RIGHT);
        assertThat(DefragPolicy.fromHostOs("old-linux")).isEqualTo(DefragPolicy.LINUX);
        assertThat(DefragPolicy.fromHostOs("linux")).isEqualTo(DefragPolicy.LINUX);
        assertThat(DefragPolicy.fromHostOs("old-solaris")).isEqualTo(DefragPolicy.FIRST);
        assertThat(DefragPolicy.fromHostOs("hpux11")).isEqualTo(DefragPolicy.FIRST);
        assertThat(DefragPolicy.fromHostOs("macos")).isEqualTo(DefragPolicy.FIRST);
        assertThat(DefragPolicy.fromHostOs("first")).isEqualTo(DefragPolicy.FIRST);
        assertThat(DefragPolicy.fromHostOs("solaris")).isEqualTo(DefragPolicy.SOLARIS);
        assertThat(DefragPolicy.fromHostOs("windows")).isEqualTo(DefragPolicy.WINDOWS);
        assertThat(DefragPolicy.fromHostOs("vista")).isEqualTo(DefragPolicy.WINDOWS);
        assertThat(DefragPolicy.fromHostOs("windows2k3")).isEqualTo(DefragPolicy.WINDOWS);
        assertThat(DefragPolicy.fromHostOs("last")).isEqualTo(DefragPolicy.LAST);
        assertThat(DefragPolicy.fromHostOs(" Linux ")).isEqualTo(DefragPolicy.LINUX);
    }

    @Test
    void shouldRejectUnknownHostOsName()
    {
        assertThatThrownBy(() -> DefragPolicy.fromHostOs("beos")).isInstanceOf(IllegalArgumentException.class);
    }
}
