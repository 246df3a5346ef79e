/** An ICE candidate labelled `label`, so a test can tell which one arrived where and in what order. */
export function candidate(label: string) {
  return { candidate: `candidate:${label} 1 udp 2122260223 127.0.0.1 50000 typ host`, sdpMid: '0', sdpMLineIndex: 0 };
}
