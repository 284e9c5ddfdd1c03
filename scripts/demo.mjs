#!/usr/bin/env node
// `npm run demo`: Arbor's main job end to end, in a throwaway directory.
//
//   compose server: RPMs -> rpm-md repo -> `arbor compose tree` -> signed commit + summary
//   transport:      `arbor serve` over HTTP on loopback
//   client:         sysroot -> signed remote -> pull -> deploy -> admin edits /etc
//                   -> compose v2 -> upgrade (3-way /etc merge) -> rollback
//
// Every step runs the real `arbor` CLI and prints the command. RPMs are built with rpmbuild and
// indexed with createrepo_c (Debian's rpm and createrepo-c); without them the demo commits a
// plain directory tree instead of composing one, and says so.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arborBin = path.join(root, 'core', 'bin', 'run.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'arbor-demo-'));
const keep = Boolean(process.env.ARBOR_DEMO_KEEP);

const paths = {
  rpms: path.join(work, 'rpms'),
  server: path.join(work, 'server-repo'),
  key: path.join(work, 'keys', 'demo.key'),
  treefile: path.join(work, 'demo.yaml'),
  tree: path.join(work, 'tree'),
  sysroot: path.join(work, 'sysroot'),
};
const REF = 'demo/x86_64/base';

function heading(text) {
  console.log(`\n\x1b[1m== ${text}\x1b[0m`);
}

function arbor(...args) {
  return run(args, { echo: true });
}

/** For the demo's own look-ups (`--json`), not shown. */
function arborQuiet(...args) {
  return run(args, { echo: false });
}

function run(args, { echo }) {
  const shown = args.map((arg) => arg.replaceAll(work, '$DEMO')).join(' ');
  if (echo) console.log(`$ arbor ${shown}`);
  const result = spawnSync(process.execPath, [arborBin, ...args], { cwd: work, encoding: 'utf8' });
  if (echo) process.stdout.write(result.stdout);
  if (result.status !== 0) {
    process.stderr.write(result.stderr);
    throw new Error(`arbor ${shown} failed (exit ${result.status})`);
  }
  return result.stdout.trim();
}

function hasTool(tool) {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** The demo OS as packages; v2 changes a default the admin also edits, and ships a new file. */
function demoPackages(version) {
  const v2 = version === 2;
  return [
    {
      name: 'demo-release',
      version: `${version}.0`,
      files: {
        '/usr/lib/os-release': `NAME="Arbor Demo"\nID=arbor-demo\nVERSION_ID=${version}\nPRETTY_NAME="Arbor Demo"\n`,
      },
    },
    {
      name: 'demo-kernel',
      version: '6.1.0',
      files: {
        '/usr/lib/modules/6.1.0/vmlinuz': 'not a real kernel: the demo boots nothing\n',
        '/usr/lib/modules/6.1.0/initramfs.img': 'not a real initramfs\n',
      },
    },
    {
      name: 'demo-app',
      version: `${version}.0`,
      requires: ['demo-release', 'demo-kernel'],
      files: {
        '/usr/bin/demo-app': { content: `#!/bin/sh\necho "demo app ${version}"\n`, mode: 0o755 },
        '/etc/demo/app.conf': v2 ? 'listen = 8080\nworkers = 8\n' : 'listen = 8080\nworkers = 2\n',
        '/etc/demo/logging.conf': v2 ? 'level = warn\n' : 'level = info\n',
        ...(v2 ? { '/etc/demo/tls.conf': 'enabled = true\n' } : {}),
        '/var/lib/demo/state': 'seeded from the commit\n',
      },
    },
  ];
}

function composeVersion(version) {
  fs.rmSync(paths.rpms, { recursive: true, force: true });
  const requireFromRoot = createRequire(path.join(root, 'package.json'));
  const { buildTestRepo } = requireFromRoot('./test/dist/compose/TestRpmRepo.js');
  buildTestRepo(paths.rpms, demoPackages(version), fs.mkdtempSync(path.join(work, 'rpmbuild-')));
  console.log(`(built ${fs.readdirSync(paths.rpms).filter((f) => f.endsWith('.rpm')).join(', ')} and their repodata)`);
  return arbor('compose', 'tree', paths.treefile, '--repo', paths.server, '--sign-key', paths.key);
}

/** Without rpmbuild: the same OS files as a directory, committed directly. */
function commitVersion(version) {
  fs.rmSync(paths.tree, { recursive: true, force: true });
  for (const pkg of demoPackages(version)) {
    for (const [file, spec] of Object.entries(pkg.files)) {
      const target = path.join(paths.tree, file.replace(/^\/etc\//, '/usr/etc/'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, typeof spec === 'string' ? spec : spec.content, { mode: spec.mode ?? 0o644 });
    }
  }
  return arbor('commit', '--repo', paths.server, '--branch', REF, '--tree', paths.tree,
    '--subject', `Arbor Demo ${version}`, '--metadata', `version=${version}`, '--sign-key', paths.key);
}

async function startServer() {
  const server = spawn(process.execPath, [arborBin, 'serve', '--repo', paths.server, '--port', '0'], { cwd: work });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    server.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = seen.match(/listening on (http:\/\/\S+)/);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`arbor serve exited with ${code}`)));
  });
  console.log(`$ arbor serve --repo $DEMO/server-repo --port 0 &\nlistening on ${url}`);
  return { url, stop: () => server.kill() };
}

