import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runArbor, type ArborRun } from '../support/runArbor';
import { useTempDir } from '../support/tempDir';

interface ErrorDocument {
  error: { code: string; message: string; hint?: string };
}

/** A usage error as CLI.md wants it: exit 2, one JSON document on stdout with --json, one line on stderr. */
function assertUsageError(run: ArborRun, json: boolean, message: RegExp): ErrorDocument['error'] | undefined {
  assert.equal(run.status, 2, `exit code (stderr: ${run.stderr})`);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${run.stderr}`);
  assert.match(lines[0], /^Error: .* \[ARBOR_USAGE\]/);
  assert.match(lines[0], message);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack');
  if (!json) {
    assert.equal(run.stdout, '', 'nothing on stdout');
    return undefined;
  }
  assert.ok(run.stdout.length < 1024, `a short document, not oclif's internals (${run.stdout.length} bytes)`);
  const document = run.json<ErrorDocument>();
  assert.deepEqual(Object.keys(document), ['error']);
  assert.equal(document.error.code, 'ARBOR_USAGE');
  assert.match(document.error.message, message);
  assert.doesNotMatch(document.error.message, /\n|\u001b/, 'one line, no colours');
  return document.error;
}

describe('usage errors on the command line', () => {
  const tmp = useTempDir('arbor-cli-usage-');

  it('refs --json without --repo or --sysroot prints one JSON error naming the flags and exits 2', () => {
    const error = assertUsageError(runArbor(['refs', '--json']), true, /Exactly one of the following must be provided: --repo, --sysroot/);
    assert.equal(error?.hint, 'see arbor refs --help');
    assertUsageError(runArbor(['summary', '--json']), true, /Missing required flag repo/);
  });

  it('without --json, a missing flag is one Error line on stderr and exit 2', () => {
    assertUsageError(runArbor(['summary']), false, /^Error: Missing required flag repo \[ARBOR_USAGE\] \(hint: see arbor summary --help\)$/);
    assertUsageError(runArbor(['refs', '--repo', 'r', '--sysroot', 's']), false, /^Error: --sysroot cannot also be provided when using --repo \[ARBOR_USAGE\]/);
  });

  it('an unknown flag names the flag, with and without --json', () => {
    const repo = path.join(tmp(), 'repo');
    assertUsageError(runArbor(['refs', '--repo', repo, '--bogus', '--json']), true, /Nonexistent flag: --bogus/);
    assertUsageError(runArbor(['refs', '--repo', repo, '--bogus']), false, /Nonexistent flag: --bogus/);
    assert.ok(!fs.existsSync(repo), 'nothing ran');
  });

  it('an unknown flag close to a real one suggests it', () => {
    const repo = path.join(tmp(), 'repo');
    assertUsageError(runArbor(['refs', '--rpeo', repo, '--json']), true, /Nonexistent flag: --rpeo; did you mean --repo\?/);
    assertUsageError(runArbor(['refs', '--repo', repo, '--jsn']), false, /Nonexistent flag: --jsn; did you mean --json\?/);
    assertUsageError(runArbor(['refs', '--repo', repo, '--zzzzzz', '--json']), true, /Nonexistent flag: --zzzzzz(?!;)/);
  });

  it('a missing argument names it, and an extra argument is refused', () => {
    assertUsageError(runArbor(['rpm', 'info', '--json']), true, /Missing 1 required arg: file(?!\S)/);
    assertUsageError(runArbor(['refs', '--repo', tmp(), 'extra', '--json']), true, /Unexpected argument: extra/);
  });

  it('a flag value outside its options lists the options', () => {
    const repo = path.join(tmp(), 'repo');
    assertUsageError(runArbor(['init', '--repo', repo, '--mode', 'weird', '--json']), true, /Expected --mode=weird to be one of: bare, user, archive/);
  });

  it('a command\'s own usage error (a malformed --metadata) takes the same form', () => {
    const dir = tmp();
    assert.equal(runArbor(['init', '--repo', path.join(dir, 'repo'), '--mode', 'user']).status, 0);
    fs.mkdirSync(path.join(dir, 'tree'));
    const run = runArbor(['commit', '--repo', path.join(dir, 'repo'), '--branch', 'b', '--tree', path.join(dir, 'tree'), '--metadata', 'novalue', '--json']);
    assertUsageError(run, true, /--metadata "novalue" is not KEY=VALUE/);
  });

  it('a failure that is not a usage error keeps exit code 1', () => {
    const run = runArbor(['refs', '--repo', path.join(tmp(), 'missing'), '--json']);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.json<ErrorDocument>().error.code, /^ARBOR_/);
    assert.notEqual(run.json<ErrorDocument>().error.code, 'ARBOR_USAGE');
  });
});
