import { ed25519Plugin } from './Ed25519Plugin';

export { ed25519Plugin, PLUGIN_NAME } from './Ed25519Plugin';
export default ed25519Plugin;
