import type { RpmHeader } from './RpmHeader';
import { RpmSense, Tag } from './RpmTag';
import { dependency, type RpmDependency } from './RpmDependency';

/** A scriptlet: the interpreter rpm runs (with its arguments) and the script body. */
export interface RpmScript {
  /** From *PROG: `['/bin/sh']`, `['/sbin/ldconfig']` or `['<lua>']` for rpm's embedded Lua. */
  interpreter: string[];
  /** Empty for `%post -p /sbin/ldconfig`, which runs the interpreter with no script. */
  body: string;
}

/** Scriptlet tags and their program tags, in the order rpm runs them on install and erase. */
const SCRIPTS = {
  pretrans: [Tag.PRETRANS, Tag.PRETRANSPROG],
  prein: [Tag.PREIN, Tag.PREINPROG],
  postin: [Tag.POSTIN, Tag.POSTINPROG],
  posttrans: [Tag.POSTTRANS, Tag.POSTTRANSPROG],
  preuntrans: [Tag.PREUNTRANS, Tag.PREUNTRANSPROG],
  preun: [Tag.PREUN, Tag.PREUNPROG],
  postun: [Tag.POSTUN, Tag.POSTUNPROG],
  postuntrans: [Tag.POSTUNTRANS, Tag.POSTUNTRANSPROG],
  verifyscript: [Tag.VERIFYSCRIPT, Tag.VERIFYSCRIPTPROG],
} as const;

export type RpmScriptName = keyof typeof SCRIPTS;
export type RpmScripts = Partial<Record<RpmScriptName, RpmScript>>;

/** A trigger script and the package conditions that fire it. */
export interface RpmTrigger {
  /** `triggerprein`, `triggerin`, `triggerun` or `triggerpostun`. */
  type: string;
  conditions: RpmDependency[];
  interpreter: string[];
  body: string;
}

/** rpm's default interpreter for a scriptlet with a body and no *PROG tag. */
const DEFAULT_INTERPRETER = '/bin/sh';

export function readScripts(header: RpmHeader): RpmScripts {
  const scripts: RpmScripts = {};
  for (const [name, [bodyTag, progTag]] of Object.entries(SCRIPTS) as Array<[RpmScriptName, readonly [number, number]]>) {
    const body = header.string(bodyTag);
    const program = header.strings(progTag);
    if (body === undefined && program === undefined) continue;
    scripts[name] = { interpreter: program?.length ? program : [DEFAULT_INTERPRETER], body: body ?? '' };
  }
  return scripts;
}

/**
 * Triggers: TRIGGERNAME/FLAGS/VERSION hold one condition each, and TRIGGERINDEX points each
 * condition at its script in TRIGGERSCRIPTS/TRIGGERSCRIPTPROG; the kind is in the flags.
 */
export function readTriggers(header: RpmHeader): RpmTrigger[] {
  const bodies = header.strings(Tag.TRIGGERSCRIPTS) ?? [];
  const programs = header.strings(Tag.TRIGGERSCRIPTPROG) ?? [];
  const names = header.strings(Tag.TRIGGERNAME) ?? [];
  const flags = header.numbers(Tag.TRIGGERFLAGS) ?? [];
  const versions = header.strings(Tag.TRIGGERVERSION) ?? [];
  const indexes = header.numbers(Tag.TRIGGERINDEX) ?? [];
  const triggers: RpmTrigger[] = bodies.map((body, i) => ({
    type: '',
    conditions: [],
    interpreter: [programs[i] || DEFAULT_INTERPRETER],
    body,
  }));
  names.forEach((name, i) => {
    const trigger = triggers[indexes[i] ?? -1];
    if (!trigger) return;
    const senses = flags[i] ?? 0;
    trigger.type = triggerType(senses);
    trigger.conditions.push(dependency(name, senses & (RpmSense.LESS | RpmSense.GREATER | RpmSense.EQUAL), versions[i] ?? ''));
  });
  return triggers.filter((trigger) => trigger.type !== '');
}

function triggerType(flags: number): string {
  if (flags & RpmSense.TRIGGERPREIN) return 'triggerprein';
  if (flags & RpmSense.TRIGGERIN) return 'triggerin';
  if (flags & RpmSense.TRIGGERUN) return 'triggerun';
  if (flags & RpmSense.TRIGGERPOSTUN) return 'triggerpostun';
  return 'trigger';
}
