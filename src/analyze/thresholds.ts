/**
 * Every threshold a diagnosis finding uses, in one place: the findings read them from here
 * and docs/observe.md lists them (a test checks the two agree). Shares are fractions (0.5 =
 * half), CPU is percent where 100 = one core, rates are per second.
 */
export const DIAGNOSIS_THRESHOLDS = {
  /** Completed jobs needed before shares and trends are computed. @default 5 */
  minimumJobs: 5,
  /** Samples a series needs before its trend or mean is trusted. @default 3 */
  minimumSamples: 3,
  /** A stage holding this share of end-to-end time is called dominant. @default 0.5 */
  dominantShare: 0.5,
  /** Queue growing: mean add rate over mean consume rate at or above this. @default 1.1 */
  addOverConsumeRatio: 1.1,
  /** Queue growing: pending jobs rising at least this fast (fitted slope), jobs/s. @default 0.05 */
  pendingSlopePerSecond: 0.05,
  /** Saturated: target CPU at or above this fraction of all cores. @default 0.85 */
  saturatedCpuFraction: 0.85,
  /** Underused: target CPU below this fraction of all cores while work waits. @default 0.5 */
  underusedCpuFraction: 0.5,
  /** Oversubscribed: processing p50 over the fastest job of the class at or above. @default 2 */
  contentionSlowdown: 2,
  /** Uploads heavy: upload share of end-to-end of the largest size class. @default 0.3 */
  largestClassUploadShare: 0.3,
  /** Heavy writes: target (or host disk) mean writes at or above, bytes/s. @default 20 MiB/s */
  writeBytesPerSecond: 20 * 1024 * 1024,
  /** Memory growing: fitted rise over the trial at least this many bytes... @default 50 MiB */
  memoryRiseBytes: 50 * 1024 * 1024,
  /** ...and at least this fraction of the first sample. @default 0.1 */
  memoryRiseFraction: 0.1,
  /** ...with a fit this steady (r squared), so one spike is not a leak. @default 0.6 */
  memoryFitRSquared: 0.6,
  /** Folder growing: files added over the trial at least this many. @default 10 */
  folderGrowthFiles: 10,
  /** Processing trend: fitted rise over the run as a fraction of the class median. @default 0.25 */
  processingRiseFraction: 0.25,
  /** Time outside OCR: share of end-to-end not spent in processing at or above. @default 0.5 */
  outsideOcrShare: 0.5,
  /** Result files: service processing_time p50 below this fraction of measured. @default 0.7 */
  resultFileCoverage: 0.7,
  /** Failures: failed + timed-out + lost jobs over submitted at or above. @default 0.01 */
  failureRate: 0.01,
  /** Generator: event-loop delay p99 at or above this, ms. @default 50 */
  generatorEventLoopP99Ms: 50,
  /** Generator: ocrbench's own CPU at or above this, percent of one core. @default 90 */
  generatorCpuPercent: 90,
  /** Generator: jobs started late over submitted at or above. @default 0.01 */
  generatorBehindShare: 0.01,
} as const;

export type DiagnosisThresholds = typeof DIAGNOSIS_THRESHOLDS;
