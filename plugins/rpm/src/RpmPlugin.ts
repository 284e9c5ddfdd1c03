import fs from 'node:fs';
import * as v from 'valibot';
import type { Scriptlet } from '@arbor/core';
import { definePlugin } from '@arbor/core/dist/Plugin';
import { Stage } from '@arbor/core/dist/hooks';
import { installPackage } from './installPackage';
import { RpmInstallState } from './RpmInstallState';
import type { RpmScripts } from './RpmScripts';
import { writeComposeRpmDb } from './rpmdb/writeComposeRpmDb';

export const PLUGIN_NAME = 'arbor:rpm';

/** The scriptlets compose runs, by the names the `install` hook's Scriptlet uses. */
const INSTALL_SCRIPTLETS = [
  ['pretrans', 'pretrans'],
  ['prein', 'pre'],
  ['postin', 'post'],
  ['posttrans', 'posttrans'],
] as const;

export const RpmOptionsSchema = v.strictObject({
  /** Write usr/lib/sysimage/rpm/rpmdb.sqlite into every composed tree (docs/rpmdb.md). */
  rpmdb: v.optional(v.boolean(), true),
});

export type RpmOptions = v.InferOutput<typeof RpmOptionsSchema>;

/**
 * Installs RPM packages during compose: taps `install`, unpacks each package that is an RPM
 * into the staging tree and hands its install-time scriptlets back to compose. The install
 * state shared across one compose's packages is what finds file conflicts between them.
 *
 * Then, first thing in `postprocess` (so the treefile's postprocess script can query it, as
 * under rpm-ostree), it writes the tree's rpmdb: every package it installed, as one rpm
 * transaction would have recorded them.
 */
export const rpmPlugin = definePlugin<RpmOptions>({
  name: PLUGIN_NAME,
  options: RpmOptionsSchema,
  apply(arbor, options) {
    /** Package files installed into each staging tree, in install order, until its rpmdb is written. */
    const installedFiles = new Map<string, string[]>();
    arbor.hooks.install.tapPromise(PLUGIN_NAME, async (request, context) => {
      if (!(await isRpmFile(request.packagePath))) return;
      const installed = await installPackage(request.packagePath, {
        tree: request.tree,
        state: RpmInstallState.in(request.state),
        logger: context.logger,
      });
      request.scriptlets = scriptlets(installed.scripts);
      if (options.rpmdb) {
        const files = installedFiles.get(request.tree) ?? [];
        files.push(request.packagePath);
        installedFiles.set(request.tree, files);
      }
    });
    if (!options.rpmdb) return;
    arbor.hooks.postprocess.tapPromise({ name: PLUGIN_NAME, stage: Stage.PRE }, async (compose, context) => {
      const files = installedFiles.get(compose.tree);
      if (!files) return;
      installedFiles.delete(compose.tree);
      const count = await writeComposeRpmDb(compose.tree, files);
      context.logger.debug(`${PLUGIN_NAME}: recorded ${count} packages in usr/lib/sysimage/rpm/rpmdb.sqlite`);
    });
  },
});

function scriptlets(scripts: RpmScripts): Scriptlet[] {
  const result: Scriptlet[] = [];
  for (const [rpmName, name] of INSTALL_SCRIPTLETS) {
    const script = scripts[rpmName];
    if (script) result.push({ name, interpreter: script.interpreter, body: script.body });
  }
  return result;
}

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
