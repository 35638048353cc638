// The seccomp program run through a small cBPF interpreter (the subset the program uses), so
// every jump is checked: denied syscalls get EPERM, what a renderer needs is allowed, other
// ABIs are refused. sandbox.test.ts checks the kernel applies it (ptrace refused inside).
import { describe, expect, it } from 'vitest';
import { DENIED_SYSCALLS_X64, seccompProgram } from './seccomp.js';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const X64 = 0xc000003e;
const I386 = 0x40000003;

function run(prog: Buffer, arch: number, nr: number): number {
  let acc = 0;
  for (let pc = 0; pc < prog.length / 8; pc++) {
    const code = prog.readUInt16LE(pc * 8);
    const jt = prog.readUInt8(pc * 8 + 2);
    const jf = prog.readUInt8(pc * 8 + 3);
    const k = prog.readUInt32LE(pc * 8 + 4);
    if (code === 0x20) acc = k === 0 ? nr : k === 4 ? arch : Number.NaN;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else if (code === 0x06) return k;
    else throw new Error(`unexpected opcode ${code.toString(16)} at ${pc}`);
  }
  throw new Error('program fell off its end');
}

describe('seccomp program', () => {
  const prog = seccompProgram('x64')!;

  it('is a whole number of 8-byte instructions, one test per denied syscall', () => {
    expect(prog.length).toBe((Object.keys(DENIED_SYSCALLS_X64).length + 6) * 8);
  });

  it('refuses every denied syscall with EPERM', () => {
    for (const [name, nr] of Object.entries(DENIED_SYSCALLS_X64))
      expect(run(prog, X64, nr), name).toBe(EPERM);
  });

  it('allows what node, PDFium and libvips use', () => {
    // read write openat mmap mprotect clone clone3 execve futex epoll_wait getrandom exit_group
    for (const nr of [0, 1, 257, 9, 10, 56, 435, 59, 202, 232, 318, 231])
      expect(run(prog, X64, nr), String(nr)).toBe(ALLOW);
  });

  it('refuses the i386 and x32 ABIs outright (their numbers would bypass the list)', () => {
    expect(run(prog, I386, 0)).toBe(EPERM);
    expect(run(prog, I386, 26)).toBe(EPERM); // ptrace on i386
    expect(run(prog, X64, 0x40000000 | 101)).toBe(EPERM);
    expect(run(prog, X64, 0x40000000)).toBe(EPERM);
  });

  it('is absent on other architectures', () => {
    expect(seccompProgram('arm64')).toBeUndefined();
  });
});
