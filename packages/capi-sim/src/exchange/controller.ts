// A simulated controller: its B channels, its PLCI/NCCI number space and its profile,
// which tests may change at run time.
import type { ControllerConfig, DdiRange, ProfileMasks } from '../config.js';

export class Controller {
  readonly id: number;
  readonly bChannels: number;
  msns: string[];
  ddi: DdiRange[];
  profile: ProfileMasks;
  /** Free B channels (1..n), the least recently released first. */
  private readonly freeChannels: number[] = [];
  private readonly freePlcis: number[] = [];
  private nextNcci = 1;

  constructor(id: number, cfg: ControllerConfig) {
    this.id = id;
    this.bChannels = cfg.bChannels;
    this.msns = [...cfg.msns];
    this.ddi = cfg.ddi.map((r) => ({ ...r }));
    this.profile = { ...cfg.profile };
    for (let ch = 1; ch <= cfg.bChannels; ch++) this.freeChannels.push(ch);
    // PLCI numbers live in 8 bits of the dword; 0 is not a valid PLCI.
    for (let p = 255; p >= 1; p--) this.freePlcis.push(p);
  }

  get channelsBusy(): number {
    return this.bChannels - this.freeChannels.length;
  }

  /**
   * A B channel number, or undefined when all are busy. The exchange hands out the channel
   * released longest ago, so a channel's idle time is the wait for the next call, not a
   * preference for low numbers (benchmarks measure per-channel idle gaps from this).
   */
  seizeChannel(): number | undefined {
    return this.freeChannels.shift();
  }

  releaseChannel(channel: number): void {
    if (channel >= 1 && channel <= this.bChannels && !this.freeChannels.includes(channel))
      this.freeChannels.push(channel);
  }

  /** A PLCI dword (plci << 8 | controller), or undefined when all 255 are in use. */
  allocPlci(): number | undefined {
    const p = this.freePlcis.pop();
    return p === undefined ? undefined : (p << 8) | this.id;
  }

  freePlci(plci: number): void {
    this.freePlcis.push((plci >>> 8) & 0xff);
  }

  get plcisInUse(): number {
    return 255 - this.freePlcis.length;
  }

  /** An NCCI dword for a PLCI; the 16-bit NCCI part wraps, never 0. */
  allocNcci(plci: number): number {
    const n = this.nextNcci;
    this.nextNcci = n >= 0xffff ? 1 : n + 1;
    return ((n << 16) | (plci & 0xffff)) >>> 0;
  }

  /** True when a called number belongs to this controller (MSN or DDI range). */
  owns(number: string): boolean {
    if (this.msns.includes(number)) return true;
    return this.ddi.some((r) => number.length === r.from.length && number >= r.from && number <= r.to);
  }

  /** The 64-byte CAPI profile of this controller. */
  profileBytes(controllerCount: number): Buffer {
    const b = Buffer.alloc(64);
    b.writeUInt16LE(controllerCount, 0);
    b.writeUInt16LE(this.bChannels, 2);
    b.writeUInt32LE(this.profile.globalOptions >>> 0, 4);
    b.writeUInt32LE(this.profile.b1 >>> 0, 8);
    b.writeUInt32LE(this.profile.b2 >>> 0, 12);
    b.writeUInt32LE(this.profile.b3 >>> 0, 16);
    return b;
  }
}
