package io.tandem.node.tcp.reassembly;

import static io.tandem.node.host.HostOsPolicy.BSD;
import static io.tandem.node.host.HostOsPolicy.BSD_RIGHT;
import static io.tandem.node.host.HostOsPolicy.FIRST;
import static io.tandem.node.host.HostOsPolicy.HPUX10;
import static io.tandem.node.host.HostOsPolicy.HPUX11;
import static io.tandem.node.host.HostOsPolicy.IRIX;
import static io.tandem.node.host.HostOsPolicy.LAST;
import static io.tandem.node.host.HostOsPolicy.LINUX;
import static io.tandem.node.host.HostOsPolicy.MACOS;
import static io.tandem.node.host.HostOsPolicy.OLD_LINUX;
import static io.tandem.node.host.HostOsPolicy.OLD_SOLARIS;
import static io.tandem.node.host.HostOsPolicy.SOLARIS;
import static io.tandem.node.host.HostOsPolicy.VISTA;
import static io.tandem.node.host.HostOsPolicy.WINDOWS;
import static io.tandem.node.host.HostOsPolicy.WINDOWS2K3;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

import io.tandem.node.host.HostOsPolicy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class OverlapResolverTest
{
    private static Set<HostOsPolicy> newWins(final long ns, final long ne, final long os, final long oe)
    {
        final Set<HostOsPolicy> winners = EnumSet.noneOf(HostOsPolicy.class);
        for (final HostOsPolicy p : HostOsPolicy.values())
        {
            if (OverlapResolver.useNewData(p, ns, ne, os, oe, true))
            {
                winners.add(p);
            }
        }
        return winners;
    }

    @Test
    void shouldKeepOldDataWhenTheBytesAreTheSame()
    {
        for (final HostOsPolicy p : HostOsPolicy.values())
        {
            assertThat(OverlapResolver.useNewData(p, 0, 10, 0, 10, false)).isFalse();
        }
    }

    @Test
    void shouldResolveSameStartShorterNewSegment()
    {
        assertThat(newWins(0, 5, 0, 10)).containsExactly(LAST);
    }

    @Test
    void shouldResolveSameStartSameEnd()
    {
        assertThat(newWins(0, 10, 0, 10)).containsExactlyInAnyOrder(OLD_LINUX, SOLARIS, OLD_SOLARIS, HPUX11, LAST);
    }

    @Test
    void shouldResolveSameStartLongerNewSegment()
    {
        assertThat(newWins(0, 15, 0, 10))
            .containsExactlyInAnyOrder(LINUX, OLD_LINUX, SOLARIS, OLD_SOLARIS, HPUX11, LAST);
    }

    @Test
    void shouldResolveNewStartingBeforeAndEndingInside()
    {
        assertThat(newWins(0, 8, 5, 10)).containsExactlyInAnyOrder(
            BSD, BSD_RIGHT, HPUX10, IRIX, WINDOWS, WINDOWS2K3, OLD_LINUX, LINUX, MACOS, LAST);
    }

    @Test
    void shouldResolveNewStartingBeforeAndCoveringOld()
    {
        assertThat(newWins(0, 15, 5, 10)).containsExactlyInAnyOrder(
            BSD, BSD_RIGHT, HPUX10, IRIX, WINDOWS, WINDOWS2K3, OLD_LINUX, LINUX, MACOS, SOLARIS, OLD_SOLARIS, HPUX11,
            LAST);
    }

    @Test
    void shouldResolveNewStartingInsideAndEndingAfter()
    {
        assertThat(newWins(5, 15, 0, 10)).containsExactlyInAnyOrder(SOLARIS, OLD_SOLARIS, HPUX11, LAST);
    }

    @Test
    void shouldResolveNewInsideOld()
    {
        assertThat(newWins(2, 8, 0, 10)).containsExactly(LAST);
        assertThat(newWins(2, 10, 0, 10)).containsExactly(LAST);
    }

    @Test
    void shouldNeverLetNewDataWinForFirstAndVista()
    {
        final long[][] shapes = { { 0, 5, 0, 10 }, { 0, 10, 0, 10 }, { 0, 15, 0, 10 }, { 0, 8, 5, 10 },
            { 0, 15, 5, 10 }, { 5, 15, 0, 10 }, { 2, 8, 0, 10 } };
        for (final long[] s : shapes)
        {
            assertThat(OverlapResolver.useNewData(FIRST, s[0], s[1], s[2], s[3], true)).isFalse();
            assertThat(OverlapResolver.useNewData(VISTA, s[0], s[1], s[2], s[3], true)).isFalse();
        }
    }

    /**
     * The classic target-based test pattern: original segments 1 (offset 0, AAAA), 2 (offset 6, BBBB) and
     * 3 (offset 12, CCCCCC); then overlapping segments 4 (offset 2, DDDDDD, starts inside 1 and ends inside 2),
     * 5 (offset 12, EEE, same start shorter than 3), 6 (offset 14, FFFFFF, starts inside 3 and goes past it) and
     * 7 (offset 0, GGGGGG, same start as 1 and longer). Bytes 10 and 11 are never sent.
     */
    private static String classic(final HostOsPolicy policy)
    {
        final SegmentPool pool = new SegmentPool(16, 0);
        final SegmentList list = new SegmentList();
        put(list, pool, policy, 0, "AAAA");
        put(list, pool, policy, 6, "BBBB");
        put(list, pool, policy, 12, "CCCCCC");
        put(list, pool, policy, 2, "DDDDDD");
        put(list, pool, policy, 12, "EEE");
        put(list, pool, policy, 14, "FFFFFF");
        put(list, pool, policy, 0, "GGGGGG");
        final StringBuilder sb = new StringBuilder();
        long at = 0;
        for (Segment s = list.head(); s != null; s = SegmentList.next(s))
        {
            while (at < s.offset())
            {
                sb.append('.');
                at++;
            }
            final byte[] b = new byte[s.length()];
            s.data().getBytes(0, b);
            sb.append(new String(b, StandardCharsets.ISO_8859_1));
            at = s.end();
        }
        return sb.toString();
    }

    private static void put(
        final SegmentList list, final SegmentPool pool, final HostOsPolicy policy, final long offset, final String s)
    {
        final UnsafeBuffer b = new UnsafeBuffer(s.getBytes(StandardCharsets.ISO_8859_1).clone());
        list.insert(offset, b, b.capacity(), policy, false, pool);
    }

    @Test
    void shouldReassembleTheClassicPatternPerPolicy()
    {
        assertThat(classic(FIRST)).isEqualTo("AAAADDBBBB..CCCCCCFF");
        assertThat(classic(VISTA)).isEqualTo("AAAADDBBBB..CCCCCCFF");
        assertThat(classic(BSD)).isEqualTo("AAAAGGDDBB..CCCCCCFF");
        for (final HostOsPolicy p : new HostOsPolicy[] { BSD_RIGHT, WINDOWS, WINDOWS2K3, HPUX10, IRIX, MACOS })
        {
            assertThat(classic(p)).as(p.configName()).isEqualTo("AAAAGGDDBB..CCCCCCFF");
        }
        assertThat(classic(LINUX)).isEqualTo("GGGGGGDDBB..CCCCCCFF");
        assertThat(classic(OLD_LINUX)).isEqualTo("GGGGGGDDBB..CCCCCCFF");
        assertThat(classic(SOLARIS)).isEqualTo("GGGGGGBBBB..CCFFFFFF");
        assertThat(classic(OLD_SOLARIS)).isEqualTo("GGGGGGBBBB..CCFFFFFF");
        assertThat(classic(HPUX11)).isEqualTo("GGGGGGBBBB..CCFFFFFF");
        assertThat(classic(LAST)).isEqualTo("GGGGGGDDBB..EEFFFFFF");
    }
}
