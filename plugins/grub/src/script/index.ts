export { tokenizeGrubScript, type GrubToken, type GrubTokenKind } from './GrubLexer';
export { parseGrubScript } from './parseGrubScript';
export { printGrubScript, walkGrubCommands } from './GrubScript';
export type { GrubScript, GrubItem, GrubCommand, GrubIf, GrubIfBranch, GrubFor, GrubLoop, GrubFunction, GrubComment, GrubGap } from './GrubScript';
export { grubWordValue, quoteGrubWord } from './grubWord';
export { GrubSyntaxError } from './GrubSyntaxError';
export { menuEntries, type GrubMenuEntry } from './menuEntries';
