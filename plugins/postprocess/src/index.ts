import { definePlugin, Stage } from '@arbor/core';
import { moveEtcToUsrEtc, placeKernel } from './RootfsLayout';
import { convertVarToTmpfiles } from './TmpfilesFromVar';
import { addFiles, enableUnits, removeFiles, runPostprocessScript } from './TreefileSteps';

const PLUGIN_NAME = 'arbor:postprocess';

/**
 * Compose postprocessing in rpm-ostree's order: the treefile's own steps first (units,
 * remove-files, add-files, postprocess-script, all on the tree as packages left it), then the
 * layout every image needs at Stage.POST, so other plugins' postprocess taps run between the
 * two and still see /etc and /var where packages put them.
 */
export default definePlugin({
  name: PLUGIN_NAME,
  apply(arbor) {
    arbor.hooks.postprocess.tapPromise(PLUGIN_NAME, async (compose, context) => {
      await enableUnits(compose, context);
      await removeFiles(compose, context);
      await addFiles(compose);
      await runPostprocessScript(compose, context);
    });
    arbor.hooks.postprocess.tapPromise({ name: PLUGIN_NAME, stage: Stage.POST }, async (compose, context) => {
      await placeKernel(compose, context);
      await convertVarToTmpfiles(compose, context);
      await moveEtcToUsrEtc(compose);
    });
  },
});

export { AUTOVAR_CONF, convertVarToTmpfiles } from './TmpfilesFromVar';
export { moveEtcToUsrEtc, placeKernel } from './RootfsLayout';
