import { dracutPlugin } from './DracutPlugin';

export { dracutPlugin, PLUGIN_NAME } from './DracutPlugin';
export { DracutErrorCode } from './DracutError';
export { findTreeKernels, type TreeKernel } from './findTreeKernels';
export { dracutArgv, DRACUT_PATHS } from './runTreeDracut';
export default dracutPlugin;
