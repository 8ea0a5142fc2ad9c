/**
 * The local FunctionGraph's state: functions (configuration and code) and their triggers, one tenant
 * (the emulator identity's project and region). Kept in `EmulatorState.extension('functiongraph')`, so an
 * emulator reset drops it.
 */
import { createHash } from 'node:crypto';
import type { EmulatorClock } from './clock';
import type { EmulatorIdentity } from './identity';

export const FUNCTIONGRAPH_STATE_KEY = 'functiongraph';
/** FunctionGraph allows 10 triggers per function version. */
export const MAX_TRIGGERS_PER_FUNCTION = 10;

export interface FunctionRecord {
  readonly funcId: string;
  readonly funcName: string;
  readonly package: string;
  /** Without the version suffix: urn:fss:<region>:<project>:function:<package>:<name>. */
  readonly urn: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  description: string;
  xrole: string | undefined;
  /** JSON object text, as the API takes and returns it. */
  userData: string;
  /** JSON object text; never returned by the emulator's read operations. */
  encryptedUserData: string;
  codeType: string;
  codeFilename: string;
  code: Buffer;
  lastModifiedMs: number;
  readonly createdMs: number;
}

export interface TriggerRecord {
  readonly triggerId: string;
  readonly triggerTypeCode: string;
  triggerStatus: 'ACTIVE' | 'DISABLED';
  readonly eventTypeCode: string | undefined;
  readonly eventData: Readonly<Record<string, unknown>>;
  readonly createdMs: number;
  lastUpdatedMs: number;
}

export function digestOf(code: Buffer): string {
  return createHash('sha512').update(code).digest('hex');
}

/** Formats a time the way FunctionGraph does (e.g. 2025-01-01T08:00:00+08:00 → ISO with offset; UTC here). */
export function fgTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export class FunctionGraphState {
  /** By URN (without version). */
  readonly functions = new Map<string, FunctionRecord>();
  /** By function URN (without version), in creation order. */
  readonly triggers = new Map<string, TriggerRecord[]>();
  private counter = 0;

  constructor(
    readonly identity: EmulatorIdentity,
    readonly clock: EmulatorClock,
  ) {}

  urnOf(packageName: string, funcName: string): string {
    return `urn:fss:${this.identity.region}:${this.identity.projectId}:function:${packageName}:${funcName}`;
  }

  /**
   * The function a path URN names: with or without a version/alias suffix (only `latest` is modelled),
   * in this tenant's region and project.
   */
  findByUrn(rawUrn: string): FunctionRecord | undefined {
    const parts = rawUrn.split(':');
    if (parts.length !== 7 && parts.length !== 8) return undefined;
    if (parts[0] !== 'urn' || parts[1] !== 'fss' || parts[4] !== 'function') return undefined;
    if (parts.length === 8 && parts[7] !== 'latest') return undefined;
    return this.functions.get(parts.slice(0, 7).join(':'));
  }

  /** A 36-character id (uuid-shaped, deterministic in creation order). */
  newId(): string {
    this.counter += 1;
    const hex = createHash('sha256').update(`${this.identity.projectId}:${this.counter}`).digest('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
  }

  triggersOf(urn: string): TriggerRecord[] {
    let list = this.triggers.get(urn);
    if (!list) {
      list = [];
      this.triggers.set(urn, list);
    }
    return list;
  }

  /** Every trigger of every function, with its function's URN. */
  *allTriggers(): Generator<{ urn: string; trigger: TriggerRecord }> {
    for (const [urn, list] of this.triggers) for (const trigger of list) yield { urn, trigger };
  }
}
