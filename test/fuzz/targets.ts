import fs from 'node:fs';
import path from 'node:path';
import { decodeCommit, decodeDirMeta, decodeDirTree, decodeFileHeader, encodeCommit, encodeDirMeta, encodeDirTree, encodeFileHeader } from '@arbor/core/store';
import { BootEntry } from '@arbor/core';
import { loadTreefile } from '@arbor/core';
import { installPackage, readFileList, readRpmHeaders } from '@arbor/plugin-rpm';
import { ByteReader } from '@arbor/plugin-rpm/parsers';
import { CpioReader } from '@arbor/plugin-rpm/parsers';
import { decompressPayload, detectPayloadEncoding } from '@arbor/plugin-rpm/parsers';
import { readDependencies, DependencyKinds, type DependencyKind } from '@arbor/plugin-rpm/parsers';
import { readScripts, readTriggers } from '@arbor/plugin-rpm/parsers';
import { readNevra } from '@arbor/plugin-rpm/parsers';
import { rpmError, RpmErrorCode } from '@arbor/plugin-rpm/parsers';
import { truncatedError } from '@arbor/plugin-rpm/parsers';
import { GrubEnv, menuEntries, parseGrubScript, printGrubScript } from '@arbor/plugin-grub';
import type { FuzzTarget } from './FuzzTarget';

/** test/fixtures and the fuzz seeds, from test/dist/fuzz/. */
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
const SEEDS = path.resolve(__dirname, '..', '..', 'fuzz', 'seeds');
const ID = 'a'.repeat(64);

function rpmFixtures(): Buffer[] {
  const found: Buffer[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(dir, entry.name));
      else if (/\.rpm(-v\d)?$/.test(entry.name)) found.push(fs.readFileSync(path.join(dir, entry.name)));
    }
  };
  walk(path.join(FIXTURES, 'rpm'));
  return found;
}

async function* chunksOf(input: Buffer): AsyncGenerator<Buffer> {
  // Small chunks, so reads that span chunks are exercised too.
  for (let at = 0; at < input.length; at += 4096) yield input.subarray(at, at + 4096);
}

/** The decompressed cpio archive of each fixture package, as the cpio target's seeds. */
async function cpioSeeds(): Promise<Buffer[]> {
  const seeds: Buffer[] = [];
  for (const rpm of rpmFixtures()) {
    try {
      const reader = new ByteReader(chunksOf(rpm), truncatedError('seed.rpm'));
      const { header } = await readRpmHeaders(reader, 'seed.rpm', rpm.length);
      const head = await reader.peek(6);
      const encoding = detectPayloadEncoding(head, header.string(1125));
      if (!encoding) continue;
      const parts: Buffer[] = [];
      for await (const chunk of decompressPayload(encoding, reader.rest(), 'seed.rpm')) parts.push(Buffer.from(chunk));
      seeds.push(Buffer.concat(parts));
    } catch {
      // a compression whose tool is missing here: not a seed
    }
  }
  return seeds;
}

async function readWholeRpm(input: Buffer): Promise<void> {
  const reader = new ByteReader(chunksOf(input), truncatedError('fuzz.rpm'));
  const { header } = await readRpmHeaders(reader, 'fuzz.rpm', input.length);
  const fail = (message: string) => rpmError(RpmErrorCode.HEADER_INVALID, 'fuzz.rpm', message);
  readFileList(header, fail);
  readNevra(header);
  readScripts(header);
  readTriggers(header);
  for (const kind of Object.keys(DependencyKinds) as DependencyKind[]) readDependencies(header, kind);
}

/** The fixture files of test/fixtures/grub whose names say what they are: grub.cfg scripts, or grubenv blocks. */
function grubFixtures(kind: 'script' | 'grubenv'): Buffer[] {
  const found: Buffer[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.startsWith('grubenv') === (kind === 'grubenv') && !entry.name.endsWith('.md')) found.push(fs.readFileSync(file));
    }
  };
  walk(path.join(FIXTURES, 'grub'));
  return found;
}

