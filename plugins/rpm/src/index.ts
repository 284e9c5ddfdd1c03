import { rpmPlugin } from './RpmPlugin';

export { rpmPlugin, PLUGIN_NAME } from './RpmPlugin';
export { readRpmInfo, type RpmPackageInfo, type RpmFileInfo } from './readRpmInfo';
export { formatNevra, readNevra, type RpmNevra } from './RpmNevra';
export { installPackage, type InstallOptions, type InstalledPackage } from './installPackage';
export { RpmInstallState, STATE_KEY, type InstalledPath } from './RpmInstallState';
export { openRpm, readRpmHeaders, type RpmHeaders, type OpenedRpm } from './readRpmHeaders';
export { RpmHeader, type RpmHeaderEntry } from './RpmHeader';
export { readFileList, type RpmFile, type RpmFileList } from './RpmFileList';
export { formatDependency, type RpmDependency, type DependencyKind } from './RpmDependency';
export type { RpmScript, RpmScripts, RpmTrigger } from './RpmScripts';
export { encodeFileCapability } from './FileCapability';
export { RpmErrorCode } from './RpmError';
export { Tag, SigTag, RpmTagType } from './RpmTag';
export default rpmPlugin;
