import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes an npm package into `<project>/node_modules/<name>`, the way `npm install` would leave
 * a third-party plugin or preset: package.json plus its main file.
 */
export function installPackage(
  project: string,
  name: string,
  files: Record<string, string>,
  manifest: Record<string, unknown> = {},
): string {
  const dir = path.join(project, 'node_modules', ...name.split('/'));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', main: 'index.js', ...manifest }, null, 2),
  );
  for (const [file, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), contents);
  }
  return dir;
}

/**
 * A CommonJS plugin whose taps on `deploy` record their name in `event.trace`, so a test can
 * see the real run order. `taps` maps a tap label to its stage.
 */
export function tracingPlugin(name: string, taps: Record<string, number> = { [name]: 0 }): string {
  const lines = Object.entries(taps).map(
    ([label, stage]) =>
      `    arbor.hooks.deploy.tapPromise({ name: ${JSON.stringify(name)}, stage: ${stage} }, async (event) => { event.trace.push(${JSON.stringify(label)}); });`,
  );
  return [
    'module.exports = function factory(options) {',
    `  return { name: ${JSON.stringify(name)}, apply(arbor) {`,
    ...lines,
    '  } };',
    '};',
  ].join('\n');
}
