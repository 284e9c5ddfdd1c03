import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ARBOR_BIN, runArbor } from '../support/runArbor';
import { requireTool } from '../support/requireTool';

interface NotFoundDocument {
  error: { code: string; message: string; hint: string; suggestion: string | null };
}

describe('an unknown command', () => {
  // stdin is not a terminal here, as in a script: nothing may wait for an answer.
  const run = (args: string[]) => runArbor(args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

  it('arbor stauts suggests status in one line and exits 2, without waiting for a prompt', () => {
    const result = run(['stauts']);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'Error: stauts is not an arbor command; did you mean status? [ARBOR_USAGE] (hint: arbor help lists every command)\n');
  });

  it('with --json, prints one JSON error with the suggestion', () => {
    const result = run(['stauts', '--json']);
    assert.equal(result.status, 2, result.stderr);
    const { error } = result.json<NotFoundDocument>();
    assert.equal(error.code, 'ARBOR_USAGE');
    assert.equal(error.suggestion, 'status');
    assert.match(error.message, /did you mean status\?/);
  });

  it('suggests a command inside a topic as it is typed', () => {
    const result = run(['sysroot', 'inti', '--json']);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.json<NotFoundDocument>().error.suggestion, 'sysroot init');
    assert.equal(run(['rpm', 'inof', '--json']).json<NotFoundDocument>().error.suggestion, 'rpm info');
  });

  it('tells the command from its arguments', () => {
    const result = run(['sysroot', 'inti', '/mnt/sysroot', '--stateroot', 'os']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /^Error: sysroot inti is not an arbor command; did you mean sysroot init\?/);
    assert.match(run(['stauts', 'extra']).stderr, /^Error: stauts is not an arbor command; did you mean status\?/);
  });

  it('says a real command takes no argument, rather than calling it an unknown command', () => {
    const result = run(['rollback', 'extra', '--sysroot', '/nonexistent']);
    assert.equal(result.status, 2, result.stderr);
    assert.equal(result.stderr, 'Error: Unexpected argument: arbor rollback takes no argument "extra" [ARBOR_USAGE] (hint: see arbor rollback --help)\n');
    assert.match(run(['remote', 'list', 'a', 'b', '--repo', '/nonexistent']).stderr, /^Error: Unexpected argument: arbor remote list takes no argument "a b"/);
  });

  it('suggests nothing for a word that is no near miss', () => {
    const result = run(['xyzzyplugh', '--json']);
    assert.equal(result.status, 2, result.stderr);
    const { error } = result.json<NotFoundDocument>();
    assert.equal(error.suggestion, null);
    assert.equal(error.message, 'xyzzyplugh is not an arbor command');
  });

  it('at a terminal, asks whether it meant status (@oclif/plugin-not-found); declining exits 2', function () {
    requireTool(this, 'script');
    this.timeout(90_000);
    // script(1) gives the command a pseudo-terminal; "n" declines. Without an answer the prompt
    // gives up after 10 s, which also declines.
    const result = spawnSync('script', ['-qec', `"${process.execPath}" "${ARBOR_BIN}" stauts`, '/dev/null'], {
      input: 'n\r',
      encoding: 'utf8',
      env: { ...process.env, DEBUG: '' },
      timeout: 80_000,
    });
    // eslint-disable-next-line no-control-regex
    const screen = String(result.stdout).replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(screen, /Did you mean status\?/);
    assert.equal(result.status, 2, screen);
  });
});
