import fs from 'node:fs';
import { ComposeMetadataKey, definePlugin, Stage, type ComposeTree, type HookContext } from '@arbor/core';
import { installPackage } from './installPackage';
import { RpmInstallState } from './RpmInstallState';
import { composeScriptlets } from './ComposeScriptlets';

export const PLUGIN_NAME = 'arbor:rpm';

/**
 * Installs RPM packages during compose, as rpm-ostree does:
 * - `install` (a bail hook): unpacks each package that is an RPM into the staging tree and
 *   answers; its install-time scriptlets are kept in the compose's shared state.
 * - `postprocess`, first of all (Stage.PRE): runs the scriptlets in rpm's phase order across
 *   every package (all %pretrans, %pre, %post, %posttrans), before any other postprocessing.
 * - `commit`: records the scriptlets that could not run in the commit metadata.
 * The install state shared across one compose's packages is what finds file conflicts.
 */
export const rpmPlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.install.tapPromise(PLUGIN_NAME, async (request, context) => {
      if (!(await isRpmFile(request.packagePath))) return undefined;
      const installed = await installPackage(request.packagePath, {
        tree: request.tree,
        state: RpmInstallState.in(request.state),
        logger: context.logger,
      });
      composeScriptlets(request.state).add(installed.nevra, installed.scripts);
      return { installedBy: PLUGIN_NAME, entries: installed.placed + installed.same };
    });
    arbor.hooks.postprocess.tapPromise({ name: PLUGIN_NAME, stage: Stage.PRE }, async (compose: ComposeTree, context: HookContext) => {
      const enabled = compose.treefile.scriptlets !== false;
      await composeScriptlets(compose.state).run(compose.tree, { enabled, context });
    });
    arbor.hooks.commit.tapPromise(PLUGIN_NAME, async (metadata, context) => {
      const skipped = context.compose ? composeScriptlets(context.compose.state).skipped : [];
      return skipped.length ? { ...metadata, [ComposeMetadataKey.SKIPPED_SCRIPTLETS]: skipped } : metadata;
    });
  },
});

/** Other package formats may tap `install` too; an RPM is recognised by its lead magic. */
async function isRpmFile(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.readUInt32BE(0) === 0xedabeedb;
  } finally {
    await handle.close();
  }
}
