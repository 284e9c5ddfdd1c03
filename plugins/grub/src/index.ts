import { grubPlugin } from './GrubPlugin';

export { grubPlugin, PLUGIN_NAME } from './GrubPlugin';
export { GrubWriter } from './GrubWriter';
export * from './script';
export { GrubErrorCode } from './GrubErrorCode';
export { GrubEnv, GRUBENV_SIZE, GRUBENV_HEADER } from './GrubEnv';
export { GrubOptionsSchema, GRUB_MODES, type GrubOptions } from './GrubOptions';
export { probeGrubMode, type GrubModeProbe, type GrubProbeInput } from './probeGrubMode';
export { renderArborSection, arborEntryId, SECTION_BEGIN, SECTION_END, type GrubBootLayout } from './generated/arborSection';
export { mergeArborSection, newGrubConfigHead } from './generated/mergeArborSection';
export { writeGeneratedConfig, grubConfigPath, detectBootPrefix, type GrubConfigTarget } from './generated/writeGeneratedConfig';
export { writeGrubEnv, grubEnvPath } from './bls/writeGrubEnv';
export { filesystemOf } from './BootFiles';
export default grubPlugin;
