import fs from 'node:fs';
import path from 'node:path';
import { ArborError } from '@arbor/core/errors';
import { bwrapInvocation, spawnSandbox, type SandboxResult, type SandboxRun } from '@arbor/core';
import { LayerErrorCode } from './LayerError';
import { mergeLayer } from './mergeLayer';

/** Mount points bubblewrap makes at the root; they land in the upper layer, never in the tree. */
const MOUNT_POINTS = ['proc', 'dev', 'tmp'];

/** What the mount script says when the kernel refuses the overlay, told apart from a scriptlet's own failure. */
const MOUNT_FAILED = 'arbor: the overlay over the tree cannot be mounted';

/**
 * Mounts the overlays in a private mount namespace, then runs bubblewrap on them. The paths
 * come as arguments, never spliced into the script. bubblewrap 0.8 has no --overlay (0.11
 * added it), so the overlays are mounted by the kernel here and bound in whole.
 */
const MOUNT_AND_RUN = `fail() { echo "${MOUNT_FAILED}" >&2; exit 125; }
mount -t overlay arbor-layer -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4" || fail
if [ -n "$5" ]; then mount -t overlay arbor-layer-etc -o "lowerdir=$5,upperdir=$6,workdir=$7" "$8" || fail; fi
shift 8
exec bwrap "$@"`;

/**
 * Runs scriptlets over a tree whose files are shared with the store (a hardlink checkout)
 * without ever writing one of them: the tree is the read-only lower layer of an overlayfs, so
 * a scriptlet's `echo x >> /etc/shells` copies the file up into a private upper layer first.
 * The tree is in commit layout, so its usr/etc is a second overlay seen at /etc. Once the
 * scriptlets are done, apply() moves the upper layers into the tree by renames: changed files
 * arrive as new inodes and deletions (whiteouts) delete, and the store's objects stay as they were.
 */
export class OverlaySandbox {
  private readonly skip: Set<string>;

  private constructor(
    private readonly tree: string,
    private readonly work: string,
    private readonly etc: boolean,
  ) {
    this.skip = new Set(MOUNT_POINTS.filter((name) => !fs.existsSync(path.join(tree, name))));
    if (etc) this.skip.add('etc');
  }

  /** Work directories beside the tree: an upper layer must be renamed into it, on one filesystem. */
  static create(tree: string): OverlaySandbox {
    if (/[,:\\\n]/.test(tree)) {
      throw new ArborError(LayerErrorCode.SANDBOX_FAILED, `Cannot run scriptlets over ${tree}: overlayfs options cannot name a path with ",", ":" or "\\"`);
    }
    if (fs.statSync(path.dirname(tree)).dev !== fs.statSync(tree).dev) {
      throw new ArborError(LayerErrorCode.SANDBOX_FAILED, `Cannot run scriptlets over ${tree}: it is a mount point, and the overlay's upper layer must be renamed into it from beside it`);
    }
    const etc = isRealDirectory(path.join(tree, 'usr/etc')) && !fs.existsSync(path.join(tree, 'etc'));
    const work = fs.mkdtempSync(path.join(path.dirname(tree), '.arbor-rpm-overlay-'));
    for (const dir of ['upper', 'work', 'merged', 'etc-upper', 'etc-work', 'etc-merged']) fs.mkdirSync(path.join(work, dir));
    return new OverlaySandbox(tree, work, etc);
  }

  /** Runs one program as runInTree does (private /proc, /dev, /tmp; no network; a clean environment). */
  async run(run: SandboxRun): Promise<SandboxResult> {
    const at = (name: string) => path.join(this.work, name);
    const bwrap = bwrapInvocation(run, { root: at('merged'), binds: this.etc ? [[at('etc-merged'), '/etc']] : [] });
    try {
      const overlays = [
        this.tree, at('upper'), at('work'), at('merged'),
        ...(this.etc ? [path.join(this.tree, 'usr/etc'), at('etc-upper'), at('etc-work'), at('etc-merged')] : ['', '', '', '']),
      ];
      const unshare = ['--mount', '--propagation', 'private', ...(process.getuid?.() === 0 ? [] : ['--map-root-user'])];
      const result = await spawnSandbox('unshare', [...unshare, '--', '/bin/sh', '-c', MOUNT_AND_RUN, 'arbor-layer', ...overlays, ...bwrap.args], run).catch((error: Error) => {
        throw new ArborError(LayerErrorCode.SANDBOX_FAILED, `Cannot start unshare to run a scriptlet: ${error.message}`, { cause: error });
      });
      if (result.status === 125 && result.output.includes(MOUNT_FAILED)) {
        throw new ArborError(LayerErrorCode.SANDBOX_FAILED, `Cannot run scriptlets over ${this.tree}: ${result.output.trim().split('\n')[0]}`, {
          hint: 'Layering runs scriptlets over an overlayfs of the tree: it needs root (or overlayfs in user namespaces, Linux >= 5.11)',
        });
      }
      return result;
    } finally {
      bwrap.dispose();
    }
  }

  /**
   * Moves what the scriptlets changed into the tree; returns the tree-relative paths. Device
   * nodes, fifos and sockets a scriptlet made are left out (the store holds none) and passed
   * to `onSpecialFile`.
   */
  apply(onSpecialFile?: (relative: string) => void): string[] {
    const changed = mergeLayer(path.join(this.work, 'upper'), this.tree, { skip: this.skip, onSpecialFile });
    if (this.etc) {
      const inEtc = (entry: string) => `usr/etc/${entry}`;
      const etcChanged = mergeLayer(path.join(this.work, 'etc-upper'), path.join(this.tree, 'usr/etc'), { onSpecialFile: (entry) => onSpecialFile?.(inEtc(entry)) });
      changed.push(...etcChanged.map(inEtc));
    }
    return changed;
  }

  remove(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

function isRealDirectory(dir: string): boolean {
  return fs.lstatSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
