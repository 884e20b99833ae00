// The wire bytes of SOCKS5 (RFC 1928) and its username/password sub-negotiation (RFC 1929), named
// once for the requests the dialer writes (./request.ts) and the replies it checks (./reply.ts).

export const socksVersion = 0x05;
export const authVersion = 0x01; // RFC 1929 §2: "The current version of the subnegotiation is X'01'"
export const methodNoAuth = 0x00;
export const methodUserPass = 0x02;
export const methodNoneAcceptable = 0xff;
export const commandConnect = 0x01;
export const atypIPv4 = 0x01;
export const atypDomain = 0x03;
export const atypIPv6 = 0x04;
