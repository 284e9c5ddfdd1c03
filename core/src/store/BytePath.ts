/**
 * Paths inside trees are byte strings: Linux names are bytes, not text, and a tree may hold
 * names that are not UTF-8. The store carries them as latin1 strings (one char per byte) and
 * turns them into a Buffer only for the syscall, and only when a byte is outside ASCII, where
 * latin1 and UTF-8 disagree.
 */
const NON_ASCII = /[^\x00-\x7f]/;

/** The path to hand to fs calls for a latin1 byte-string path. */
export function osPath(bytePath: string): string | Buffer {
  return NON_ASCII.test(bytePath) ? Buffer.from(bytePath, 'latin1') : bytePath;
}

/** A filesystem path (as the user typed it, UTF-8) as a byte string. */
export function bytePathFromOs(osPathText: string): string {
  return NON_ASCII.test(osPathText) ? Buffer.from(osPathText, 'utf8').toString('latin1') : osPathText;
}

/** A byte string for people: UTF-8 where it decodes, U+FFFD where it does not. */
export function displayPath(bytePath: string): string {
  return NON_ASCII.test(bytePath) ? Buffer.from(bytePath, 'latin1').toString('utf8') : bytePath;
}

/** Joins a byte-string directory and entry name. */
export function joinBytePath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
}
