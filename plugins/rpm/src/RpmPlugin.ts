import fs from 'node:fs';
import { ComposeMetadataKey, definePlugin, Stage, v, type ComposeTree, type HookContext } from '@arbor/core';
import { composeScriptlets } from './ComposeScriptlets';
import { installPackage } from './installPackage';
import { layerRpms } from './layer/layerRpms';
import { RpmInstallState } from './RpmInstallState';
import { writeComposeRpmDb } from './rpmdb/writeComposeRpmDb';

export const PLUGIN_NAME = 'arbor:rpm';

export const RpmOptionsSchema = v.strictObject({
  /** Write usr/lib/sysimage/rpm/rpmdb.sqlite into every composed tree (docs/rpmdb.md). */
  rpmdb: v.optional(v.boolean(), true),
  /** Whether packages layered onto a deployment bring their Recommends (docs/layering-rpm.md). */
  layerRecommends: v.optional(v.boolean(), false),
});

export type RpmOptions = v.InferOutput<typeof RpmOptionsSchema>;

/** The package files one compose installed, in install order, in the compose's shared state. */
const FILES_KEY = 'arbor:rpm:files';

/**
 * Installs RPM packages during compose, as rpm-ostree does:
 * - `install` (a bail hook): unpacks each package that is an RPM into the staging tree and
 *   answers; its install-time scriptlets are kept in the compose's shared state.
 * - `postprocess`, first of all (Stage.PRE): writes the tree's rpmdb (every package, as one rpm
 *   transaction records them), then runs the scriptlets in rpm's phase order across every
 *   package (all %pretrans, %pre, %post, %posttrans), so a %post can query rpm.
 * - `commit`: records the scriptlets that could not run in the commit metadata.
 * - `layer`: applies a deployment's layering requests (install, uninstall, override) to a
 *   hardlink checkout of its base (docs/layering-rpm.md).
 * The install state shared across one compose's packages is what finds file conflicts.
 */
export const rpmPlugin = definePlugin<RpmOptions>({
  name: PLUGIN_NAME,
  options: RpmOptionsSchema,
  apply(arbor, options) {
    arbor.hooks.install.tapPromise(PLUGIN_NAME, async (request, context) => {
      if (!(await isRpmFile(request.packagePath))) return undefined;
      const installed = await installPackage(request.packagePath, {
        tree: request.tree,
        state: RpmInstallState.in(request.state),
        logger: context.logger,
      });
      composeScriptlets(request.state).add(installed.nevra, installed.scripts);
      ((request.state[FILES_KEY] ??= []) as string[]).push(request.packagePath);
      return { installedBy: PLUGIN_NAME, entries: installed.placed + installed.same };
    });
    arbor.hooks.postprocess.tapPromise({ name: PLUGIN_NAME, stage: Stage.PRE }, async (compose: ComposeTree, context: HookContext) => {
      const files = compose.state[FILES_KEY] as string[] | undefined;
      if (options.rpmdb && files?.length) {
        const count = await writeComposeRpmDb(compose.tree, files);
        context.logger.debug(`${PLUGIN_NAME}: recorded ${count} packages in usr/lib/sysimage/rpm/rpmdb.sqlite`);
      }
      await composeScriptlets(compose.state).run(compose.tree, { enabled: compose.treefile.scriptlets !== false, context });
    });
    arbor.hooks.layer.tapPromise(PLUGIN_NAME, async (request, context) => {
      // Package files of another format, and nothing else asked: another plugin's to layer.
      const files = [...request.localPackages, ...request.replacements];
      const onlyForeignFiles = files.length > 0 && !request.packages.length && !request.removals.length;
      if (onlyForeignFiles && !(await Promise.all(files.map(isRpmFile))).some(Boolean)) return undefined;
      return layerRpms(arbor.hooks, request, context, { plugin: PLUGIN_NAME, recommends: options.layerRecommends });
    });
    arbor.hooks.commit.tapPromise(PLUGIN_NAME, async (metadata, context) => {
      const skipped = context.compose ? composeScriptlets(context.compose.state).skipped : [];
      return skipped.length ? { ...metadata, [ComposeMetadataKey.SKIPPED_SCRIPTLETS]: skipped } : metadata;
    });
  },
});

/** Other package formats may tap `install` too; an RPM is recognised by its lead magic. */
async function isRpmFile(file: string): Promise<boolean> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    // A file that cannot be opened is reported by whoever reads it, naming it.
    return true;
  }
  try {
    const magic = Buffer.alloc(4);
    const { bytesRead } = await handle.read(magic, 0, 4, 0);
    return bytesRead === 4 && magic.readUInt32BE(0) === 0xedabeedb;
  } finally {
    await handle.close();
  }
}
