// NET.4.3.A3 "fax services only": every socket listening on the host, read from /proc/net,
// with the process that owns it where /proc lets us see it.
import fs from 'node:fs/promises';

export interface ListeningSocket {
  protocol: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
  inode: number;
  /** Owning process, when /proc/<pid>/fd is readable. */
  pid?: number;
  command?: string;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/** Parses one /proc/net/{tcp,udp}[6] table. */
export function parseProcNet(text: string, protocol: ListeningSocket['protocol']): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  const lines = text.split('\n').slice(1);
  for (const line of lines) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const [localAddr, localPort] = f[1].split(':');
    const remotePort = f[2].split(':')[1];
    const state = f[3];
    const listening = protocol.startsWith('tcp')
      ? state === TCP_LISTEN
      : state === UDP_UNCONNECTED && remotePort === '0000';
    if (!listening) continue;
    out.push({
      protocol,
      address: protocol.endsWith('6') ? ipv6FromProc(localAddr) : ipv4FromProc(localAddr),
      port: Number.parseInt(localPort, 16),
      inode: Number.parseInt(f[9], 10),
    });
  }
  return out;
}

/** /proc/net prints IPv4 addresses as one little-endian 32-bit hex word. */
function ipv4FromProc(hex: string): string {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

/** IPv6: four little-endian 32-bit words. */
function ipv6FromProc(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(Number.parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Maps socket inodes to the processes holding them (best effort: needs privileges for others). */
async function socketOwners(): Promise<Map<number, { pid: number; command: string }>> {
  const owners = new Map<number, { pid: number; command: string }>();
  let pids: string[];
  try {
    pids = (await fs.readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return owners;
  }
  await Promise.all(
    pids.map(async (pid) => {
      let fds: string[];
      try {
        fds = await fs.readdir(`/proc/${pid}/fd`);
      } catch {
        return;
      }
      let command: string | undefined;
      for (const fd of fds) {
        const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (!m) continue;
        command ??= (await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
        owners.set(Number(m[1]), { pid: Number(pid), command });
      }
    }),
  );
  return owners;
}

export async function listListeningSockets(procRoot = '/proc'): Promise<ListeningSocket[]> {
  const tables: Array<ListeningSocket['protocol']> = ['tcp', 'tcp6', 'udp', 'udp6'];
  const sockets: ListeningSocket[] = [];
  for (const t of tables) {
    const text = await fs.readFile(`${procRoot}/net/${t}`, 'utf8').catch(() => '');
    sockets.push(...parseProcNet(text, t));
  }
  const owners = await socketOwners();
  for (const s of sockets) {
    const o = owners.get(s.inode);
    if (o) Object.assign(s, o);
  }
  return sockets.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** A listener the admin declared as part of the fax service (API, SMTP intake, its database …). */
export interface AllowedListener {
  port: number;
  protocol?: 'tcp' | 'udp';
  /** Why it is allowed (shown in the report). */
  note?: string;
}

export function isAllowedListener(
  s: ListeningSocket,
  allowed: readonly AllowedListener[],
): AllowedListener | undefined {
  const proto = s.protocol.startsWith('tcp') ? 'tcp' : 'udp';
  return allowed.find((a) => a.port === s.port && (a.protocol ?? 'tcp') === proto);
}
