package io.tandem.node.tcp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeqNumTest
{
    @Test
    void shouldCompareAcrossTheWrap()
    {
        final int beforeWrap = 0xFFFF_FFF0;
        final int afterWrap = 0x0000_0010;
        assertThat(SeqNum.lt(beforeWrap, afterWrap)).isTrue();
        assertThat(SeqNum.gt(afterWrap, beforeWrap)).isTrue();
        assertThat(SeqNum.leq(afterWrap, afterWrap)).isTrue();
        assertThat(SeqNum.geq(beforeWrap, afterWrap)).isFalse();
        assertThat(SeqNum.diff(afterWrap, beforeWrap)).isEqualTo(0x20);
        assertThat(SeqNum.max(beforeWrap, afterWrap)).isEqualTo(afterWrap);
        assertThat(SeqNum.min(beforeWrap, afterWrap)).isEqualTo(beforeWrap);
        assertThat(SeqNum.between(0, beforeWrap, afterWrap)).isTrue();
        assertThat(SeqNum.unsigned(-1)).isEqualTo(0xFFFF_FFFFL);
    }
}
