import { systemdBootPlugin } from './SystemdBootPlugin';

export { systemdBootPlugin, PLUGIN_NAME } from './SystemdBootPlugin';
export { writeSystemdBoot, ENTRY_PREFIX, ENTRIES_DIR, LOADER_CONF, KERNELS_DIR, type SystemdBootWrite } from './writeSystemdBoot';
export { LoaderConf } from './LoaderConf';
export { SystemdBootOptionsSchema, resolveSystemdBootOptions, DEFAULT_TRIES, type SystemdBootOptions } from './SystemdBootOptions';
export { SystemdBootErrorCode } from './SystemdBootErrorCode';
export default systemdBootPlugin;
