import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export type ModuleKind = 'plugin' | 'preset';

/** A plugin or preset module, found and loaded. */
export interface ResolvedModule {
  /** What the config wrote, e.g. `grub`. */
  reference: string;
  /** The package name (or file path) it resolved to, e.g. `@arbor/plugin-grub`. */
  id: string;
  file: string;
  version?: string;
  exports: unknown;
}

/**
 * The names a reference may stand for. `grub` means `@arbor/plugin-grub`, then the
 * third-party `arbor-plugin-grub`; full package names and paths stand for themselves.
 */
export function candidateNames(reference: string, kind: ModuleKind): string[] {
  if (reference.startsWith('.') || path.isAbsolute(reference)) return [reference];
  if (reference.startsWith('@') || reference.startsWith(`arbor-${kind}-`)) return [reference];
  return [`@arbor/${kind}-${reference}`, `arbor-${kind}-${reference}`];
}

/**
 * Finds a module from the project that holds the config first (third-party plugins are
 * that project's dependencies), then from Arbor's own install (its bundled plugins).
 */
export function findModule(reference: string, kind: ModuleKind, fromDir: string): { id: string; file: string } | undefined {
  const bases = [path.join(fromDir, 'noop.js'), __filename];
  for (const name of candidateNames(reference, kind)) {
    for (const base of bases) {
      try {
        const file = createRequire(base).resolve(name.startsWith('.') ? path.resolve(fromDir, name) : name);
        return { id: name, file };
      } catch {
        // try the next base, then the next name
      }
    }
  }
  return undefined;
}

export async function loadModule(reference: string, kind: ModuleKind, fromDir: string): Promise<ResolvedModule | undefined> {
  const found = findModule(reference, kind, fromDir);
  if (!found) return undefined;
  let exports: unknown;
  try {
    exports = require(found.file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw error;
    exports = await import(pathToFileURL(found.file).href);
  }
  return { reference, ...found, version: packageVersion(found.file), exports };
}

/** The version in the package.json that owns `file`, for `arbor plugins`. */
function packageVersion(file: string): string | undefined {
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        return JSON.parse(fs.readFileSync(manifest, 'utf8')).version;
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The default export of a CommonJS or ES module, looking through transpiler wrappers. */
export function defaultExport(exports: unknown): unknown {
  let value = exports as { default?: unknown; __esModule?: boolean } | undefined;
  for (let depth = 0; depth < 2 && value && typeof value === 'object' && 'default' in value; depth++) {
    value = value.default as typeof value;
  }
  return value;
}
