import { z } from 'zod';
import { FAULT_NAMES } from '../target/options.ts';
// The gate file's schema (it imports only the metric list, never the scenario: no cycle).
import { gateSchema } from '../compare/gate-schema.ts';
import { genericProfileSchema } from '../profiles/generic-config.ts';
import { syncProfileSchema } from '../profiles/sync.ts';

/**
 * The scenario file: one schema is the source of validation, defaults, the published JSON
 * Schema (`scenarios/scenario.schema.json`) and the field table in `docs/scenario.md`.
 * Every object is strict: an unknown field is an error, so typos cannot be ignored.
 */

export { FAULT_NAMES };

const positive = (what: string) => z.number().positive().describe(what);
const count = (what: string) => z.number().int().min(1).describe(what);

export const builtinTargetSchema = z
  .strictObject({
    workers: count('OCR workers; default: the number of cores.').optional(),
    threadsPerWorker: count('Engine threads per worker.').default(1),
    engine: z
      .enum(['tesseract.js', 'tesseract-cli'])
      .default('tesseract.js')
      .describe('OCR engine of the built-in target.'),
    languages: z.string().default('spa+eng').describe('Tesseract languages, joined by +.'),
    faults: z
      .array(z.enum(FAULT_NAMES))
      .default([])
      .describe('Fault switches of the built-in target (see docs/target.md).'),
  })
  .describe('Settings for the built-in target, used when `url` is `builtin`.');

export const targetSchema = z
  .strictObject({
    url: z
      .string()
      .default('builtin')
      .describe('Base URL of the OCR service, or `builtin` to start the built-in target.'),
    profile: z
      .enum(['ocrlotes', 'ocrlotes-batch', 'generic', 'sync'])
      .default('ocrlotes')
      .describe('How the service is spoken to (docs/profiles.md).'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra HTTP headers on every request (e.g. Authorization).'),
    requestTimeoutMs: positive('Timeout of one HTTP request, ms.').default(60_000),
    connections: count('Maximum open connections to the target.').default(64),
    builtin: builtinTargetSchema.default(() => builtinTargetSchema.parse({})),
    generic: genericProfileSchema
      .optional()
      .describe('Settings of the `generic` profile; required with it (docs/profiles.md).'),
    sync: syncProfileSchema.optional(),
  })
  .describe('The OCR service under test and how to reach it.');

export const mixEntrySchema = z
  .strictObject({
    sizeClass: z.string().optional().describe('Pick files of this size class.'),
    format: z.string().optional().describe('Pick files of this format (png, jpeg, tiff, pdf).'),
    file: z.string().optional().describe('Pick this file (path as in the manifest).'),
    weight: positive('Relative weight of this entry, e.g. 70 for 70%.'),
  })
  .describe('One entry of the upload mix.');

export const datasetSchema = z
  .strictObject({
    path: z
      .string()
      .min(1)
      .describe('Dataset folder holding manifest.json, relative to the scenario file.'),
    generate: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'When the folder has no manifest, generate one with these `dataset generate` options.',
      ),
  })
  .describe('The documents to upload (docs/datasets.md).');

const stageSchema = z.strictObject({
  durationSeconds: positive('Length of this stage, s.'),
  rate: z.number().min(0).describe('Arrival rate at the end of the stage, jobs/s; ramps linearly.'),
});

const limits = {
  durationSeconds: positive('Stop starting jobs after this many seconds.').optional(),
  jobs: count('Stop after starting this many measured jobs.').optional(),
};

/**
 * Most clients (closed) or jobs in flight (open) one ocrbench process runs. Each holds a
 * request, its poll timer and its records in memory, and one process cannot keep more than
 * this many on schedule: a bigger number is a typo, or a load for several generators.
 */
export const MAX_CONCURRENT_JOBS = 10_000;

export const closedLoadSchema = z.strictObject({
  model: z.literal('closed').describe('N clients each upload, wait for the result, repeat.'),
  concurrency: count(
    'Concurrent clients, at most 10000: each holds a request and its state in memory; a ' +
      'bigger load needs several ocrbench processes.',
  ).max(MAX_CONCURRENT_JOBS),
  ...limits,
});

export const openLoadSchema = z.strictObject({
  model: z.literal('open').describe('Jobs arrive at a rate, independent of completions.'),
  rate: positive('Arrival rate, jobs/s (ignored when `stages` is set).').optional(),
  arrival: z
    .enum(['constant', 'poisson'])
    .default('constant')
    .describe('Evenly spaced arrivals, or Poisson (random, exponential gaps).'),
  stages: z
    .array(stageSchema)
    .min(1)
    .optional()
    .describe('Rate ramps; the first starts from 0 jobs/s unless `rate` is set.'),
  maxInFlight: count(
    'Cap on jobs in flight, at most 10000 (each holds its upload and polls in memory); ' +
      'reaching it is reported as a caveat.',
  )
    .max(MAX_CONCURRENT_JOBS)
    .default(1000),
  ...limits,
});

