import { execFileSync } from 'node:child_process';

/** One member of a hand-made archive: what Python's tarfile writes for it. */
export interface TarMember {
  name: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink' | 'chardev' | 'fifo';
  content?: string;
  linkname?: string;
  mode?: number;
  /** Extended header records, e.g. `LIBARCHIVE.xattr.NAME: base64` as bsdtar writes them. */
  pax?: Record<string, string>;
}

/**
 * Writes archives (path -> members) with Python's tarfile, in one run, which writes any name, link or type it is given:
 * the hostile archives (`../x`, absolute names, escaping links, devices) GNU tar will not make.
 */
export function writeTars(archives: Record<string, TarMember[]>): void {
  const script = `
import io, json, os, sys, tarfile
types = {'file': tarfile.REGTYPE, 'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE,
         'hardlink': tarfile.LNKTYPE, 'chardev': tarfile.CHRTYPE, 'fifo': tarfile.FIFOTYPE}
for out, members in json.loads(sys.argv[1]).items():
  os.makedirs(os.path.dirname(out), exist_ok=True)
  with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT) as tar:
    for m in members:
        info = tarfile.TarInfo(m['name'])
        info.type = types[m.get('type', 'file')]
        info.mode = m.get('mode', 0o644)
        info.linkname = m.get('linkname', '')
        info.pax_headers = m.get('pax', {})
        data = m.get('content', '').encode()
        if info.type == tarfile.REGTYPE:
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        else:
            tar.addfile(info)
`;
  execFileSync('python3', ['-c', script, JSON.stringify(archives)]);
}
