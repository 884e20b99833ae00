import type { StackInfo } from '../../../stack-info.ts';
import type { ControlClient } from '../control.ts';
import { faultSwitches, peerStates, toggled } from '../fault-switches.ts';
import { byId, el } from './dom.ts';

/** Draws the switches from the stack's current faults; a click changes them live. */
export function renderFaults(info: StackInfo, control: ControlClient, onError: (error: unknown) => void): void {
  const on = (name: string) => [...info.faults.socks, ...info.faults.server, ...info.faults.front].some((f) => f.name === name);
  const switches = faultSwitches.map((sw) => {
    const box = el('input', { type: 'checkbox', 'data-fault': sw.fault.name });
    box.checked = on(sw.fault.name);
    box.addEventListener('change', () => {
      const change =
        sw.target === 'socks' ? { socks: toggled(info.faults.socks, sw.fault, box.checked) }
        : sw.target === 'server' ? { server: toggled(info.faults.server, sw.fault, box.checked) }
        : { front: toggled(info.faults.front, sw.fault, box.checked) };
      control.setFaults(change).catch(onError);
    });
    return el('label', { class: 'switch' }, box, sw.label, el('span', { class: 'where' }, { socks: 'mock-socks', server: 'code-server', front: 'front end' }[sw.target]));
  });
  byId('fault-switches').replaceChildren(...switches);
  const states = peerStates.map((state) => {
    const radio = el('input', { type: 'radio', name: 'peer-state', value: state });
    radio.checked = info.peer.state === state;
    radio.addEventListener('change', () => control.setFaults({ peerState: state }).catch(onError));
    return el('label', {}, radio, `peer ${state}`);
  });
  byId('peer-state').replaceChildren(...states);
}
