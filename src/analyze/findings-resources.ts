import type { Observations, TrialResult } from '../record/run-file.ts';
import type { Finding } from './diagnosis-types.ts';
import { average, fitLine, format, queueRates } from './series-math.ts';
import { DIAGNOSIS_THRESHOLDS as LIMITS } from './thresholds.ts';

/** What the job-based analysis knows that the resource findings need. */
export interface ResourceContext {
  cpus: number;
  /** Queue wait is the dominant stage (backlog seen from the jobs' side). */
  queueWaitDominant: boolean;
  /** Largest processing p50 / fastest job of the same size class, and that class. */
  contention: { ratio: number; sizeClass: string; p50Ms: number; fastestMs: number } | null;
  /** Median processing time the jobs measured, ms; null when unknown. */
  processingP50Ms: number | null;
  completedJobs: number;
  /**
   * The trial was cut short (interrupted, target died, jobs left in flight): the queue's
   * series ends before its backlog drained, so a queue that merely held the jobs in flight
   * looks like one that grows.
   */
  interrupted: boolean;
}

/** Target CPU as a fraction of all cores, from the watched processes or else the host. */
function cpuLoad(observations: Observations, cpus: number) {
  const processes = observations.processes;
  if (processes && processes.cpuPercent.length >= LIMITS.minimumSamples) {
    const mean = average(processes.cpuPercent);
    return {
      fraction: mean / (cpus * 100),
      line:
        `${mean.toFixed(0)}% CPU (100 = one core) ` +
        `of ${cpus * 100}% available, in ${processes.selector}`,
    };
  }
  const host = observations.host;
  if (host && host.cpuPercent.length >= LIMITS.minimumSamples) {
    const mean = average(host.cpuPercent);
    return {
      fraction: mean / 100,
      line: `host CPU ${mean.toFixed(0)}% of all ${cpus} cores ` + '(no target processes watched)',
    };
  }
  return null;
}

export function resourceFindings(trial: TrialResult, context: ResourceContext): Finding[] {
  const findings: Finding[] = [];
  const observations = trial.observations;
  const queue = observations.queue;
  const rates = queue && queue.tSeconds.length >= LIMITS.minimumSamples ? queueRates(queue) : null;

  // 1. Queue growing: more added than consumed, and pending rising.
  const growing =
    rates !== null &&
    rates.addedPerSecond >= rates.consumedPerSecond * LIMITS.addOverConsumeRatio &&
    rates.pendingSlopePerSecond >= LIMITS.pendingSlopePerSecond;
  if (rates && growing && context.interrupted) {
    findings.push({
      code: 'queue-growing',
      severity: 'info',
      title: 'The queue grew, but the run stopped before it could drain: growth is unproven',
      evidence: [
        `added ${format.rate(rates.addedPerSecond)} jobs/s, consumed ` +
          `${format.rate(rates.consumedPerSecond)} jobs/s over ${rates.seconds.toFixed(0)} s`,
        `pending ${rates.firstPending} -> ${rates.lastPending}, fitted ` +
          `${format.rate(rates.pendingSlopePerSecond)} jobs/s`,
        'the trial was interrupted: jobs still in the queue when it stopped count as added ' +
          'and not consumed, as they would in a service that keeps up',
      ],
      suggestion:
        'Rerun to the end (or longer) to tell a growing queue from the backlog of an ' +
        'interrupted run.',
    });
  } else if (rates && growing) {
    findings.push({
      code: 'queue-growing',
      severity: 'critical',
      title: 'The queue grows: jobs arrive faster than workers finish them',
      evidence: [
        `added ${format.rate(rates.addedPerSecond)} jobs/s, consumed ` +
          `${format.rate(rates.consumedPerSecond)} jobs/s over ${rates.seconds.toFixed(0)} s`,
        `pending ${rates.firstPending} -> ${rates.lastPending}, fitted ` +
          `${format.rate(rates.pendingSlopePerSecond)} jobs/s`,
        `threshold: added >= ${LIMITS.addOverConsumeRatio} x consumed and pending slope >= ` +
          `${LIMITS.pendingSlopePerSecond} jobs/s`,
      ],
      suggestion:
        'The service cannot keep up at this load: see whether the workers are saturated or ' +
        'idle below, then add capacity or remove the blocking step.',
    });
  }

  // 2. Saturated or underused workers while work waits.
  const provenGrowth = growing && !context.interrupted;
  const backlog = provenGrowth || context.queueWaitDominant;
  const cpu = cpuLoad(observations, context.cpus);
  const backlogLine = provenGrowth
    ? 'the queue grows (see queue-growing)'
    : `queue wait is >= ${format.percent(LIMITS.dominantShare)} of end-to-end`;
  if (cpu && backlog && cpu.fraction >= LIMITS.saturatedCpuFraction) {
    findings.push({
      code: 'workers-saturated',
      severity: 'warning',
      title: 'Workers are saturated: all cores busy while jobs wait',
      evidence: [
        cpu.line,
        backlogLine,
        `threshold: CPU >= ` +
          `${format.percent(LIMITS.saturatedCpuFraction)} of all cores while work waits`,
      ],
      suggestion:
        'The service is CPU bound: more workers will not help. Make each job cheaper (engine ' +
        'threads, model reuse, image size) or add cores or machines.',
    });
  } else if (cpu && backlog && cpu.fraction < LIMITS.underusedCpuFraction) {
    findings.push({
      code: 'workers-underused',
      severity: 'warning',
      title: 'Workers are underused: CPU is idle while jobs wait',
      evidence: [
        cpu.line,
        backlogLine,
        `threshold: CPU < ` +
          `${format.percent(LIMITS.underusedCpuFraction)} of all cores while work waits`,
      ],
      suggestion:
        'Something serialises the work: too few workers, a global lock around the queue or ' +
        'file saving, or OCR blocking the main thread. Check worker count and locks first.',
    });
  }

  // 3. Oversubscription: cores full, yet each job much slower than when it ran alone.
  const contention = context.contention;
  if (
    cpu &&
    contention &&
    cpu.fraction >= LIMITS.saturatedCpuFraction &&
    contention.ratio >= LIMITS.contentionSlowdown
  ) {
    findings.push({
      code: 'oversubscription',
      severity: 'warning',
      title: `Jobs run ${contention.ratio.toFixed(1)}x slower than alone while cores are full`,
      evidence: [
        cpu.line,
        `size class ${contention.sizeClass}: processing p50 ${format.ms(contention.p50Ms)} ` +
          `against ${format.ms(contention.fastestMs)} for its fastest job (the single-job ` +
          'reference)',
        `threshold: p50 >= ${LIMITS.contentionSlowdown} x fastest while CPU >= ` +
          `${format.percent(LIMITS.saturatedCpuFraction)} of all cores`,
      ],
      suggestion:
        'OCR processes fight over the cores: cap engine threads (OMP_THREAD_LIMIT=1 or the ' +
        'engine setting) so workers x threads <= cores.',
    });
  }

  findings.push(...ioFindings(observations, context));
  return findings;
}

