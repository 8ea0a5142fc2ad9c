/** One audit line per state-changing action: who did what to which ids, upstream's request id, the outcome. */
import type { Logger } from './logger';

export interface AuditEntry {
  readonly actor: string;
  readonly action: 'publish-release-package' | 'start-deploy-task' | 'reject-manual-review';
  readonly target: Readonly<Record<string, string | readonly string[]>>;
  readonly outcome: 'succeeded' | 'replayed' | 'reconciled' | 'unknown' | 'failed' | 'refused' | 'skipped';
  readonly upstreamRequestId?: string | undefined;
  readonly idempotencyKey?: string | undefined;
  readonly reason?: string | undefined;
}

export function audit(logger: Logger, entry: AuditEntry): void {
  logger.info('audit', {
    audit: true,
    actor: entry.actor,
    action: entry.action,
    target: entry.target,
    outcome: entry.outcome,
    ...(entry.upstreamRequestId ? { upstream_request_id: entry.upstreamRequestId } : {}),
    ...(entry.idempotencyKey ? { idempotency_key: entry.idempotencyKey } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
  });
}