/** Every target. */
export const TARGETS: FuzzTarget[] = [
  {
    name: 'rpm-header',
    seeds: async () => rpmFixtures(),
    run: readWholeRpm,
    covers: ['plugins/rpm/dist/'],
    maxInput: 256 * 1024,
  },
  {
    name: 'cpio',
    seeds: cpioSeeds,
    async run(input) {
      const fail = (message: string) => rpmError(RpmErrorCode.PAYLOAD_INVALID, 'fuzz.rpm', message);
      const cpio = new CpioReader(new ByteReader(chunksOf(input), (what) => fail(`ends inside ${what}`)), fail);
      for (let entry = await cpio.next(), n = 0; entry && n < 10_000; entry = await cpio.next(), n++) {
        // A stripped entry's size lives in the header; a small one stands in for it here.
        if (entry.format === 'stripped') cpio.expectData(entry.fileIndex % 64);
        if (n % 2) await cpio.skipData();
        else for await (const chunk of cpio.data()) void chunk;
      }
    },
    covers: ['plugins/rpm/dist/CpioReader', 'plugins/rpm/dist/ByteReader'],
    maxInput: 256 * 1024,
  },
  {
    name: 'rpm-install',
    seeds: async () => rpmFixtures(),
    async run(input, work) {
      const file = path.join(work, 'fuzz.rpm');
      fs.writeFileSync(file, input);
      await installPackage(file, { tree: path.join(work, 'tree') });
    },
    covers: ['plugins/rpm/dist/'],
    maxInput: 256 * 1024,
    allowedInWork: ['fuzz.rpm', 'tree'],
  },
  {
    name: 'dirtree',
    seeds: async () => [
      encodeDirTree({ files: [{ name: 'a', file: ID }, { name: 'b.txt', file: ID }], dirs: [{ name: 'usr', tree: ID, meta: ID }] }),
      encodeDirTree({ files: [], dirs: [] }),
    ],
    run: (input) => void decodeDirTree(input, 'fuzz dirtree'),
    covers: ['core/dist/store/'],
  },
  {
    name: 'dirmeta',
    seeds: async () => [encodeDirMeta({ mode: 0o40755, uid: 0, gid: 0, xattrs: [['security.selinux', Buffer.from('system_u:object_r:usr_t:s0\0')]] })],
    run: (input) => void decodeDirMeta(input, 'fuzz dirmeta'),
    covers: ['core/dist/store/'],
  },
  {
    name: 'commit',
    seeds: async () => [
      encodeCommit({ parent: null, timestamp: 1_700_000_000, rootTree: ID, rootMeta: ID, subject: 'v1', body: 'body', metadata: { version: '1.0', packages: [{ name: 'bash' }] } as never }),
      encodeCommit({ parent: ID, timestamp: 0, rootTree: ID, rootMeta: ID, subject: '', body: '', metadata: {} as never }),
    ],
    run: (input) => void decodeCommit(input, 'fuzz commit'),
    covers: ['core/dist/store/'],
  },
  {
    name: 'file-header',
    seeds: async () => [
      encodeFileHeader({ mode: 0o100644, uid: 0, gid: 0, size: 12, target: '', xattrs: [['user.a', Buffer.from('b')]] }),
      encodeFileHeader({ mode: 0o120777, uid: 1000, gid: 1000, size: 0, target: '../lib/x', xattrs: [] }),
    ],
    run: (input) => void decodeFileHeader(input, 'fuzz file header'),
    covers: ['core/dist/store/'],
  },
  {
    name: 'bls',
    seeds: async () => [fs.readFileSync(path.join(SEEDS, 'loader.conf'))],
    run(input) {
      const entry = BootEntry.parse(input.toString('utf8'), 'fuzz.conf');
      void String(entry);
    },
    covers: ['core/dist/sysroot/BootEntry'],
  },
  {
    name: 'grub-cfg',
    seeds: async () => grubFixtures('script'),
    run(input) {
      // Bytes as GRUB reads them, one char each: any input has a text form.
      const text = input.toString('latin1');
      const script = parseGrubScript(text, 'fuzz grub.cfg');
      // What parses must print back byte for byte: Arbor rewrites admins' grub.cfg files.
      if (printGrubScript(script) !== text) throw new Error('grub.cfg: print(parse(x)) differs from x');
      void menuEntries(script);
    },
    covers: ['plugins/grub/dist/script/'],
    maxInput: 64 * 1024,
  },
  {
    name: 'grubenv',
    seeds: async () => grubFixtures('grubenv'),
    run(input) {
      const env = GrubEnv.parse(input, 'fuzz grubenv');
      void env.toBuffer();
    },
    covers: ['plugins/grub/dist/GrubEnv'],
    maxInput: 8 * 1024,
  },
  {
    name: 'treefile',
    seeds: async () => [fs.readFileSync(path.join(SEEDS, 'treefile.yaml'))],
    run(input, work) {
      const file = path.join(work, 'treefile.yaml');
      fs.writeFileSync(file, input);
      loadTreefile(file);
    },
    covers: ['core/dist/compose/Treefile', 'node_modules/yaml'],
    allowedInWork: ['treefile.yaml'],
  },
];

/**
 * Targets with planted faults, present only when ARBOR_FUZZ_SELFTEST is set: the harness's own
 * test (fuzz.test.ts) checks that it reports a crash, a hang and a blown heap.
 */
const PLANTED: FuzzTarget[] = [
  {
    name: 'planted-crash',
    seeds: async () => [Buffer.from('seed')],
    run(input) {
      if (input.includes(0xff)) throw new TypeError('planted: not an ArborError');
    },
    covers: ['fuzz/targets'],
  },
  {
    name: 'planted-hang',
    seeds: async () => [Buffer.from('seed')],
    run(input) {
      while (input.length > 4) void 0;
    },
    covers: ['fuzz/targets'],
  },
  {
    name: 'planted-memory',
    seeds: async () => [Buffer.from('seed')],
    run(input) {
      const hoard: number[][] = [];
      while (input.length > 4) hoard.push(new Array(1 << 16).fill(input.length));
    },
    covers: ['fuzz/targets'],
  },
];
if (process.env.ARBOR_FUZZ_SELFTEST) TARGETS.push(...PLANTED);

export function findTarget(name: string): FuzzTarget {
  const target = TARGETS.find((candidate) => candidate.name === name);
  if (!target) throw new Error(`no fuzz target "${name}"; there are: ${TARGETS.map((t) => t.name).join(', ')}`);
  return target;
}