export const loadSchema = z
  .discriminatedUnion('model', [closedLoadSchema, openLoadSchema])
  .describe('The load model: `closed` (concurrency) or `open` (arrival rate).');

export const pollSchema = z
  .strictObject({
    intervalMs: positive('First wait between polls of a job, ms.').default(200),
    backoff: z.number().min(1).default(1.5).describe('Each wait is the last times this factor.'),
    // Long gaps between polls delay seeing a finished job (end-to-end grows by up to this
    // much); 1 s keeps that small against OCR times of seconds without flooding the service.
    maxIntervalMs: positive('Longest wait between polls, ms.').default(1000),
    maxWaitSeconds: positive('A job without a result after this long is timedOut, s.').default(300),
    lostAfterPolls: count(
      'Consecutive "unknown job" answers after which an accepted job counts as lost.',
    ).default(3),
  })
  .describe('How each job is polled until its result.');

export const uploadsSchema = z
  .strictObject({
    uniqueBytes: z
      .boolean()
      .default(true)
      .describe('Make each upload unique (pixels unchanged) so result caches cannot flatter.'),
    filesPerRequest: count('Files sent in one upload request.').default(1),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe('Retries of an upload answered 429/503 with Retry-After.'),
  })
  .describe('How files are sent.');

/**
 * A command pattern must compile: a broken one would only be dropped with a caveat at run
 * time, after the load was spent without the processes it was meant to watch.
 */
function validRegex(pattern: string, context: z.RefinementCtx): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    context.addIssue({
      code: 'custom',
      message: `not a valid regular expression (${(error as Error).message})`,
      params: { fix: 'escape ( ) [ ] { } * + ? with a backslash to match them as text' },
    });
  }
}

export const observeSchema = z
  .strictObject({
    intervalMs: positive('Sampling interval, ms.').default(1000),
    queue: z.boolean().default(true).describe('Sample the queue status endpoint.'),
    metricsPath: z
      .string()
      .nullable()
      .default('/api/metrics')
      .describe('Metrics endpoint read at the start and end of each trial; null to skip.'),
    processes: z
      .strictObject({
        pids: z.array(z.number().int().positive()).default([]).describe('PIDs (and children).'),
        commandPattern: z
          .string()
          .superRefine(validRegex)
          .nullable()
          .default(null)
          .describe('Regular expression on the command line, e.g. `gunicorn|python`.'),
      })
      .default({ pids: [], commandPattern: null })
      .describe('Target processes to watch (the built-in target is added automatically).'),
    host: z.boolean().default(true).describe('Sample host CPU, memory, disk and network.'),
    folders: z
      .array(z.string())
      .default([])
      .describe('Folders whose file count and bytes are sampled (uploads, temp, results).'),
    resultsFolder: z
      .string()
      .nullable()
      .default(null)
      .describe('Folder of the service’s resultados_*.json files, read after each trial.'),
  })
  .describe('What is sampled on the target while load runs (docs/observe.md).');

export const warmupSchema = z
  .strictObject({
    jobs: z.number().int().min(0).default(0).describe('Jobs run first and left out of results.'),
  })
  .describe('Jobs that warm the service up before measuring.');

export const scenarioSchema = z.strictObject({
  name: z.string().min(1).describe('Name shown in reports.'),
  description: z.string().optional().describe('Free text for the report.'),
  tags: z.record(z.string(), z.string()).default({}).describe('Labels copied to run.json.'),
  target: targetSchema.default(() => targetSchema.parse({})),
  dataset: datasetSchema,
  mix: z
    .array(mixEntrySchema)
    .min(1)
    .optional()
    .describe('Upload mix by weight; default: every dataset file equally.'),
  load: loadSchema,
  warmup: warmupSchema.default({ jobs: 0 }),
  poll: pollSchema.default(() => pollSchema.parse({})),
  uploads: uploadsSchema.default(() => uploadsSchema.parse({})),
  observe: observeSchema.default(() => observeSchema.parse({})),
  trials: count('Repetitions of the scenario; comparisons use trials as samples.').default(1),
  seed: z.number().int().default(1).describe('Seed of the upload mix and Poisson arrivals.'),
  gate: gateSchema.optional(),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type LoadModel = z.output<typeof loadSchema>;
export type OpenLoad = z.output<typeof openLoadSchema>;
export type ClosedLoad = z.output<typeof closedLoadSchema>;
export type PollPolicy = z.output<typeof pollSchema>;
