import { definePlugin, Stage, treeHasProgram, v } from '@arbor/core';
import { findTreeKernels } from './findTreeKernels';
import { DRACUT_PATHS, runTreeDracut } from './runTreeDracut';

export const PLUGIN_NAME = 'arbor:dracut';

const DracutOptions = v.strictObject({
  /** Extra dracut arguments, e.g. `["--add", "arbor"]` or `["--zstd"]`. */
  args: v.optional(v.array(v.string()), []),
});

/**
 * Makes the initramfs at compose, as rpm-ostree does: for each kernel in the tree that ships
 * none, the tree's own dracut runs in the compose sandbox, so the image holds the tree's
 * binaries and modules (and the 90arbor module, when the tree ships arbor-prepare-root) and
 * never the build host's. A tree without dracut, or whose kernel has an initramfs already, is
 * left as it is. It taps postprocess at the normal stage: after the treefile's own steps, before
 * the layout moves /etc to /usr/etc, so dracut reads its config from /etc as on a running system.
 */
export const dracutPlugin = definePlugin({
  name: PLUGIN_NAME,
  options: DracutOptions,
  apply(arbor, options) {
    arbor.hooks.postprocess.tapPromise({ name: PLUGIN_NAME, stage: Stage.NORMAL }, async (compose, context) => {
      const kernels = findTreeKernels(compose.tree).filter((kernel) => !kernel.hasInitramfs);
      if (kernels.length === 0) return;
      const dracut = DRACUT_PATHS.find((candidate) => treeHasProgram(compose.tree, candidate));
      if (!dracut) {
        context.logger.warn(`${PLUGIN_NAME}: kernel ${kernels.map((kernel) => kernel.kernelVersion).join(', ')} has no initramfs and the tree has no dracut to make one`);
        return;
      }
      for (const kernel of kernels) {
        context.logger.info(`${PLUGIN_NAME}: running the tree's dracut for kernel ${kernel.kernelVersion}`);
        await runTreeDracut(compose.tree, dracut, kernel, options.args, context);
      }
    });
  },
});
