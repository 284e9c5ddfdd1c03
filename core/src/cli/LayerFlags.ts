import * as Flags from '@oclif/core/flags';
import type { Arbor } from '../Arbor';
import type { ResolvedConfig } from '../createArbor';
import type { LayerChange } from '../sysroot/layer/LayerRequestEdit';
import type { LayerChangeResult } from '../sysroot/layer/changeLayers';
import { noWaitFlag, sysrootFlag, sysrootOptions } from './SysrootFlags';

/** The flags install, uninstall and override share: where, and whether to stage. */
export const layerFlags = {
  sysroot: sysrootFlag,
  stateroot: Flags.string({ description: 'The stateroot whose deployment to change (default: the only one)' }),
  stage: Flags.boolean({ description: 'Prepare the deployment now; merge /etc and swap it in at shutdown (arbor finalize)', default: false }),
  'no-wait': noWaitFlag,
};

/** Runs one change through the library and prints its summary unless --json. */
export async function runLayerChange(
  command: { jsonEnabled(): boolean; log(message: string): void },
  flags: { sysroot: string; stateroot?: string; stage: boolean; 'no-wait'?: boolean },
  loaded: { arbor: Arbor; config: ResolvedConfig },
  change: LayerChange,
): Promise<LayerChangeResult> {
  const { changeLayers } = require('../sysroot/layer/changeLayers.js') as typeof import('../sysroot/layer/changeLayers.js');
  const { formatLayerChange } = require('../sysroot/layer/formatLayerChange.js') as typeof import('../sysroot/layer/formatLayerChange.js');
  const result = await changeLayers({
    ...sysrootOptions(flags, loaded.arbor, loaded.config),
    ...(flags.stateroot ? { stateroot: flags.stateroot } : {}),
    stage: flags.stage,
    change,
  });
  if (!command.jsonEnabled()) command.log(formatLayerChange(result));
  return result;
}
