/** Resolves true when `check` holds, re-checked on every `poke`; false at the deadline. */
export function waitFor(check: () => boolean, subscribe: (poke: () => void) => () => void, deadlineMs: number): Promise<boolean> {
  if (check()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    };
    const timer = setTimeout(() => done(false), deadlineMs);
    const unsubscribe = subscribe(() => {
      if (check()) done(true);
    });
  });
}

/** A tiny event hub for `waitFor`. */
export class Pokes {
  private readonly fns = new Set<() => void>();
  poke = (): void => {
    for (const fn of [...this.fns]) fn();
  };
  subscribe = (fn: () => void): (() => void) => {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  };
}
