/**
 * The Serverless Framework variables serverless.yml uses, resolved the way osls resolves them:
 *   ${env:NAME}  ${env:NAME, 'fallback'}  ${opt:stage, 'local'}  ${opt:region}  ${sls:stage}  ${self:a.b.c}
 * A fallback may be a quoted string, a bare word or number, or another variable. A variable without a
 * value and without a fallback is an error naming the property, as in osls. Any other source is refused
 * (the FunctionGraph packager does not guess).
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface VariableSources {
  readonly env: Env;
  /** CLI options (--stage, --region). */
  readonly options: Readonly<Record<string, string | undefined>>;
  /** The resolved stage, for ${sls:stage}. */
  readonly stage?: string;
  /** The document, for ${self:...}. */
  readonly self?: unknown;
}

export class VariableError extends Error {
  constructor(
    readonly property: string,
    message: string,
  ) {
    super(`serverless.yml ${property}: ${message}`);
    this.name = 'VariableError';
  }
}

const INNERMOST = /\$\{([^${}]*)\}/;
const PLACEHOLDER = /^\u0000(\d+)\u0000$/;

function splitTopLevelComma(text: string): [string, string | undefined] {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ',') return [text.slice(0, i), text.slice(i + 1)];
  }
  return [text, undefined];
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && ((t.startsWith("'") && t.endsWith("'")) || (t.startsWith('"') && t.endsWith('"')))) return t.slice(1, -1);
  return t;
}

function lookupPath(root: unknown, path: string): unknown {
  let node: unknown = root;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/**
 * Resolves every ${...} in one string value. `property` names the value in errors (e.g.
 * provider.environment.LOG_LEVEL). `resolveSelf` resolves a ${self:...} target (itself possibly holding
 * variables); it defaults to reading the raw document.
 */
export function resolveString(value: string, property: string, sources: VariableSources, resolveSelf?: (path: string) => unknown): string {
  const values: string[] = [];
  const placeholder = (resolved: string) => {
    values.push(resolved);
    return `\u0000${values.length - 1}\u0000`;
  };
  const valueOf = (text: string): string | undefined => {
    const m = PLACEHOLDER.exec(text.trim());
    return m ? values[Number(m[1])] : undefined;
  };

  let text = value;
  for (let guard = 0; guard < 100; guard++) {
    const m = INNERMOST.exec(text);
    if (!m) break;
    const [address, fallback] = splitTopLevelComma(m[1] as string);
    const colon = address.indexOf(':');
    if (colon < 0) throw new VariableError(property, `unsupported variable \${${m[1]}}`);
    const source = address.slice(0, colon).trim();
    const key = address.slice(colon + 1).trim();
    let resolved: string | undefined;
    switch (source) {
      case 'env':
        resolved = sources.env[key];
        break;
      case 'opt':
        resolved = sources.options[key];
        break;
      case 'sls':
        if (key !== 'stage') throw new VariableError(property, `unsupported variable \${sls:${key}}`);
        resolved = sources.stage;
        break;
      case 'self': {
        const target = resolveSelf ? resolveSelf(key) : lookupPath(sources.self, key);
        if (target !== undefined && target !== null && typeof target === 'object') throw new VariableError(property, `\${self:${key}} is not a single value`);
        resolved = target === undefined || target === null ? undefined : String(target);
        break;
      }
      default:
        throw new VariableError(property, `unsupported variable source "${source}" in \${${m[1]}} (supported: env, opt, sls:stage, self)`);
    }
    if (resolved === undefined && fallback !== undefined) {
      resolved = valueOf(fallback) ?? unquote(fallback);
    }
    if (resolved === undefined) {
      throw new VariableError(property, `\${${address.trim()}} has no value and no fallback`);
    }
    text = text.slice(0, m.index) + placeholder(resolved) + text.slice(m.index + m[0].length);
  }
  if (INNERMOST.test(text)) throw new VariableError(property, 'variables nested too deeply');
  return text.replace(/\u0000(\d+)\u0000/g, (_all, index: string) => values[Number(index)] ?? '');
}

/** Resolves every string inside a value (objects and arrays walked), naming each property in errors. */
export function resolveDeep(value: unknown, property: string, sources: VariableSources, resolveSelf?: (path: string) => unknown): unknown {
  if (typeof value === 'string') return resolveString(value, property, sources, resolveSelf);
  if (Array.isArray(value)) return value.map((item, i) => resolveDeep(item, `${property}[${i}]`, sources, resolveSelf));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveDeep(v, property ? `${property}.${k}` : k, sources, resolveSelf);
    return out;
  }
  return value;
}

/** A ${self:...} resolver over a document whose values may hold variables themselves (cycles refused). */
export function selfResolver(document: unknown, sources: Omit<VariableSources, 'self'>): (path: string) => unknown {
  const resolving = new Set<string>();
  const resolveSelf = (path: string): unknown => {
    if (resolving.has(path)) throw new VariableError(path, 'refers to itself');
    resolving.add(path);
    try {
      return resolveDeep(lookupPath(document, path), path, { ...sources, self: document }, resolveSelf);
    } finally {
      resolving.delete(path);
    }
  };
  return resolveSelf;
}
