/**
 * The zod contracts of every upstream operation: valid requests pass, hostile ids and unknown fields are refused,
 * and the response schemas accept the documented examples (../shared/seeds/*.txt, api-reference §2–3) while
 * stripping fields they do not know.
 */
import fc from 'fast-check';
import type * as z from 'zod/mini';
import {
  MAX_PENDING_ITEMS_PER_PACKAGE,
  deployHistoryResponseSchema,
  listDeployTaskHistory,
  listPendingItems,
  listPendingItemsResponseSchema,
  pipelineRunDetailSchema,
  publishPackageBodySchema,
  publishPackageResponseSchema,
  publishPendingItems,
  queryReleasePackages,
  queryReleasePackagesBodySchema,
  queryReleasePackagesResponseSchema,
  rejectManualReview,
  rejectManualReviewResponseSchema,
  showPackageDetail,
  showPackageDetailResponseSchema,
  showPipelineRunDetail,
  startDeployTask,
  startDeployTaskBodySchema,
  startDeployTaskResponseSchema,
  type OperationContract,
} from '../../../shared/contracts';

const PROJECT = '62099355b894428e8916573ae635f1f9';
const WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';
const USER = 'f8ccc2ff3c7748e8a7bfede38ae1cffa';
const APPROVER = '7b71e498e75d44048c9a22dd3c54f978';
const TASK = 'd2dc947ec2424d8789bb3984bb3adf45';
const RECORD = '0ee9c8e6a7dc44109541e53c6dccf47c';
const CODEARTS_PROJECT = 'd80a8a6530324b7bac972cbb8a9f28ec';
const PIPELINE = '8bfbd69eac154a0da341705a36294aca';
const RUN = '12abeb9da0964cf3bd3ffd6813153e12';
const JOB = '97b4991cf3374d8d96e08b38f79c8827';
const STEP = '6ff8e898026447a9a3eaa592e94b9384';

type Part = 'pathParams' | 'query' | 'headers' | 'body';
type IdKind = 'alnum32' | 'numeric';

interface IdField {
  readonly part: Part;
  /** Dotted path; `[0]` addresses the first element of an array. */
  readonly field: string;
  readonly kind: IdKind;
}

interface Case {
  readonly contract: OperationContract;
  readonly valid: Partial<Record<Part, Record<string, unknown>>>;
  readonly ids: readonly IdField[];
}

