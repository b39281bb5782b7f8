import { z } from 'zod';

/**
 * NCP response shapes. Every object is loose (extra fields pass) because NCP adds fields without notice;
 * only what the bot reads is required. Some NCP APIs wrap the payload in `{ result: ... }` and older
 * ones do not, so `unwrapResult` accepts both.
 */
const unwrapResult = <T extends z.ZodType>(inner: T) =>
  z.preprocess(
    (v) => (typeof v === 'object' && v !== null && 'result' in v ? (v as { result: unknown }).result : v),
    inner,
  );

/** NCP ids come back as numbers from some APIs and strings from others; the bot keeps strings. */
const idSchema = z.union([z.string().min(1), z.number()]).transform((v) => String(v));
/**
 * Epoch time, absent or null while a run has not reached that point. SourceBuild documents milliseconds;
 * SourceDeploy does not state the unit, so a value below 1e12 (before 2001 as milliseconds) is seconds.
 */
const epochMsSchema = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .transform((v) => Number(v))
  .nullish()
  .transform((v) => (v === null || v === undefined || v <= 0 ? null : new Date(v < 1e12 ? v * 1000 : v)));

export const ncpErrorBodySchema = z.looseObject({
  error: z.looseObject({
    errorCode: z.union([z.string(), z.number()]).transform((v) => String(v)),
    message: z.string().default(''),
    details: z.string().nullish(),
  }),
});

export const startBuildResponseSchema = unwrapResult(
  z.looseObject({ buildId: idSchema, projectId: idSchema.optional() }),
);

export const buildHistoryItemSchema = z.looseObject({
  buildId: idSchema,
  // Documented: "if there is no initial job, display null" -- the run is still being prepared.
  status: z
    .string()
    .min(1)
    .nullish()
    .transform((v) => v ?? null),
  failedPhase: z.string().nullish(),
  begin: epochMsSchema,
  end: epochMsSchema,
  message: z.string().nullish(),
  userId: z.string().nullish(),
});

export const buildHistorySchema = unwrapResult(
  z.looseObject({
    total: z.union([z.number(), z.string()]).optional(),
    history: z
      .array(buildHistoryItemSchema)
      .nullish()
      .transform((v) => v ?? []),
  }),
);

const dockerbuildSchema = z.looseObject({
  use: z.boolean().optional(),
  dockerfile: z.string().optional(),
  registry: z.string().optional(),
  image: z.string().optional(),
  tag: z.string().optional(),
  latest: z.boolean().optional(),
});

/** GetProject: only the source and the docker build settings are read. */
export const buildProjectDetailSchema = unwrapResult(
  z.looseObject({
    source: z
      .looseObject({
        type: z.string().nullish(),
        config: z.looseObject({ repository: z.string().nullish(), branch: z.string().nullish() }).nullish(),
      })
      .nullish(),
    cmd: z.looseObject({ dockerbuild: dockerbuildSchema.nullish() }).nullish(),
  }),
);

/** Answers whose body the bot does not read (ChangeProject, CancelBuild, CancelDeploy, approvals). */
export const anyResponseSchema = z.unknown();

export const runScenarioResponseSchema = unwrapResult(z.looseObject({ historyId: idSchema }));

export const deployHistoryDetailSchema = unwrapResult(
  z.looseObject({
    id: idSchema,
    status: z.string().min(1),
    startTime: epochMsSchema,
    endTime: epochMsSchema,
    message: z.string().nullish(),
    executor: z.string().nullish(),
  }),
);

const idNameSchema = z.looseObject({ id: idSchema.nullish(), name: z.string().nullish() }).nullish();

/** GetHistories (SDK GetDeployHistoryListResponse): `historyList` of {project, stage, scenario, id, startTime, status}. */
export const deployHistoryListSchema = unwrapResult(
  z.looseObject({
    historyList: z
      .array(
        z.looseObject({
          id: idSchema,
          stage: idNameSchema,
          scenario: idNameSchema,
          status: z
            .string()
            .min(1)
            .nullish()
            .transform((v) => v ?? null),
          startTime: epochMsSchema,
        }),
      )
      .nullish()
      .transform((v) => v ?? []),
  }),
);

/** Docker Registry v2 `GET /v2/<name>/tags/list`; registries answer `tags: null` for an empty repository. */
export const tagsListSchema = z.looseObject({
  name: z.string(),
  tags: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
});

/** Docker token endpoint; `token` per the spec, `access_token` from OAuth-style servers. */
export const registryTokenSchema = z
  .looseObject({
    token: z.string().min(1).optional(),
    access_token: z.string().min(1).optional(),
    expires_in: z.number().int().positive().optional(),
  })
  .refine((t) => t.token !== undefined || t.access_token !== undefined, 'token missing')
  .transform((t) => ({ token: (t.token ?? t.access_token) as string, expiresInS: t.expires_in ?? 60 }));

/** Docker Registry v2 error body (`{ errors: [{ code, message }] }`). */
export const registryErrorSchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string().default('') })).min(1),
});
