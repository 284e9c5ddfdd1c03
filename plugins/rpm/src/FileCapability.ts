/**
 * File capabilities: the text rpm keeps in FILECAPS (libcap's cap_to_text form, e.g.
 * `cap_net_raw,cap_net_admin=ep`) turned into the `security.capability` xattr the kernel reads.
 *
 * Text form (cap_from_text(3)): whitespace-separated clauses, each a comma-separated list of
 * capability names or numbers (or `all`; an empty list before a leading `=` also means all),
 * then operator/flag groups: `=` resets the listed capabilities in all three sets and raises
 * them in the flagged ones, `+` raises, `-` lowers; flags are e, i, p.
 *
 * Binary form (linux/capability.h, struct vfs_cap_data, revision 2, all little-endian):
 * magic_etc u32 = 0x02000000 | VFS_CAP_FLAGS_EFFECTIVE (1) when any effective bit is set,
 * then {permitted u32, inheritable u32} for capabilities 0-31 and again for 32-63: 20 bytes.
 * File capabilities have a single effective flag for all permitted and inheritable bits.
 */

/** Capability numbers by name (linux/capability.h), CAP_CHOWN = 0 to CAP_CHECKPOINT_RESTORE = 40. */
const CAPABILITY_NAMES = [
  'chown', 'dac_override', 'dac_read_search', 'fowner', 'fsetid', 'kill', 'setgid', 'setuid',
  'setpcap', 'linux_immutable', 'net_bind_service', 'net_broadcast', 'net_admin', 'net_raw',
  'ipc_lock', 'ipc_owner', 'sys_module', 'sys_rawio', 'sys_chroot', 'sys_ptrace', 'sys_pacct',
  'sys_admin', 'sys_boot', 'sys_nice', 'sys_resource', 'sys_time', 'sys_tty_config', 'mknod',
  'lease', 'audit_write', 'audit_control', 'setfcap', 'mac_override', 'mac_admin', 'syslog',
  'wake_alarm', 'block_suspend', 'audit_read', 'perfmon', 'bpf', 'checkpoint_restore',
];

const VFS_CAP_REVISION_2 = 0x02000000;
const VFS_CAP_FLAGS_EFFECTIVE = 0x000001;
export const SECURITY_CAPABILITY = 'security.capability';

export class CapabilityTextError extends Error {}

interface CapabilitySets {
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
}

/** Parses capability text into the three sets; throws CapabilityTextError on bad text. */
export function parseCapabilityText(text: string): CapabilitySets {
  const sets: CapabilitySets = { effective: 0n, permitted: 0n, inheritable: 0n };
  for (const clause of text.trim().split(/\s+/).filter(Boolean)) {
    const match = /^([^=+-]*)([=+-].*)$/.exec(clause);
    if (!match) throw new CapabilityTextError(`"${clause}" has no operator (=, + or -)`);
    const [, list, actions] = match as unknown as [string, string, string];
    const mask = capabilityMask(list, actions.startsWith('='), clause);
    for (const [, operator, flags] of actions.matchAll(/([=+-])([eip]*)/g)) {
      if (operator !== '=' && flags === '') throw new CapabilityTextError(`"${clause}": "${operator}" needs flags (e, i, p)`);
      if (operator === '=') {
        sets.effective &= ~mask;
        sets.permitted &= ~mask;
        sets.inheritable &= ~mask;
      }
      for (const flag of flags!) {
        const set = flag === 'e' ? 'effective' : flag === 'i' ? 'inheritable' : 'permitted';
        sets[set] = operator === '-' ? sets[set] & ~mask : sets[set] | mask;
      }
    }
    if (actions.replace(/[=+-][eip]*/g, '') !== '') throw new CapabilityTextError(`"${clause}" has flags other than e, i and p`);
  }
  return sets;
}

/** The 20-byte security.capability value for capability text. */
export function encodeFileCapability(text: string): Buffer {
  const { effective, permitted, inheritable } = parseCapabilityText(text);
  // One effective flag covers every permitted and inheritable bit, so a partly effective set
  // cannot be stored; libcap's cap_set_file refuses it, and so does rpm through it.
  if (effective !== 0n && ((permitted | inheritable) & ~effective) !== 0n) {
    throw new CapabilityTextError(`"${text}": effective file capabilities must be empty or cover every permitted and inheritable one`);
  }
  const value = Buffer.alloc(20);
  value.writeUInt32LE(VFS_CAP_REVISION_2 | (effective !== 0n ? VFS_CAP_FLAGS_EFFECTIVE : 0), 0);
  value.writeUInt32LE(Number(permitted & 0xffffffffn), 4);
  value.writeUInt32LE(Number(inheritable & 0xffffffffn), 8);
  value.writeUInt32LE(Number((permitted >> 32n) & 0xffffffffn), 12);
  value.writeUInt32LE(Number((inheritable >> 32n) & 0xffffffffn), 16);
  return value;
}

function capabilityMask(list: string, leadingEquals: boolean, clause: string): bigint {
  if (list === '') {
    if (!leadingEquals) throw new CapabilityTextError(`"${clause}" names no capability`);
    return allCapabilities();
  }
  let mask = 0n;
  for (const raw of list.split(',')) {
    const name = raw.toLowerCase();
    if (name === 'all') {
      mask |= allCapabilities();
      continue;
    }
    const number = /^\d+$/.test(name) ? Number(name) : CAPABILITY_NAMES.indexOf(name.replace(/^cap_/, ''));
    if (number < 0 || number > 63 || !(name.startsWith('cap_') || /^\d+$/.test(name))) {
      throw new CapabilityTextError(`"${raw}" is not a capability`);
    }
    mask |= 1n << BigInt(number);
  }
  return mask;
}

function allCapabilities(): bigint {
  return (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
}