async function main() {
  const compose = hasTool('rpmbuild') && hasTool('createrepo_c') && hasTool('bwrap');
  fs.writeFileSync(path.join(work, 'arbor.config.json'), JSON.stringify({ preset: 'fedora' }, null, 2));
  fs.writeFileSync(paths.treefile, [
    `ref: ${REF}`,
    'repos: [./rpms]',
    'packages: [demo-app]',
    'automatic-version-prefix: "41"',
    'metadata: { owner: arbor-demo }',
    '',
  ].join('\n'));

  heading('Compose server: a signed commit of an OS built from RPMs');
  arbor('key', 'generate', '--out', paths.key);
  arbor('init', '--repo', paths.server, '--mode', 'archive');
  if (!compose) console.log('(rpmbuild, createrepo_c or bwrap missing: committing the same files as a directory instead)');
  const v1 = compose ? composeVersion(1) : commitVersion(1);
  arbor('summary', '--repo', paths.server, '--sign-key', paths.key);
  arbor('log', '--repo', paths.server, REF);

  const server = await startServer();
  try {
    heading('Client: pull over HTTP, verified, and deploy');
    arbor('sysroot', 'init', paths.sysroot, '--stateroot', 'demo');
    arbor('remote', 'add', 'origin', server.url, '--sysroot', paths.sysroot, '--verify-key', `${paths.key}.pub`);
    arbor('pull', '--sysroot', paths.sysroot, 'origin', REF);
    arbor('deploy', `origin:${REF}`, '--sysroot', paths.sysroot, '--karg', 'quiet');
    arbor('status', '--sysroot', paths.sysroot);
    const [deployment] = JSON.parse(arborQuiet('status', '--sysroot', paths.sysroot, '--json')).deployments;
    const entries = path.join(paths.sysroot, 'boot', 'loader', 'entries');
    for (const entry of fs.readdirSync(entries)) {
      console.log(`--- boot/loader/entries/${entry}\n${fs.readFileSync(path.join(entries, entry), 'utf8').trimEnd()}`);
    }

    heading('The admin edits /etc on the running system');
    const etc = path.join(deployment.path, 'etc', 'demo');
    fs.writeFileSync(path.join(etc, 'app.conf'), 'listen = 9090\nworkers = 2\n');
    fs.writeFileSync(path.join(etc, 'local.conf'), 'added by the admin\n');
    console.log('edited etc/demo/app.conf, added etc/demo/local.conf');
    arbor('etc', 'diff', '--sysroot', paths.sysroot);

    heading('A new release is composed and published; the client upgrades');
    const v2 = compose ? composeVersion(2) : commitVersion(2);
    arbor('summary', '--repo', paths.server, '--sign-key', paths.key);
    arbor('upgrade', '--sysroot', paths.sysroot, '--check');
    arbor('upgrade', '--sysroot', paths.sysroot);
    arbor('status', '--sysroot', paths.sysroot);
    const [upgraded] = JSON.parse(arborQuiet('status', '--sysroot', paths.sysroot, '--json')).deployments;
    console.log(`--- etc/demo/app.conf in the new deployment (the admin's edit wins; the conflict is reported)\n${
      fs.readFileSync(path.join(upgraded.path, 'etc', 'demo', 'app.conf'), 'utf8').trimEnd()}`);
    if (compose) arbor('db', 'diff', '--repo', path.join(paths.sysroot, 'arbor', 'repo'), v1, v2);

    heading('Going back is one command');
    arbor('rollback', '--sysroot', paths.sysroot);
    arbor('status', '--sysroot', paths.sysroot);
    arbor('fsck', '--repo', path.join(paths.sysroot, 'arbor', 'repo'));
  } finally {
    server.stop();
  }
  console.log(`\nDemo finished${keep ? ` (kept in ${work})` : ''}.`);
}

try {
  await main();
} catch (error) {
  console.error(`\ndemo failed: ${error.message}${keep ? ` (work dir kept: ${work})` : ''}`);
  process.exitCode = 1;
} finally {
  if (!keep) fs.rmSync(work, { recursive: true, force: true });
}
