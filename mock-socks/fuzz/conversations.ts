// Fuzz conversations: random bytes, and valid conversations mutated. Whatever the mutation, the
// request's destination is then rewritten to loopback or mock-tailnet targets — walking the bytes
// exactly as the server will read them — so the fuzzer never asks for anything off this machine.
import { ATYP_DOMAIN, ATYP_IPV4, ATYP_IPV6, CMD_CONNECT, CMD_UDP_ASSOCIATE, METHOD_NO_AUTH, METHOD_PASSWORD, encodeAddress } from '../codec.ts';

export interface FuzzTargets {
  /** Several echo targets: spreading connections over ports keeps the kernel's TIME_WAIT search short. */
  echoPorts: number[];
  closedPort: number;
  udpEchoPort: number;
  /** Tailnet peer address and names mapped (port 80) to the echo target; port 81 is refused. */
  peerAddress: string;
  peerNames: string[];
  /** A tailnet address no peer holds (the dial waits out the budget). */
  unknownTailnetAddress: string;
  credentials: { user: string; pass: string };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const bytes = (random: Random, n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

function validConversation(random: Random, targets: FuzzTargets, auth: boolean): Buffer {
  const parts: Buffer[] = [];
  parts.push(Buffer.from(auth ? [5, 2, METHOD_NO_AUTH, METHOD_PASSWORD] : [5, 1, METHOD_NO_AUTH]));
  if (auth) {
    const user = random() < 0.8 ? targets.credentials.user : 'x';
    parts.push(Buffer.from([1, user.length]), Buffer.from(user), Buffer.from([1]), Buffer.from(targets.credentials.pass));
  }
  const command = random() < 0.8 ? CMD_CONNECT : random() < 0.5 ? CMD_UDP_ASSOCIATE : Math.floor(random() * 256);
  parts.push(Buffer.from([5, command, 0]), encodeAddress(pick(random, ['127.0.0.1', '::1', 'localhost', ...targets.peerNames, targets.peerAddress]), 80));
  if (random() < 0.6) parts.push(bytes(random, Math.floor(random() * 48)));
  return Buffer.concat(parts);
}

function mutate(random: Random, input: Buffer): Buffer {
  let out = Buffer.from(input);
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    const at = Math.floor(random() * (out.length + 1));
    switch (Math.floor(random() * 5)) {
      case 0: if (out.length) out[at % out.length] = Math.floor(random() * 256); break;
      case 1: out = out.subarray(0, at); break;
      case 2: out = Buffer.concat([out.subarray(0, at), bytes(random, 1 + Math.floor(random() * 8)), out.subarray(at)]); break;
      case 3: out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 4))]); break;
      default: out = Buffer.concat([out.subarray(0, at), out.subarray(at, at + 6), out.subarray(at)]);
    }
  }
  return out;
}

/** Rewrites the request's destination (if the server would ever read one) to a safe target. */
export function confineDestination(input: Buffer, random: Random, targets: FuzzTargets, auth: boolean): Buffer {
  const at = (i: number) => input[i];
  if (input.length < 2 || at(0) !== 5) return input;
  const methodsEnd = 2 + (at(1) ?? 0);
  if (input.length < methodsEnd) return input;
  const methods = input.subarray(2, methodsEnd);
  if (!methods.includes(auth ? METHOD_PASSWORD : METHOD_NO_AUTH)) return input;
  let r = methodsEnd;
  if (auth) {
    if (at(r) !== 1 || input.length < r + 2) return input;
    const userEnd = r + 2 + (at(r + 1) ?? 0);
    const passEnd = userEnd + 1 + (at(userEnd) ?? 0);
    if (input.length < passEnd) return input;
    if (input.subarray(r + 2, userEnd).toString() !== targets.credentials.user) return input;
    if (input.subarray(userEnd + 1, passEnd).toString() !== targets.credentials.pass) return input;
    r = passEnd;
  }
  return confineAddressAt(input, r + 3, random, targets, (tailnet) => (tailnet ? pick(random, [80, 81]) : random() < 0.8 ? pick(random, targets.echoPorts) : targets.closedPort));
}

