import { type Command, Option } from 'commander';
import { apiClient, CliError, EXIT, wholeNumber } from './api.js';
import type { CommandContext } from './flags-as-code.js';

const STATUSES = ['pending', 'approved', 'rejected', 'applied', 'cancelled', 'conflict'] as const;

interface RequestUser {
  id: string | null;
  email: string;
}
interface Review {
  user: RequestUser;
  at: string;
  comment: string | null;
}
interface ChangeRequestView {
  number: number;
  environment: string;
  kind: string;
  /** Null for a segment request. */
  flag: string | null;
  /** For a segment request: the segment's key. */
  segment?: string | null;
  baseVersion: number;
  change?: Record<string, unknown> | null;
  /** For a scheduled config request: when it is written. */
  runAt?: string | null;
  scheduledChangeId?: string | null;
  reason: string;
  author: RequestUser;
  reviewers: string[];
  status: string;
  requiredApprovals: number;
  approvals: Review[];
  rejections: Review[];
  comments: Array<{ user: RequestUser; at: string; body: string }>;
  diff: { before: Record<string, unknown>; after: Record<string, unknown> } | null;
  createdAt: string;
  appliedVersion: number | null;
  stale: boolean;
}

const requestNumber = (value: string): number => {
  const n = Number(value);
  if (!/^[1-9][0-9]{0,8}$/.test(value) || !Number.isSafeInteger(n)) throw new CliError(`A change request number is 1, 2, 3…; got '${value}'`, EXIT.usage);
  return n;
};

/** What it changes: the flag, or the segment (for a segment request), and where. */
const subject = (r: ChangeRequestView): string => `${r.segment ? `segment ${r.segment}` : r.flag} in ${r.environment}${r.runAt ? ` at ${r.runAt}` : ''}`;

const line = (r: ChangeRequestView): string =>
  [
    `#${String(r.number).padEnd(5)}`,
    r.status.padEnd(9),
    `${r.approvals.length}/${r.requiredApprovals}`.padEnd(5),
    r.kind.padEnd(12),
    subject(r).padEnd(40),
    r.author.email.padEnd(28),
    r.stale ? 'STALE ' : '',
    r.reason,
  ]
    .join(' ')
    .trimEnd();

const CONFIG_FIELDS = ['on', 'killed', 'offVariant', 'targets', 'rules', 'defaultRule', 'prerequisites'];
const SEGMENT_FIELDS = ['name', 'description', 'included', 'excluded', 'rules'];

/** The config (or segment) fields a diff shows, one per line when they differ. */
const diffLines = (diff: NonNullable<ChangeRequestView['diff']>, fields: string[]): string[] =>
  fields.flatMap((field) => {
    const before = JSON.stringify(diff.before[field]);
    const after = JSON.stringify(diff.after[field]);
    return before === after ? [] : [`  ${field}: ${before} → ${after}`];
  });

const details = (r: ChangeRequestView): string[] => [
  line(r),
  `  base version ${r.baseVersion}${r.stale ? ' (STALE: the base moved; the author must rebase it)' : ''}${r.appliedVersion !== null ? `; applied as version ${r.appliedVersion}` : ''}`,
  ...(r.reviewers.length > 0 ? [`  reviewers: ${r.reviewers.join(', ')}`] : []),
  ...(r.runAt
    ? [
        r.scheduledChangeId
          ? `  scheduled for ${r.runAt} (scheduled change ${r.scheduledChangeId})`
          : `  runs at ${r.runAt}${r.status === 'applied' ? '' : ' (applying it before then schedules it; after then writes it at once)'}`,
      ]
    : []),
  ...(r.diff
    ? diffLines(r.diff, r.kind === 'segment' ? SEGMENT_FIELDS : CONFIG_FIELDS)
    : r.kind === 'archive'
      ? [`  archives ${r.flag}`]
      : r.kind === 'rollout-plan'
        ? [`  creates and starts a rollout plan: ${JSON.stringify(r.change)}`]
        : []),
  ...r.approvals.map((a) => `  approved by ${a.user.email} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`),
  ...r.rejections.map((a) => `  rejected by ${a.user.email} at ${a.at}${a.comment ? `: ${a.comment}` : ''}`),
  ...r.comments.map((c) => `  ${c.user.email} at ${c.at}: ${c.body}`),
];

