import fs from 'node:fs';
import path from 'node:path';
import { assertRealDirectory } from '../../fs/SafePath';
import type { Sysroot } from '../Sysroot';

/** `SYSROOT/arbor/layering`: beside the repo, so a hardlink checkout of the base works. */
export function layeringDir(sysroot: Sysroot): string {
  return path.join(sysroot.arborDir, 'layering');
}

/**
 * The writable checkout a `layer` tap works in. Only one layering runs at a time (the sysroot
 * lock), so whatever is in the directory when a new one starts was left by a killed process
 * and is swept first; the checkout is removed once its tree is committed, or on failure.
 */
export class LayerScratch {
  private constructor(readonly path: string) {}

  static create(sysroot: Sysroot): LayerScratch {
    const dir = layeringDir(sysroot);
    sweepLayering(sysroot);
    fs.mkdirSync(dir, { mode: 0o700 });
    return new LayerScratch(fs.mkdtempSync(path.join(dir, 'layer-')));
  }

  /** The base checkout: in commit layout (usr/etc, no etc). */
  get tree(): string {
    return path.join(this.path, 'tree');
  }

  /**
   * Writes a marker beside the tree once the checkout is complete and returns its change time:
   * the filesystem's own clock, which the tree's directories are compared with afterwards.
   */
  markCheckoutDone(): bigint {
    const marker = path.join(this.path, 'checkout-done');
    fs.rmSync(marker, { force: true });
    fs.writeFileSync(marker, '');
    return fs.lstatSync(marker, { bigint: true }).ctimeNs;
  }

  remove(): void {
    fs.rmSync(this.path, { recursive: true, force: true });
    fs.rmSync(path.dirname(this.path), { recursive: true, force: true });
  }
}

/** Removes what an interrupted layering left; returns the paths removed (cleanup reports them). */
export function sweepLayering(sysroot: Sysroot): string[] {
  const dir = layeringDir(sysroot);
  // A link planted at arbor/layering must not make the sweep delete elsewhere.
  assertRealDirectory(dir, 'The layering scratch directory', true);
  if (!fs.existsSync(dir)) return [];
  fs.rmSync(dir, { recursive: true, force: true });
  return [dir];
}