/** Rewrites the address that starts with the ATYP byte at `atypAt` (a request's or a datagram's). */
function confineAddressAt(input: Buffer, atypAt: number, random: Random, targets: FuzzTargets, portFor: (tailnet: boolean) => number): Buffer {
  const atyp = input[atypAt];
  if (atyp === undefined) return input;
  const addrStart = atypAt + 1;
  let address: Buffer;
  let addrEnd: number;
  let tailnet: boolean;
  if (atyp === ATYP_IPV4) {
    const choice = pick(random, ['127.0.0.1', targets.peerAddress, targets.unknownTailnetAddress]);
    tailnet = choice !== '127.0.0.1';
    address = encodeAddress(choice, 0).subarray(1, 5);
    addrEnd = addrStart + 4;
  } else if (atyp === ATYP_IPV6) {
    tailnet = false;
    address = encodeAddress(pick(random, ['::1', '::ffff:127.0.0.1']), 0).subarray(1, 17);
    if (address.length === 4) address = Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), address]);
    addrEnd = addrStart + 16;
  } else if (atyp === ATYP_DOMAIN) {
    const name = pick(random, ['localhost', '', ...targets.peerNames, targets.peerAddress]);
    tailnet = name !== 'localhost' && name !== '';
    if (input.length < addrStart + 1) return input;
    address = Buffer.concat([Buffer.from([name.length]), Buffer.from(name)]);
    addrEnd = addrStart + 1 + (input[addrStart] ?? 0);
  } else {
    return input;
  }
  const port = portFor(tailnet);
  const safe = Buffer.concat([address, Buffer.from([port >> 8, port & 0xff])]);
  // Keep a truncated address truncated, so the short-read paths stay covered.
  const available = input.length - addrStart;
  const originalLength = addrEnd + 2 - addrStart;
  if (available < originalLength) return Buffer.concat([input.subarray(0, addrStart), safe.subarray(0, Math.min(available, safe.length - 1))]);
  return Buffer.concat([input.subarray(0, addrStart), safe, input.subarray(addrEnd + 2)]);
}

/** Datagrams for a UDP association: valid, mutated and random, every address the server would
 * parse rewritten to the UDP echo target or the tailnet (the UDP relay's own refusal to leave
 * loopback is then never what stands between the fuzzer and the network). */
export function udpDatagrams(random: Random, targets: FuzzTargets): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 1 + Math.floor(random() * 3); i > 0; i--) {
    const valid = Buffer.concat([Buffer.alloc(3), encodeAddress('127.0.0.1', targets.udpEchoPort), bytes(random, Math.floor(random() * 32))]);
    const roll = random();
    const packet = roll < 0.3 ? valid : roll < 0.85 ? mutate(random, valid) : bytes(random, Math.floor(random() * 24));
    // The server only reads an address when the reserved bytes are zero.
    const parsed = packet.length >= 4 && packet[0] === 0 && packet[1] === 0;
    out.push(parsed ? confineAddressAt(packet, 3, random, targets, (tailnet) => (tailnet ? pick(random, [53, 80]) : targets.udpEchoPort)) : packet);
  }
  return out;
}

export interface Conversation {
  auth: boolean;
  chunks: Buffer[];
  end: 'shutdown' | 'destroy' | 'reset';
}

/** A UDP association: the handshake, then datagrams to the relay port the server names. */
export interface UdpConversation {
  auth: boolean;
  datagrams: Buffer[];
}

export function udpConversation(random: Random, targets: FuzzTargets): UdpConversation {
  return { auth: random() < 0.25, datagrams: udpDatagrams(random, targets) };
}

export function conversation(random: Random, targets: FuzzTargets): Conversation {
  const auth = random() < 0.25;
  const kind = random();
  let payload: Buffer;
  if (kind < 0.2) payload = bytes(random, Math.floor(random() * 64));
  else if (kind < 0.35) payload = validConversation(random, targets, auth);
  else payload = mutate(random, validConversation(random, targets, auth));
  payload = confineDestination(payload, random, targets, auth);
  const cuts = [0, payload.length];
  for (let i = Math.floor(random() * 3); i > 0; i--) cuts.push(Math.floor(random() * payload.length));
  cuts.sort((a, b) => a - b);
  const chunks = cuts.slice(1).map((end, i) => payload.subarray(cuts[i], end)).filter((c) => c.length > 0);
  const endRoll = random();
  return { auth, chunks, end: endRoll < 0.8 ? 'shutdown' : endRoll < 0.9 ? 'destroy' : 'reset' };
}
