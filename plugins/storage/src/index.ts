import { storagePlugin } from './StoragePlugin';

export { storagePlugin, PLUGIN_NAME, STRATEGIES, type StorageOptions } from './StoragePlugin';
export { TreeWriter } from './TreeWriter';
export { HardlinkPlacer } from './HardlinkPlacer';
export { CopyPlacer } from './CopyPlacer';
export type { FilePlacer } from './FilePlacer';
export default storagePlugin;
