import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { isArborError } from '@arbor/core';
import { loadFileContexts } from '@arbor/plugin-selinux';
import { runArbor } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

describe('bad file_contexts', () => {
  const tmp = useTempDir('arbor-selinux-bad-');

  function policy(lines: string[]): string {
    const file = path.join(tmp(), 'file_contexts');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  const GOOD = ['# a comment', '', '/usr(/.*)?\tsystem_u:object_r:usr_t:s0'];

  for (const [what, line, message] of [
    ['a line with one field', '/usr/bin/x', /file_contexts:4: missing fields: "\/usr\/bin\/x"$/],
    ['an unknown file type', '/usr/bin/x\t-x\tsystem_u:object_r:bin_t:s0', /file_contexts:4: invalid file type -x: /],
    ['non-ASCII text', '/usr/bin/caf\u00e9\tsystem_u:object_r:bin_t:s0', /file_contexts:4: non-ASCII characters: /],
  ] as const) {
    it(`names the file and the line of ${what}`, () => {
      const file = policy([...GOOD, line]);
      assert.throws(() => loadFileContexts(file), (error: unknown) =>
        isArborError(error) && error.code === 'ARBOR_SELINUX_FILE_CONTEXTS_MALFORMED' && error.message.startsWith(file) && message.test(error.message));
    });
  }

  for (const [construct, regex] of [
    ['(?i)', '/usr/(?i)bin'],
    ['\\1', '/usr/(a)\\1'],
    ['*+', '/usr/a*+'],
    ['(?>', '/usr/(?>ab)'],
    ['\\p', '/usr/\\p{L}'],
    ['[:^alpha:]', '/usr/[[:^alpha:]]'],
  ] as const) {
    it(`refuses the PCRE2 construct ${construct}, naming the file, the line and the construct`, () => {
      const file = policy([...GOOD, `${regex}\tsystem_u:object_r:bin_t:s0`]);
      assert.throws(() => loadFileContexts(file), (error: unknown) =>
        isArborError(error) && error.code === 'ARBOR_SELINUX_REGEX_UNSUPPORTED' && error.message.startsWith(`${file}:4: cannot translate ${construct}`));
    });
  }

  it('names the file and the line of a regex that does not compile', () => {
    const file = policy([...GOOD, '/usr/(unclosed\tsystem_u:object_r:bin_t:s0']);
    assert.throws(() => loadFileContexts(file), /file_contexts:4: invalid regex \/usr\/\(unclosed: /);
  });

  it('makes arbor commit fail with one line naming the file and the line', () => {
    const file = policy([...GOOD, '/usr/bin/x']);
    const tree = path.join(tmp(), 'tree');
    fs.mkdirSync(path.join(tree, 'usr'), { recursive: true });
    fs.writeFileSync(path.join(tmp(), 'arbor.config.json'), JSON.stringify({ preset: 'fedora' }));
    const config = ['--config', path.join(tmp(), 'arbor.config.json')];
    assert.equal(runArbor(['init', '--repo', path.join(tmp(), 'repo'), ...config]).status, 0);
    const run = runArbor(['commit', '--repo', path.join(tmp(), 'repo'), '--branch', 'x', '--tree', tree, '--file-contexts', file, ...config]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`^Error: .*${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4: missing fields`, 'm'));
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });
});
