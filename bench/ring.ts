/**
 * `pnpm bench ring`: key groups on the consistent-hash ring against Flink's
 * contiguous ranges, measured in the same run.
 *
 * For parallelism p in 2..32 at 128 and 4096 key groups: balance (max/mean
 * groups per subtask) and how many key groups change owner when one subtask
 * joins (p → p+1) or leaves (p → p−1, the last or a middle one), next to the
 * optimum (the fewest any balanced table must move). Then the speed of
 * keyGroupOf on short string keys, numbers and composite keys.
 */
import {
  type AssignmentTable,
  assignKeyGroups,
  diffAssignments,
  flinkRangeAssignment,
  keyGroupOf,
  minimalMoveCount,
} from '@rivulet/common';
import { printReport } from './lib/report.js';

const KEY_GROUPS = [128, 4096] as const;
const PARALLELISMS = Array.from({ length: 31 }, (_, i) => i + 2);
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));
const moved = (a: AssignmentTable, b: AssignmentTable): number =>
  diffAssignments(a, b).moves.length;
const maxOverMean = (t: AssignmentTable): number =>
  Math.max(...t.counts()) / (t.numberOfKeyGroups / t.members.length);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

interface Totals {
  ring: number;
  flink: number;
  optimal: number;
  worstRingOverOptimal: number;
}

function rescaleFigures(m: number) {
  const rows = [];
  const totals = (): Totals => ({ ring: 0, flink: 0, optimal: 0, worstRingOverOptimal: 0 });
  const [join, leaveLast, leaveMiddle] = [totals(), totals(), totals()];
  let ringWorstBalance = 0;
  let flinkWorstBalance = 0;
  for (const p of PARALLELISMS) {
    const ring = assignKeyGroups({ members: ids(p), numberOfKeyGroups: m });
    const flink = flinkRangeAssignment({ numberOfKeyGroups: m, parallelism: p });
    const ringJoin = moved(
      ring,
      assignKeyGroups({ members: ids(p + 1), numberOfKeyGroups: m, previous: ring }),
    );
    const flinkJoin = moved(
      flink,
      flinkRangeAssignment({ numberOfKeyGroups: m, parallelism: p + 1 }),
    );
    const optimalJoin = minimalMoveCount(ring, ids(p + 1));
    // Leaving: the last subtask (what Flink's renumbering handles best) and a middle one
    // (a lost TaskManager); Flink's ranges do not depend on which one left.
    const withoutLast = ids(p - 1);
    const withoutMiddle = ids(p).filter((_, i) => i !== p >> 1);
    const ringLeave = moved(
      ring,
      assignKeyGroups({ members: withoutLast, numberOfKeyGroups: m, previous: ring }),
    );
    const ringLeaveMiddle = moved(
      ring,
      assignKeyGroups({ members: withoutMiddle, numberOfKeyGroups: m, previous: ring }),
    );
    const flinkLeave = moved(
      flink,
      flinkRangeAssignment({ numberOfKeyGroups: m, parallelism: p - 1 }),
    );
    const optimalLeave = minimalMoveCount(ring, withoutLast);
    const optimalLeaveMiddle = minimalMoveCount(ring, withoutMiddle);
    add(join, ringJoin, flinkJoin, optimalJoin);
    add(leaveLast, ringLeave, flinkLeave, optimalLeave);
    add(leaveMiddle, ringLeaveMiddle, flinkLeave, optimalLeaveMiddle);
    ringWorstBalance = Math.max(ringWorstBalance, maxOverMean(ring));
    flinkWorstBalance = Math.max(flinkWorstBalance, maxOverMean(flink));
    rows.push({
      p,
      ringMaxOverMean: round(maxOverMean(ring)),
      flinkMaxOverMean: round(maxOverMean(flink)),
      join: { ring: ringJoin, flink: flinkJoin, optimal: optimalJoin },
      leaveLast: { ring: ringLeave, flink: flinkLeave, optimal: optimalLeave },
      leaveMiddle: { ring: ringLeaveMiddle, flink: flinkLeave, optimal: optimalLeaveMiddle },
    });
  }
  return {
    rows,
    join,
    leaveLast,
    leaveMiddle,
    ringWorstBalance,
    flinkWorstBalance,
    walk: walkFigures(m),
  };
}

function add(t: Totals, ring: number, flink: number, optimal: number): void {
  t.ring += ring;
  t.flink += flink;
  t.optimal += optimal;
  t.worstRingOverOptimal = Math.max(t.worstRingOverOptimal, optimal === 0 ? 1 : ring / optimal);
}