/** Writes, memory and folders: the slow-burning causes. */
function ioFindings(observations: Observations, context: ResourceContext): Finding[] {
  const findings: Finding[] = [];
  const processes = observations.processes;
  const host = observations.host;
  const writes =
    processes && processes.writeBytesPerSecond.length >= LIMITS.minimumSamples
      ? { mean: average(processes.writeBytesPerSecond), of: processes.selector }
      : host && host.diskWriteBytesPerSecond.length >= LIMITS.minimumSamples
        ? { mean: average(host.diskWriteBytesPerSecond), of: 'host disks' }
        : null;
  if (writes && writes.mean >= LIMITS.writeBytesPerSecond) {
    findings.push({
      code: 'heavy-writes',
      severity: 'warning',
      title: `Writes average ${format.mib(writes.mean)}/s`,
      evidence: [
        `${writes.of}: mean ${format.mib(writes.mean)}/s written`,
        `threshold: >= ${format.mib(LIMITS.writeBytesPerSecond)}/s`,
      ],
      suggestion:
        'Check for copies of uploads, synchronous flushed writes of results, and temporary ' +
        'files; put uploads, temp and results on a fast disk.',
    });
  }

  const memory =
    processes && processes.rssBytes.length >= LIMITS.minimumSamples
      ? {
          t: processes.tSeconds,
          bytes: processes.rssBytes,
          of: `RSS of ${processes.selector}`,
          hostWide: false,
        }
      : host && host.memoryUsedBytes.length >= LIMITS.minimumSamples
        ? { t: host.tSeconds, bytes: host.memoryUsedBytes, of: 'host memory used', hostWide: true }
        : null;
  if (memory) {
    const fit = fitLine(memory.t, memory.bytes);
    const span = memory.t[memory.t.length - 1] - memory.t[0];
    const rise = fit.slope * span;
    const first = memory.bytes[0];
    if (
      rise >= LIMITS.memoryRiseBytes &&
      rise >= first * LIMITS.memoryRiseFraction &&
      fit.rSquared >= LIMITS.memoryFitRSquared
    ) {
      findings.push({
        code: 'memory-growing',
        // Host memory includes every other process on the machine: a hint, not a verdict.
        severity: memory.hostWide ? 'info' : 'warning',
        title: `Memory grows steadily: +${format.mib(rise)} over ${span.toFixed(0)} s`,
        evidence: [
          `${memory.of}: ${format.mib(first)} -> ${format.mib(memory.bytes.at(-1) ?? 0)}, ` +
            `fitted ${format.mib(fit.slope * 60)}/min (r² ${fit.rSquared.toFixed(2)})`,
          `threshold: fitted rise >= ${format.mib(LIMITS.memoryRiseBytes)} and >= ` +
            `${format.percent(LIMITS.memoryRiseFraction)} of the start, r² >= ` +
            `${LIMITS.memoryFitRSquared}`,
          ...(memory.hostWide
            ? ['host-wide memory: other processes count too; set observe.processes to be sure']
            : []),
        ],
        suggestion:
          'Looks like a leak: buffers or results kept per job. Run longer to confirm it does ' +
          'not level off, then look at per-job allocations.',
      });
    }
  }

  const resultsFolder = observations.resultFiles?.folder;
  for (const folder of observations.folders) {
    if (folder.files.length < 2 || folder.path === resultsFolder) continue;
    const added = (folder.files.at(-1) ?? 0) - folder.files[0];
    if (added < LIMITS.folderGrowthFiles) continue;
    const perJob = context.completedJobs > 0 ? added / context.completedJobs : 0;
    findings.push({
      code: 'folder-growing',
      severity: 'warning',
      title: `${folder.path} grew by ${added} files during the trial`,
      evidence: [
        `${folder.files[0]} -> ${folder.files.at(-1)} files, ` +
          `${format.mib(folder.bytes[0])} -> ${format.mib(folder.bytes.at(-1) ?? 0)}`,
        `${perJob.toFixed(2)} files per completed job`,
        `threshold: >= ${LIMITS.folderGrowthFiles} files added (results folder excluded)`,
      ],
      suggestion:
        'Temporary files or uploads are not cleaned up: delete them when each job ends and ' +
        'add a retention clean-up for old files.',
    });
  }
  return findings;
}
