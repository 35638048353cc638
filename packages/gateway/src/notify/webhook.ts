// One POST to a webhook: JSON body, HMAC-SHA256 signature over the exact body bytes when a
// secret is set, a timeout, no redirects followed (the body goes where it was configured).
import { createHmac } from 'node:crypto';
import { GATEWAY_VERSION } from '../version.js';

export interface WebhookTarget {
  name: string;
  url: string;
  secret?: string;
  timeoutSeconds: number;
}

export interface PostResult {
  ok: boolean;
  status?: number;
  /** Why it failed, without the URL (it may carry a token). */
  error?: string;
  ms: number;
}

/** `sha256=<hex>`: what X-Faxgate-Signature carries. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

function reason(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  // fetch rejects with a DOMException for an aborted signal; its name is its code.
  if (e instanceof DOMException && e.code === DOMException.TIMEOUT_ERR) return 'timed out';
  if (e instanceof DOMException && e.code === DOMException.ABORT_ERR) return 'aborted';
  return err.cause?.code ?? err.cause?.message ?? err.message;
}

export async function postWebhook(
  target: WebhookTarget,
  delivery: { id: string; event: string; body: string },
  signal?: AbortSignal,
): Promise<PostResult> {
  const started = Date.now();
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': `faxgate/${GATEWAY_VERSION}`,
    'x-faxgate-event': delivery.event,
    'x-faxgate-delivery': delivery.id,
  };
  if (target.secret) headers['x-faxgate-signature'] = signBody(target.secret, delivery.body);
  const timeout = AbortSignal.timeout(target.timeoutSeconds * 1000);
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers,
      body: delivery.body,
      redirect: 'manual',
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    // The answer's body is not needed; drain it so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    const ms = Date.now() - started;
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status, ms };
    return { ok: false, status: res.status, error: `HTTP ${res.status}`, ms };
  } catch (e) {
    return { ok: false, error: reason(e), ms: Date.now() - started };
  }
}
