import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Arbor, checkoutCommit, Repo, type LayerRequest, type LayerResult } from '@arbor/core';
import rpmMdPlugin from '@arbor/plugin-rpm-md';
import { rpmPlugin } from '@arbor/plugin-rpm';
import storagePlugin from '@arbor/plugin-storage';
import { arborOk, initRepo, writeConfig } from '../compose/composeFixture';
import { buildTestRepo, type TestPackage } from '../compose/TestRpmRepo';

/**
 * The base every layering test starts from: a composed commit (real RPMs, `arbor compose
 * tree`, so the tree has the rpmdb compose writes and is in commit layout) whose shell is a
 * static busybox, so scriptlets run in it.
 */
export const BASE_PACKAGES: TestPackage[] = [
  {
    name: 'filesystem', version: '3.18',
    files: {
      '/etc': { dir: true }, '/usr': { dir: true }, '/usr/bin': { dir: true }, '/usr/share': { dir: true },
      '/bin': { symlink: 'usr/bin' },
      '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n',
      '/etc/group': 'root:x:0:\n',
      '/etc/shells': '/bin/sh\n',
      '/usr/share/base-note': 'base\n',
    },
  },
  { name: 'shell', version: '1.36', requires: ['filesystem'], provides: ['/bin/sh'], hostFiles: { '/usr/bin/sh': '/usr/bin/busybox' } },
  { name: 'libfoo', version: '1.0', requires: ['filesystem'], files: { '/usr/share/libfoo/data': 'foo 1\n' } },
  { name: 'app', version: '1.0', requires: ['libfoo', 'filesystem'], files: { '/usr/bin/app': { content: '#!/bin/sh\necho app\n', mode: 0o755 } } },
  { name: 'common', version: '1.0', requires: ['filesystem'], files: { '/usr/share/common/file': 'base\n' } },
  { name: 'motd', version: '1', requires: ['filesystem'], files: { '/etc/motd': 'hello\n', '/etc/motd.d': { dir: true } } },
];

/** What the deployment's repo offers on top. */
export const EXTRA_PACKAGES: TestPackage[] = [
  {
    name: 'tool', version: '2.0', release: '3', requires: ['extralib', '/bin/sh'],
    files: {
      '/usr/bin/tool': { content: '#!/bin/sh\necho tool\n', mode: 0o755 },
      '/usr/share/tool/readme': 'tool\n',
      '/etc/tool.conf': 'level=1\n',
      '/var/lib/tool': { dir: true, mode: 0o750 },
    },
    scripts: {
      pre: 'echo "pre $1" > /usr/share/tool/pre-ran',
      post: 'echo x >> /usr/share/base-note\necho /usr/bin/tool >> /etc/shells\necho "post $1" > /usr/share/tool/post-ran\nmkdir -p /var/cache/tool\nln -s ../lib/tool /var/cache/tool/state\necho junk > /var/cache/tool/file',
    },
  },
  { name: 'extralib', version: '1.1', files: { '/usr/share/extralib/lib': 'lib\n' } },
  { name: 'clash', version: '1.0', conflicts: ['app'], files: { '/usr/share/clash/file': 'clash\n' } },
  { name: 'fileclash', version: '1.0', files: { '/usr/share/common/file': 'different\n' } },
  { name: 'needs-foo', version: '1.0', requires: ['libfoo'], files: { '/usr/share/needs-foo': 'x\n' } },
  {
    // A %post that deletes base files and replaces a base directory: whiteouts and an opaque
    // directory in the overlay's upper layer.
    name: 'sweeper', version: '1.0', requires: ['/bin/sh'], files: { '/usr/share/sweeper/readme': 'sweep\n' },
    scripts: { post: 'rm /usr/share/libfoo/data\nrm /etc/group\nrm -r /usr/share/common\nmkdir /usr/share/common\necho fresh > /usr/share/common/only\nchmod 0700 /usr/share/libfoo\nmkfifo /usr/share/sweeper/fifo /etc/fifo' },
  },
];

