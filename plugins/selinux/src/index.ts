import { selinuxPlugin } from './SelinuxPlugin';

export { FileContexts, type FileContextsSources } from './FileContexts';
export { compileSpec, pathStem, type FileContextSpec } from './FileContextSpec';
export { parseFileContexts, type FileContextLine } from './FileContextsParser';
export { translatePcre, UntranslatableRegex, type TranslatedRegex } from './PcreTranslator';
export { SubstitutionList } from './SubstitutionList';
export { loadFileContexts, treeFileReader, resolveInTree, type PolicyFileReader } from './loadFileContexts';
export { loadTreePolicy } from './treePolicy';
export { SelinuxErrorCode } from './SelinuxErrorCode';
export { selinuxPlugin, PLUGIN_NAME, SELINUX_XATTR } from './SelinuxPlugin';

export default selinuxPlugin;