/** `requests list|show|approve|reject|apply`: change requests for environments that require approval. */
export const addRequestCommands = (program: Command, { io, settings, projectOf }: CommandContext): void => {
  const requests = program.command('requests').description('change requests: changes to environments that require approval');
  const base = (project: string) => `/projects/${encodeURIComponent(project)}/change-requests`;

  requests
    .command('list')
    .description('change requests, newest first')
    .addOption(new Option('--status <status>', 'only requests in this state').choices(STATUSES))
    .option('-e, --environment <key>', 'only requests for this environment')
    .option('--flag <key>', 'only requests for this flag')
    .option('--segment <key>', 'only requests for this segment')
    .addOption(new Option('--limit <n>', 'at most this many, the newest').default(100).argParser(wholeNumber('--limit', 1)))
    .action(async (o: { status?: string; environment?: string; flag?: string; segment?: string; limit: number }) => {
      const s = settings();
      const call = apiClient(s.url, s.token);
      const items: ChangeRequestView[] = [];
      // The server answers a page of at most 500; follow its cursor until the limit or the oldest.
      for (let cursor: string | null | undefined; items.length < o.limit && cursor !== null;) {
        const query = new URLSearchParams({
          ...(o.status ? { status: o.status } : {}),
          ...(o.environment ? { environment: o.environment } : {}),
          ...(o.flag ? { flag: o.flag } : {}),
          ...(o.segment ? { segment: o.segment } : {}),
          limit: String(Math.min(500, o.limit - items.length)),
          ...(cursor ? { cursor } : {}),
        }).toString();
        const page = await call<{ items: ChangeRequestView[]; nextCursor?: string | null }>('GET', `${base(projectOf(s))}?${query}`);
        items.push(...page.items);
        cursor = page.nextCursor ?? null;
      }
      if (s.json) return io.out(JSON.stringify(items, null, 2));
      if (items.length === 0) return io.out('No change requests.');
      for (const r of items) io.out(line(r));
    });

  requests
    .command('show <number>')
    .description('one change request: its diff, reviews and comments')
    .action(async (value: string) => {
      const s = settings();
      const r = await apiClient(s.url, s.token)<ChangeRequestView>('GET', `${base(projectOf(s))}/${requestNumber(value)}`);
      if (s.json) return io.out(JSON.stringify(r, null, 2));
      for (const l of details(r)) io.out(l);
    });

  for (const verdict of ['approve', 'reject'] as const)
    requests
      .command(`${verdict} <number>`)
      .description(verdict === 'approve' ? 'approve a request (not your own)' : 'reject a request (not your own)')
      .option('-c, --comment <text>', 'a note with it')
      .action(async (value: string, o: { comment?: string }) => {
        const s = settings();
        const n = requestNumber(value);
        const r = await apiClient(s.url, s.token)<ChangeRequestView>('POST', `${base(projectOf(s))}/${n}/${verdict}`, o.comment ? { comment: o.comment } : {});
        if (s.json) return io.out(JSON.stringify(r, null, 2));
        io.out(`#${n} ${verdict === 'approve' ? 'approved' : 'rejected'}: now ${r.status} (${r.approvals.length}/${r.requiredApprovals} approvals)`);
      });

  requests
    .command('apply <number>')
    .description('apply an approved request (its approvers, or its author); refused (exit 5) when its base moved')
    .action(async (value: string) => {
      const s = settings();
      const n = requestNumber(value);
      const r = await apiClient(s.url, s.token)<ChangeRequestView>('POST', `${base(projectOf(s))}/${n}/apply`, {});
      if (s.json) return io.out(JSON.stringify(r, null, 2));
      if (r.scheduledChangeId)
        return io.out(`#${n} applied: ${r.flag} in ${r.environment} is scheduled for ${r.runAt} (scheduled change ${r.scheduledChangeId})`);
      const what = r.segment ? `segment ${r.segment}` : `${r.flag} in ${r.environment}`;
      io.out(`#${n} applied: ${what}${r.appliedVersion !== null ? ` is at version ${r.appliedVersion}` : ''}`);
    });
};
