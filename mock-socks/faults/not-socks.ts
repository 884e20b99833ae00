// not-socks: the port is held by something else — it answers the first bytes with its own
// (an HTTP response, say), given as `hex` or `text`, and closes unless close is false.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, noWhere } from './attributes.ts';

const DEFAULT_TEXT = 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n';

export const notSocks: FaultType = {
  name: 'not-socks',
  attributes: ['hex', 'text', 'waitForData', 'close'],
  create(attributes, where) {
    noWhere('not-socks', where);
    const a = new Attributes('not-socks', attributes);
    const hex = a.string('hex');
    if (hex !== undefined && !/^([0-9a-f]{2})*$/i.test(hex)) throw new FaultConfigError(`not-socks: 'hex' must be hex bytes`);
    const bytes = hex !== undefined ? Buffer.from(hex, 'hex') : Buffer.from(a.string('text') ?? DEFAULT_TEXT, 'utf8');
    const waitForData = a.boolean('waitForData', true);
    const close = a.boolean('close', true);
    return {
      async atPhase(phase, ctx) {
        if (phase !== 'accept') return 'continue';
        if (waitForData && !(await ctx.waitForData())) {
          ctx.end('close');
          return 'stop';
        }
        ctx.write(bytes);
        if (close) ctx.end('close');
        else {
          await ctx.discardUntilEnd();
          ctx.end('close');
        }
        return 'stop';
      },
    };
  },
};
