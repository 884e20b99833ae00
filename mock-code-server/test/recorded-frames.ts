// Frames recorded between headless Chromium and code-server 4.100.3 (commit 409c64e0…),
// copied from the protocol spec so the codec is pinned to real bytes.
import { concatBytes, fromHex, utf8 } from '../common/bytes.ts';

function frame(headerHex: string, data: Uint8Array): Uint8Array {
  return concatBytes([fromHex(headerHex), data]);
}

export const authJson = '{"type":"auth","auth":"00000000000000000000","data":"94970b61-5136-4079-b059-7adaf5652ce7"}';
export const signJson =
  '{"type":"sign","data":"0ac5dc2c-8cc7-40ea-88ba-947f5b5a747b","signedData":"09200012-4553-4461-bdd0-60f4254cf666"}';
export const connectionTypeJson =
  '{"type":"connectionType","commit":"409c64e0df4d53530e59c16acc2b5d5766f717b0","signedData":"0ac5dc2c-8cc7-40ea-88ba-947f5b5a747b","desiredConnectionType":1}';
export const contextJson = '{"remoteAuthority":"127.0.0.1:44371","clientId":"renderer"}';

export const recorded = {
  auth: frame('02 00000000 00000000 0000005b', utf8(authJson)),
  sign: frame('02 00000000 00000000 00000071', utf8(signJson)),
  connectionType: frame('02 00000000 00000000 0000009b', utf8(connectionTypeJson)),
  ok: frame('02 00000000 00000000 0000000d', utf8('{"type":"ok"}')),
  context: frame('01 00000001 00000000 0000003d', concatBytes([fromHex('05 3b'), utf8(contextJson)])),
  clientInitialize: fromHex('01 00000002 00000000 00000006 04 01 06 c8 01 00'),
  serverInitialize: fromHex('01 00000001 00000001 00000006 04 01 06 c8 01 00'),
  extHostPause: fromHex('07 00000000 00000000 00000000'),
  extHostEmptyControl: fromHex('02 00000000 00000000 00000002 7b7d'),
  extHostResume: fromHex('08 00000000 00000000 00000000'),
  extHostReady: fromHex('01 00000001 00000000 00000001 02'),
};
