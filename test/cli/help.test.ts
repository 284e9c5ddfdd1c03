import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, runArbor } from '../support/runArbor';

interface CommandHelp {
  command: string;
  summary: string | null;
  examples: Array<{ description: string | null; command: string }>;
  args: Array<{ name: string; required: boolean }>;
  flags: Array<{ name: string; required: boolean }>;
}

interface TopicHelp {
  topic: string | null;
  commands: Array<{ command: string; summary: string | null }>;
}

/** Every command the CLI offers, from the manifests it reads at start-up: core's and each plugin's. */
function manifestCommands(): Array<{ id: string; plugin: string; examples?: unknown[] }> {
  const roots = [path.join(REPO_ROOT, 'core'), ...fs.readdirSync(path.join(REPO_ROOT, 'plugins')).map((name) => path.join(REPO_ROOT, 'plugins', name))];
  return roots.filter((root) => fs.existsSync(path.join(root, 'oclif.manifest.json'))).flatMap((root) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { examples?: unknown[] }> };
    return Object.entries(manifest.commands).map(([id, command]) => ({ id, plugin: path.relative(REPO_ROOT, root), examples: command.examples }));
  });
}

describe('arbor help', () => {
  it('help rpm info shows the rpm plugin\'s command: usage, argument and examples', () => {
    const run = runArbor(['help', 'rpm', 'info']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^Show what an RPM package holds/);
    assert.match(run.stdout, /USAGE\n {2}\$ arbor rpm info FILE/);
    assert.match(run.stdout, /ARGUMENTS\n {2}FILE {2}The \.rpm file/);
    assert.match(run.stdout, /EXAMPLES\n[\s\S]*\$ arbor rpm info bash-5\.2\.26-3\.fc40\.x86_64\.rpm --json/);
    // The same text as `arbor rpm info --help`.
    assert.equal(runArbor(['rpm', 'info', '--help']).stdout, run.stdout);
  });

  it('help --json gives a command\'s flags and rendered examples', () => {
    const run = runArbor(['help', 'key', 'generate', '--json']);
    assert.equal(run.status, 0, run.stderr);
    const help = run.json<CommandHelp>();
    assert.equal(help.command, 'key generate');
    assert.ok(help.flags.some((flag) => flag.name === 'out' && flag.required));
    assert.ok(help.examples.length > 0);
    assert.ok(help.examples.every((example) => example.command.startsWith('arbor ')), JSON.stringify(help.examples));
  });

  it('lists the plugins\' topics beside core\'s, and a topic\'s commands', () => {
    const root = runArbor(['help']);
    assert.equal(root.status, 0, root.stderr);
    assert.match(root.stdout, /TOPICS[\s\S]*\n {2}key +Manage signing keys\./);
    assert.match(root.stdout, /\n {2}rpm +Read RPM packages\./);
    const topic = runArbor(['help', 'sysroot', '--json']).json<TopicHelp>();
    assert.equal(topic.topic, 'sysroot');
    assert.ok(topic.commands.some((command) => command.command === 'sysroot init'), JSON.stringify(topic));
  });

  it('help for an unknown command is a usage error with a suggestion', () => {
    const run = runArbor(['help', 'stauts']);
    assert.equal(run.status, 2);
    assert.equal(run.stderr, 'Error: stauts is not an arbor command or topic; did you mean status? [ARBOR_USAGE] (hint: arbor help lists every command)\n');
  });

  it('every command has examples in its --help, plugins\' commands included', () => {
    const commands = manifestCommands();
    const ids = commands.map((command) => command.id);
    for (const expected of ['refs', 'status', 'help', 'rpm:info', 'key:generate']) assert.ok(ids.includes(expected), `${expected} in ${ids.join(', ')}`);
    assert.deepEqual(commands.filter((command) => command.id === 'rpm:info').map((command) => command.plugin), ['plugins/rpm']);
    assert.deepEqual(commands.filter((command) => command.id === 'key:generate').map((command) => command.plugin), ['plugins/ed25519']);
    const bare = commands.filter((command) => !command.examples?.length).map((command) => command.id);
    assert.deepEqual(bare, [], 'commands without examples');
    // And `help` lists exactly these commands: none is missing from the manifests.
    const listed = runArbor(['help', '--json']).json<TopicHelp>().commands.map((command) => command.command.replaceAll(' ', ':'));
    assert.deepEqual([...listed].sort(), [...ids].sort());
  });
});
