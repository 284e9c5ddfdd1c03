import { blsPlugin } from './BlsPlugin';

export { blsPlugin, PLUGIN_NAME } from './BlsPlugin';
export default blsPlugin;
