// A seccomp filter for render workers, handed to bubblewrap (`--seccomp FD`) as a raw cBPF
// program (what libseccomp's seccomp_export_bpf writes; no libseccomp needed to build it).
// A deny list, not an allow list: PDFium (wasm), libvips and Node need a wide, version-bound
// set of syscalls, so the filter refuses (EPERM) the kernel interfaces a renderer never needs
// and that kernel exploits like to start from: tracing other processes, keyrings, eBPF, perf,
// userfaultfd, io_uring, mounting, namespaces, modules, kexec, clock and host settings — plus
// every syscall of another ABI (i386, x32), which would otherwise bypass the list.
// x86-64 only; on other architectures workers run without it (stats().sandbox.seccomp false).

const AUDIT_ARCH_X86_64 = 0xc000003e;
const X32_SYSCALL_BIT = 0x40000000;
const SECCOMP_RET_ALLOW = 0x7fff0000;
const SECCOMP_RET_ERRNO = 0x00050000;
const EPERM = 1;
// BPF opcodes
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const RET_K = 0x06;

/** Refused syscalls, x86-64 numbers. */
export const DENIED_SYSCALLS_X64: Readonly<Record<string, number>> = {
  ptrace: 101,
  syslog: 103,
  pivot_root: 155,
  adjtimex: 159,
  chroot: 161,
  acct: 163,
  settimeofday: 164,
  mount: 165,
  umount2: 166,
  swapon: 167,
  swapoff: 168,
  reboot: 169,
  sethostname: 170,
  setdomainname: 171,
  iopl: 172,
  ioperm: 173,
  init_module: 175,
  delete_module: 176,
  quotactl: 179,
  lookup_dcookie: 212,
  kexec_load: 246,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  fanotify_init: 300,
  name_to_handle_at: 303,
  open_by_handle_at: 304,
  clock_adjtime: 305,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kcmp: 312,
  finit_module: 313,
  kexec_file_load: 320,
  bpf: 321,
  userfaultfd: 323,
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  mount_setattr: 442,
};

/** The filter for this machine, or undefined where there is none (not x86-64). */
export function seccompProgram(arch: string = process.arch): Buffer | undefined {
  if (arch !== 'x64') return undefined;
  const denied = Object.values(DENIED_SYSCALLS_X64);
  // 0 load arch, 1 arch check, 2 load nr, 3 x32 check, 4.. one jeq per syscall, allow, deny
  const count = 4 + denied.length + 2;
  const deny = count - 1;
  const allow = count - 2;
  const buf = Buffer.alloc(count * 8);
  const put = (i: number, code: number, jt: number, jf: number, k: number) => {
    buf.writeUInt16LE(code, i * 8);
    buf.writeUInt8(jt, i * 8 + 2);
    buf.writeUInt8(jf, i * 8 + 3);
    buf.writeUInt32LE(k >>> 0, i * 8 + 4);
  };
  // jump offsets count from the next instruction
  const to = (from: number, target: number) => target - (from + 1);
  put(0, LD_W_ABS, 0, 0, 4); // seccomp_data.arch
  put(1, JEQ_K, 0, to(1, deny), AUDIT_ARCH_X86_64);
  put(2, LD_W_ABS, 0, 0, 0); // seccomp_data.nr
  put(3, JGE_K, to(3, deny), 0, X32_SYSCALL_BIT);
  denied.forEach((nr, j) => {
    const i = 4 + j;
    put(i, JEQ_K, to(i, deny), 0, nr);
  });
  put(allow, RET_K, 0, 0, SECCOMP_RET_ALLOW);
  put(deny, RET_K, 0, 0, SECCOMP_RET_ERRNO | EPERM);
  return buf;
}
