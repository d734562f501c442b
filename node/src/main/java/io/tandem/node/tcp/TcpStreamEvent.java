package io.tandem.node.tcp;

/**
 * Stream engine events with Suricata's names (the {@code stream-event:} keywords of its stream-events rules) and
 * the rule sids that match them. Written to EVE as {@code stream.<name>} anomalies and counted as
 * {@code stream.<name>}.
 */
public enum TcpStreamEvent
{
    /** 3way handshake with ack in wrong dir. */
    THREE_WHS_ACK_IN_WRONG_DIR("3whs_ack_in_wrong_dir", 2210000),
    /** 3way handshake async wrong sequence. */
    THREE_WHS_ASYNC_WRONG_SEQ("3whs_async_wrong_seq", 2210001),
    /** 3way handshake right seq wrong ack evasion. */
    THREE_WHS_RIGHT_SEQ_WRONG_ACK_EVASION("3whs_right_seq_wrong_ack_evasion", 2210002),
    /** 3way handshake SYNACK in wrong direction. */
    THREE_WHS_SYNACK_IN_WRONG_DIRECTION("3whs_synack_in_wrong_direction", 2210003),
    /** 3way handshake SYNACK resend with different ack. */
    THREE_WHS_SYNACK_RESEND_WITH_DIFFERENT_ACK("3whs_synack_resend_with_different_ack", 2210004),
    /** 3way handshake SYNACK resend with different seq. */
    THREE_WHS_SYNACK_RESEND_WITH_DIFF_SEQ("3whs_synack_resend_with_diff_seq", 2210005),
    /** 3way handshake SYNACK to server on SYN recv. */
    THREE_WHS_SYNACK_TOSERVER_ON_SYN_RECV("3whs_synack_toserver_on_syn_recv", 2210006),
    /** 3way handshake SYNACK with wrong ack. */
    THREE_WHS_SYNACK_WITH_WRONG_ACK("3whs_synack_with_wrong_ack", 2210007),
    /** 3way handshake excessive different SYN/ACKs. */
    THREE_WHS_SYNACK_FLOOD("3whs_synack_flood", 2210055),
    /** 3way handshake SYN/ACK ignored TFO data. */
    THREE_WHS_SYNACK_TFO_DATA_IGNORED("3whs_synack_tfo_data_ignored", 2210064),
    /** 3way handshake excessive different SYNs. */
    THREE_WHS_SYN_FLOOD("3whs_syn_flood", 2210063),
    /** 3way handshake SYN resend different seq on SYN recv. */
    THREE_WHS_SYN_RESEND_DIFF_SEQ_ON_SYN_RECV("3whs_syn_resend_diff_seq_on_syn_recv", 2210008),
    /** 3way handshake SYN to client on SYN recv. */
    THREE_WHS_SYN_TOCLIENT_ON_SYN_RECV("3whs_syn_toclient_on_syn_recv", 2210009),
    /** 3way handshake wrong seq wrong ack. */
    THREE_WHS_WRONG_SEQ_WRONG_ACK("3whs_wrong_seq_wrong_ack", 2210010),
    /** 3way handshake toclient data injection suspected (inline mode; the packet is dropped). */
    THREE_WHS_ACK_DATA_INJECT("3whs_ack_data_inject", 2210057),
    /** 4way handshake SYNACK with wrong ACK. */
    FOUR_WHS_SYNACK_WITH_WRONG_ACK("4whs_synack_with_wrong_ack", 2210011),
    /** 4way handshake SYNACK with wrong SYN. */
    FOUR_WHS_SYNACK_WITH_WRONG_SYN("4whs_synack_with_wrong_syn", 2210012),
    /** 4way handshake wrong seq. */
    FOUR_WHS_WRONG_SEQ("4whs_wrong_seq", 2210013),
    /** 4way handshake invalid ack. */
    FOUR_WHS_INVALID_ACK("4whs_invalid_ack", 2210014),
    /** CLOSEWAIT ACK out of window. */
    CLOSEWAIT_ACK_OUT_OF_WINDOW("closewait_ack_out_of_window", 2210015),
    /** CLOSEWAIT FIN out of window. */
    CLOSEWAIT_FIN_OUT_OF_WINDOW("closewait_fin_out_of_window", 2210016),
    /** CLOSEWAIT invalid ACK. */
    CLOSEWAIT_INVALID_ACK("closewait_invalid_ack", 2210017),
    /** CLOSING ACK wrong seq. */
    CLOSING_ACK_WRONG_SEQ("closing_ack_wrong_seq", 2210018),
    /** CLOSING invalid ACK. */
    CLOSING_INVALID_ACK("closing_invalid_ack", 2210019),
    /** ESTABLISHED packet out of window. */
    EST_PACKET_OUT_OF_WINDOW("est_packet_out_of_window", 2210020),
    /** ESTABLISHED SYNACK resend. */
    EST_SYNACK_RESEND("est_synack_resend", 2210022),
    /** ESTABLISHED SYNACK resend with different ACK. */
    EST_SYNACK_RESEND_WITH_DIFFERENT_ACK("est_synack_resend_with_different_ack", 2210023),
    /** ESTABLISHED SYNACK resend with different seq. */
    EST_SYNACK_RESEND_WITH_DIFF_SEQ("est_synack_resend_with_diff_seq", 2210024),
    /** ESTABLISHED SYNACK to server. */
    EST_SYNACK_TOSERVER("est_synack_toserver", 2210025),
    /** ESTABLISHED SYN resend. */
    EST_SYN_RESEND("est_syn_resend", 2210026),
    /** ESTABLISHED SYN resend with different seq. */
    EST_SYN_RESEND_DIFF_SEQ("est_syn_resend_diff_seq", 2210027),
    /** ESTABLISHED SYN to client. */
    EST_SYN_TOCLIENT("est_syn_toclient", 2210028),
    /** ESTABLISHED invalid ack. */
    EST_INVALID_ACK("est_invalid_ack", 2210029),
    /** FIN invalid ack. */
    FIN_INVALID_ACK("fin_invalid_ack", 2210030),
    /** FIN1 ack with wrong seq. */
    FIN1_ACK_WRONG_SEQ("fin1_ack_wrong_seq", 2210031),
    /** FIN1 FIN with wrong seq. */
    FIN1_FIN_WRONG_SEQ("fin1_fin_wrong_seq", 2210032),
    /** FIN1 invalid ack. */
    FIN1_INVALID_ACK("fin1_invalid_ack", 2210033),
    /** FIN2 ack with wrong seq. */
    FIN2_ACK_WRONG_SEQ("fin2_ack_wrong_seq", 2210034),
    /** FIN2 FIN with wrong seq. */
    FIN2_FIN_WRONG_SEQ("fin2_fin_wrong_seq", 2210035),
    /** FIN2 invalid ack. */
    FIN2_INVALID_ACK("fin2_invalid_ack", 2210036),
    /** FIN recv but no session. */
    FIN_BUT_NO_SESSION("fin_but_no_session", 2210037),
    /** FIN out of window. */
    FIN_OUT_OF_WINDOW("fin_out_of_window", 2210038),
    /** Last ACK with wrong seq. */
    LASTACK_ACK_WRONG_SEQ("lastack_ack_wrong_seq", 2210039),
    /** Last ACK invalid ACK. */
    LASTACK_INVALID_ACK("lastack_invalid_ack", 2210040),
    /** RST recv but no session. */
    RST_BUT_NO_SESSION("rst_but_no_session", 2210041),
    /** TIMEWAIT ACK with wrong seq. */
    TIMEWAIT_ACK_WRONG_SEQ("timewait_ack_wrong_seq", 2210042),
    /** TIMEWAIT invalid ack. */
    TIMEWAIT_INVALID_ACK("timewait_invalid_ack", 2210043),
    /** Packet with invalid timestamp. */
    PKT_INVALID_TIMESTAMP("pkt_invalid_timestamp", 2210044),
    /** Packet with invalid ack. */
    PKT_INVALID_ACK("pkt_invalid_ack", 2210045),
    /** Packet with broken ack. */
    PKT_BROKEN_ACK("pkt_broken_ack", 2210051),
    /** SHUTDOWN RST invalid ack. */
    RST_INVALID_ACK("rst_invalid_ack", 2210046),
    /** SYN resend. */
    SHUTDOWN_SYN_RESEND("shutdown_syn_resend", 2210049),
    /** reassembly sequence GAP -- missing packet(s). */
    REASSEMBLY_SEQ_GAP("reassembly_seq_gap", 2210048),
    /** reassembly overlap with different data. */
    REASSEMBLY_OVERLAP_DIFFERENT_DATA("reassembly_overlap_different_data", 2210050),
    /** bad window update. */
    PKT_BAD_WINDOW_UPDATE("pkt_bad_window_update", 2210056),
    /** suspected RST injection. */
    SUSPECTED_RST_INJECT("suspected_rst_inject", 2210058),
    /** ESTABLISHED retransmission packet before last ack. */
    EST_PKT_BEFORE_LAST_ACK("est_pkt_before_last_ack", 2210021),
    /** CLOSEWAIT retransmission packet before last ack. */
    CLOSEWAIT_PKT_BEFORE_LAST_ACK("closewait_pkt_before_last_ack", 2210052),
    /** reassembly segment before base seq (retransmission). */
    REASSEMBLY_SEGMENT_BEFORE_BASE_SEQ("reassembly_segment_before_base_seq", 2210047),
    /** Packet is retransmission. */
    PKT_RETRANSMISSION("pkt_retransmission", 2210053),
    /** pkt seen on wrong thread. */
    WRONG_THREAD("wrong_thread", 2210059),
    /** FIN SYN reuse. */
    FIN_SYN("fin_syn", 2210060),
    /** spurious retransmission. */
    PKT_SPURIOUS_RETRANSMISSION("pkt_spurious_retransmission", 2210061),
    /** reassembly depth reached. */
    REASSEMBLY_DEPTH_REACHED("reassembly_depth_reached", 2210062),
    /** urgent OOB limit reached. */
    REASSEMBLY_URGENT_OOB_LIMIT_REACHED("reassembly_urgent_oob_limit_reached", 2210066);

