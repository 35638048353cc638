// Checks that a B protocol is fax and nothing else: B1 4 / B2 4 / B3 4|5, SFF, and only the
// T.30 options the policy allows.
import {
  type BProtocol,
  CapiCodecError,
  decodeFaxB1Config,
  decodeFaxB3Config,
  FaxFormat,
  FaxOptions,
} from '@faxgate/capi-bindings';
import type { LockdownPolicy } from './policy.js';

/** Returns why the B protocol is not allowed, or undefined when it is. */
export function faxProtocolViolation(bp: BProtocol | undefined, policy: LockdownPolicy): string | undefined {
  if (!bp) return 'no B protocol given (the card default is not fax)';
  if (bp.b1 !== 4 || bp.b2 !== 4)
    return `B protocol ${bp.b1}/${bp.b2}/${bp.b3} is not fax (needs 4/4/4 or 4/4/5)`;
  if (bp.b3 !== 4 && bp.b3 !== 5) return `B3 protocol ${bp.b3} is not fax`;
  if (!policy.b3Protocols.includes(bp.b3)) return `B3 protocol ${bp.b3} is not allowed by the policy`;
  if (bp.globalConfiguration && bp.globalConfiguration.length > 0) {
    return 'a GlobalConfiguration is set (not needed for fax)';
  }
  if (bp.b2Config && bp.b2Config.length > 0) return 'a B2 configuration is set (fax uses none)';
  try {
    decodeFaxB1Config(bp.b1Config ?? new Uint8Array(0));
  } catch (e) {
    return `bad fax B1 configuration: ${(e as Error).message}`;
  }
  let b3: ReturnType<typeof decodeFaxB3Config>;
  try {
    b3 = decodeFaxB3Config(bp.b3, bp.b3Config ?? new Uint8Array(0));
  } catch (e) {
    return `bad fax B3 configuration: ${e instanceof CapiCodecError ? e.message : String(e)}`;
  }
  if (b3 && b3.format !== FaxFormat.SFF)
    return `fax format ${b3.format} is not SFF (the only image format we exchange)`;
  if (bp.b3 === 4) {
    // B3 = 4 has no way to switch ECM off: a policy without ECM needs B3 = 5.
    if (!policy.ecm) return 'ECM is disabled by the policy, which needs B3 = 5 with the no-ECM option';
    return undefined;
  }
  const options = b3 && b3.b3 === 5 ? b3.options : 0;
  return faxOptionsViolation(options, policy);
}

/** T.30 options of B3 = 5 (config or NCPI): polling, colour, JBIG, ECM. */
export function faxOptionsViolation(options: number, policy: LockdownPolicy): string | undefined {
  if (options & FaxOptions.POLLING && !policy.polling) return 'polling is not allowed';
  if (options & FaxOptions.JPEG && !policy.colour) return 'colour/JPEG is not allowed';
  if (options & FaxOptions.JBIG && !policy.jbig) return 'JBIG is not allowed';
  if (!policy.ecm && !(options & FaxOptions.NO_ECM))
    return 'ECM is disabled by the policy but the no-ECM option is not set';
  return undefined;
}
