import { filePlugin } from './FilePlugin';

export { filePlugin, PLUGIN_NAME } from './FilePlugin';
export { FileTransport } from './FileTransport';
export default filePlugin;
