import { SaxesParser, type SaxesTagPlain } from 'saxes';

/** One `<data type="…">` entry of repomd.xml: where a metadata file is and what it hashes to. */
export interface RepoDataEntry {
  type: string;
  location: string;
  /** The checksum of the file as stored (compressed), which every download is checked against. */
  checksum: { type: string; value: string };
  /** The checksum of the uncompressed content, when the repo records one. */
  openChecksum?: { type: string; value: string };
  size?: number;
}

/** repomd.xml, the index of an rpm-md repository (`repodata/repomd.xml`). */
export interface RepoMetadata {
  revision?: string;
  data: Map<string, RepoDataEntry>;
}

/**
 * Parses repomd.xml. It is small (one entry per metadata kind), so it is parsed in one go.
 * Throws on malformed XML; the caller names the repo.
 */
export function parseRepoMetadata(xml: string): RepoMetadata {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const data = new Map<string, RepoDataEntry>();
  let current: RepoDataEntry | undefined;
  let field: 'checksum' | 'open-checksum' | 'size' | 'revision' | undefined;
  let checksumType = '';
  let text = '';
  let revision: string | undefined;
  let failure: Error | undefined;

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attrs = tag.attributes as Record<string, string>;
    if (tag.name === 'data') {
      current = { type: attrs.type ?? '', location: '', checksum: { type: '', value: '' } };
    } else if (tag.name === 'location' && current) {
      current.location = attrs.href ?? '';
    } else if ((tag.name === 'checksum' || tag.name === 'open-checksum' || tag.name === 'size') && current) {
      field = tag.name;
      checksumType = attrs.type ?? 'sha256';
      text = '';
    } else if (tag.name === 'revision' && !current) {
      field = 'revision';
      text = '';
    }
  });
  parser.on('text', (chunk) => {
    if (field) text += chunk;
  });
  parser.on('closetag', (tag) => {
    if (field && tag.name === field) {
      const value = text.trim();
      if (field === 'revision') revision = value;
      else if (field === 'checksum') current!.checksum = { type: checksumType, value: value.toLowerCase() };
      else if (field === 'open-checksum') current!.openChecksum = { type: checksumType, value: value.toLowerCase() };
      else current!.size = Number(value);
      field = undefined;
    } else if (tag.name === 'data' && current) {
      data.set(current.type, current);
      current = undefined;
    }
  });
  parser.on('error', (error) => {
    failure ??= error;
  });
  parser.write(xml).close();
  if (failure) throw failure;
  return { revision, data };
}
