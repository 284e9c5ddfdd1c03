/**
 * The numbers an RPM file is written in: header data types, the tags Arbor reads, and the flag
 * bits stored in them. Values follow rpm's include/rpm/rpmtag.h, rpmds.h and rpmfiles.h;
 * they are part of the on-disk format and never change.
 */

/** RPM header data types (rpmTagType_e); the type field of every index entry. */
export const RpmTagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

/** Bytes per element of the fixed-size tag types; strings and string arrays are NUL-terminated. */
export const RPM_TYPE_SIZES: Readonly<Record<number, number>> = {
  [RpmTagType.NULL]: 0,
  [RpmTagType.CHAR]: 1,
  [RpmTagType.INT8]: 1,
  [RpmTagType.INT16]: 2,
  [RpmTagType.INT32]: 4,
  [RpmTagType.INT64]: 8,
  [RpmTagType.BIN]: 1,
};

export type RpmTagTypeValue = (typeof RpmTagType)[keyof typeof RpmTagType];

/**
 * Region tags open a header: their entry points at a 16-byte trailer that says how many index
 * entries and data bytes the region (the part covered by digests and signatures) spans.
 */
export const RegionTag = {
  HEADERIMAGE: 61,
  HEADERSIGNATURES: 62,
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
} as const;

/** Tags of the signature header (rpmSigTag_e). Digests of the main header live here. */
export const SigTag = {
  SIZE: 1000,
  MD5: 1004,
  PAYLOADSIZE: 1007,
  SHA1: 269,
  LONGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256: 273,
  SHA3_256: 279,
  /** OpenPGP signature (DSA, EdDSA or ECDSA key) over the main header, as RSAHEADER. */
  DSAHEADER: 267,
  /** OpenPGP signature (RSA key) over the main header: from the header magic to its last data byte. */
  RSAHEADER: 268,
  /** rpm 6: base64 OpenPGP signatures over the main header, one per array element, any key type. */
  OPENPGP: 278,
  /** Legacy OpenPGP signature (RSA key) over the main header and the compressed payload. */
  PGP: 1002,
  /** Legacy OpenPGP signature (DSA key) over the main header and the compressed payload. */
  GPG: 1005,
} as const;

/** Tags of the main header that Arbor reads (rpmTag_e). */
export const Tag = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  ARCH: 1022,
  PREIN: 1023,
  POSTIN: 1024,
  PREUN: 1025,
  POSTUN: 1026,
  OLDFILENAMES: 1027,
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILERDEVS: 1033,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILELINKTOS: 1036,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIREFLAGS: 1048,
  REQUIRENAME: 1049,
  REQUIREVERSION: 1050,
  CONFLICTFLAGS: 1053,
  CONFLICTNAME: 1054,
  CONFLICTVERSION: 1055,
  TRIGGERSCRIPTS: 1065,
  TRIGGERNAME: 1066,
  TRIGGERVERSION: 1067,
  TRIGGERFLAGS: 1068,
  TRIGGERINDEX: 1069,
  VERIFYSCRIPT: 1079,
  PREINPROG: 1085,
  POSTINPROG: 1086,
  PREUNPROG: 1087,
  POSTUNPROG: 1088,
  OBSOLETENAME: 1090,
  VERIFYSCRIPTPROG: 1091,
  TRIGGERSCRIPTPROG: 1092,
  FILEDEVICES: 1095,
  FILEINODES: 1096,
  FILELANGS: 1097,
  PROVIDEFLAGS: 1112,
  PROVIDEVERSION: 1113,
  OBSOLETEFLAGS: 1114,
  OBSOLETEVERSION: 1115,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  SOURCEPACKAGE: 1106,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  PAYLOADFLAGS: 1126,
  PRETRANS: 1151,
  POSTTRANS: 1152,
  PRETRANSPROG: 1153,
  POSTTRANSPROG: 1154,
  LONGFILESIZES: 5008,
  FILECAPS: 5010,
  FILEDIGESTALGO: 5011,
  RECOMMENDNAME: 5046,
  RECOMMENDVERSION: 5047,
  RECOMMENDFLAGS: 5048,
  SUGGESTNAME: 5049,
  SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051,
  SUPPLEMENTNAME: 5052,
  SUPPLEMENTVERSION: 5053,
  SUPPLEMENTFLAGS: 5054,
  ENHANCENAME: 5055,
  ENHANCEVERSION: 5056,
  ENHANCEFLAGS: 5057,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
  PAYLOADDIGESTALT: 5097,
  PREUNTRANS: 5103,
  POSTUNTRANS: 5104,
  PREUNTRANSPROG: 5105,
  POSTUNTRANSPROG: 5106,
  RPMFORMAT: 5114,
  PAYLOADSHA512: 5121,
  PAYLOADSHA3_256: 5123,
} as const;

/** Dependency sense bits (rpmsenseFlags_e): the comparison and what the dependency is for. */
export const RpmSense = {
  LESS: 1 << 1,
  GREATER: 1 << 2,
  EQUAL: 1 << 3,
  POSTTRANS: 1 << 5,
  PREREQ: 1 << 6,
  PRETRANS: 1 << 7,
  INTERP: 1 << 8,
  SCRIPT_PRE: 1 << 9,
  SCRIPT_POST: 1 << 10,
  SCRIPT_PREUN: 1 << 11,
  SCRIPT_POSTUN: 1 << 12,
  SCRIPT_VERIFY: 1 << 13,
  TRIGGERIN: 1 << 16,
  TRIGGERUN: 1 << 17,
  TRIGGERPOSTUN: 1 << 18,
  MISSINGOK: 1 << 19,
  PREUNTRANS: 1 << 20,
  POSTUNTRANS: 1 << 21,
  RPMLIB: 1 << 24,
  TRIGGERPREIN: 1 << 25,
  KEYRING: 1 << 26,
  CONFIG: 1 << 28,
  META: 1 << 29,
} as const;

/** File attribute bits of FILEFLAGS (rpmfileAttrs_e), by the name `arbor rpm info` prints. */
export const RpmFileFlag = {
  config: 1 << 0,
  doc: 1 << 1,
  icon: 1 << 2,
  missingok: 1 << 3,
  noreplace: 1 << 4,
  specfile: 1 << 5,
  ghost: 1 << 6,
  license: 1 << 7,
  readme: 1 << 8,
  pubkey: 1 << 11,
  artifact: 1 << 12,
} as const;

export type RpmFileFlagName = keyof typeof RpmFileFlag;
