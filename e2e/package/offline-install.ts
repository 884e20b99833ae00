// Installing the packed tarball with no network: npm ci needs only tarballs, which this
// repository's own `npm ci` left in npm's cache, when a lockfile says exactly which. The lockfile
// is this repository's entries for the tarball's declared dependencies and everything they need —
// so an import the package makes without declaring it fails the install's tests, as it would for
// a user.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

export interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * A v3 lockfile for a project depending on `tarball` (whose manifest is `pkg`) and on `extra`
 * packages at the versions this repository locks.
 */
export function lockfileFor(project: string, tarball: string, pkg: Manifest, extra: string[], repoLock: { packages: Record<string, LockEntry> }): object {
  const packages: Record<string, LockEntry> = {};
  const { name, version, dependencies = {}, ...rest } = pkg;
  packages[`node_modules/${name}`] = {
    version,
    resolved: `file:${tarball}`,
    integrity: integrityOf(tarball),
    dependencies,
    ...Object.fromEntries(['bin', 'engines', 'license', 'peerDependencies', 'peerDependenciesMeta'].filter((k) => k in rest).map((k) => [k, rest[k]])),
  };
  const todo = [...Object.keys(dependencies), ...extra];
  while (todo.length > 0) {
    const dep = todo.pop() ?? '';
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    const entry = repoLock.packages[key];
    if (!entry) throw new Error(`${dep} is not in this repository's lockfile`);
    const { dev: _dev, devOptional: _devOptional, ...kept } = entry;
    packages[key] = kept;
    todo.push(...Object.keys(entry.dependencies ?? {}));
  }
  const root = { name: project, dependencies: { [name]: `file:${tarball}`, ...Object.fromEntries(extra.map((dep) => [dep, repoLock.packages[`node_modules/${dep}`]?.version ?? '*'])) } };
  return { name: project, lockfileVersion: 3, requires: true, packages: { '': root, ...packages } };
}
