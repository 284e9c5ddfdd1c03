import fs from 'node:fs';
import type { Scriptlet } from '@arbor/core';
import { definePlugin } from '@arbor/core/plugin';
import { installPackage } from './installPackage';
import { RpmInstallState } from './RpmInstallState';
import type { RpmScripts } from './RpmScripts';

export const PLUGIN_NAME = 'arbor:rpm';

/** The scriptlets compose runs, by the names the `install` hook's Scriptlet uses. */
const INSTALL_SCRIPTLETS = [
  ['pretrans', 'pretrans'],
  ['prein', 'pre'],
  ['postin', 'post'],
  ['posttrans', 'posttrans'],
] as const;

/**
 * Installs RPM packages during compose: taps `install`, unpacks each package that is an RPM
 * into the staging tree and hands its install-time scriptlets back to compose. The install
 * state shared across one compose's packages is what finds file conflicts between them.
 */
export const rpmPlugin = definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.install.tapPromise(PLUGIN_NAME, async (request, context) => {
      if (!(await isRpmFile(request.packagePath))) return;
      const installed = await installPackage(request.packagePath, {
        tree: request.tree,
        state: RpmInstallState.in(request.state),
        logger: context.logger,
      });
      request.scriptlets = scriptlets(installed.scripts);
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
