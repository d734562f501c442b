package io.tandem.node.applayer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.tandem.node.flow.Flow;
import io.tandem.node.tcp.TcpEngine;
import io.tandem.node.tcp.TcpSession;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * Application-protocol detection from the first bytes of each direction of a flow: TCP through the reassembled
 * stream (it is a {@link StreamConsumer}), UDP from each datagram ({@link #onDatagram}). Each direction is detected
 * on its own, so a flow picked up midstream is still recognised from the other side (Suricata's midstream rule);
 * on a flow picked up midstream the other direction's patterns are tried too, as the flow's direction may be a
 * guess; when only those match and the other direction is still undetected, the flow is reversed (Suricata's
 * reverse_flow: a session picked up on a server's packet ends up with its real client and server). The flow's
 * protocol is the first direction's result that is known; a direction that carried no data stays unknown. Banners
 * shared by several protocols ({@code 220} of FTP and SMTP, {@code USER} of FTP and POP3) are settled by the server
 * port.
 * <p>
 * A flow's detection state (each direction's result and, while undecided, the bytes seen so far) can be saved and
 * restored ({@link #saveState}, {@link #restoreState}): the HA app-layer record carries it, so that a standby that
 * takes a flow over reports the protocol its owner identified and carries on an undecided direction from the bytes
 * the owner had, instead of detecting from the middle of the stream. An {@link AppProtoListener} is told when the
 * state moves on.
 */
public final class AppProtoDetector implements StreamConsumer
{
    /** Bytes of a direction looked at before detection gives up on it. */
    public static final int DETECT_BYTES = 64;
    /** Largest saved state ({@link #saveState}): a header and, per undecided direction, its bytes so far. */
    public static final int STATE_MAX_BYTES = 6 + 2 * DETECT_BYTES;

    private static final int STATE_VERSION = 1;

    private static final byte[][] HTTP_METHODS = ascii("GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
        "CONNECT ", "PATCH ", "TRACE ", "PROPFIND ");
    private static final byte[] HTTP_RESPONSE = ascii("HTTP/1.")[0];
    private static final byte[] SSH = ascii("SSH-")[0];
    private static final byte[][] SMTP_CLIENT = ascii("EHLO ", "HELO ", "EHLO\r", "HELO\r");
    private static final byte[][] FTP_CLIENT = ascii("USER ", "PASS ", "AUTH ", "FEAT", "SYST", "PORT ", "EPSV",
        "PASV");
    private static final byte[][] POP3_CLIENT = ascii("CAPA", "APOP ", "STLS", "USER ");
    private static final byte[] POP3_SERVER = ascii("+OK")[0];
    private static final byte[] IMAP_SERVER = ascii("* OK")[0];
    private static final byte[][] IMAP_CLIENT = ascii(" CAPABILITY", " LOGIN ", " STARTTLS", " AUTHENTICATE ");
    private static final byte[] BANNER_220 = ascii("220")[0];
    private static final byte[] SMTP_WORD = ascii("SMTP")[0];
    private static final byte[] FTP_WORD = ascii("FTP")[0];

    private static final class State
    {
        final byte[][] head = { new byte[DETECT_BYTES], new byte[DETECT_BYTES] };
        final int[] length = new int[2];
        final AppProto[] result = { AppProto.UNKNOWN, AppProto.UNKNOWN };
        AppProto flow = AppProto.UNKNOWN;
        boolean reversePending;
        boolean reversed;

        void reset()
        {
            length[0] = 0;
            length[1] = 0;
            result[0] = AppProto.UNKNOWN;
            result[1] = AppProto.UNKNOWN;
            flow = AppProto.UNKNOWN;
            reversePending = false;
            reversed = false;
        }
    }

    private final Long2ObjectHashMap<State> flows = new Long2ObjectHashMap<>();
    private State[] freeStates = new State[64];
    private int freeCount;
    private AppProtoListener listener = AppProtoListener.NONE;

    /**
     * Install the listener told when a flow's detection moves on (one; replaces the previous).
     *
     * @param value the listener, {@link AppProtoListener#NONE} for none.
     * @return this.
     */
    public AppProtoDetector listener(final AppProtoListener value)
    {
        listener = value;
        return this;
    }

    @Override
    public void onData(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length,
        final int flags)
    {
        final State st = state(flow);
        final int d = toServer ? 0 : 1;
        if (st.result[d] != AppProto.UNKNOWN)
        {
            return;
        }
        final boolean knownBefore = st.flow.known();
        if ((flags & FLAG_GAP) != 0 && st.length[d] == 0)
        {
            st.result[d] = AppProto.FAILED;
            changed(flow, st, knownBefore);
            return;
        }
        boolean progressed = false;
        if (buffer != null && length > 0)
        {
            final int n = Math.min(length, DETECT_BYTES - st.length[d]);
            buffer.getBytes(offset, st.head[d], st.length[d], n);
            st.length[d] += n;
            progressed = n > 0;
        }
        if (st.length[d] == 0 && (flags & FLAG_EOF) != 0)
        {
            return;
        }
        final boolean last = (flags & (FLAG_GAP | FLAG_EOF | FLAG_DEPTH)) != 0 || st.length[d] >= DETECT_BYTES;
        final TcpSession ssn = TcpEngine.session(flow);
        final boolean reverse =
            decide(st, d, flow.key().serverPort(), ssn != null && ssn.has(TcpSession.FLAG_MIDSTREAM), last) &&
            st.result[1 - d] == AppProto.UNKNOWN;
        if (progressed || st.result[d] != AppProto.UNKNOWN)
        {
            changed(flow, st, knownBefore);
        }
        if (reverse)
        {
            TcpEngine.requestReverse(flow);
        }
    }

    @Override
    public void onDirectionReversed(final Flow flow)
    {
        final State st = flows.get(flow.flowId());
        if (st != null)
        {
            final byte[] head = st.head[0];
            st.head[0] = st.head[1];
            st.head[1] = head;
            final int length = st.length[0];
            st.length[0] = st.length[1];
            st.length[1] = length;
            final AppProto result = st.result[0];
            st.result[0] = st.result[1];
            st.result[1] = result;
        }
    }

    /**
     * A UDP datagram's payload: detected on its own (DNS). A message found in the other direction's role (a DNS
     * response going to the server: the flow was created by the answer) is still DNS, and the flow's reversal is
     * requested ({@link #takeReverseRequest}), as Suricata's AppLayerHandleUdp reverses a UDP flow when protocol
     * detection says so; a flow is reversed once at most.
     *
     * @param flow     the flow.
     * @param toServer the direction.
     * @param buffer   the datagram payload.
     * @param offset   index of its first byte.
     * @param length   its length.
     */
    @Override
    public void onDatagram(
        final Flow flow, final boolean toServer, final DirectBuffer buffer, final int offset, final int length)
    {
        final State st = state(flow);
        final int d = toServer ? 0 : 1;
        if (st.result[d] != AppProto.UNKNOWN || length <= 0)
        {
            return;
        }
        final boolean knownBefore = st.flow.known();
        final int n = Math.min(length, DETECT_BYTES);
        buffer.getBytes(offset, st.head[d], 0, n);
        st.length[d] = n;
        AppProto p = AppProto.FAILED;
        if (isDns(st.head[d], 0, n, length, toServer))
        {
            p = AppProto.DNS;
        }
        else if (isDns(st.head[d], 0, n, length, !toServer))
        {
            p = AppProto.DNS;
            st.reversePending = !st.reversed;
        }
        st.result[d] = p;
        if (p.known() && !st.flow.known())
        {
            st.flow = p;
        }
        changed(flow, st, knownBefore);
    }

    /**
     * Whether detection asked for a UDP flow to be reversed ({@link #onDatagram}); the request is taken, so the
     * caller reverses the flow (key, counters, and every consumer's {@link #onDirectionReversed}).
     *
     * @param flow the flow.
     * @return true when the flow is to be reversed now.
     */
    public boolean takeReverseRequest(final Flow flow)
    {
        final State st = flows.get(flow.flowId());
        if (st == null || !st.reversePending)
        {
            return false;
        }
        st.reversePending = false;
        st.reversed = true;
        return true;
    }

    /**
     * Save a flow's detection state (for the HA app-layer record). Layout: version (1), the flow's protocol id (1),
     * the to-server and to-client results' ids (1 each), the number of bytes kept per direction (1 each), then those
     * bytes, to server first. Bytes are kept only for a direction still undecided.
     *
     * @param flow   the flow.
     * @param buffer where to write; at least {@link #STATE_MAX_BYTES} from {@code offset}.
     * @param offset where to start.
     * @return bytes written.
     */
    public int saveState(final Flow flow, final MutableDirectBuffer buffer, final int offset)
    {
        final State st = flows.get(flow.flowId());
        buffer.putByte(offset, (byte)STATE_VERSION);
        if (st == null)
        {
            buffer.setMemory(offset + 1, 5, (byte)0);
            return 6;
        }
        buffer.putByte(offset + 1, (byte)st.flow.id());
        int at = offset + 6;
        for (int d = 0; d < 2; d++)
        {
            final int kept = st.result[d] == AppProto.UNKNOWN ? st.length[d] : 0;
            buffer.putByte(offset + 2 + d, (byte)st.result[d].id());
            buffer.putByte(offset + 4 + d, (byte)kept);
            buffer.putBytes(at, st.head[d], 0, kept);
            at += kept;
        }
        return at - offset;
    }

    /**
     * Replace a flow's detection state with a saved one ({@link #saveState}); the listener is not told.
     *
     * @param flow   the flow.
     * @param buffer the saved state.
     * @param offset where it starts.
     * @param length its length.
     * @return false when the bytes are not a state this detector can read (the flow's state is then unchanged).
     */
    public boolean restoreState(final Flow flow, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 6 || buffer.getByte(offset) != STATE_VERSION)
        {
            return false;
        }
        final int keptToServer = buffer.getByte(offset + 4) & 0xFF;
        final int keptToClient = buffer.getByte(offset + 5) & 0xFF;
        if (keptToServer > DETECT_BYTES || keptToClient > DETECT_BYTES || 6 + keptToServer + keptToClient > length)
        {
            return false;
        }
        final State st = state(flow);
        st.flow = AppProto.fromId(buffer.getByte(offset + 1) & 0xFF);
        int at = offset + 6;
        for (int d = 0; d < 2; d++)
        {
            final int kept = d == 0 ? keptToServer : keptToClient;
            st.result[d] = AppProto.fromId(buffer.getByte(offset + 2 + d) & 0xFF);
            st.length[d] = kept;
            buffer.getBytes(at, st.head[d], 0, kept);
            at += kept;
        }
        return true;
    }

    private void changed(final Flow flow, final State st, final boolean knownBefore)
    {
        listener.onProgress(flow);
        if (!knownBefore && st.flow.known())
        {
            listener.onIdentified(flow, st.flow);
        }
    }

    /**
     * The flow's protocol (first known direction).
     *
     * @param flow the flow.
     * @return the protocol, UNKNOWN when no data was seen.
     */
    public AppProto appProto(final Flow flow)
    {
        final State st = flows.get(flow.flowId());
        if (st == null)
        {
            return AppProto.UNKNOWN;
        }
        if (st.flow.known())
        {
            return st.flow;
        }
        return st.result[0] == AppProto.FAILED || st.result[1] == AppProto.FAILED ? AppProto.FAILED :
            AppProto.UNKNOWN;
    }

    /**
     * One direction's protocol.
     *
     * @param flow     the flow.
     * @param toServer the direction.
     * @return its protocol.
     */
    public AppProto appProto(final Flow flow, final boolean toServer)
    {
        final State st = flows.get(flow.flowId());
        return st == null ? AppProto.UNKNOWN : st.result[toServer ? 0 : 1];
    }

    /**
     * Forget a flow once it ended and its records were written (the worker does this for every flow); its state is
     * kept for the next flow, so detection allocates nothing once the worker has seen as many live flows as it holds.
     *
     * @param flow the flow.
     */
    public void remove(final Flow flow)
    {
        final State st = flows.remove(flow.flowId());
        if (st != null)
        {
            st.reset();
            if (freeCount == freeStates.length)
            {
                freeStates = Arrays.copyOf(freeStates, freeCount * 2);
            }
            freeStates[freeCount++] = st;
        }
    }

    /**
     * Flows whose detection state is held (live flows that carried data).
     *
     * @return the count.
     */
    public int trackedFlows()
    {
        return flows.size();
    }

    private State state(final Flow flow)
    {
        State st = flows.get(flow.flowId());
        if (st == null)
        {
            st = freeCount > 0 ? freeStates[--freeCount] : new State();
            freeStates[freeCount] = null;
            flows.put(flow.flowId(), st);
        }
        return st;
    }

    /**
     * Detect a direction; on a midstream flow the other direction's patterns are tried too.
     *
     * @return true when only the other direction's patterns matched (the flow may be the wrong way round).
     */
    private static boolean decide(
        final State st, final int d, final int serverPort, final boolean midstream, final boolean last)
    {
        AppProto p = detect(st.head[d], st.length[d], d == 0, serverPort);
        boolean reversed = false;
        if (!p.known() && midstream)
        {
            p = detect(st.head[d], st.length[d], d != 0, serverPort);
            reversed = p.known();
        }
        if (p.known())
        {
            st.result[d] = p;
            if (!st.flow.known())
            {
                st.flow = p;
            }
        }
        else if (last)
        {
            st.result[d] = AppProto.FAILED;
        }
        return reversed;
    }

    /**
     * Detect a protocol from the first bytes of a TCP direction.
     *
     * @param b          the bytes.
     * @param n          how many.
     * @param toServer   the direction.
     * @param serverPort the flow's server port (settles shared banners).
     * @return the protocol, or UNKNOWN when more bytes may tell.
     */
    public static AppProto detect(final byte[] b, final int n, final boolean toServer, final int serverPort)
    {
        if (n >= 3 && (b[0] & 0xFF) == 0x16 && b[1] == 0x03 && (b[2] & 0xFF) <= 0x04)
        {
            return AppProto.TLS;
        }
        if (n >= 8 && b[0] == 0 && isSmbMagic(b, 4))
        {
            return AppProto.SMB;
        }
        if (startsWith(b, n, SSH))
        {
            return AppProto.SSH;
        }
        if (toServer)
        {
            for (final byte[] m : HTTP_METHODS)
            {
                if (startsWith(b, n, m))
                {
                    return AppProto.HTTP;
                }
            }
            for (final byte[] m : SMTP_CLIENT)
            {
                if (startsWithIgnoreCase(b, n, m))
                {
                    return AppProto.SMTP;
                }
            }
            if (serverPort == 110 || serverPort == 995)
            {
                for (final byte[] m : POP3_CLIENT)
                {
                    if (startsWithIgnoreCase(b, n, m))
                    {
                        return AppProto.POP3;
                    }
                }
            }
            for (final byte[] m : FTP_CLIENT)
            {
                if (startsWithIgnoreCase(b, n, m))
                {
                    return AppProto.FTP;
                }
            }
            if (imapClient(b, n))
            {
                return AppProto.IMAP;
            }
            for (final byte[] m : POP3_CLIENT)
            {
                if (startsWithIgnoreCase(b, n, m))
                {
                    return AppProto.POP3;
                }
            }
        }
        else
        {
            if (startsWith(b, n, HTTP_RESPONSE))
            {
                return AppProto.HTTP;
            }
            if (startsWith(b, n, IMAP_SERVER))
            {
                return AppProto.IMAP;
            }
            if (startsWith(b, n, POP3_SERVER))
            {
                return AppProto.POP3;
            }
            if (startsWith(b, n, BANNER_220) && n >= 4 && (b[3] == ' ' || b[3] == '-'))
            {
                if (serverPort == 21 || serverPort == 2121)
                {
                    return AppProto.FTP;
                }
                if (serverPort == 25 || serverPort == 587 || serverPort == 465 || serverPort == 2525)
                {
                    return AppProto.SMTP;
                }
                if (containsIgnoreCase(b, n, SMTP_WORD))
                {
                    return AppProto.SMTP;
                }
                if (containsIgnoreCase(b, n, FTP_WORD))
                {
                    return AppProto.FTP;
                }
            }
        }
        if (n >= 14 && isDnsTcp(b, n, toServer, serverPort))
        {
            return AppProto.DNS;
        }
        return AppProto.UNKNOWN;
    }

    private static boolean isSmbMagic(final byte[] b, final int at)
    {
        final int m = b[at] & 0xFF;
        return (m == 0xFF || m == 0xFE || m == 0xFD) && b[at + 1] == 'S' && b[at + 2] == 'M' && b[at + 3] == 'B';
    }

    private static boolean imapClient(final byte[] b, final int n)
    {
        int sp = -1;
        for (int i = 0; i < n && i < 20; i++)
        {
            if (b[i] == ' ')
            {
                sp = i;
                break;
            }
            if (b[i] < 0x21 || b[i] > 0x7E)
            {
                return false;
            }
        }
        if (sp <= 0)
        {
            return false;
        }
        for (final byte[] m : IMAP_CLIENT)
        {
            if (regionMatchesIgnoreCase(b, n, sp, m))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean isDnsTcp(final byte[] b, final int n, final boolean toServer, final int serverPort)
    {
        final int length = ((b[0] & 0xFF) << 8) | (b[1] & 0xFF);
        if (length < 12)
        {
            return false;
        }
        return isDns(b, 2, n - 2, length, toServer) && (serverPort == 53 || serverPort == 853 || length + 2 >= n);
    }

    private static boolean isDns(
        final byte[] b, final int at, final int n, final int messageLength, final boolean query)
    {
        if (n < 12 || messageLength < 12)
        {
            return false;
        }
        final int flags = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
        final boolean response = (flags & 0x8000) != 0;
        final int opcode = (flags >> 11) & 0xF;
        final int qd = ((b[at + 4] & 0xFF) << 8) | (b[at + 5] & 0xFF);
        final int an = ((b[at + 6] & 0xFF) << 8) | (b[at + 7] & 0xFF);
        if (opcode > 6 || qd > 16 || an > 512 || (flags & 0x0040) != 0)
        {
            return false;
        }
        if (query)
        {
            return !response && qd >= 1 && an == 0;
        }
        return response;
    }

    private static boolean startsWith(final byte[] b, final int n, final byte[] prefix)
    {
        if (n < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (b[i] != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private static boolean containsIgnoreCase(final byte[] b, final int n, final byte[] m)
    {
        for (int at = 0; at + m.length <= n; at++)
        {
            if (regionMatchesIgnoreCase(b, n, at, m))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean startsWithIgnoreCase(final byte[] b, final int n, final byte[] prefix)
    {
        return regionMatchesIgnoreCase(b, n, 0, prefix);
    }

    private static boolean regionMatchesIgnoreCase(final byte[] b, final int n, final int at, final byte[] m)
    {
        if (n - at < m.length)
        {
            return false;
        }
        for (int i = 0; i < m.length; i++)
        {
            if (Character.toUpperCase(b[at + i]) != m[i])
            {
                return false;
            }
        }
        return true;
    }

    private static byte[][] ascii(final String... values)
    {
        final byte[][] out = new byte[values.length][];
        for (int i = 0; i < values.length; i++)
        {
            out[i] = values[i].getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }
}
