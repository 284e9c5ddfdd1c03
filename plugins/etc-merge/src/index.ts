import { etcMergePlugin } from './EtcMergePlugin';

export { etcMergePlugin, PLUGIN_NAME } from './EtcMergePlugin';
export { applyEtcMerge } from './applyEtcMerge';
export default etcMergePlugin;
