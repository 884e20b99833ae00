// reply-code: answers CONNECT with the 10-byte reply carrying `code` (01–08) after delayMs,
// without dialling — the codes tailscaled never sends included.
import { FaultConfigError, type FaultType } from './fault.ts';
import { Attributes, noWhere } from './attributes.ts';

export const replyCode: FaultType = {
  name: 'reply-code',
  attributes: ['code', 'delayMs'],
  create(attributes, where) {
    noWhere('reply-code', where);
    const a = new Attributes('reply-code', attributes);
    const code = a.number('code', 1, 1);
    if (!Number.isInteger(code) || code > 8) throw new FaultConfigError(`reply-code: 'code' must be an integer 1..8`);
    const delayMs = a.number('delayMs', 0);
    return {
      async beforeDial(ctx) {
        if (delayMs > 0 && !(await ctx.sleep(delayMs))) return undefined;
        return { replyCode: code };
      },
    };
  },
};
