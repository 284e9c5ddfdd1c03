import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { feedXmlParser } from './feedXmlParser';
import type { Dependency, DependencyFlag } from './Dependency';
import { DEPENDENCY_KINDS, type DependencyKind, type RpmPackage } from './RpmPackage';

const FLAGS = new Set<DependencyFlag>(['EQ', 'LT', 'LE', 'GT', 'GE']);

/**
 * Streams primary.xml (rpm-md "common" metadata) into package records, one `<package>` at a
 * time, so a large repo never sits in memory as text or as a DOM. Only the elements a compose
 * needs are kept: identity, checksum, location, size, sourcerpm, dependency lists, files.
 * Packages of type other than "rpm" are skipped, as libsolv's rpmmd reader does.
 */
export async function readPrimaryXml(input: Readable, repo: string): Promise<RpmPackage[]> {
  const packages: RpmPackage[] = [];
  const parser = new SaxesParser({ xmlns: false, position: false });
  let current: RpmPackage | undefined;
  let dependencyKind: DependencyKind | undefined;
  let text = '';
  let collecting = false;

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attrs = tag.attributes as Record<string, string>;
    switch (tag.name) {
      case 'package':
        current = attrs.type && attrs.type !== 'rpm' ? undefined : emptyPackage(repo);
        return;
      case 'version':
        if (!current) return;
        current.epoch = Number(attrs.epoch ?? 0) || 0;
        current.version = attrs.ver ?? '';
        current.release = attrs.rel ?? '';
        return;
      case 'checksum':
        if (current) current.checksum.type = attrs.type ?? 'sha256';
        break;
      case 'location':
        if (!current) return;
        current.location = attrs.href ?? '';
        if (attrs['xml:base']) current.locationBase = attrs['xml:base'];
        return;
      case 'size':
        if (current) current.size = Number(attrs.package ?? 0);
        return;
      case 'rpm:entry':
        if (current && dependencyKind) current[dependencyKind].push(entry(attrs));
        return;
      default:
        if (current && tag.name.startsWith('rpm:')) {
          const kind = tag.name.slice(4) as DependencyKind;
          if ((DEPENDENCY_KINDS as readonly string[]).includes(kind)) dependencyKind = kind;
        }
    }
    if (current && (tag.name === 'name' || tag.name === 'arch' || tag.name === 'checksum' ||
      tag.name === 'file' || tag.name === 'rpm:sourcerpm')) {
      collecting = true;
      text = '';
    }
  });
  parser.on('text', (chunk) => {
    if (collecting) text += chunk;
  });
  parser.on('closetag', (tag) => {
    if (!current) return;
    if (collecting) {
      collecting = false;
      switch (tag.name) {
        case 'name': current.name = text.trim(); break;
        case 'arch': current.arch = text.trim(); break;
        case 'checksum': current.checksum.value = text.trim().toLowerCase(); break;
        case 'file': current.files.push(text); break;
        case 'rpm:sourcerpm': current.sourceRpm = text.trim(); break;
      }
      return;
    }
    if (dependencyKind && tag.name === `rpm:${dependencyKind}`) dependencyKind = undefined;
    if (tag.name === 'package') {
      packages.push(current);
      current = undefined;
    }
  });

  await feedXmlParser(parser, input);
  return packages;
}

function emptyPackage(repo: string): RpmPackage {
  const pkg = {
    name: '', epoch: 0, version: '', release: '', arch: '', repo, location: '',
    checksum: { type: 'sha256', value: '' }, size: 0, files: [] as string[],
  } as RpmPackage;
  for (const kind of DEPENDENCY_KINDS) pkg[kind] = [];
  return pkg;
}

function entry(attrs: Record<string, string>): Dependency {
  const dep: Dependency = { name: attrs.name ?? '' };
  const flags = attrs.flags as DependencyFlag | undefined;
  if (flags && FLAGS.has(flags)) {
    dep.flags = flags;
    dep.evr = { epoch: Number(attrs.epoch ?? 0) || 0, version: attrs.ver ?? '', release: attrs.rel || undefined };
  }
  if (attrs.pre === '1') dep.pre = true;
  return dep;
}
