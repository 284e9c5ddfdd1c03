import { treePlugin } from './TreePlugin';

export { treePlugin, PLUGIN_NAME } from './TreePlugin';
export { TreeErrorCode } from './TreeError';
export { extractTarball } from './extractTarball';
export { copyDirectory } from './copyDirectory';
export default treePlugin;