const CASES: readonly Case[] = [
  {
    contract: listPendingItems,
    valid: { pathParams: { project_id: PROJECT }, query: { limit: '10', offset: '0', task_type: '1' }, headers: { workspace: WORKSPACE } },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'headers', field: 'workspace', kind: 'alnum32' },
    ],
  },
  {
    contract: publishPendingItems,
    valid: {
      pathParams: { project_id: PROJECT },
      query: {},
      headers: { workspace: WORKSPACE },
      body: { apply_user_id: USER, package_name: 'job_0948_20250513112100444444', pending_item_list: ['26'], approver_ids: [APPROVER] },
    },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'headers', field: 'workspace', kind: 'alnum32' },
      { part: 'body', field: 'apply_user_id', kind: 'alnum32' },
      { part: 'body', field: 'pending_item_list[0]', kind: 'numeric' },
      { part: 'body', field: 'approver_ids[0]', kind: 'alnum32' },
    ],
  },
  {
    contract: queryReleasePackages,
    valid: { pathParams: { project_id: PROJECT }, query: {}, headers: { workspace: WORKSPACE }, body: { limit: 10, offset: 0 } },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'headers', field: 'workspace', kind: 'alnum32' },
    ],
  },
  {
    contract: showPackageDetail,
    valid: { pathParams: { project_id: PROJECT, package_id: '13' }, query: {}, headers: { workspace: WORKSPACE } },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'pathParams', field: 'package_id', kind: 'numeric' },
      { part: 'headers', field: 'workspace', kind: 'alnum32' },
    ],
  },
  {
    contract: startDeployTask,
    valid: { pathParams: { task_id: TASK }, query: {}, headers: {}, body: { params: [{ key: 'version', value: '1.2.3', type: 'text' }], record_id: RECORD, trigger_source: '0' } },
    ids: [
      { part: 'pathParams', field: 'task_id', kind: 'alnum32' },
      { part: 'body', field: 'record_id', kind: 'alnum32' },
    ],
  },
  {
    contract: listDeployTaskHistory,
    valid: { pathParams: { project_id: CODEARTS_PROJECT, id: TASK }, query: { page: '1', size: '100', start_date: '2025-01-01', end_date: '2025-01-30' }, headers: {} },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'pathParams', field: 'id', kind: 'alnum32' },
    ],
  },
  {
    contract: rejectManualReview,
    valid: {
      pathParams: { project_id: CODEARTS_PROJECT, pipeline_id: PIPELINE, pipeline_run_id: RUN, job_run_id: JOB, step_run_id: STEP },
      query: {},
      headers: {},
    },
    ids: ['project_id', 'pipeline_id', 'pipeline_run_id', 'job_run_id', 'step_run_id'].map((field) => ({ part: 'pathParams' as const, field, kind: 'alnum32' as const })),
  },
  {
    contract: showPipelineRunDetail,
    valid: { pathParams: { project_id: CODEARTS_PROJECT, pipeline_id: PIPELINE }, query: { pipeline_run_id: RUN }, headers: {} },
    ids: [
      { part: 'pathParams', field: 'project_id', kind: 'alnum32' },
      { part: 'pathParams', field: 'pipeline_id', kind: 'alnum32' },
      { part: 'query', field: 'pipeline_run_id', kind: 'alnum32' },
    ],
  },
];

const HOSTILE_IDS: ReadonlyArray<[string, string]> = [
  ['a parent-directory path', '../x'],
  ['a slash', 'a/b'],
  ['an encoded slash', '%2F'],
  ['a query', '?q'],
  ['a URL', 'https://evil.example'],
  ['an empty string', ''],
  ['a fragment', '#x'],
  ['a trailing newline', '26\n'],
  ['surrounding spaces', ' 26 '],
];

function lengthCases(kind: IdKind): ReadonlyArray<[string, string]> {
  return kind === 'alnum32'
    ? [
        ['31 characters', 'a'.repeat(31)],
        ['33 characters', 'a'.repeat(33)],
        ['32 characters with one non-ASCII letter', `é${'a'.repeat(31)}`],
        ['32 full-width digits', '１'.repeat(32)],
        ['32 characters with a hyphen', `${'a'.repeat(31)}-`],
      ]
    : [
        ['31 digits', '1'.repeat(31)],
        ['33 digits', '1'.repeat(33)],
        ['20 digits', '1'.repeat(20)],
        ['Arabic-Indic digits', '٢٦'],
        ['full-width digits', '２６'],
        ['a negative number', '-1'],
      ];
}

function schemaOf(contract: OperationContract, part: Part): z.ZodMiniType {
  const schema = part === 'body' ? contract.body : contract[part];
  if (!schema) throw new Error(`${contract.name} has no ${part}`);
  return schema;
}

/** Returns a deep copy of `value` with the field at `path` (e.g. `a.b[0]`) set to `replacement`. */
function setField(value: Record<string, unknown>, path: string, replacement: unknown): Record<string, unknown> {
  const copy = structuredClone(value);
  const keys = path.split('.').flatMap((k) => k.split(/\[(\d+)\]/).filter((s) => s !== ''));
  let target: Record<string, unknown> | unknown[] = copy;
  for (const key of keys.slice(0, -1)) target = (target as Record<string, unknown>)[key] as Record<string, unknown>;
  (target as Record<string, unknown>)[keys[keys.length - 1] as string] = replacement;
  return copy;
}

