import { ed25519Plugin } from './Ed25519Plugin';

export { ed25519Plugin, PLUGIN_NAME } from './Ed25519Plugin';
export { ED25519, generateKeyPair, keyIdOf, parsePublicKey, readPrivateKey, readPublicKey, sign, verifySignature } from './Ed25519Key';
export default ed25519Plugin;
