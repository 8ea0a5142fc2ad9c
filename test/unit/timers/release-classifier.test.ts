/**
 * releaseCheck's classification page by page (ReleaseClassifier): fed the pages of the two queries as they
 * come, in any interleaving of the two, it gives exactly the report that classifyPackages gives for the
 * whole lists, including a package that shows up twice or in both queries.
 */
import fc from 'fast-check';
import type { ReleasePackage } from '../../../shared/contracts/dataarts';
import { classifyPackages, ReleaseClassifier } from '../../../shared/schedules/release-check';

const MIN = 60_000;
const window = { start: new Date('2026-11-23T00:15:00Z'), end: new Date('2026-11-23T00:30:00Z') };
const end = window.end.getTime();
const thresholds = { approvalMs: 60 * MIN, releasingMs: 30 * MIN };

/** Packages whose ids repeat (a package on two pages, or in both queries) and whose times fall around the window. */
const packageArbitrary: fc.Arbitrary<ReleasePackage> = fc
  .record({
    id: fc.integer({ min: 1, max: 40 }),
    status: fc.constantFrom(1, 2, 3, 5),
    deleted: fc.boolean(),
    applied: fc.option(fc.integer({ min: -240, max: 5 }), { nil: undefined }),
    deployed: fc.option(fc.integer({ min: -240, max: 5 }), { nil: undefined }),
    user: fc.option(fc.constantFrom('dev_zhang', 'dev_li'), { nil: undefined }),
  })
  .map(({ id, status, deleted, applied, deployed, user }) => ({
    package_id: String(id),
    package_name: `pkg_${id}`,
    deploy_status: status,
    delete_flag: deleted ? 1 : 0,
    package_approvers: [],
    ...(applied === undefined ? {} : { apply_timestamp: end + applied * MIN }),
    ...(deployed === undefined ? {} : { deploy_timestamp: end + deployed * MIN }),
    ...(user === undefined ? {} : { apply_user_name: user }),
  }));

/** Splits a list into pages of `size`. */
const pagesOf = (list: readonly ReleasePackage[], size: number) => Array.from({ length: Math.ceil(list.length / size) }, (_, p) => list.slice(p * size, (p + 1) * size));

describe('releaseCheck: classification page by page', () => {
  it('gives the report classifyPackages gives for the whole lists, however the pages of the two queries interleave', () => {
    fc.assert(
      fc.property(
        fc.array(packageArbitrary, { maxLength: 60 }),
        fc.array(packageArbitrary, { maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.array(fc.boolean(), { maxLength: 100 }),
        fc.boolean(),
        (open, failed, size, order, complete) => {
          // Prepare
          const expected = classifyPackages({ workspace: 'ws', window, thresholds, open, failed, complete });
          const classifier = new ReleaseClassifier({ workspace: 'ws', window, thresholds });
          const openPages = pagesOf(open, size);
          const failedPages = pagesOf(failed, size);

          // Act: each query's pages in order, the two queries interleaved as `order` says
          for (let i = 0; openPages.length + failedPages.length > 0; i++) {
            const fromFailed = failedPages.length > 0 && (openPages.length === 0 || order[i % Math.max(1, order.length)] === true);
            if (fromFailed) classifier.addFailed(failedPages.shift() ?? []);
            else classifier.addOpen(openPages.shift() ?? []);
          }

          // Assess
          expect(classifier.report(complete)).toStrictEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts the minutes of a package listed as open and as failed from its failure, whichever page came first', () => {
    // Prepare: package 7 was pending for 70 min (new), then failed 5 min before the window's end
    const asOpen: ReleasePackage = { package_id: '7', package_name: 'pkg_7', deploy_status: 1, delete_flag: 0, package_approvers: [], apply_timestamp: end - 70 * MIN };
    const asFailed: ReleasePackage = { ...asOpen, deploy_status: 3, deploy_timestamp: end - 5 * MIN };
    const failedFirst = new ReleaseClassifier({ workspace: 'ws', window, thresholds });
    const openFirst = new ReleaseClassifier({ workspace: 'ws', window, thresholds });

    // Act
    failedFirst.addFailed([asFailed]);
    failedFirst.addOpen([asOpen]);
    openFirst.addOpen([asOpen]);
    openFirst.addFailed([asFailed]);

    // Assess
    const report = failedFirst.report();
    expect(openFirst.report()).toStrictEqual(report);
    expect([report.awaiting_approval.new, report.failed.new]).toStrictEqual([
      [{ package_id: '7', package_name: 'pkg_7', deploy_status: 1, since: '2026-11-23T00:20:00.000Z', minutes: 5 }],
      [{ package_id: '7', package_name: 'pkg_7', deploy_status: 3, since: '2026-11-23T00:25:00.000Z', minutes: 5 }],
    ]);
  });
});
