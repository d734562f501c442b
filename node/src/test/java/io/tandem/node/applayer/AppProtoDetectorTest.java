package io.tandem.node.applayer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.tandem.node.flow.Flow;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class AppProtoDetectorTest
{
    private static AppProto detect(final String s, final boolean toServer, final int port)
    {
        final byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return AppProtoDetector.detect(b, b.length, toServer, port);
    }

    private static AppProto detect(final byte[] b, final boolean toServer, final int port)
    {
        return AppProtoDetector.detect(b, b.length, toServer, port);
    }

    @Test
    void shouldDetectHttpFromEitherDirection()
    {
        assertThat(detect("GET / HTTP/1.1\r\n", true, 8080)).isEqualTo(AppProto.HTTP);
        assertThat(detect("POST /x HTTP/1.0\r\n", true, 1)).isEqualTo(AppProto.HTTP);
        assertThat(detect("HTTP/1.1 200 OK\r\n", false, 8080)).isEqualTo(AppProto.HTTP);
        assertThat(detect("GE", true, 80)).isEqualTo(AppProto.UNKNOWN);
    }

    @Test
    void shouldDetectTlsSshAndSmb()
    {
        assertThat(detect(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00 }, true, 443)).isEqualTo(AppProto.TLS);
        assertThat(detect(new byte[] { 0x16, 0x03, 0x03, 0x00, 0x5a }, false, 443)).isEqualTo(AppProto.TLS);
        assertThat(detect("SSH-2.0-OpenSSH_9.6\r\n", false, 22)).isEqualTo(AppProto.SSH);
        assertThat(detect("SSH-2.0-Go\r\n", true, 2222)).isEqualTo(AppProto.SSH);
        assertThat(detect(new byte[] { 0, 0, 0, 0x40, (byte)0xFE, 'S', 'M', 'B', 0x40, 0 }, true, 445))
            .isEqualTo(AppProto.SMB);
        assertThat(detect(new byte[] { 0, 0, 0, 0x40, (byte)0xFF, 'S', 'M', 'B', 0x72, 0 }, false, 139))
            .isEqualTo(AppProto.SMB);
    }

    @Test
    void shouldSettleSharedBannersByServerPortOrBannerText()
    {
        assertThat(detect("220 mail.example.com ESMTP\r\n", false, 25)).isEqualTo(AppProto.SMTP);
        assertThat(detect("220 ready\r\n", false, 25)).isEqualTo(AppProto.SMTP);
        assertThat(detect("220 ready\r\n", false, 21)).isEqualTo(AppProto.FTP);
        assertThat(detect("220 ProFTPD Server\r\n", false, 2100)).isEqualTo(AppProto.FTP);
        assertThat(detect("EHLO client\r\n", true, 2525)).isEqualTo(AppProto.SMTP);
        assertThat(detect("USER anonymous\r\n", true, 21)).isEqualTo(AppProto.FTP);
        assertThat(detect("USER alice\r\n", true, 110)).isEqualTo(AppProto.POP3);
        assertThat(detect("+OK POP3 ready\r\n", false, 110)).isEqualTo(AppProto.POP3);
        assertThat(detect("* OK IMAP4rev1 ready\r\n", false, 143)).isEqualTo(AppProto.IMAP);
        assertThat(detect("a001 LOGIN alice secret\r\n", true, 143)).isEqualTo(AppProto.IMAP);
    }

    @Test
    void shouldDetectDnsOverTcpAndUdp()
    {
        final byte[] query = { 0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'w', 'w', 'w', 0, 0, 1, 0, 1 };
        final byte[] tcp = new byte[query.length + 2];
        tcp[1] = (byte)query.length;
        System.arraycopy(query, 0, tcp, 2, query.length);
        assertThat(detect(tcp, true, 53)).isEqualTo(AppProto.DNS);

        final AppProtoDetector detector = new AppProtoDetector();
        final Flow flow = new Flow();
        detector.onDatagram(flow, true, new UnsafeBuffer(query), 0, query.length);
        assertThat(detector.appProto(flow)).isEqualTo(AppProto.DNS);
        final Flow noise = new Flow();
        final byte[] junk = "hello there, not dns".getBytes(StandardCharsets.US_ASCII);
        final AppProtoDetector other = new AppProtoDetector();
        other.onDatagram(noise, true, new UnsafeBuffer(junk), 0, junk.length);
        assertThat(other.appProto(noise)).isEqualTo(AppProto.FAILED);
    }

    @Test
    void shouldGiveUpOnUnrecognisedDataAfterTheDetectionWindow()
    {
        final AppProtoDetector detector = new AppProtoDetector();
        final Flow flow = new Flow();
        final byte[] b = new byte[AppProtoDetector.DETECT_BYTES];
        java.util.Arrays.fill(b, (byte)'z');
        detector.onData(flow, true, new UnsafeBuffer(b), 0, 10, 0);
        assertThat(detector.appProto(flow, true)).isEqualTo(AppProto.UNKNOWN);
        detector.onData(flow, true, new UnsafeBuffer(b), 0, b.length, 0);
        assertThat(detector.appProto(flow, true)).isEqualTo(AppProto.FAILED);
        assertThat(detector.appProto(flow)).isEqualTo(AppProto.FAILED);
    }

    @Test
    void shouldTellTheListenerOfProgressAndOnceOfTheProtocolIdentified()
    {
        final List<String> told = new ArrayList<>();
        final AppProtoDetector detector = new AppProtoDetector().listener(new AppProtoListener()
        {
            @Override
            public void onIdentified(final Flow flow, final AppProto proto)
            {
                told.add("identified " + proto.eveName());
            }

            @Override
            public void onProgress(final Flow flow)
            {
                told.add("progress");
            }
        });
        final Flow flow = new Flow();
        send(detector, flow, true, "GE");
        assertThat(told).containsExactly("progress");
        send(detector, flow, true, "T / HTTP/1.1\r\n");
        assertThat(told).containsExactly("progress", "progress", "identified http");
        send(detector, flow, true, "more");
        send(detector, flow, false, "HTTP/1.1 200 OK\r\n");
        assertThat(told).containsExactly("progress", "progress", "identified http", "progress");
    }

    @Test
    void shouldCarryOnAnUndecidedDirectionFromARestoredState()
    {
        final AppProtoDetector owner = new AppProtoDetector();
        final Flow flow = new Flow();
        send(owner, flow, true, "GET /a HTTP/1.1\r\n");
        send(owner, flow, false, "HTT");
        final UnsafeBuffer saved = new UnsafeBuffer(new byte[AppProtoDetector.STATE_MAX_BYTES]);
        final int length = owner.saveState(flow, saved, 0);
        assertThat(length).isEqualTo(6 + 3);

        final AppProtoDetector standby = new AppProtoDetector();
        final Flow taken = new Flow();
        assertThat(standby.restoreState(taken, saved, 0, length)).isTrue();
        assertThat(standby.appProto(taken)).isEqualTo(AppProto.HTTP);
        assertThat(standby.appProto(taken, true)).isEqualTo(AppProto.HTTP);
        assertThat(standby.appProto(taken, false)).isEqualTo(AppProto.UNKNOWN);
        send(standby, taken, false, "P/1.1 200 OK\r\n");
        assertThat(standby.appProto(taken, false)).isEqualTo(AppProto.HTTP);

        final AppProtoDetector fresh = new AppProtoDetector();
        final Flow midstream = new Flow();
        send(fresh, midstream, false, "P/1.1 200 OK\r\n");
        fresh.onData(midstream, false, new UnsafeBuffer(new byte[64]), 0, 64, 0);
        assertThat(fresh.appProto(midstream, false)).isEqualTo(AppProto.FAILED);
    }

    @Test
    void shouldRefuseAStateItCannotRead()
    {
        final AppProtoDetector detector = new AppProtoDetector();
        final Flow flow = new Flow();
        final UnsafeBuffer bad = new UnsafeBuffer(new byte[] { 9, 2, 2, 0, 0, 0 });
        assertThat(detector.restoreState(flow, bad, 0, 6)).isFalse();
        final UnsafeBuffer truncated = new UnsafeBuffer(new byte[] { 1, 0, 0, 0, 10, 0, 'G' });
        assertThat(detector.restoreState(flow, truncated, 0, 7)).isFalse();
        assertThat(detector.appProto(flow)).isEqualTo(AppProto.UNKNOWN);
        assertThat(AppProto.fromId(AppProto.SSH.id())).isEqualTo(AppProto.SSH);
        assertThat(AppProto.fromId(200)).isEqualTo(AppProto.UNKNOWN);
    }

    private static void send(final AppProtoDetector detector, final Flow flow, final boolean toServer, final String s)
    {
        final byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        detector.onData(flow, toServer, new UnsafeBuffer(b), 0, b.length, 0);
    }
}
