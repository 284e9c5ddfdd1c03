import { trustedKeyId } from '../signing/TrustedKey';
import type { Remote } from './RemoteConfig';

/** A remote as `arbor remote list --json` prints it: key IDs rather than whole PEM blocks. */
export interface RemoteDescription {
  name: string;
  url: string;
  verify: boolean;
  keys: string[];
}

export function describeRemote(remote: Remote): RemoteDescription {
  return {
    name: remote.name,
    url: remote.url,
    verify: !remote.noVerify,
    keys: remote.keys.map(trustedKeyId),
  };
}
