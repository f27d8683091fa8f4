package io.dvr.lab;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a steady {@code ping -i INTERVAL -c COUNT} saw: the replies by sequence number, so that the
 * lost ones and the longest run of them (the outage, in intervals) can be counted.
 */
record PingLog(int sent, BitSet replied, String summary) {
  private static final Pattern REPLY = Pattern.compile("icmp_seq=(\\d+) ttl=");
  private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

  static PingLog parse(String out) {
    BitSet replied = new BitSet();
    Matcher m = REPLY.matcher(out);
    while (m.find()) {
      replied.set(Integer.parseInt(m.group(1)));
    }
    Matcher s = SUMMARY.matcher(out);
    if (!s.find()) {
      throw new AssertionError("no ping summary in: " + out);
    }
    return new PingLog(Integer.parseInt(s.group(1)), replied, s.group());
  }

  /** Replies seen so far in a ping's output (while it runs). */
  static int repliesIn(String out) {
    Matcher m = REPLY.matcher(out);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  int lost() {
    return sent - replied.cardinality();
  }

  /** The longest run of sequence numbers without a reply (ping numbers from 1). */
  int longestGap() {
    int longest = 0;
    int run = 0;
    for (int seq = 1; seq <= sent; seq++) {
      run = replied.get(seq) ? 0 : run + 1;
      longest = Math.max(longest, run);
    }
    return longest;
  }

  /** The last sequence number answered. */
  int lastReplied() {
    return replied.length() - 1;
  }
}