function validPart(c: Case, part: Part): Record<string, unknown> {
  const value = c.valid[part];
  if (!value) throw new Error(`${c.contract.name} has no valid ${part}`);
  return value;
}

describe('Contracts: valid requests pass', () => {
  const rows = CASES.flatMap((c) => (Object.keys(c.valid) as Part[]).map((part) => [c.contract.name, part, c] as const));

  it.each(rows)('%s %s', (_name, part, c) => {
    // Prepare
    const input = validPart(c, part);

    // Act
    const result = schemaOf(c.contract, part).safeParse(input);

    // Assess
    expect(result.success).toBe(true);
  });

  it('coerces the list-pending-items query strings to numbers', () => {
    // Prepare
    const query = { limit: '10', offset: '0', task_type: '1' };

    // Act
    const parsed = listPendingItems.query.parse(query);

    // Assess
    expect(parsed).toStrictEqual({ limit: 10, offset: 0, task_type: '1' });
  });

  it('declares a body exactly for the operations that take one', () => {
    // Prepare
    const contracts = CASES.map((c) => c.contract);

    // Act
    const withBody = contracts.filter((c) => c.body !== undefined).map((c) => c.name);

    // Assess
    expect(withBody).toStrictEqual(['CreateFactoryPendingItemsPackage', 'ListFactoryReleasePackages', 'StartDeployTask']);
  });
});

