import fs from 'node:fs';
import path from 'node:path';
import { ArborError, runInTree, type HookContext } from '@arbor/core';
import { DracutErrorCode } from './DracutError';
import type { TreeKernel } from './findTreeKernels';

/** Where the tree's dracut lives, in the order looked for. */
export const DRACUT_PATHS = ['/usr/bin/dracut', '/usr/sbin/dracut'];

/**
 * The arguments rpm-ostree gives dracut, for the same reasons: `--no-hostonly` (the build
 * machine is not the machine that boots), `--reproducible` (the same tree gives the same
 * image), `--tmpdir /tmp` (the sandbox's private tmpfs) and an explicit kernel version, since
 * `uname -r` names the build host's kernel.
 */
export function dracutArgv(dracut: string, kernel: TreeKernel, output: string, extra: readonly string[]): string[] {
  return [dracut, '--no-hostonly', '--reproducible', '--tmpdir', '/tmp', '--force', ...extra, '--kver', kernel.kernelVersion, output];
}

/**
 * Runs the tree's own dracut in the compose sandbox (bubblewrap, the tree as `/`, no network)
 * and puts its image at `usr/lib/modules/<kver>/initramfs.img`: written beside it and renamed,
 * so a failed run leaves no partial image.
 */
export async function runTreeDracut(tree: string, dracut: string, kernel: TreeKernel, extra: readonly string[], context: HookContext): Promise<void> {
  const final = `/${kernel.initramfs}`;
  const temp = `${final}.tmp`;
  fs.rmSync(path.join(tree, temp), { force: true });
  const result = await runInTree({ tree, argv: dracutArgv(dracut, kernel, temp, extra), signal: context.signal });
  if (result.status !== 0 || !fs.existsSync(path.join(tree, temp))) {
    fs.rmSync(path.join(tree, temp), { force: true });
    const tail = result.output.trim().split('\n').slice(-5).join(' | ');
    throw new ArborError(DracutErrorCode.FAILED, `The tree's dracut could not make an initramfs for kernel ${kernel.kernelVersion} (exit ${result.status}): ${tail}`, {
      hint: 'Run the same dracut in the tree by hand to see its full output, or ship an initramfs.img in the kernel package',
    });
  }
  fs.chmodSync(path.join(tree, temp), 0o644);
  fs.renameSync(path.join(tree, temp), path.join(tree, final));
}
