// Every controller and B channel of the gateway's process, live: the line's state (up,
// down with its last error, out of service with who and why) and each channel idle,
// sending fax N to a number with its confirmed pages, or receiving fax N.
import { formatTime, type Lang, type Translate } from '../../i18n.js';
import type { ChannelSlot, Lines, QueuedFax } from './types.js';

function slotText(t: Translate, s: ChannelSlot, faxes: Map<number, QueuedFax>): string {
  if (s.state === 'idle') return t('ops.ch.idle');
  if (s.state === 'receiving')
    return s.faxId ? t('ops.ch.receivingFax', { id: String(s.faxId) }) : t('ops.ch.receiving');
  const f = s.faxId === undefined ? undefined : faxes.get(s.faxId);
  if (!f) return s.faxId ? t('ops.ch.sendingFax', { id: String(s.faxId) }) : t('ops.ch.sending');
  return t('ops.ch.sendingTo', {
    id: String(f.id),
    number: f.remoteNumber ?? '',
    done: String(f.pagesDone),
    total: String(f.pagesTotal),
  });
}

export function Channels({
  t,
  lang,
  lines,
  faxes,
}: {
  t: Translate;
  lang: Lang;
  lines: Lines;
  faxes: QueuedFax[];
}) {
  const byId = new Map(faxes.map((f) => [f.id, f]));
  const c = lines.channels;
  return (
    <section aria-labelledby="ops-lines-title" class="ops-card ops-wide">
      <h2 id="ops-lines-title">{t('ops.lines.title')}</h2>
      <p>
        {t('ops.lines.transport', { transport: lines.transport })}
        {c &&
          ` · ${t('ops.lines.capacity', {
            inUse: String(c.inUse),
            usable: String(c.usable),
            receiving: String(c.receiving),
            reserve: String(c.reserve),
          })}`}
      </p>
      {!lines.lines ? (
        <p>{t('ops.lines.none')}</p>
      ) : (
        <div class="scroll">
          <table class="ops-lines">
            <caption class="sr-only">{t('ops.lines.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('ops.lines.line')}</th>
                <th scope="col">{t('ops.lines.state')}</th>
                <th scope="col">{t('ops.lines.channels')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.lines.map((l) => (
                <tr data-controller={l.controller}>
                  <th scope="row">{t('ops.lines.controller', { n: String(l.controller) })}</th>
                  <td>
                    <span class={`ops-state ops-line-${l.state}`} data-line-state={l.state}>
                      {t(`ops.line.${l.state}`)}
                    </span>
                    {l.since && (
                      <span class="ops-muted"> {t('ops.since', { at: formatTime(lang, l.since) })}</span>
                    )}
                    {l.outOfService && (
                      <div class="ops-muted">
                        {t('ops.lines.oos', { by: l.outOfService.setBy, reason: l.outOfService.reason })}
                      </div>
                    )}
                    {l.state === 'down' && l.lastError && (
                      <div class="ops-muted">
                        {t('ops.lines.down', { error: l.lastError, n: String(l.reconnectAttempts) })}
                      </div>
                    )}
                  </td>
                  <td>
                    {l.channels.length === 0 ? (
                      t('ops.lines.noChannels')
                    ) : (
                      <ul class="ops-channels">
                        {l.channels.map((s) => (
                          <li data-channel={s.channel} data-channel-state={s.state} data-fax={s.faxId}>
                            <span class="ops-ch-name">{t('ops.ch.name', { n: String(s.channel) })}</span>{' '}
                            <span class={`ops-ch-${s.state}`}>{slotText(t, s, byId)}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