describe('Contracts: every id field refuses hostile and malformed values', () => {
  const rows = CASES.flatMap((c) =>
    c.ids.flatMap((id) =>
      [...HOSTILE_IDS, ...lengthCases(id.kind)].map(([label, value]) => [`${c.contract.name} ${id.part}.${id.field}`, label, value, c, id] as const),
    ),
  );

  it.each(rows)('%s refuses %s', (_where, _label, value, c, id) => {
    // Prepare
    const input = setField(validPart(c, id.part), id.field, value);

    // Act
    const result = schemaOf(c.contract, id.part).safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });

  const fieldRows = CASES.flatMap((c) => c.ids.map((id) => [`${c.contract.name} ${id.part}.${id.field}`, c, id] as const));

  it.each(fieldRows)('%s accepts another well-formed id in the same place', (_where, c, id) => {
    // Prepare
    const input = setField(validPart(c, id.part), id.field, id.kind === 'alnum32' ? 'Z9'.repeat(16) : '4242');

    // Act
    const result = schemaOf(c.contract, id.part).safeParse(input);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each([
    ['an alnum32 id at exactly 32 characters', 'aA0'.repeat(10) + 'zZ', 'alnum32'],
    ['a numeric id of 19 digits', '9'.repeat(19), 'numeric'],
    ['a numeric id of 1 digit', '0', 'numeric'],
  ] as const)('accepts %s', (_label, value, kind) => {
    // Prepare
    const c = kind === 'alnum32' ? CASES[6] : CASES[3];
    const id = kind === 'alnum32' ? { part: 'pathParams' as const, field: 'step_run_id' } : { part: 'pathParams' as const, field: 'package_id' };
    if (!c) throw new Error('missing case');
    const input = setField(validPart(c, id.part), id.field, value);

    // Act
    const result = schemaOf(c.contract, id.part).safeParse(input);

    // Assess
    expect(result.success).toBe(true);
  });
});

describe('Contracts: strict request objects refuse unknown fields', () => {
  const rows = CASES.flatMap((c) => (Object.keys(c.valid) as Part[]).map((part) => [c.contract.name, part, c] as const));

  it.each(rows)('%s %s', (_name, part, c) => {
    // Prepare
    const input = { ...validPart(c, part), isAdmin: true };

    // Act
    const result = schemaOf(c.contract, part).safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });

  it('refuses an unknown field inside a deploy parameter', () => {
    // Prepare
    const body = { params: [{ key: 'k', value: 'v', type: 'text', secret: 'x' }] };

    // Act
    const result = startDeployTaskBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('Contracts: publish body limits', () => {
  const base = { apply_user_id: USER, package_name: 'pkg_1', pending_item_list: ['26'], approver_ids: [APPROVER] };
  const ids = (n: number) => Array.from({ length: n }, (_v, i) => String(i + 1));

  it.each([
    ['1 pending item', ids(1), true],
    ['100 distinct pending items', ids(MAX_PENDING_ITEMS_PER_PACKAGE), true],
    ['no pending item', [], false],
    ['101 pending items', ids(101), false],
    ['a repeated pending item', ['26', '27', '26'], false],
  ] as const)('%s → %s', (_label, list, ok) => {
    // Prepare
    const body = { ...base, pending_item_list: list };

    // Act
    const result = publishPackageBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(ok);
  });

  it.each([
    ['no approver', [], false],
    ['a repeated approver', [APPROVER, APPROVER], false],
    ['20 distinct approvers', Array.from({ length: 20 }, (_v, i) => `${String(i).padStart(2, '0')}${'a'.repeat(30)}`), true],
    ['21 approvers', Array.from({ length: 21 }, (_v, i) => `${String(i).padStart(2, '0')}${'a'.repeat(30)}`), false],
  ] as const)('%s → %s', (_label, approvers, ok) => {
    // Prepare
    const body = { ...base, approver_ids: approvers };

    // Act
    const result = publishPackageBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(ok);
  });

  it.each([
    ['an empty name', '', false],
    ['a name with a slash', 'a/b', false],
    ['a name with a space', 'a b', false],
    ['a Chinese name', '发布包_1', true],
    ['a 128-character name', 'p'.repeat(128), true],
    ['a 129-character name', 'p'.repeat(129), false],
  ] as const)('package name: %s → %s', (_label, name, ok) => {
    // Prepare
    const body = { ...base, package_name: name };

    // Act
    const result = publishPackageBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(ok);
  });

  it('package name: accepts exactly what /^[\\p{L}\\p{N}_.\\-]+$/u accepts (ASCII names take a shortcut), naming the rule otherwise', () => {
    // Prepare: ASCII, letters and digits of other scripts, marks, spaces, symbols and lone surrogates.
    const full = /^[\p{L}\p{N}_.\-]+$/u;
    const chars = fc.oneof(fc.constantFrom('a', 'Z', '0', '_', '.', '-', '/', ' ', '发', 'é', '٣', 'Ⅻ', '\u0301', '😀', '\ud800', '$'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    fc.assert(
      fc.property(fc.array(chars, { minLength: 1, maxLength: 12 }).map((cs) => cs.join('')), (name) => {
        // Act
        const result = publishPackageBodySchema.safeParse({ ...base, package_name: name });
        // Assess
        expect(result.success ? 'accepted' : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')).toBe(
          full.test(name) ? 'accepted' : 'package_name: may hold only letters, digits, "_", "-" and "."',
        );
      }),
      { seed: 20261202, numRuns: 500 },
    );
  });

  it.each(['apply_user_id', 'package_name', 'pending_item_list', 'approver_ids'])('requires %s', (field) => {
    // Prepare
    const body: Record<string, unknown> = { ...base };
    delete body[field];

    // Act
    const result = publishPackageBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('Contracts: documented request examples', () => {
  it('accepts the publish example of seed 000', () => {
    // Prepare
    const body = { apply_user_id: USER, package_name: 'job_0948_20250513112100444444', pending_item_list: ['26'], approver_ids: [APPROVER] };

    // Act
    const parsed = publishPackageBodySchema.parse(body);

    // Assess
    expect(parsed).toStrictEqual(body);
  });

  it('refuses the type-wrong query example of seed 002 ("" for numbers and arrays, api-reference §1.2)', () => {
    // Prepare
    const body = {
      key_word: '',
      apply_user_name: '',
      deploy_user_name: '',
      apply_begin_time: 1699113600999,
      apply_end_time: 1700323199999,
      deploy_begin_time: '',
      deploy_end_time: '',
      apply_user_name_filter: '',
      deploy_user_name_filter: '',
      deploy_status_filter: '',
      sorted_direction: 'desc',
      order_column: 'apply_timestamp',
      limit: 10,
      offset: 0,
    };

    // Act
    const result = queryReleasePackagesBodySchema.safeParse(body);

    // Assess
    expect(result.success).toBe(false);
  });

  it('accepts the seed 002 example with the unset fields omitted', () => {
    // Prepare
    const body = { apply_begin_time: 1699113600999, apply_end_time: 1700323199999, sorted_direction: 'desc', order_column: 'apply_timestamp', limit: 10, offset: 0 };

    // Act
    const parsed = queryReleasePackagesBodySchema.parse(body);

    // Assess
    expect(parsed).toStrictEqual(body);
  });

  it('accepts the start-deploy example of seed 003 and an empty body', () => {
    // Prepare
    const bodies = [{ params: [] }, {}];

    // Act
    const parsed = bodies.map((b) => startDeployTaskBodySchema.parse(b));

    // Assess
    expect(parsed).toStrictEqual([{ params: [] }, {}]);
  });

  it.each([
    ['an unknown parameter type', { params: [{ key: 'k', value: 'v', type: 'shell' }] }],
    ['a trigger source other than "0"/"1"', { trigger_source: '2' }],
    ['an empty parameter key', { params: [{ key: '', value: 'v', type: 'text' }] }],
  ])('refuses a start-deploy body with %s', (_label, body) => {
    // Prepare
    const input = body;

    // Act
    const result = startDeployTaskBodySchema.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('Contracts: response schemas accept the documented examples and strip unknown fields', () => {
  it('publish (seed 000)', () => {
    // Prepare
    const body = { package_name: 'job_0948_20250513112100444444', release_package_id: '13', trace: 'x' };

    // Act
    const parsed = publishPackageResponseSchema.parse(body);

    // Assess
    expect(parsed).toStrictEqual({ package_name: 'job_0948_20250513112100444444', release_package_id: '13' });
  });

  it('list pending items (seed 001)', () => {
    // Prepare
    const item = (id: string, name: string, taskId: string, ts: number) => ({
      deployed_version: 0,
      item_name: name,
      package_flag: 0,
      pending_item_id: id,
      pending_version: 1,
      project_id: `${PROJECT}-workspace-${WORKSPACE}`,
      submit_timestamp: ts,
      submit_user_id: USER,
      submit_user_name: 'fengqijie',
      task_id: taskId,
      task_type: 1,
      update_type: 1,
    });
    const doc = { data: [item('4', 'job_0242', '451', 1747106103570), item('3', 'job_0994', '450', 1747106092403)], total: 2 };
    const withExtras = { ...doc, request_id: 'r-1', data: doc.data.map((d) => ({ ...d, owner_note: 'x' })) };

    // Act
    const parsed = listPendingItemsResponseSchema.parse(withExtras);

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('query release packages (seed 002)', () => {
    // Prepare
    const pkg = (id: string, name: string, status: number, applyTs: number, deployTs: number) => ({
      apply_timestamp: applyTs,
      apply_user_id: APPROVER,
      apply_user_name: 'ei_dlf_l00341563',
      delete_flag: 0,
      deploy_status: status,
      deploy_timestamp: deployTs,
      deploy_user_id: APPROVER,
      deploy_user_name: 'ei_dlf_l00341563',
      package_approvers: [{ user_id: APPROVER, user_name: 'ei_dlf_l00341563' }],
      package_id: id,
      package_name: name,
      project_id: `${PROJECT}-workspace-45be704b28cb4f25a39221169fd3e27e`,
      workspace_id: '45be704b28cb4f25a39221169fd3e27e',
    });
    const doc = {
      data: [
        pkg('4', 'ads_supplier_inventory_info__ads_supplier_inventory_info_20231118143537', 3, 1700288912934, 1700289155129),
        pkg('3', 'aa_20231118143318', 2, 1700288777664, 1700289161361),
      ],
      total: 2,
    };
    const withExtras = {
      ...doc,
      more: true,
      data: doc.data.map((d) => ({ ...d, internal: 1, package_approvers: d.package_approvers.map((a) => ({ ...a, email: 'x@example' })) })),
    };

    // Act
    const parsed = queryReleasePackagesResponseSchema.parse(withExtras);

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('query release packages fills absent approvers with []', () => {
    // Prepare
    const body = { total: 1, data: [{ package_id: '5', package_name: 'p', deploy_status: 1 }] };

    // Act
    const parsed = queryReleasePackagesResponseSchema.parse(body);

    // Assess
    expect(parsed).toStrictEqual({ total: 1, data: [{ package_id: '5', package_name: 'p', deploy_status: 1, package_approvers: [] }] });
  });

  it('start deploy task (seed 003)', () => {
    // Prepare
    const doc = { id: RECORD, task_id: TASK, job_name: `job_${RECORD}_1620810492008`, app_component_list: [] };

    // Act
    const parsed = startDeployTaskResponseSchema.parse({ ...doc, executor: 'x' });

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('start deploy task with components (api-reference §2.4)', () => {
    // Prepare
    const component = { task_id: TASK, app_id: 'a1', app_name: 'app', comp_id: 'c1', comp_name: 'comp', domain_id: 'd1', region: 'cn-north-4', state: '1' };

    // Act
    const parsed = startDeployTaskResponseSchema.parse({ id: RECORD, task_id: TASK, app_component_list: [{ ...component, extra: 1 }] });

    // Assess
    expect(parsed).toStrictEqual({ id: RECORD, task_id: TASK, app_component_list: [component] });
  });

  it('reject manual review (seed 004)', () => {
    // Prepare
    const doc = { success: true };

    // Act
    const parsed = rejectManualReviewResponseSchema.parse({ ...doc, error_code: undefined, hint: 'x' });

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('package detail (api-reference §3.1)', () => {
    // Prepare
    const doc = {
      release_package: { package_id: '13', package_name: 'pkg', deploy_status: 2, package_approvers: [{ user_id: APPROVER }] },
      task_details: [{ pending_item_id: '26', item_name: 'job_a', task_id: '451', task_type: 1, update_type: 2, deploy_status: 2, start_job_status: 2 }],
    };

    // Act
    const parsed = showPackageDetailResponseSchema.parse({ ...doc, task_details: doc.task_details.map((t) => ({ ...t, script_id: 's1' })) });

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('deploy history (api-reference §3.2)', () => {
    // Prepare
    const doc = {
      total_num: 1,
      result: [{ execution_id: RECORD, state: 'succeeded', start_time: '2025-01-01 00:00:00', end_time: '2025-01-01 00:01:00', duration: '00:01:00', operator: 'u', nickname: 'n', release_id: 7, type: 'deploy' }],
    };

    // Act
    const parsed = deployHistoryResponseSchema.parse({ ...doc, page: 1 });

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it('pipeline run detail (api-reference §3.3)', () => {
    // Prepare
    const doc = {
      id: RUN,
      pipeline_id: PIPELINE,
      name: 'release',
      status: 'RUNNING',
      run_number: 3,
      start_time: 1700000000000,
      stages: [{ id: 's1', name: 'approve', status: 'RUNNING', jobs: [{ id: JOB, name: 'review', status: 'PAUSED', message: null, steps: [{ id: STEP, name: 'manual', task: 'manual_review', business_type: 'Normal', status: 'PAUSED' }] }] }],
    };

    // Act
    const parsed = pipelineRunDetailSchema.parse({ ...doc, detail_url: 'https://x', stages: doc.stages.map((s) => ({ ...s, sequence: 1 })) });

    // Assess
    expect(parsed).toStrictEqual(doc);
  });

  it.each([
    ['publish without a package id', publishPackageResponseSchema, { package_name: 'p' }],
    ['publish with a non-numeric package id', publishPackageResponseSchema, { package_name: 'p', release_package_id: '../13' }],
    ['list with a negative total', listPendingItemsResponseSchema, { total: -1, data: [] }],
    ['start deploy with an empty record id', startDeployTaskResponseSchema, { id: '', task_id: TASK }],
    ['reject with a string success', rejectManualReviewResponseSchema, { success: 'true' }],
  ] as const)('refuses %s', (_label, schema, body) => {
    // Prepare
    const input: unknown = body;

    // Act
    const result = (schema as z.ZodMiniType).safeParse(input);

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('Contracts: optional response fields may come back null, and null lists read as empty', () => {
  it('a release package awaiting approval: no deploy time, no deployer, approvers null', () => {
    const pkg = { package_id: '7', package_name: 'rel_7', deploy_status: 1, delete_flag: null, apply_timestamp: 1747106103570, deploy_timestamp: null, apply_user_id: USER, apply_user_name: null, deploy_user_id: null, deploy_user_name: null, package_approvers: null, project_id: null, workspace_id: null };
    expect(queryReleasePackagesResponseSchema.parse({ total: 1, data: [pkg] })).toStrictEqual({ total: 1, data: [{ ...pkg, package_approvers: [] }] });
    expect(showPackageDetailResponseSchema.parse({ release_package: { ...pkg, package_approvers: [{ user_id: APPROVER, user_name: null }] }, task_details: null })).toStrictEqual({
      release_package: { ...pkg, package_approvers: [{ user_id: APPROVER, user_name: null }] },
      task_details: [],
    });
  });

  it('a pending item with its optional fields null', () => {
    const item = { pending_item_id: '4', item_name: 'job_0242', task_id: null, task_type: 1, update_type: 1, package_flag: 0, pending_version: null, deployed_version: null, project_id: null, submit_timestamp: null, submit_user_id: null, submit_user_name: null };
    expect(listPendingItemsResponseSchema.parse({ total: 1, data: [item] })).toStrictEqual({ total: 1, data: [item] });
  });

  it('a running pipeline run: no end time, no name, stages and steps null', () => {
    const run = { id: RUN, pipeline_id: PIPELINE, name: null, status: 'RUNNING', run_number: null, start_time: 1747106103570, end_time: null };
    expect(pipelineRunDetailSchema.parse({ ...run, stages: [{ id: 's1', name: null, status: 'RUNNING', jobs: [{ id: 'j1', name: null, status: 'RUNNING', message: null, steps: null }] }] })).toStrictEqual({
      ...run,
      stages: [{ id: 's1', name: null, status: 'RUNNING', jobs: [{ id: 'j1', name: null, status: 'RUNNING', message: null, steps: [] }] }],
    });
    expect(pipelineRunDetailSchema.parse({ ...run, stages: null })).toStrictEqual({ ...run, stages: [] });
  });

  it('a started deployment without components, and a running one in the history without an end time', () => {
    expect(startDeployTaskResponseSchema.parse({ id: RECORD, task_id: TASK, job_name: null, app_component_list: null })).toStrictEqual({ id: RECORD, task_id: TASK, job_name: null, app_component_list: [] });
    const record = { execution_id: RECORD, state: 'running', start_time: '2026-11-23 08:00:00', end_time: null, duration: null, operator: null, nickname: null, release_id: null, type: null };
    expect(deployHistoryResponseSchema.parse({ total_num: 1, result: [record] })).toStrictEqual({ total_num: 1, result: [record] });
  });
});
