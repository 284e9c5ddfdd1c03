import { RpmErrorCode } from '../RpmError';
import { ArborError } from '@arbor/core/errors';
import { loadOpenPgp, type OpenPgp } from './OpenPgp';

type Key = Awaited<ReturnType<OpenPgp['readKeys']>>[number];

/** One key file's bytes and where they came from (a path or URL), for messages. */
export interface KeySource {
  name: string;
  bytes: Buffer;
}

/** The most bytes a key file may have: distribution key files are 1 to 20 KiB, a keyring of dozens of keys well under 1 MiB. */
export const KEY_FILE_MAX_BYTES = 1024 * 1024;

const ARMOR_BEGIN = '-----BEGIN PGP ';

/**
 * The OpenPGP public keys a package may be signed with: a repo's gpgkey= files or `--key`
 * files. A file is ASCII-armored (one or more armor blocks, each holding one or more keys, as
 * distributions ship them) or binary (a transferable public key, or several back to back).
 * Secret keys are reduced to their public part. Subkeys sign as their primary key allows
 * (openpgp.js checks the binding signature and the signing flag).
 */
export class RpmKeyring {
  private constructor(readonly keys: readonly Key[], readonly sources: readonly string[]) {}

  static async read(sources: readonly KeySource[]): Promise<RpmKeyring> {
    const openpgp = await loadOpenPgp();
    const keys: Key[] = [];
    for (const source of sources) keys.push(...(await readKeyFile(openpgp, source)));
    return new RpmKeyring(keys, sources.map((source) => source.name));
  }

  /** The keys whose primary key or a subkey has this 16-hex-digit key ID. */
  keysWithId(keyId: string): Key[] {
    return this.keys.filter((key) => key.getKeyIDs().some((id) => id.toHex() === keyId));
  }

  /** Every primary key's ID, 16 lowercase hex digits, for messages. */
  get primaryKeyIds(): string[] {
    return this.keys.map((key) => key.getKeyID().toHex());
  }
}

async function readKeyFile(openpgp: OpenPgp, source: KeySource): Promise<Key[]> {
  const invalid = (reason: string, cause?: unknown) =>
    new ArborError(RpmErrorCode.KEY_INVALID, `Key file ${source.name}: ${reason}`, { hint: 'Give an OpenPGP public key, armored (gpg --export --armor) or binary', cause });
  if (source.bytes.length > KEY_FILE_MAX_BYTES) throw invalid(`more than ${KEY_FILE_MAX_BYTES} bytes`);
  const text = source.bytes.toString('latin1');
  const blocks = text.includes(ARMOR_BEGIN) ? armorBlocks(text) : undefined;
  const keys: Key[] = [];
  try {
    if (blocks) {
      for (const block of blocks) keys.push(...(await openpgp.readKeys({ armoredKeys: block })));
    } else {
      keys.push(...(await openpgp.readKeys({ binaryKeys: new Uint8Array(source.bytes) })));
    }
  } catch (error) {
    throw invalid(`not an OpenPGP key (${(error as Error).message.split('\n')[0]})`, error);
  }
  if (keys.length === 0) throw invalid('holds no OpenPGP public key');
  return keys.map((key) => (key.isPrivate() ? key.toPublic() : key));
}

/** The armor blocks of a text, each from its BEGIN line to its END line; text around them is ignored. */
function armorBlocks(text: string): string[] {
  const blocks: string[] = [];
  const pattern = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;
  for (const match of text.matchAll(pattern)) blocks.push(match[0]);
  return blocks;
}