    private static final TcpStreamEvent[] VALUES = values();

    private final String eventName;
    private final String eveName;
    private final int sid;

    TcpStreamEvent(final String eventName, final int sid)
    {
        this.eventName = eventName;
        this.eveName = "stream." + eventName;
        this.sid = sid;
    }

    /**
     * Suricata's event name, as in {@code stream-event:NAME}.
     *
     * @return the name.
     */
    public String eventName()
    {
        return eventName;
    }

    /**
     * Name in EVE anomaly records and counters: {@code stream.NAME}.
     *
     * @return the name.
     */
    public String eveName()
    {
        return eveName;
    }

    /**
     * Sid of the Suricata rule matching the event.
     *
     * @return the sid.
     */
    public int sid()
    {
        return sid;
    }

    /**
     * Event by ordinal.
     *
     * @param ordinal of the event.
     * @return the event.
     */
    public static TcpStreamEvent fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * Number of events.
     *
     * @return the count.
     */
    public static int count()
    {
        return VALUES.length;
    }

    /**
     * Event by Suricata name.
     *
     * @param name e.g. {@code pkt_invalid_timestamp}, with or without the {@code stream.} prefix.
     * @return the event, or null.
     */
    public static TcpStreamEvent fromName(final String name)
    {
        final String bare = name.startsWith("stream.") ? name.substring(7) : name;
        for (final TcpStreamEvent e : VALUES)
        {
            if (e.eventName.equals(bare))
            {
                return e;
            }
        }
        return null;
    }
}
