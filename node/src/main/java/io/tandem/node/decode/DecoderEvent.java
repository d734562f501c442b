package io.tandem.node.decode;

/**
 * Decoder events, named as Suricata names them ({@code decode-event:<name>} in its decoder-events rules).
 * <p>
 * An event is raised on a packet by the decoders (and the defragmenter); it is counted under
 * {@code decoder.event.<name>} and written as an EVE {@code anomaly} event of type {@code decode}.
 * The ordinal is the event's stable id inside one process; the {@link #eventName()} is the stable external name.
 */
public enum DecoderEvent
{
    IPV4_PKT_TOO_SMALL("ipv4.pkt_too_small"),
    IPV4_HLEN_TOO_SMALL("ipv4.hlen_too_small"),
    IPV4_IPLEN_SMALLER_THAN_HLEN("ipv4.iplen_smaller_than_hlen"),
    IPV4_TRUNC_PKT("ipv4.trunc_pkt"),
    IPV4_OPT_INVALID("ipv4.opt_invalid"),
    IPV4_OPT_INVALID_LEN("ipv4.opt_invalid_len"),
    IPV4_OPT_MALFORMED("ipv4.opt_malformed"),
    IPV4_OPT_PAD_REQUIRED("ipv4.opt_pad_required"),
    IPV4_ICMPV6("ipv4.icmpv6"),
    IPV4_OPT_EOL_REQUIRED("ipv4.opt_eol_required"),
    IPV4_OPT_DUPLICATE("ipv4.opt_duplicate"),
    IPV4_OPT_UNKNOWN("ipv4.opt_unknown"),
    IPV4_WRONG_IP_VERSION("ipv4.wrong_ip_version"),
    IPV6_PKT_TOO_SMALL("ipv6.pkt_too_small"),
    IPV6_TRUNC_PKT("ipv6.trunc_pkt"),
    IPV6_TRUNC_EXTHDR("ipv6.trunc_exthdr"),
    IPV6_EXTHDR_DUPL_FH("ipv6.exthdr_dupl_fh"),
    IPV6_EXTHDR_USELESS_FH("ipv6.exthdr_useless_fh"),
    IPV6_EXTHDR_DUPL_RH("ipv6.exthdr_dupl_rh"),
    IPV6_EXTHDR_DUPL_HH("ipv6.exthdr_dupl_hh"),
    IPV6_EXTHDR_DUPL_DH("ipv6.exthdr_dupl_dh"),
    IPV6_EXTHDR_DUPL_AH("ipv6.exthdr_dupl_ah"),
    IPV6_EXTHDR_DUPL_EH("ipv6.exthdr_dupl_eh"),
    IPV6_EXTHDR_INVALID_OPTLEN("ipv6.exthdr_invalid_optlen"),
    IPV6_WRONG_IP_VERSION("ipv6.wrong_ip_version"),
    IPV6_EXTHDR_AH_RES_NOT_NULL("ipv6.exthdr_ah_res_not_null"),
    IPV6_HOPOPTS_UNKNOWN_OPT("ipv6.hopopts_unknown_opt"),
    IPV6_HOPOPTS_ONLY_PADDING("ipv6.hopopts_only_padding"),
    IPV6_DSTOPTS_UNKNOWN_OPT("ipv6.dstopts_unknown_opt"),
    IPV6_DSTOPTS_ONLY_PADDING("ipv6.dstopts_only_padding"),
    IPV6_RH_TYPE_0("ipv6.rh_type_0"),
    IPV6_ZERO_LEN_PADN("ipv6.zero_len_padn"),
    IPV6_FH_NON_ZERO_RESERVED_FIELD("ipv6.fh_non_zero_reserved_field"),
    IPV6_DATA_AFTER_NONE_HEADER("ipv6.data_after_none_header"),
    IPV6_UNKNOWN_NEXT_HEADER("ipv6.unknown_next_header"),
    IPV6_ICMPV4("ipv6.icmpv4"),
    ICMPV4_PKT_TOO_SMALL("icmpv4.pkt_too_small"),
    ICMPV4_UNKNOWN_TYPE("icmpv4.unknown_type"),
    ICMPV4_UNKNOWN_CODE("icmpv4.unknown_code"),
    ICMPV4_IPV4_TRUNC_PKT("icmpv4.ipv4_trunc_pkt"),
    ICMPV4_IPV4_UNKNOWN_VER("icmpv4.ipv4_unknown_ver"),
    ICMPV6_PKT_TOO_SMALL("icmpv6.pkt_too_small"),
    ICMPV6_UNKNOWN_TYPE("icmpv6.unknown_type"),
    ICMPV6_UNKNOWN_CODE("icmpv6.unknown_code"),
    ICMPV6_IPV6_TRUNC_PKT("icmpv6.ipv6_trunc_pkt"),
    ICMPV6_IPV6_UNKNOWN_VERSION("icmpv6.ipv6_unknown_version"),
    ICMPV6_MLD_MESSAGE_WITH_INVALID_HL("icmpv6.mld_message_with_invalid_hl"),
    ICMPV6_UNASSIGNED_TYPE("icmpv6.unassigned_type"),
    ICMPV6_EXPERIMENTATION_TYPE("icmpv6.experimentation_type"),
    TCP_PKT_TOO_SMALL("tcp.pkt_too_small"),
    TCP_HLEN_TOO_SMALL("tcp.hlen_too_small"),
    TCP_INVALID_OPTLEN("tcp.invalid_optlen"),
    TCP_OPT_INVALID_LEN("tcp.opt_invalid_len"),
    TCP_OPT_DUPLICATE("tcp.opt_duplicate"),
    UDP_PKT_TOO_SMALL("udp.pkt_too_small"),
    UDP_HLEN_TOO_SMALL("udp.hlen_too_small"),
    UDP_LEN_INVALID("udp.len_invalid"),
    SLL_PKT_TOO_SMALL("sll.pkt_too_small"),
    ETHERNET_PKT_TOO_SMALL("ethernet.pkt_too_small"),
    ETHERNET_UNKNOWN_ETHERTYPE("ethernet.unknown_ethertype"),
    PPP_PKT_TOO_SMALL("ppp.pkt_too_small"),
    PPP_VJU_PKT_TOO_SMALL("ppp.vju_pkt_too_small"),
    PPP_IP4_PKT_TOO_SMALL("ppp.ip4_pkt_too_small"),
    PPP_IP6_PKT_TOO_SMALL("ppp.ip6_pkt_too_small"),
    PPP_WRONG_TYPE("ppp.wrong_type"),
    PPP_UNSUP_PROTO("ppp.unsup_proto"),
    PPPOE_PKT_TOO_SMALL("pppoe.pkt_too_small"),
    PPPOE_WRONG_CODE("pppoe.wrong_code"),
    PPPOE_MALFORMED_TAGS("pppoe.malformed_tags"),
    GRE_PKT_TOO_SMALL("gre.pkt_too_small"),
    GRE_WRONG_VERSION("gre.wrong_version"),
    GRE_VERSION0_RECUR("gre.version0_recur"),
    GRE_VERSION0_FLAGS("gre.version0_flags"),
    GRE_VERSION0_HDR_TOO_BIG("gre.version0_hdr_too_big"),
    GRE_VERSION1_CHKSUM("gre.version1_chksum"),
    GRE_VERSION1_ROUTE("gre.version1_route"),
    GRE_VERSION1_SSR("gre.version1_ssr"),
    GRE_VERSION1_RECUR("gre.version1_recur"),
    GRE_VERSION1_FLAGS("gre.version1_flags"),
    GRE_VERSION1_NO_KEY("gre.version1_no_key"),
    GRE_VERSION1_WRONG_PROTOCOL("gre.version1_wrong_protocol"),
    GRE_VERSION1_MALFORMED_SRE_HDR("gre.version1_malformed_sre_hdr"),
    GRE_VERSION1_HDR_TOO_BIG("gre.version1_hdr_too_big"),
    VLAN_HEADER_TOO_SMALL("vlan.header_too_small"),
    VLAN_UNKNOWN_TYPE("vlan.unknown_type"),
    VLAN_TOO_MANY_LAYERS("vlan.too_many_layers"),
    VNTAG_HEADER_TOO_SMALL("vntag.header_too_small"),
    VNTAG_UNKNOWN_TYPE("vntag.unknown_type"),
    IEEE8021AH_HEADER_TOO_SMALL("ieee8021ah.header_too_small"),
    ETAG_HEADER_TOO_SMALL("etag.header_too_small"),
    ETAG_UNKNOWN_TYPE("etag.unknown_type"),
    IPRAW_INVALID_IP_VERSION("ipraw.invalid_ip_version"),
    IPV4_FRAG_PKT_TOO_LARGE("ipv4.frag_pkt_too_large"),
    IPV4_FRAG_OVERLAP("ipv4.frag_overlap"),
    IPV6_FRAG_PKT_TOO_LARGE("ipv6.frag_pkt_too_large"),
    IPV6_FRAG_OVERLAP("ipv6.frag_overlap"),
    IPV6_FRAG_INVALID_LENGTH("ipv6.frag_invalid_length"),
    IPV6_IPV4_IN_IPV6_TOO_SMALL("ipv6.ipv4_in_ipv6_too_small"),
    IPV6_IPV4_IN_IPV6_WRONG_VERSION("ipv6.ipv4_in_ipv6_wrong_version"),
    IPV6_IPV6_IN_IPV6_TOO_SMALL("ipv6.ipv6_in_ipv6_too_small"),
    IPV6_IPV6_IN_IPV6_WRONG_VERSION("ipv6.ipv6_in_ipv6_wrong_version"),
    MPLS_HEADER_TOO_SMALL("mpls.header_too_small"),
    MPLS_PKT_TOO_SMALL("mpls.pkt_too_small"),
    MPLS_BAD_LABEL_ROUTER_ALERT("mpls.bad_label_router_alert"),
    MPLS_BAD_LABEL_IMPLICIT_NULL("mpls.bad_label_implicit_null"),
    MPLS_BAD_LABEL_RESERVED("mpls.bad_label_reserved"),
    MPLS_UNKNOWN_PAYLOAD_TYPE("mpls.unknown_payload_type"),
    LTNULL_PKT_TOO_SMALL("ltnull.pkt_too_small"),
    LTNULL_UNSUPPORTED_TYPE("ltnull.unsupported_type"),
    ERSPAN_HEADER_TOO_SMALL("erspan.header_too_small"),
    ERSPAN_UNSUPPORTED_VERSION("erspan.unsupported_version"),
    ERSPAN_TOO_MANY_VLAN_LAYERS("erspan.too_many_vlan_layers"),
    DCE_PKT_TOO_SMALL("dce.pkt_too_small"),
    CHDLC_PKT_TOO_SMALL("chdlc.pkt_too_small"),
    TOO_MANY_LAYERS("too_many_layers"),
    AFPACKET_TRUNC_PKT("afpacket.trunc_pkt"),
    IGMP_PKT_TOO_SMALL("igmp.pkt_too_small"),
    IGMP_V3_PKT_TOO_SMALL("igmp.v3_pkt_too_small"),
    IGMP_MALFORMED("igmp.malformed"),
    IPV4_UNKNOWN_PROTOCOL("ipv4.unknown_protocol"),
    IPV4_FRAG_IGNORED("ipv4.frag_ignored"),
    IPV6_FRAG_IGNORED("ipv6.frag_ignored"),
    IPV4_FRAG_TOO_MANY("ipv4.frag_too_many"),
    IPV6_FRAG_TOO_MANY("ipv6.frag_too_many");

    private static final DecoderEvent[] VALUES = values();

    private final String eventName;

    DecoderEvent(final String eventName)
    {
        this.eventName = eventName;
    }

    /**
     * The Suricata name of the event, for example {@code ipv4.trunc_pkt}.
     *
     * @return the event name without the {@code decoder.} prefix.
     */
    public String eventName()
    {
        return eventName;
    }

    /**
     * Event by its ordinal, without allocating.
     *
     * @param ordinal of the event.
     * @return the event.
     */
    public static DecoderEvent fromOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /**
     * Number of decoder events.
     *
     * @return how many events there are.
     */
    public static int count()
    {
        return VALUES.length;
    }
}
