import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { requireTool } from '../support/requireTool';
import { ARBOR_BIN } from '../support/runArbor';
import { OS_PACKAGES, commitObjects, initRepo, refsOf, writeConfig } from './composeFixture';
import { buildTestRepo } from './TestRpmRepo';

interface BadInput {
  /** Damages a copy of the good repo, or returns treefile keys that are wrong. */
  prepare(rpms: string): Record<string, unknown> | void;
  error: RegExp;
}

/** Each bad input against a fresh copy of the repo; all composes run at once (each is a CLI start). */
const CASES: Record<string, BadInput> = {
  'names the package whose file does not match its checksum (a payload byte flipped)': {
    prepare(rpms) {
      const rpm = path.join(rpms, 'hello-2.12-3.noarch.rpm');
      const bytes = fs.readFileSync(rpm);
      bytes[bytes.length - 20] ^= 0xff;
      fs.writeFileSync(rpm, bytes);
    },
    error: /package hello-2\.12-3\.noarch .*corrupt/,
  },
  'refuses a primary.xml that does not match the checksum in repomd.xml': {
    prepare(rpms) {
      const primary = path.join(rpms, 'repodata/primary.xml.gz');
      const xml = zlib.gunzipSync(fs.readFileSync(primary)).toString('utf8').replace('<name>greeting</name>', '<name>greetinG</name>');
      fs.writeFileSync(primary, zlib.gzipSync(xml));
    },
    error: /primary\.xml of repo rpms is corrupt/,
  },
  'names an unknown treefile key and suggests the right one': {
    prepare: () => ({ 'exclude-package': ['unrelated'] }),
    error: /Unknown key "exclude-package" in treefile .*did you mean "exclude-packages"\?/,
  },
  'names a package that no repo offers': {
    prepare: () => ({ packages: ['hello', 'no-such-thing'] }),
    error: /no package matches "no-such-thing"/,
  },
  'names the missing dependency and the package that needs it': {
    prepare: () => ({ 'exclude-packages': ['greeting'] }),
    error: /nothing provides greeting >= 2\.0 needed by hello-2\.12-3\.noarch/,
  },
};

describe('arbor compose tree on bad inputs', function () {
  this.timeout(120000);
  let work: string;
  const outcomes = new Map<string, { status: number | null; stderr: string; repo: string }>();

  before(async function () {
    requireTool(this, 'rpmbuild', 'createrepo_c');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-compose-bad-'));
    const pristine = path.join(work, 'pristine');
    buildTestRepo(pristine, OS_PACKAGES, path.join(work, 'build'));
    const config = writeConfig(work);
    await Promise.all(Object.entries(CASES).map(async ([title, bad], index) => {
      const dir = path.join(work, `case-${index}`);
      const rpms = path.join(dir, 'rpms');
      fs.cpSync(pristine, rpms, { recursive: true });
      const repo = initRepo(path.join(dir, 'repo'));
      const doc = { ref: 'demo/base', repos: [rpms], packages: ['hello'], scriptlets: false, ...(bad.prepare(rpms) ?? {}) };
      const treefile = path.join(dir, 'tree.yaml');
      fs.writeFileSync(treefile, Object.entries(doc).map(([key, value]) => `${key}: ${JSON.stringify(value)}`).join('\n'));
      const run = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [ARBOR_BIN, 'compose', 'tree', treefile, '--repo', repo, '--config', config], { env: { ...process.env, DEBUG: '' } },
          (_error, _stdout, stderr) => resolve({ status: child.exitCode, stderr }));
      });
      outcomes.set(title, { ...run, repo });
    }));
  });
  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const [title, bad] of Object.entries(CASES)) {
    it(`${title}, in one line, leaving no ref and no commit`, () => {
      const { status, stderr, repo } = outcomes.get(title)!;
      assert.equal(status, 1, stderr);
      const lines = stderr.trim().split('\n').filter((line) => line.startsWith('Error:'));
      assert.equal(lines.length, 1, stderr);
      assert.match(lines[0]!, bad.error);
      assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
      assert.deepEqual(refsOf(repo), {});
      assert.deepEqual(commitObjects(repo), []);
    });
  }
});
