type Child = Node | string | null | undefined | false;

/** A small element builder: the page has no framework, and needs none. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  for (const child of children) if (child) node.append(child);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page: #${id} is missing`);
  return node as T;
}

export function clock(ms: number | undefined, origin: number): string {
  return ms === undefined ? '' : `+${Math.round(ms - origin)} ms`;
}
