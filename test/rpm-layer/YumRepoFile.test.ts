import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseRepoFile, readYumRepos } from '@arbor/plugin-rpm';

const VARS = { basearch: 'x86_64', arch: 'x86_64', releasever: '41' };
const FILE = '/etc/yum.repos.d/test.repo';

/** The ArborError a parse throws, for its code and one-line message. */
function parseError(text: string): { code: string; message: string } {
  try {
    parseRepoFile(FILE, text, VARS);
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('the .repo text parsed');
}

describe('.repo files (yum.repos.d, as dnf reads them)', () => {
  it('reads sections, several baseurls on continuation lines, and dnf\'s variables', () => {
    const [repo, other] = parseRepoFile(FILE, [
      '# Fedora-style file',
      '[fedora]',
      'name=Fedora $releasever - $basearch',
      'baseurl=http://mirror.example/releases/$releasever/Everything/${basearch}/os/',
      '        https://other.example/$releasever/$arch/',
      'enabled=1',
      'gpgcheck=1',
      '; another comment',
      '[updates]',
      'baseurl=file:///srv/updates/$unknown/',
      'enabled = no',
      'skip_if_unavailable=True',
    ].join('\n'), VARS);
    assert.deepEqual(repo, {
      id: 'fedora', name: 'Fedora 41 - x86_64',
      baseurls: ['http://mirror.example/releases/41/Everything/x86_64/os/', 'https://other.example/41/x86_64/'],
      enabled: true, gpgcheck: true, gpgcheckLine: 7, gpgkeys: [], skipIfUnavailable: false, file: FILE, line: 2,
    });
    // An unknown variable stays as written, as dnf leaves it.
    assert.deepEqual(other!.baseurls, ['file:///srv/updates/$unknown/']);
    assert.equal(other!.enabled, false);
    assert.equal(other!.gpgcheck, false);
    assert.equal(other!.skipIfUnavailable, true);
  });

  it('records metalink and mirrorlist with their line, for the "not supported" error', () => {
    const [repo] = parseRepoFile(FILE, '[fedora]\nname=F\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever\n', VARS);
    assert.deepEqual(repo!.mirrors, { key: 'metalink', line: 3 });
    assert.deepEqual(repo!.baseurls, []);
  });

  it('names the file, the line and the key of what does not parse', () => {
    assert.deepEqual(pick(parseError('[ok]\nbaseurl=file:///x\nthis is not ini\n')),
      { code: 'ARBOR_LAYER_REPO_CONFIG_INVALID', message: `${FILE}:3: "this is not ini" is neither [repo-id] nor key=value` });
    assert.equal(parseError('baseurl=file:///x\n').message, `${FILE}:1: key baseurl comes before any [repo-id] section`);
    assert.equal(parseError('[ok]\nbaseurl=file:///x\nenabled=maybe\n').message,
      `${FILE}:3: key enabled of [ok] is "maybe", not a boolean (1/0, yes/no, true/false)`);
    assert.equal(parseError('[ok]\nbaseurl=ftp://old.example/$basearch\n').message,
      `${FILE}:2: key baseurl of [ok] is "ftp://old.example/x86_64"; Arbor reads file://, http:// and https:// repos`);
    assert.equal(parseError('[bad id]\n').message, `${FILE}:1: "[bad id]" is not a valid repo id`);
  });

  it('reads *.repo files in name order, skipping other files and symlinks, and refuses a repo id defined twice', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-yum-repos-'));
    try {
      const dir = path.join(root, 'yum.repos.d');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'b.repo'), '[b]\nbaseurl=file:///b\n');
      fs.writeFileSync(path.join(dir, 'a.repo'), '[a]\nbaseurl=file:///a\n');
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a repo');
      fs.symlinkSync('/etc/passwd', path.join(dir, 'escape.repo'));
      assert.deepEqual(readYumRepos(root, VARS).map((repo) => repo.id), ['a', 'b']);
      fs.writeFileSync(path.join(dir, 'c.repo'), '[a]\nbaseurl=file:///again\n');
      assert.throws(() => readYumRepos(root, VARS), { message: `${path.join(dir, 'c.repo')}:1: repo [a] is already defined in ${path.join(dir, 'a.repo')}:1` });
      assert.deepEqual(readYumRepos(path.join(root, 'missing'), VARS), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

function pick(error: { code: string; message: string }): { code: string; message: string } {
  return { code: error.code, message: error.message };
}
