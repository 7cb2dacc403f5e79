/**
 * Deploy defects the conformance suites find that are being fixed on other branches. Each entry
 * lets exactly the problems it names pass, with the defect's name; an entry that no longer
 * matches anything fails the suite, so whoever merges the fix deletes the entry (and sees the
 * suite go green only once the fix is in).
 */
export interface PendingFix {
  defect: string;
  /** The check that reports it (`check` of a template problem, or an SDK rule id). */
  check: string;
  /** Where it is reported (template path or `Service.Operation`); a pattern. */
  where: RegExp;
}

export const PENDING_FIXES_ON_OTHER_BRANCHES: PendingFix[] = [
  // Empty: the five deploy defects of issue 8 are fixed (KMS key, reserved concurrency, table tag,
  // role-name budget, ListTasks filter). Add an entry only while a fix is on another branch.
];

/** Splits problems into the ones still failing and the ones a pending fix covers; reports unused entries. */
export const applyPendingFixes = <P extends { check: string; where: string }>(
  problems: P[],
  fixes: PendingFix[] = PENDING_FIXES_ON_OTHER_BRANCHES,
  scope: (fix: PendingFix) => boolean = () => true,
): { failing: P[]; pending: P[]; unused: PendingFix[] } => {
  const used = new Set<PendingFix>();
  const failing: P[] = [];
  const pending: P[] = [];
  for (const p of problems) {
    const fix = fixes.find((f) => f.check === p.check && f.where.test(p.where));
    if (fix) {
      used.add(fix);
      pending.push(p);
    } else failing.push(p);
  }
  return { failing, pending, unused: fixes.filter((f) => scope(f) && !used.has(f)) };
};
