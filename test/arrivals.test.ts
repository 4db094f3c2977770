import { describe, expect, it } from 'vitest';
import { openArrivals } from '../src/load/arrivals.ts';
import { seededRandom } from '../src/util/random.ts';
import { openLoadSchema } from '../src/scenario/schema.ts';

const open = (input: object) => openLoadSchema.parse({ model: 'open', ...input });

describe('open arrivals', () => {
  it('spaces constant arrivals evenly at the rate', () => {
    const times = [...openArrivals(open({ rate: 4, durationSeconds: 2 }), seededRandom(1))];
    expect(times).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  it('gives Poisson arrivals the requested mean rate', () => {
    const load = open({ rate: 50, durationSeconds: 200, arrival: 'poisson' });
    const times = [...openArrivals(load, seededRandom(7))];
    // 10,000 expected; Poisson sd = 100, so 4 sd is 400.
    expect(Math.abs(times.length - 10_000)).toBeLessThan(400);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const cv = std(gaps) / mean(gaps);
    expect(cv).toBeGreaterThan(0.9); // exponential gaps: coefficient of variation 1
    expect(cv).toBeLessThan(1.1);
  });

  it('ramps linearly through stages', () => {
    const load = open({
      stages: [
        { durationSeconds: 10, rate: 10 },
        { durationSeconds: 10, rate: 10 },
        { durationSeconds: 10, rate: 0 },
      ],
    });
    const times = [...openArrivals(load, seededRandom(1))];
    const inStage = (from: number, to: number) =>
      times.filter((t) => t >= from * 1000 && t < to * 1000).length;
    // Ramp 0->10 jobs/s over 10 s: about 50 jobs; flat 10 jobs/s: 100; ramp down: about 50.
    expect(inStage(10, 20)).toBeGreaterThanOrEqual(99);
    expect(inStage(10, 20)).toBeLessThanOrEqual(101);
    expect(inStage(0, 10)).toBeGreaterThan(40);
    expect(inStage(0, 10)).toBeLessThan(60);
    expect(inStage(20, 30)).toBeGreaterThan(40);
    expect(inStage(20, 30)).toBeLessThan(60);
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
  });
});

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
function std(values: number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}