/** Package files given by path: the newer libfoo that replaces the base's, and a new package. */
export const LOCAL_PACKAGES: TestPackage[] = [
  {
    name: 'libfoo', version: '2.0', requires: ['filesystem'], files: { '/usr/share/libfoo/data': 'foo 2\n', '/usr/share/libfoo/new-in-2': 'new\n' },
    scripts: { post: 'echo "post $1" > /usr/share/libfoo/post-ran' },
  },
  { name: 'localtool', version: '0.9', requires: ['extralib'], files: { '/usr/share/localtool/readme': 'local\n' } },
];

export class LayerFixture {
  /** What the plugins warned about, in order. */
  readonly warnings: string[] = [];
  readonly arbor = new Arbor({ logger: { debug() {}, info() {}, warn: (message) => this.warnings.push(message) } })
    .use(rpmPlugin()).use(rpmMdPlugin()).use(storagePlugin());
  private checkouts = 0;

  private constructor(
    readonly work: string,
    readonly store: string,
    readonly commit: string,
    readonly extraRepo: string,
    readonly configRoot: string,
    readonly localRpms: Record<string, string>,
  ) {}

  static async create(): Promise<LayerFixture> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-rpm-layer-'));
    const baseRepo = path.join(work, 'base-rpms');
    const extraRepo = path.join(work, 'extra-rpms');
    buildTestRepo(baseRepo, BASE_PACKAGES, path.join(work, 'build'));
    buildTestRepo(extraRepo, EXTRA_PACKAGES, path.join(work, 'build'));
    const local = buildTestRepo(path.join(work, 'local-rpms'), LOCAL_PACKAGES, path.join(work, 'build-local'));
    const store = initRepo(path.join(work, 'store'));
    const treefile = path.join(work, 'tree.json');
    fs.writeFileSync(treefile, JSON.stringify({ ref: 'test/base', repos: [baseRepo], packages: BASE_PACKAGES.map((pkg) => pkg.name), scriptlets: false }));
    const composed = arborOk(writeConfig(work), 'compose', 'tree', treefile, '--repo', store, '--json').json<{ commit: string }>();
    const configRoot = path.join(work, 'etc');
    writeRepoFile(configRoot, 'extra.repo', [
      '[extra]',
      'name=Extra packages for $releasever on $basearch',
      // The first base URL does not answer; dnf, and Arbor, go on to the next.
      'baseurl=file:///nonexistent/arbor/$basearch',
      `        file://${extraRepo}`,
      'enabled=1',
      'gpgcheck=0',
      '',
      '[disabled-one]',
      'baseurl=file:///nonexistent/disabled',
      'enabled=0',
    ].join('\n'));
    return new LayerFixture(work, store, composed.commit, extraRepo, configRoot, { libfoo2: local[0]!, localtool: local[1]! });
  }

  /** A fresh hardlink checkout of the base commit, as the core makes for a layered commit. */
  async checkout(): Promise<string> {
    const dest = path.join(this.work, `tree-${++this.checkouts}`);
    await checkoutCommit(this.arbor, Repo.open(this.store), { ref: this.commit, dest });
    return dest;
  }

  /** A config root of its own (another deployment's etc), holding one .repo file. */
  configWith(name: string, repoText: string): string {
    const root = fs.mkdtempSync(path.join(this.work, 'etc-'));
    writeRepoFile(root, name, repoText);
    return root;
  }

  async layer(tree: string, request: Partial<LayerRequest>): Promise<LayerResult> {
    const result = await this.arbor.hooks.layer.promise({
      packages: [], localPackages: [], removals: [], replacements: [],
      tree, base: this.commit, configRoot: this.configRoot, ...request,
    }, this.arbor.context());
    if (!result) throw new Error('no layer tap answered');
    return result;
  }

  remove(): void {
    fs.rmSync(this.work, { recursive: true, force: true });
  }
}

export function writeRepoFile(configRoot: string, name: string, text: string): void {
  fs.mkdirSync(path.join(configRoot, 'yum.repos.d'), { recursive: true });
  fs.writeFileSync(path.join(configRoot, 'yum.repos.d', name), text);
}

/** Every object file of a store: its path, mode and content digest, to prove nothing wrote one. */
export function snapshotObjects(store: string): Map<string, string> {
  const snapshot = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        const stat = fs.statSync(file);
        snapshot.set(path.relative(store, file), `${stat.mode.toString(8)} ${stat.uid}:${stat.gid} ${crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`);
      }
    }
  };
  walk(path.join(store, 'objects'));
  return snapshot;
}