/** 2 → 32 → 2 subtasks one at a time: total moved vs optimal, worst balance seen. */
function walkFigures(m: number) {
  let table = assignKeyGroups({ members: ids(2), numberOfKeyGroups: m });
  let ring = 0;
  let optimal = 0;
  let worstBalance = 0;
  const started = performance.now();
  for (const n of [...PARALLELISMS.slice(1), ...PARALLELISMS.slice(0, -1).reverse()]) {
    const next = assignKeyGroups({ members: ids(n), numberOfKeyGroups: m, previous: table });
    ring += moved(table, next);
    optimal += minimalMoveCount(table, ids(n));
    worstBalance = Math.max(worstBalance, maxOverMean(next));
    table = next;
  }
  const msPerStep = (performance.now() - started) / 60;
  return {
    steps: 60,
    ringMoved: ring,
    optimal,
    worstMaxOverMean: round(worstBalance),
    msPerAssignment: round(msPerStep, 2),
  };
}

/** Keys per second through keyGroupOf (best of several rounds). */
function keysPerSecond(keys: readonly unknown[], maxParallelism: number): number {
  let sink = 0;
  let best = 0;
  for (let r = 0; r < 9; r++) {
    const started = process.hrtime.bigint();
    for (let rep = 0; rep < 4; rep++)
      for (const key of keys) sink ^= keyGroupOf(key, maxParallelism);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.max(best, (keys.length * 4) / seconds);
  }
  if (sink === -1) process.stdout.write(''); // keep `sink` alive
  return Math.round(best);
}

function speedFigures() {
  let seed = 42;
  const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const word = (): string => {
    let s = '';
    for (let i = 1 + Math.floor(random() * 20); i > 0; i--)
      s += String.fromCharCode(97 + Math.floor(random() * 26));
    return s;
  };
  const strings = Array.from({ length: 1 << 16 }, word);
  const nonAscii = strings.map((s, i) => (i % 2 === 0 ? `${s}é` : `日本${s.slice(0, 6)}`));
  const numbers = Array.from({ length: 1 << 16 }, (_, i) =>
    i % 2 === 0 ? Math.floor(random() * 1e9) : random() * 1e6,
  );
  const tuples = strings.map((s, i) => [s, i]);
  return {
    stringKeys1to20Ascii: keysPerSecond(strings, 128),
    stringKeysNonAscii: keysPerSecond(nonAscii, 128),
    numberKeys: keysPerSecond(numbers, 128),
    tupleKeysStringNumber: keysPerSecond(tuples, 128),
  };
}

const rescale = Object.fromEntries(KEY_GROUPS.map((m) => [m, rescaleFigures(m)]));
const keyGroupOfKeysPerSecond = speedFigures();
const ratios: Record<string, number> = {};
const targets: Record<string, { target: string; met: boolean }> = {};
for (const m of KEY_GROUPS) {
  const f = rescale[m]!;
  for (const [step, t] of [
    ['join', f.join],
    ['leaveLast', f.leaveLast],
    ['leaveMiddle', f.leaveMiddle],
  ] as const) {
    ratios[`ringOverFlinkMoved_${step}_${m}`] = round(t.ring / t.flink);
    ratios[`ringOverOptimalMoved_${step}_${m}`] = round(t.ring / t.optimal);
    ratios[`ringOverOptimalMovedWorstStep_${step}_${m}`] = round(t.worstRingOverOptimal);
  }
  ratios[`ringOverOptimalMoved_walk_${m}`] = round(f.walk.ringMoved / f.walk.optimal);
  ratios[`flinkMovedShare_join_${m}`] = round(f.join.flink / (m * PARALLELISMS.length));
  ratios[`ringMovedShare_join_${m}`] = round(f.join.ring / (m * PARALLELISMS.length));
  ratios[`flinkMovedShare_leave_${m}`] = round(f.leaveLast.flink / (m * PARALLELISMS.length));
  ratios[`ringMovedShare_leave_${m}`] = round(f.leaveLast.ring / (m * PARALLELISMS.length));
  targets[`movement_${m}`] = {
    target: 'ring moves ≤ 1.1 × optimal on every ±1 step',
    met:
      Math.max(
        f.join.worstRingOverOptimal,
        f.leaveLast.worstRingOverOptimal,
        f.leaveMiddle.worstRingOverOptimal,
      ) <= 1.1,
  };
  targets[`balance_${m}`] = {
    target: 'every subtask owns ⌊m/n⌋..⌈m/n⌉ key groups (ε = 0)',
    met: PARALLELISMS.every(
      (p) => f.rows[p - 2]!.ringMaxOverMean <= round(Math.ceil(m / p) / (m / p)) + 1e-9,
    ),
  };
}

printReport({
  bench: 'ring',
  figures: {
    node: process.version,
    virtualNodes: 64,
    parallelisms: `${PARALLELISMS[0]}..${PARALLELISMS.at(-1)}`,
    rescale,
    keyGroupOfKeysPerSecond,
  },
  ratios,
  targets,
});
