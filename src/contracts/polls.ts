import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';

export const PollMode = z.enum(['single', 'multiple']);
export const ResultsVisibility = z.enum(['live', 'after_close']);
export const PollState = z.enum(['upcoming', 'open', 'closed']);

export const PollOption = z.object({
  id: z.string(),
  text: z.string(),
  imageUrl: z.string().nullable(),
});

export const MyBallot = z
  .object({ choices: z.array(z.string()), castAt: Timestamp, updatedAt: Timestamp })
  .meta({ id: 'PollBallot' });

export const Poll = z
  .object({
    id: z.string(),
    needId: z.string().nullable(),
    solutionId: z.string().nullable(),
    question: z.string(),
    options: z.array(PollOption),
    mode: PollMode,
    maxChoices: z.number().int().describe('most options one ballot may choose (1 for single)'),
    opensAt: Timestamp,
    closesAt: Timestamp,
    resultsVisibility: ResultsVisibility,
    state: PollState.describe('upcoming before opensAt, open until closesAt, closed after'),
    decidedOptionId: z.string().nullable().describe('the option an operator marked as the decided spec, once closed'),
    decidedAt: Timestamp.nullable(),
    createdBy: z.string(),
    createdAt: Timestamp,
    myBallot: MyBallot.nullable().optional().describe('the caller’s ballot (signed-in callers only)'),
  })
  .meta({ id: 'Poll' });

const httpsUrl = z
  .url({ protocol: /^https$/ })
  .max(2000)
  .describe('an https URL');

export const CreatePollBody = z.strictObject({
  needId: z.string().min(1).max(100).optional().describe('the need the poll is about (or solutionId)'),
  solutionId: z.string().min(1).max(100).optional().describe('the solution the poll is about (or needId)'),
  question: z.string().trim().min(1).max(500),
  options: z
    .array(z.strictObject({ text: z.string().trim().min(1).max(200), imageUrl: httpsUrl.optional() }))
    .min(2)
    .max(20),
  mode: PollMode,
  maxChoices: z.number().int().min(1).max(20).optional().describe('multiple: defaults to the number of options; single: 1'),
  opensAt: z.iso.datetime({ offset: true }),
  closesAt: z.iso.datetime({ offset: true }),
  resultsVisibility: ResultsVisibility.default('live'),
});
export type CreatePollBody = z.infer<typeof CreatePollBody>;

export const PollListQuery = PageQuery.extend({
  needId: z.string().max(100).optional(),
  solutionId: z.string().max(100).optional(),
  state: PollState.optional(),
});

export const BallotBody = z.strictObject({
  choices: z.array(z.string().min(1).max(100)).min(1).max(20).describe('option ids, distinct, 1..maxChoices'),
});

export const DecideBody = z.strictObject({ optionId: z.string().min(1).max(100) });

export const ResultsQuery = z.object({
  by: z.string().min(1).max(50).optional().describe('a member dimension to break the counts down by, e.g. community'),
});

const Breakdown = z
  .object({
    by: z.string(),
    groups: z.array(z.string()).describe('the dimension’s values among the voters, sorted'),
    voters: z.object({
      all: z.number().int(),
      groups: z.record(z.string(), z.number().int()),
      ungrouped: z.number().int().describe('voters with no value in this dimension (counted in all only)'),
    }),
    options: z.array(
      z.object({
        optionId: z.string(),
        all: z.number().int(),
        groups: z.record(z.string(), z.number().int()).describe('a voter in several groups counts in each'),
        ungrouped: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'PollBreakdown' });

export const PollResults = z
  .object({
    pollId: z.string(),
    state: PollState,
    resultsVisibility: ResultsVisibility,
    results: z
      .object({
        voters: z.number().int(),
        options: z.array(z.object({ optionId: z.string(), text: z.string(), count: z.number().int() })),
        breakdown: Breakdown.nullable(),
      })
      .nullable()
      .describe('null while hidden: an after_close poll before it closes, except to operators'),
  })
  .meta({ id: 'PollResults' });
