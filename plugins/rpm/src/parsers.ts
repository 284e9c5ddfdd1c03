/**
 * `@arbor/plugin-rpm/parsers`: the RPM format's readers one by one, for tools that take a
 * package apart (inspectors, fuzzers) without installing it.
 */
export { ByteReader } from './ByteReader';
export { CpioReader, type CpioEntry } from './CpioReader';
export { decompressPayload, detectPayloadEncoding } from './PayloadDecompressor';
export { readDependencies, DependencyKinds, type DependencyKind } from './RpmDependency';
export { readScripts, readTriggers } from './RpmScripts';
export { readNevra } from './RpmNevra';
export { rpmError, RpmErrorCode } from './RpmError';
export { truncatedError } from './readRpmHeaders';
