import { blsPlugin } from './BlsPlugin';

export { blsPlugin, PLUGIN_NAME } from './BlsPlugin';
export { writeBlsEntries, blsEntry } from './writeBlsEntries';
export default blsPlugin;
