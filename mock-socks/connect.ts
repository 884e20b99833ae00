// CONNECT: dial within the budget, answer 05 00 with the outgoing connection's local address (or
// the 10-byte 05 01 and the dial error in the log), then relay.
import { REPLY_GENERAL_FAILURE, REPLY_SUCCEEDED, errorReply, successReply } from './codec.ts';
import type { Connection } from './connection.ts';
import { DEADLINE_EXCEEDED, dialDestination, type DialEnvironment } from './dial.ts';
import { runRelay } from './relay.ts';

export async function connectCommand(conn: Connection, host: string, port: number, env: DialEnvironment): Promise<void> {
  conn.phase = 'connect';
  const target = env.tailnet.resolve(host);
  const aliases = target.kind === 'tailnet' ? [target.address, ...(target.peer?.names ?? [])] : [];
  conn.setDestination(host, port, aliases);

  for (const { resolved, random } of conn.applicableFaults()) {
    const override = await resolved.fault.beforeDial?.(conn.faultContext(random), target.kind === 'tailnet');
    if (conn.signal.aborted) return;
    if (!override) continue;
    if ('replyCode' in override) {
      conn.replyCode = override.replyCode;
      return conn.fail('connect', errorReply(override.replyCode), undefined);
    }
    if (!(await conn.faultContext(random).sleep(env.dialTimeoutMs))) return;
    conn.replyCode = REPLY_GENERAL_FAILURE;
    return conn.fail('connect', errorReply(REPLY_GENERAL_FAILURE), DEADLINE_EXCEEDED);
  }

  const result = await dialDestination(host, port, env);
  // The server is closing: the dial was cut short by close(), not by the target.
  if (env.signal.aborted) {
    if (result.ok) result.socket.destroy();
    return;
  }
  conn.dialled = result.dialled;
  if (!result.ok) {
    conn.replyCode = REPLY_GENERAL_FAILURE;
    return conn.fail('connect', errorReply(REPLY_GENERAL_FAILURE), result.error);
  }
  const backend = result.socket;
  conn.addCompanion(backend);
  backend.on('error', () => {});
  conn.replyCode = REPLY_SUCCEEDED;
  if ((await conn.reply('connect', successReply(result.bindHost, result.bindPort))) === 'stop' || (await conn.atPhase('relay')) === 'stop') {
    backend.destroy();
    return;
  }
  conn.phase = 'relay';
  await runRelay(conn, backend, conn.reader.detach());
}
